"""A chat theme turned into the Rich styles the message view draws with.

The message view renders lines itself (Line API, docs/performance.md) and needs plain
Rich ``Style`` objects: one for my bubbles, one for theirs, and a few for the
text around them. This module makes them from a :class:`ChatTheme` for the
terminal's real color depth, with every text/background pair put through
:func:`chatui.core.contrast.readable` — so whatever a theme file (or another
participant) says, what is drawn reads at 4.5:1 or better.

Gradients: a bubble with several color stops changes color with its position in
the view (``mine_at(0.0)`` top .. ``mine_at(1.0)`` bottom, the caller decides what
the fraction means); the stops are interpolated in RGB and the text is checked
again at each position. Positions are rounded to 1/64 so the styles cache well.

Colors are emitted as ``#rrggbb`` even for ANSI-named theme colors (see
:mod:`chatui.core.contrast`): Rich downgrades them to the terminal's depth the way
the contrast check assumed. No style here is ever ``dim``: Textual blends dim
text with the background, which would undo the contrast guarantee.

With depth NONE (``NO_COLOR``, ``TERM=dumb``) there is no color at all: my
bubbles are reverse video, theirs plain, names bold, notices italic, a mention's
bar bold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.style import Style

from chatui.core.contrast import ColorDepth, blend, readable, to_hex
from chatui.core.themes import ChatTheme

GRADIENT_STEPS = 64
"""Positions in a gradient that get their own style (fractions are rounded to these)."""

_NOTICE_MIX = 0.45
"""How far a notice's color sits from the background towards the normal text."""
_CHIP_MIX = 0.22
"""How far a reaction chip's background sits from the background towards the accent."""
MENTION_COLOR = "yellow"
"""A mention's bar: the same warm color in every theme (made readable on its
background), so that it is never taken for the accent bar of the user's own."""


def gradient_at(stops: tuple[str, ...], fraction: float) -> str:
    """The color at ``fraction`` (0..1, clamped) along evenly spaced ``stops``."""
    if len(stops) == 1:
        return to_hex(stops[0])
    fraction = min(1.0, max(0.0, fraction))
    position = fraction * (len(stops) - 1)
    index = min(int(position), len(stops) - 2)
    return blend(stops[index], stops[index + 1], position - index)


def _pair(text: str | None, bubble: str, depth: ColorDepth, background: str) -> Style:
    fg, bg = readable(text, bubble, depth, background=background)
    return Style(color=fg, bgcolor=bg if bg is not None else to_hex(background))


@lru_cache(maxsize=4096)
def _bubble(
    text: str | None, stops: tuple[str, ...], step: int, depth: ColorDepth, background: str
) -> Style:
    if depth is ColorDepth.NONE:
        return Style()
    return _pair(text, gradient_at(stops, step / GRADIENT_STEPS), depth, background)


def _step(fraction: float) -> int:
    if fraction != fraction:  # NaN: treat as the top
        return 0
    return round(min(1.0, max(0.0, fraction)) * GRADIENT_STEPS)


@dataclass(frozen=True, eq=False)
class ChatStyles:
    """The styles of one theme at one color depth. Build with :meth:`for_theme`."""

    theme: ChatTheme
    depth: ColorDepth
    mine: Style
    """My bubble (text and bubble color) at the top of a gradient: ``mine_at(0)``."""
    theirs: Style
    """Their bubble at the top of a gradient: ``theirs_at(0)``."""
    name: Style
    """A sender's name, over the background (accent, bold)."""
    notice: Style
    """A setting-change notice line ("bob changed the theme to Sunset"), italic."""
    accent: Style
    """Accent text over the background (bold): marks, counters, the day divider."""
    background: Style
    """The view's background, with the normal text color for it."""
    reaction: Style
    """A reaction chip under a message ("👍 2")."""
    reaction_mine: Style
    """A reaction chip that includes mine (accent-colored, bold)."""
    mention: Style
    """The bar beside a message that mentions the user (a warm color, bold)."""

    @classmethod
    def for_theme(cls, theme: ChatTheme, depth: ColorDepth) -> ChatStyles:
        """The styles for ``theme`` at ``depth`` (cached: cheap to call per render)."""
        return _for_theme(theme, depth)

    def mine_at(self, fraction: float) -> Style:
        """My bubble at ``fraction`` (0 top .. 1 bottom) of its gradient."""
        theme = self.theme
        if self.depth is ColorDepth.NONE:
            return self.mine
        return _bubble(
            theme.mine_text, theme.mine_bubble, _step(fraction), self.depth, theme.background
        )

    def theirs_at(self, fraction: float) -> Style:
        """Their bubble at ``fraction`` (0 top .. 1 bottom) of its gradient."""
        theme = self.theme
        if self.depth is ColorDepth.NONE:
            return self.theirs
        return _bubble(
            theme.theirs_text, theme.theirs_bubble, _step(fraction), self.depth, theme.background
        )


@lru_cache(maxsize=128)
def _for_theme(theme: ChatTheme, depth: ColorDepth) -> ChatStyles:
    if depth is ColorDepth.NONE:
        return ChatStyles(
            theme=theme,
            depth=depth,
            mine=Style(reverse=True),
            theirs=Style(),
            name=Style(bold=True),
            notice=Style(italic=True),
            accent=Style(bold=True),
            background=Style(),
            reaction=Style(),
            reaction_mine=Style(bold=True, reverse=True),
            mention=Style(bold=True),
        )
    background = theme.background
    base = _pair(None, background, depth, background)
    text = base.color.name if base.color is not None else None
    notice_start = blend(background, text, _NOTICE_MIX) if text else None
    return ChatStyles(
        theme=theme,
        depth=depth,
        mine=_bubble(theme.mine_text, theme.mine_bubble, 0, depth, background),
        theirs=_bubble(theme.theirs_text, theme.theirs_bubble, 0, depth, background),
        name=_pair(theme.accent, background, depth, background) + Style(bold=True),
        notice=_pair(notice_start, background, depth, background) + Style(italic=True),
        accent=_pair(theme.accent, background, depth, background) + Style(bold=True),
        background=base,
        reaction=_pair(None, blend(background, theme.accent, _CHIP_MIX), depth, background),
        reaction_mine=_pair(None, theme.accent, depth, background) + Style(bold=True),
        mention=_pair(MENTION_COLOR, background, depth, background) + Style(bold=True),
    )
