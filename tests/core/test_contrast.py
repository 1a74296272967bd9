"""Contrast is judged on what the terminal will draw, and always reaches 4.5:1.

The mapping to 256 and 16 colors must be Rich's own (it is Rich that emits the
escape codes), so these tests render through a real Rich console and read back
the color numbers it wrote.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich._palettes import STANDARD_PALETTE
from rich.console import Console
from rich.style import Style
from rich.text import Text

from chatui.core.contrast import (
    ANSI_NAMES,
    ANSI_PALETTE,
    MIN_CONTRAST,
    ColorDepth,
    contrast_ratio,
    depth_for_color_system,
    detect_depth,
    is_color,
    readable,
    readable_with,
    relative_luminance,
    shown,
    shown_contrast,
    to_hex,
    to_rgb,
)

COLOR_DEPTHS = (ColorDepth.TRUECOLOR, ColorDepth.EIGHT_BIT, ColorDepth.STANDARD)
hex_colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")
theme_colors = st.one_of(hex_colors, st.sampled_from(ANSI_NAMES))


def test_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1 (just failing AA), #767676 4.54:1.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)


@pytest.mark.parametrize(
    ("environ", "depth"),
    [
        ({"NO_COLOR": "1", "COLORTERM": "truecolor"}, ColorDepth.NONE),
        ({"NO_COLOR": "", "COLORTERM": "truecolor"}, ColorDepth.TRUECOLOR),
        ({"TERM": "dumb", "COLORTERM": "truecolor"}, ColorDepth.NONE),
        ({"TERM": "xterm-256color", "COLORTERM": "24bit"}, ColorDepth.TRUECOLOR),
        ({"TERM": "xterm-256color"}, ColorDepth.EIGHT_BIT),
        ({"TERM": "screen-256color"}, ColorDepth.EIGHT_BIT),
        ({"TERM": "xterm-kitty"}, ColorDepth.EIGHT_BIT),
        ({"TERM": "xterm"}, ColorDepth.STANDARD),
        ({"TERM": "linux"}, ColorDepth.STANDARD),
        ({}, ColorDepth.STANDARD),
    ],
)
def test_depth_from_the_environment(environ, depth):
    assert detect_depth(environ) is depth


@pytest.mark.parametrize(
    "environ",
    [
        {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
        {"TERM": "xterm-256color"},
        {"TERM": "xterm-kitty"},
        {"TERM": "xterm"},
        {"TERM": "linux"},
        {"TERM": "dumb", "COLORTERM": "truecolor"},
    ],
)
def test_the_environment_and_richs_console_agree(environ):
    """What we read from the environment is what Rich's console will emit."""
    console = Console(file=io.StringIO(), force_terminal=True, _environ=environ)
    assert detect_depth(environ) is depth_for_color_system(console.color_system, environ)


def test_depth_from_the_app_consoles_color_system():
    assert depth_for_color_system("truecolor", {}) is ColorDepth.TRUECOLOR
    assert depth_for_color_system("256", {}) is ColorDepth.EIGHT_BIT
    assert depth_for_color_system("standard", {}) is ColorDepth.STANDARD
    assert depth_for_color_system("windows", {}) is ColorDepth.STANDARD
    assert depth_for_color_system(None, {}) is ColorDepth.NONE
    assert depth_for_color_system("truecolor", {"NO_COLOR": "yes"}) is ColorDepth.NONE


def test_colors_a_theme_may_use():
    assert is_color("#a0B1c2") and is_color("bright_magenta") and is_color("black")
    for bad in ("#abc", "a0b1c2", "#a0b1c2ff", "orange", "color(5)", "Red", "", 3, None):
        assert not is_color(bad)
    assert to_rgb("red") == (170, 0, 0)
    assert to_hex("bright_white") == "#ffffff"


def test_the_16_color_palette_is_the_one_rich_matches_against():
    """Documented: the VGA palette Rich downgrades to; each entry is its own match."""
    assert [tuple(c) for c in STANDARD_PALETTE._colors] == list(ANSI_PALETTE)
    for name, rgb in zip(ANSI_NAMES, ANSI_PALETTE, strict=True):
        assert shown(name, ColorDepth.STANDARD) == rgb


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _emitted_colors(style: Style, system: str) -> tuple[str, str]:
    """The foreground and background codes a real Rich console writes for ``style``.

    Rich caches a style's escape codes on the style for the first color system it
    is rendered at (``Style._ansi``), and equal styles are shared through caches:
    a marker attribute per system keeps the renders apart.
    """
    style = style + Style(italic=True, underline=system == "256", strike=system == "standard")
    out = io.StringIO()
    console = Console(file=out, color_system=system, force_terminal=True, width=20)
    console.print(Text("x", style=style), end="")
    codes = _SGR.findall(out.getvalue())[0].split(";")
    fg = bg = ""
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in ("38", "48"):
            value = ";".join(codes[i : i + 3])
            fg, bg = (value, bg) if code == "38" else (fg, value)
            i += 3
            continue
        number = int(code)
        if 30 <= number <= 37 or 90 <= number <= 97:
            fg = code
        elif 40 <= number <= 47 or 100 <= number <= 107:
            bg = code
        i += 1
    return fg, bg


