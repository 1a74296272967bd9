"""Without color (``NO_COLOR``, ``TERM=dumb``): the terminal's own colors, attributes only.

Textual's answer to ``NO_COLOR`` is its ``Monochrome`` filter, which turns every
color into a *gray*: the app still paints its own foreground and background
(``38;2;224;224;224``, ``48;2;30;30;30``...) over the palette that people who set
``NO_COLOR`` usually chose on purpose (high contrast, light on dark). no-color.org
asks for no color at all, so chatui replaces that filter with :class:`StripColor`:
every segment of every line leaves with its color and background removed, whatever
a widget's CSS or a Rich renderable asked for. The terminal then draws the text in
its default foreground on its default background.

That alone would leave things whose only cue was a color invisible (a highlighted
option, the list's cursor, the input cursor, a focused button). ``no_color.tcss``,
loaded only in this mode, gives each of those an attribute instead: reverse for
cursors and highlights, bold and underline for emphasis. The chat view itself is
already attribute-only at depth NONE (chatui.ui.chat_style).

This module is imported only when colors are off (``NO_COLOR`` set and non-empty,
or ``TERM=dumb``: the check is in ``ChatApp.__init__``) or ``NO_COLOR`` is set but
empty (:func:`keep_colors`), so the first frame of a normal start pays nothing for
it (bench/startup.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import DimFilter, LineFilter, Monochrome, NoColor
from textual.style import Style as VisualStyle
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App

STYLESHEET = Path(__file__).with_name("no_color.tcss")


@lru_cache(4096)
def colorless(style: Style) -> Style:
    """``style`` with no foreground and no background; attributes, link and meta kept.

    The meta carries Textual's mouse actions (a scroll bar's grab, a clickable
    key); Rich's ``without_color`` drops it, so it is put back.
    """
    if style.color is None and style.bgcolor is None:
        return style
    plain = style.without_color
    meta = style.meta
    return plain + Style.from_meta(meta) if meta else plain


class StripColor(LineFilter):
    """Remove every color from every segment: the terminal's defaults show through."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        _Segment, _colorless = Segment, colorless
        return [
            _Segment(text, None if style is None else _colorless(style), control)
            for text, style, control in segments
        ]


_REVERSE = VisualStyle(reverse=True)


def _honour_reverse() -> None:
    """Make ``text-style: reverse`` of a component class reach the screen.

    Textual 8's ``Widget.get_visual_style`` (what OptionList, the command
    palette's list and chatui's own Line-API views draw their highlights with)
    keeps bold, dim, italic, underline and strike from the CSS but drops reverse
    — Textual's own ``CommandList:nocolor`` rule has no effect for that reason.
    With colors on nobody notices; without them reverse is the one cue a cursor
    has, so in no-color mode the method is wrapped to add it back. Apps with
    colors (tests run both in one process) get Textual's result untouched.
    """
    original = Widget.get_visual_style
    if getattr(original, "_chatui_honours_reverse", False):
        return

    def get_visual_style(
        self: Widget, *component_classes: str, partial: bool = False
    ) -> VisualStyle:
        visual = original(self, *component_classes, partial=partial)
        if visual.reverse is not None or not component_classes or not self.app.no_color:
            return visual
        text_style = Style()
        components = self._component_styles
        for name in component_classes:
            if name in components:
                text_style += components[name].text_style
        if not text_style.reverse:
            return visual
        visual += _REVERSE
        # Kept where Textual keeps it: cleared with it when the CSS changes.
        self._visual_style_cache[(self._pseudo_classes_cache_key, component_classes, partial)] = (
            visual
        )
        return visual

    get_visual_style._chatui_honours_reverse = True  # type: ignore[attr-defined]
    Widget.get_visual_style = get_visual_style  # type: ignore[method-assign]


def go_colorless(app: App) -> None:
    """Put ``app`` in no-color mode; call from ``__init__``, after Textual's own.

    StripColor runs first, so the filters after it see no color: Textual's
    ANSI-to-truecolor filter then has nothing to convert and leaves ``dim`` as the
    attribute it is (it would otherwise trade dim for a blended color, which is
    then stripped). Textual's Monochrome / NoColor filters are dropped (they paint
    grays / would be redundant), and so is the opt-in DimFilter
    (``TEXTUAL_FILTERS=dim``), which needs a color to blend.
    """
    app.no_color = True
    _drop_filters(app, Monochrome, NoColor, DimFilter)
    app._filters.insert(0, StripColor())
    app.css_path.append(STYLESHEET)
    _honour_reverse()


def keep_colors(app: App) -> None:
    """``NO_COLOR`` set but empty: no-color.org says colors stay, but Textual turns
    them gray all the same; its filters for that are dropped (the chat's color
    depth detection already agrees)."""
    app.no_color = False
    _drop_filters(app, Monochrome, NoColor)


def _drop_filters(app: App, *kinds: type[LineFilter]) -> None:
    app._filters[:] = [f for f in app._filters if not isinstance(f, kinds)]
