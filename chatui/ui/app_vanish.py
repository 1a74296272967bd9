"""Changing the open thread's vanish mode: the part of
:class:`~chatui.ui.app.ChatApp` behind Ctrl+G, the palette's vanish commands and
``/vanish``.

Apart from the app's wiring so that the app module stays about wiring; what the
user has seen, which starts the timers, is chatui.ui.app_seen. The menu and the
sentence that confirms a change are imported on first use: neither is needed for
the first frame (bench/startup.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from chatui.backends.base import BackendError
from chatui.core.models import ThreadKey, VanishSetting
from chatui.ui.widgets.status import one_line

if TYPE_CHECKING:
    from chatui.ui.app import ChatApp


class VanishActions:
    """Mixed into ChatApp: the vanish menu and sharing a new vanish setting."""

    def action_vanish_menu(self: ChatApp) -> None:
        session = self.session
        key = self.shown_key
        if session is None or key is None:
            return
        thread = session.inbox.get(key)
        if thread is None:
            return
        from chatui.ui.screens.vanish_menu import VanishMenu

        me = session.me(key[0])
        title = one_line(thread.display_title(me), 60)

        def chosen(setting: VanishSetting | None) -> None:
            if setting is not None and self.shown_key == key:
                self.request_vanish(setting)

        self.push_screen(VanishMenu(thread.vanish, title=title), callback=chosen)

    def request_vanish(self: ChatApp, setting: VanishSetting, *, typed: str = "") -> None:
        """Set the open thread's vanish mode (shared); ``typed`` returns on failure."""
        if self.shown_key is not None:
            self._set_vanish(self.shown_key, setting, typed)

    @work(group="settings", exit_on_error=False)
    async def _set_vanish(
        self: ChatApp, key: ThreadKey, setting: VanishSetting, typed: str
    ) -> None:
        session = self.session
        if session is None:
            return
        try:
            await session.set_vanish(key, setting)
        except BackendError as err:
            self._not_done(key, f"Vanish mode not changed: {one_line(str(err))}", typed)
            return
        from chatui.core.notices import vanish_words

        words = vanish_words(setting)
        self.notify(words[:1].upper() + words[1:] + ".", title="Vanish mode", markup=False)
