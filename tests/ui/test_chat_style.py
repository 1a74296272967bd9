"""The styles a chat theme draws with: readable at every color depth, always.

Every text/background pair a ChatStyles hands out is checked as the terminal of
that depth will draw it: every shipped theme, several gradient positions, and
random themes. With NO_COLOR there must be no color at all, yet mine and theirs
must still look different.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style

from chatui.core.contrast import (
    ANSI_NAMES,
    ANSI_PALETTE,
    MIN_CONTRAST,
    ColorDepth,
    detect_depth,
    shown,
    shown_contrast,
    to_hex,
    to_rgb,
)
from chatui.core.themes import ChatTheme, load_themes
from chatui.ui.chat_style import ChatStyles, gradient_at

COLOR_DEPTHS = (ColorDepth.TRUECOLOR, ColorDepth.EIGHT_BIT, ColorDepth.STANDARD)
POSITIONS = (0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0)
NAMED = (
    "mine",
    "theirs",
    "name",
    "notice",
    "accent",
    "background",
    "reaction",
    "reaction_mine",
    "mention",
)
SHIPPED = load_themes(None).themes


def every_style(styles: ChatStyles) -> dict[str, Style]:
    found = {name: getattr(styles, name) for name in NAMED}
    for position in POSITIONS:
        found[f"mine_at({position})"] = styles.mine_at(position)
        found[f"theirs_at({position})"] = styles.theirs_at(position)
    return found


def assert_readable(styles: ChatStyles, label: str) -> None:
    depth = styles.depth
    for name, style in every_style(styles).items():
        assert style.color is not None and style.bgcolor is not None, (label, name)
        assert not style.dim, (label, name)
        ratio = shown_contrast(style.color.name, style.bgcolor.name, depth)
        assert ratio >= MIN_CONTRAST, (label, depth, name, style, ratio)


@pytest.mark.parametrize("depth", COLOR_DEPTHS, ids=lambda d: d.value)
@pytest.mark.parametrize("name", list(SHIPPED))
def test_every_shipped_theme_reads_at_every_depth(name, depth):
    styles = ChatStyles.for_theme(SHIPPED[name], depth)
    assert_readable(styles, name)
    # A shipped theme never needs the last resort: its bubbles stay visible.
    for position in POSITIONS:
        assert styles.mine_at(position).bgcolor.name == to_hex(
            gradient_at(SHIPPED[name].mine_bubble, round(position * 64) / 64)
        )


@pytest.mark.parametrize("depth", COLOR_DEPTHS, ids=lambda d: d.value)
def test_mine_and_theirs_stay_apart_in_every_shipped_theme(depth):
    """Even where 16 colors merge neighbours, my bubbles never look like theirs."""
    for name, theme in SHIPPED.items():
        styles = ChatStyles.for_theme(theme, depth)
        theirs = {shown(styles.theirs_at(p).bgcolor.name, depth) for p in POSITIONS}
        for position in POSITIONS:
            mine = shown(styles.mine_at(position).bgcolor.name, depth)
            assert mine not in theirs, (name, depth, position)


def test_gradients_follow_their_stops():
    stops = ("#000000", "#ff0000", "#ffffff")
    assert gradient_at(stops, 0.0) == "#000000"
    assert gradient_at(stops, 0.5) == "#ff0000"
    assert gradient_at(stops, 1.0) == "#ffffff"
    assert gradient_at(stops, 0.25) == "#800000"
    assert gradient_at(stops, -3) == "#000000" and gradient_at(stops, 7) == "#ffffff"
    sunset = ChatStyles.for_theme(SHIPPED["Sunset"], ColorDepth.TRUECOLOR)
    top, bottom = sunset.mine_at(0.0).bgcolor.name, sunset.mine_at(1.0).bgcolor.name
    assert top == "#ff5f6d" and bottom == "#ffc371"
    assert sunset.mine_at(float("nan")) == sunset.mine  # junk position: the top


def test_styles_are_cached():
    theme = SHIPPED["Ocean"]
    styles = ChatStyles.for_theme(theme, ColorDepth.EIGHT_BIT)
    assert ChatStyles.for_theme(theme, ColorDepth.EIGHT_BIT) is styles
    assert styles.mine_at(0.5) is styles.mine_at(0.5001)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_no_color_has_no_colors_but_mine_still_stands_out(name):
    depth = detect_depth({"NO_COLOR": "1", "COLORTERM": "truecolor"})
    styles = ChatStyles.for_theme(SHIPPED[name], depth)
    for label, style in every_style(styles).items():
        assert style.color is None and style.bgcolor is None, label
    assert styles.mine != styles.theirs
    assert styles.mine.reverse and not styles.theirs.reverse
    assert styles.mine_at(0.7) == styles.mine
    assert styles.name.bold


def test_the_16_color_theme_draws_only_ansi_colors():
    """Classic 16 at any depth: every color emitted is one of the 16, unchanged."""
    palette = {f"#{r:02x}{g:02x}{b:02x}" for r, g, b in ANSI_PALETTE}
    theme = SHIPPED["Classic 16"]
    for depth in COLOR_DEPTHS:
        styles = ChatStyles.for_theme(theme, depth)
        for label in ("mine", "theirs", "name", "accent"):
            style = getattr(styles, label)
            assert style.color.name in palette and style.bgcolor.name in palette, label
    assert ChatStyles.for_theme(theme, ColorDepth.STANDARD).mine.bgcolor.name == to_hex("blue")
    # And on a 16-color terminal they are the very ANSI colors the theme names.
    assert shown("#0000aa", ColorDepth.STANDARD) == ANSI_PALETTE[ANSI_NAMES.index("blue")]


colors = st.one_of(st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}"), st.sampled_from(ANSI_NAMES))
random_themes = st.builds(
    ChatTheme,
    name=st.just("Random"),
    dark=st.booleans(),
    mine_bubble=st.lists(colors, min_size=1, max_size=4).map(tuple),
    theirs_bubble=st.lists(colors, min_size=1, max_size=4).map(tuple),
    mine_text=st.none() | colors,
    theirs_text=st.none() | colors,
    accent=colors,
    background=colors,
    quick_reactions=st.just(("👍",)),
    reactions=st.just(("👍",)),
)


@settings(max_examples=120, deadline=None)
@given(theme=random_themes, depth=st.sampled_from(COLOR_DEPTHS))
def test_any_theme_reads_at_any_depth(theme, depth):
    assert_readable(ChatStyles.for_theme(theme, depth), "random")


@settings(max_examples=40, deadline=None)
@given(theme=random_themes)
def test_any_theme_has_no_color_without_color(theme):
    styles = ChatStyles.for_theme(theme, ColorDepth.NONE)
    assert all(s.color is None and s.bgcolor is None for s in every_style(styles).values())


def test_a_bubble_too_close_to_its_text_changes_the_text_not_the_bubble():
    theme = ChatTheme(
        name="Murky",
        dark=True,
        mine_bubble=("#555555",),
        theirs_bubble=("#444466",),
        mine_text="#666666",
        theirs_text="#555577",
        accent="#333333",
        background="#222222",
        quick_reactions=("👍",),
        reactions=("👍",),
    )
    for depth in COLOR_DEPTHS:
        styles = ChatStyles.for_theme(theme, depth)
        assert_readable(styles, "Murky")
        assert styles.mine.bgcolor.name == "#555555"
        assert to_rgb(styles.mine.color.name) != to_rgb("#666666")