def _index_of(code: str) -> int:
    if code.startswith(("38;5;", "48;5;")):
        return int(code.split(";")[2])
    number = int(code)
    return number % 10 + (8 if number >= 90 else 0)


@settings(max_examples=60, deadline=None)
@given(color=hex_colors)
def test_shown_is_what_rich_emits_at_256_and_16_colors(color):
    from rich.color import EIGHT_BIT_PALETTE

    fg, _ = _emitted_colors(Style(color=color), "256")
    assert shown(color, ColorDepth.EIGHT_BIT) == tuple(EIGHT_BIT_PALETTE[_index_of(fg)])
    fg, _ = _emitted_colors(Style(color=color), "standard")
    assert shown(color, ColorDepth.STANDARD) == ANSI_PALETTE[_index_of(fg)]


def test_a_pair_that_collapses_in_256_colors_is_fixed_there_only():
    """Text and bubble that read in truecolor but map to near neighbours in 256."""
    text, bubble = "#7f7f7f", "#2b2b2b"  # 4.0:1 as written; grey ramp in 256
    fg, bg = readable(text, bubble, ColorDepth.EIGHT_BIT)
    assert bg == bubble
    assert shown_contrast(fg, bg, ColorDepth.EIGHT_BIT) >= MIN_CONTRAST
    assert contrast_ratio(fg, bubble) > contrast_ratio(text, bubble)


def test_good_text_is_kept_as_is():
    assert readable("#ffffff", "#0000aa", ColorDepth.TRUECOLOR) == ("#ffffff", "#0000aa")
    assert readable("bright_white", "blue", ColorDepth.STANDARD) == ("#ffffff", "#0000aa")


def test_lightness_is_adjusted_keeping_the_hue():
    fg, bg = readable("#cc3333", "#aa2222", ColorDepth.TRUECOLOR)  # red on red
    assert bg == "#aa2222"
    red, green, blue = to_rgb(fg)
    assert red >= green and red >= blue and fg not in ("#000000", "#ffffff")
    assert contrast_ratio(fg, bg) >= MIN_CONTRAST


def test_auto_text_is_dark_on_light_and_light_on_dark():
    for depth in COLOR_DEPTHS:
        dark_fg, _ = readable(None, "#fff3b0", depth)
        light_fg, _ = readable(None, "#1a1a40", depth)
        assert relative_luminance(dark_fg) < 0.05 < 0.8 < relative_luminance(light_fg)


def test_no_color_means_no_colors():
    assert readable("#ff0000", "#00ff00", ColorDepth.NONE) == (None, None)
    assert readable(None, "#00ff00", ColorDepth.NONE) == (None, None)


def test_the_bubble_is_dropped_when_nothing_reads_on_it():
    """A palette without black and white (all mid greys) cannot carry text on grey."""
    greys = [(110, 110, 110), (130, 130, 130), (150, 150, 150)]

    def no_extremes(color: str):  # everything is a mid grey, except the background
        if color == "#101820":
            return (5, 5, 5)
        return greys[to_rgb(color)[0] % 3]

    fg, bg = readable_with("#999999", "#808080", no_extremes, background="#101820")
    assert bg is None and fg is not None  # no bubble; text judged on the background
    assert contrast_ratio(no_extremes(fg), no_extremes("#101820")) >= MIN_CONTRAST
    # Without a background to fall back on, the terminal's defaults are used.
    assert readable_with("#999999", "#808080", no_extremes) == (None, None)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.none(), theme_colors),
    bubble=theme_colors,
    background=theme_colors,
    depth=st.sampled_from(COLOR_DEPTHS),
)
def test_readable_always_reaches_4_5_on_the_bubble(text, bubble, background, depth):
    fg, bg = readable(text, bubble, depth, background=background)
    assert fg is not None
    if bg is not None:
        assert bg == to_hex(bubble)
        assert shown_contrast(fg, bg, depth) >= MIN_CONTRAST
    else:
        assert shown_contrast(fg, background, depth) >= MIN_CONTRAST
