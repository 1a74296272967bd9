"""Chat themes in the app: the part of :class:`~chatui.ui.app.ChatApp`
that reads the theme catalog and the ``[display]`` settings, draws the open
thread in its shared theme, and lets the user pick (with a live preview) and
share another one (Ctrl+T, the palette, ``/theme``).

Apart from the app's wiring because it holds state of its own (the catalog, the
terminal's color depth, which theme the view is styled for) and rules of its own
(the user's default theme for unthemed threads, the preview that Esc undoes).
The catalog, the settings and the styles are read after the first frame, on
first use: nothing here is imported by the first frame (bench/startup.py).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from textual import work

from chatui.backends.base import BackendError
from chatui.core.models import Thread, ThreadKey
from chatui.ui.widgets.status import one_line

if TYPE_CHECKING:
    from chatui.core.themes import ChatTheme, ThemeCatalog
    from chatui.ui.app import ChatApp
    from chatui.ui.chat_style import ChatStyles

log = logging.getLogger(__name__)


class ThemeActions:
    """Mixed into ChatApp: the catalog, the open thread's look, the theme picker."""

    def _theme_catalog(self: ChatApp) -> ThemeCatalog | None:
        """The shipped and the user's themes, read once; bad files reported once."""
        if self._catalog_loaded:
            return self._catalog
        self._catalog_loaded = True
        from chatui.core.contrast import detect_depth
        from chatui.core.themes import load_themes

        self._depth = detect_depth(os.environ)
        self._read_settings()
        user_dir = self.profile.config_dir / "themes" if self.profile is not None else None
        try:
            self._catalog = load_themes(user_dir)
        except Exception:  # load_themes reports bad files itself; this is a bug
            log.exception("could not read the chat themes")
            return None
        for error in self._catalog.errors:
            # The error names the file and the field (ThemeError); the rest loaded.
            self.notify(
                f"{error} — the other themes are available.",
                title="A chat theme could not be read",
                severity="warning",
                timeout=10,
                markup=False,
            )
        return self._catalog

    def _read_settings(self: ChatApp) -> None:
        """The profile's ``[display]`` settings; a bad one is reported once, naming it."""
        if self.profile is None:
            return
        from chatui.profile.display_settings import load_settings

        settings = load_settings(self.profile)
        self._default_theme_name = settings.theme
        if settings.shortcodes and hasattr(self.message_view, "shortcodes"):
            self.message_view.shortcodes = True
        for error in settings.errors:
            self.notify(
                f"{error} — the default is used.",
                title="A setting could not be read",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _thread_theme(self: ChatApp, thread: Thread) -> ChatTheme | None:
        catalog = self._theme_catalog()
        if catalog is None:
            return None
        from chatui.core.themes import theme_for_thread

        try:
            if not thread.theme and self._default_theme_name:
                # No shared theme: the user's own default ([display] theme) if it exists.
                chosen = catalog.get(self._default_theme_name)
                if chosen is not None:
                    return chosen
            return theme_for_thread(thread.theme, catalog)
        except Exception:  # a theme from a server that does not fit: the default look
            log.exception("could not read the theme of %s", thread.key)
            return None

    def _styles_for(self: ChatApp, theme: ChatTheme | None) -> ChatStyles | None:
        if theme is None or self._depth is None:
            return None
        from chatui.ui.chat_style import ChatStyles

        try:
            return ChatStyles.for_theme(theme, self._depth)
        except Exception:
            log.exception("could not style theme %r", theme.name)
            return None

    def _open_thread_theme(self: ChatApp) -> ChatTheme | None:
        session = self.session
        if session is None or self.shown_key is None:
            return None
        thread = session.inbox.get(self.shown_key)
        return self._thread_theme(thread) if thread is not None else None

    def _sync_thread_look(self: ChatApp) -> None:
        """The open thread's shared settings -> the message view (vanish, theme)."""
        session = self.session
        key = self.shown_key
        if session is None or key is None or self.first_run:
            return
        thread = session.inbox.get(key)
        if thread is None:
            return
        self.message_view.vanish = thread.vanish  # unchanged: nothing is redrawn
        theme = thread.theme or None
        if getattr(self.screen, "previews_chat_theme", False):
            return  # the picker's preview is on; its end restyles (see _restyle)
        if self._styled != (key, theme):
            styles = self._styles_for(self._thread_theme(thread))
            if styles is not None:
                self._styled = (key, theme)
                self.message_view.chat_styles = styles

    def _restyle(self: ChatApp) -> None:
        """Draw the open thread in its shared theme again (after a preview)."""
        self._styled = None
        self._sync_thread_look()

    def action_theme_picker(self: ChatApp) -> None:
        key = self.shown_key
        catalog = self._theme_catalog()
        if key is None:
            return
        if catalog is None or not catalog.themes:
            self.notify("No chat themes could be read.", severity="warning")
            return
        from chatui.ui.screens.theme_picker import ThemePicker

        view = self.message_view
        current = self._open_thread_theme()

        def preview(theme: ChatTheme) -> None:
            styles = self._styles_for(theme)
            if styles is not None and self.shown_key == key:
                view.chat_styles = styles

        def chosen(theme: ChatTheme | None) -> None:
            if theme is None or self.shown_key != key:
                self._restyle()  # Esc: the thread's own theme again
                return
            self._set_theme(key, theme)

        picker = ThemePicker(
            list(catalog.themes.values()),
            current.name if current is not None else None,
            preview,
        )
        self.push_screen(picker, callback=chosen)

    def _theme_by_name(self: ChatApp, key: ThreadKey, name: str | None, typed: str) -> None:
        """``/theme NAME``: the catalog's theme of that name (any case), or say why not.

        ``typed`` (the command as written) goes back to the composer if no theme is set.
        """
        catalog = self._theme_catalog()
        if catalog is None or not catalog.themes:
            self._not_done(key, "No chat themes could be read.", typed)
            return
        theme = None
        if name is None:
            from chatui.core.themes import DEFAULT_THEME_NAME

            theme = catalog.themes.get(DEFAULT_THEME_NAME)
        else:
            wanted = name.casefold()
            exact = [t for t in catalog.themes.values() if t.name.casefold() == wanted]
            prefix = [t for t in catalog.themes.values() if t.name.casefold().startswith(wanted)]
            found = exact or prefix
            theme = found[0] if len(found) == 1 else None
        if theme is None:
            names = ", ".join(one_line(n, 40) for n in catalog.themes)
            self.notify(
                f"No single theme called {one_line(name or 'default', 40)!r}. Themes: {names}.",
                title="Not done",
                severity="warning",
                markup=False,
            )
            self.composer.put_back(typed)  # to fix the name
            return
        self._set_theme(key, theme, typed)

    @work(group="settings", exit_on_error=False)
    async def _set_theme(self: ChatApp, key: ThreadKey, theme: ChatTheme, typed: str = "") -> None:
        """Share ``theme``; the thread is drawn in it once the server has it."""
        from chatui.core.themes import DEFAULT_THEME_NAME

        assert self.session is not None
        # The default theme is sent as a reset: "bob reset the theme to the default".
        wire = None if theme.name == DEFAULT_THEME_NAME else theme.to_wire()
        failure = ""
        try:
            await self.session.set_theme(key, wire)
        except BackendError as err:
            failure = f"Theme not changed: {one_line(str(err))}"
        if self._drawing:
            self._restyle()  # the preview ends: the thread's shared theme, new or old
        if failure:
            self._not_done(key, failure, typed)
