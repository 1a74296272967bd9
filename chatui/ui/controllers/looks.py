"""How the open thread looks: the chat theme catalog, the ``[display]`` settings,
the terminal's color depth and the styles the message view is drawn in.

Read after the first frame, on first use: nothing here is imported by the first
frame (bench/startup.py). Holds rules of its own: the user's default theme for
threads that set none, a theme from a server that cannot be drawn falling back to
the default look, and ``/theme NAME`` matching a name by any case or a unique
prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatui.core.models import Thread, ThreadKey
from chatui.core.sanitize import one_line

if TYPE_CHECKING:
    from chatui.core.contrast import ColorDepth
    from chatui.core.themes import ChatTheme, ThemeCatalog
    from chatui.profile.display_settings import Settings
    from chatui.profile.folders import Profile
    from chatui.ui.chat_style import ChatStyles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """Something the user should be told once (a bad theme file or setting)."""

    title: str
    message: str


class ThreadLooks:
    """The themes and display settings, read once; the styles of the open thread.

    ``profile`` gives the user's ``themes/`` folder and ``config.toml``; None reads
    the shipped themes only and no settings.
    """

    def __init__(self, profile: Profile | None, environ: Mapping[str, str]) -> None:
        self._profile = profile
        self._environ = environ
        self._loaded = False
        self._catalog: ThemeCatalog | None = None
        self._depth: ColorDepth | None = None
        self.default_theme_name: str | None = None
        """The user's own default chat theme ([display] theme), for unthemed threads."""
        self.shortcodes = False
        """[display] emoji = "shortcode": emoji shown as :name:."""
        self._styled: tuple[ThreadKey, object] | None = None

    def load(self, settings: Settings | None = None) -> list[Problem]:
        """Read the catalog and the settings (once); what could not be read.

        ``settings``: the profile's ``[display]`` settings when the caller has read
        them already (the app does, before the first frame); else read here."""
        if self._loaded:
            return []
        self._loaded = True
        from chatui.core.contrast import detect_depth
        from chatui.core.themes import load_themes

        problems = self._read_settings(settings)
        self._depth = detect_depth(self._environ)
        profile = self._profile
        user_dir = profile.config_dir / "themes" if profile is not None else None
        try:
            self._catalog = load_themes(user_dir)
        except Exception:  # load_themes reports bad files itself; this is a bug
            log.exception("could not read the chat themes")
            return problems
        for error in self._catalog.errors:
            # The error names the file and the field (ThemeError); the rest loaded.
            problems.append(
                Problem(
                    "A chat theme could not be read", f"{error} — the other themes are available."
                )
            )
        wanted = self.default_theme_name
        if wanted is not None and self._catalog.get(wanted) is None:
            # Said as a bad [display] value is: the setting names no theme we have.
            self.default_theme_name = None
            where = self._profile.config_file if self._profile is not None else "config.toml"
            problems.append(
                Problem(
                    "A setting could not be read",
                    f"{where}: [display] theme: no theme called {one_line(wanted, 40)!r}"
                    f"{self._close_names(wanted)} — the default is used.",
                )
            )
        return problems

    def _close_names(self, name: str) -> str:
        """ "; did you mean 'Sunset'?" for a name close to some themes' (or "")."""
        catalog = self._catalog
        if catalog is None:
            return ""
        from difflib import get_close_matches

        by_folded = {theme.casefold(): theme for theme in catalog.themes}
        close = get_close_matches(name.casefold(), list(by_folded), n=3, cutoff=0.5)
        if not close:
            return ""
        return "; did you mean " + " or ".join(repr(by_folded[c]) for c in close) + "?"

    def _read_settings(self, settings: Settings | None) -> list[Problem]:
        if settings is None:
            if self._profile is None:
                return []
            from chatui.profile.display_settings import load_settings

            settings = load_settings(self._profile)
        self.default_theme_name = settings.theme
        self.shortcodes = settings.shortcodes
        return [
            Problem("A setting could not be read", f"{error} — the default is used.")
            for error in settings.errors
        ]

    @property
    def catalog(self) -> ThemeCatalog | None:
        self.load()
        return self._catalog

    def theme_of(self, thread: Thread) -> ChatTheme | None:
        """The theme ``thread`` is drawn in: its shared one, else the user's default."""
        catalog = self.catalog
        if catalog is None:
            return None
        from chatui.core.themes import theme_for_thread

        try:
            if not thread.theme and self.default_theme_name:
                chosen = catalog.get(self.default_theme_name)
                if chosen is not None:
                    return chosen
            return theme_for_thread(thread.theme, catalog)
        except Exception:  # a theme from a server that does not fit: the default look
            log.exception("could not read the theme of %s", thread.key)
            return None

    def styles_for(self, theme: ChatTheme | None) -> ChatStyles | None:
        if theme is None or self._depth is None:
            return None
        from chatui.ui.chat_style import ChatStyles

        try:
            return ChatStyles.for_theme(theme, self._depth)
        except Exception:
            log.exception("could not style theme %r", theme.name)
            return None

    def restyle_for(self, thread: Thread) -> ChatStyles | None:
        """New styles when ``thread`` (the open one) is not drawn in its theme yet;
        None when the view is already right (or the theme cannot be drawn)."""
        theme = thread.theme or None
        if self._styled == (thread.key, theme):
            return None
        styles = self.styles_for(self.theme_of(thread))
        if styles is not None:
            self._styled = (thread.key, theme)
        return styles

    def forget_styled(self) -> None:
        """The view was drawn in something else (a preview): style it again."""
        self._styled = None

    def quick_reaction(self, thread: Thread | None) -> str:
        from chatui.ui.controllers.reactions import FALLBACK_QUICK_REACTION

        theme = self.theme_of(thread) if thread is not None else None
        if theme is not None and theme.quick_reactions:
            return theme.quick_reactions[0]
        return FALLBACK_QUICK_REACTION

    def find(self, name: str | None) -> ChatTheme | str:
        """``/theme NAME``: the one theme of that name (any case, or a unique prefix),
        or why there is none (a sentence for the user). None: the default theme."""
        catalog = self.catalog
        if catalog is None or not catalog.themes:
            return "No chat themes could be read."
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
            shown = one_line(name or "default", 40)
            close = self._close_names(name or "")
            if close:
                return f"No theme called {shown!r}{close}"
            names = ", ".join(one_line(n, 40) for n in catalog.themes)
            return f"No single theme called {shown!r}. Themes: {names}."
        return theme
