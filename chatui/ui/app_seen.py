"""What the user has seen of the open thread, and when they leave it: the part of
:class:`~chatui.ui.app.ChatApp` that starts and ends vanish timers.

Apart from the app's wiring because its rules are easy to break by a change made
elsewhere (a new dialog, a new way to leave a thread), and a mistake here makes
messages vanish unread or stay after they should have gone.

What counts as "seen": the message view reports the messages whose lines it drew
(``MessageView.Shown``); they are passed to ``Session.messages_seen`` while the
thread is actually visible: the main screen is on top, or a screen that leaves the
thread in view (``THREAD_VISIBLE``, the theme picker's side panel). Under a centred
dialog (menus, help, the palette, the emoji picker) the report is held and passed
on when the dialog closes, if the thread is still the open one. A terminal in the
background (app blur) still counts: its window is usually still in sight. Leaving
a thread (opening another), quitting and suspending (Ctrl+Z) close it
(``Session.close_thread``); Esc only moves the focus to the list, the thread stays
open on the right.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatui.core.models import ThreadKey

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from chatui.ui.app import ChatApp

log = logging.getLogger(__name__)


class SeenTracking:
    """Mixed into ChatApp: reports what is in view, closes the chat on suspend.

    ChatApp's ``@on(MessageView.Shown)`` handler calls :meth:`_messages_drawn`
    (Textual registers ``@on`` handlers only on its own message-pump classes).
    """

    def thread_visible(self: ChatApp) -> bool:
        """Is the open thread on screen for the user to read (see the module docstring)?"""
        if self.first_run or self.shown_key is None or not self._drawing:
            return False
        screen = self.screen
        return screen is self.screen_stack[0] or bool(getattr(screen, "THREAD_VISIBLE", False))

    def _messages_drawn(self: ChatApp, key: ThreadKey | None, ids: Sequence[str]) -> None:
        """These messages' lines were drawn (see the module docstring)."""
        if key is None or key != self.shown_key:
            return
        # Kept: passed on again when a dialog closes, and once the Session has the
        # thread open (the view may draw before Session.open_thread starts).
        self._in_view = (key, tuple(ids))
        self._pass_on_seen()

    def _pass_on_seen(self: ChatApp) -> None:
        """Tell the Session what is in view now, if the thread is visible."""
        in_view = self._in_view
        session = self.session
        if in_view is None or session is None:
            return
        key, ids = in_view
        if key != self.shown_key or not ids or not self.thread_visible():
            return
        try:
            session.messages_seen(key, list(ids))  # the same ids again change nothing
        except Exception:  # the screen must keep working whatever the timers do
            log.exception("messages_seen failed")

    def _screen_changed(self: ChatApp, screen: Screen) -> None:
        self._pass_on_seen()

    def _suspended(self: ChatApp, app: App) -> None:
        # Ctrl+Z is leaving the chat, as quitting is (app blur is not).
        if self.session is not None and not self.first_run:
            self.session.close_thread()

    def _resumed(self: ChatApp, app: App) -> None:
        if self.session is not None and not self.first_run:
            # The machine may have slept (the monotonic clock stops meanwhile):
            # whatever is due by the wall clock goes now, before it is drawn again.
            self.session.check_vanish()
        if self.shown_key is not None and self._drawing:
            self._load_thread(self.shown_key)  # open again: reads and timers count anew
