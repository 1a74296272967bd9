"""Readable text on any bubble, at the color depth the terminal really has.

A chat theme picks colors in 24-bit RGB, but a terminal may only draw 256 or 16
colors: Rich then *downgrades* every color to the nearest one it can emit, and a
pair that reads well in truecolor (a light grey on a mid blue) can collapse into
two neighbours of the 256-color cube. So contrast is judged on what will be on the
screen, not on what the theme file says (docs/themes.md):

1. map the text and the bubble to the depth, exactly as Rich will
   (:meth:`rich.color.Color.downgrade`), and take the RGB the terminal draws for
   the result;
2. if the WCAG 2.x contrast ratio is under 4.5:1, move the text's lightness (HLS)
   step by step towards black or white, mapping again after each step;
3. then try plain black and plain white;
4. then give up the bubble: no background, the text is judged against the theme's
   background (or, without one, left to the terminal's own default colors).

Since pure black (0, 0, 0) and pure white (255, 255, 255) exist exactly at every
depth, and ``max(contrast(black, X), contrast(white, X)) >= sqrt(21) ≈ 4.58`` for
any single color X, step 3 always succeeds against one known palette; step 4 is
the documented last resort for palettes (or mapping functions) without them.

The colors returned are ``"#rrggbb"`` strings to *emit* — the pre-images that Rich
maps to the palette entry judged here — never 8-bit or ANSI color numbers: Textual
rewrites ANSI-numbered colors through its own terminal theme (``ANSIToTruecolor``)
before Rich sees them, whereas a truecolor value reaches Rich untouched.

**The 16-color palette assumed** (:data:`ANSI_PALETTE`): the VGA palette that Rich
itself matches against when it downgrades to 16 colors
(``rich._palettes.STANDARD_PALETTE``: black, red (170,0,0), ..., bright_white). A
terminal's own palette cannot be queried portably; a re-themed terminal (Solarized
and friends) may draw these indices differently. Because each entry of this palette
is its own nearest match, an ANSI name in a theme emitted as its palette hex comes
out as exactly that ANSI color on a 16-color terminal. 256 colors use xterm's
standard palette (``rich.color.EIGHT_BIT_PALETTE``), which terminals rarely change
above index 15 — and Rich never picks an index under 16 when it downgrades.

Pure Python and Rich: no Textual, no I/O.
"""

from __future__ import annotations

import colorsys
import enum
import re
from collections.abc import Callable, Mapping
from functools import lru_cache, partial

from rich.color import Color, ColorSystem

RGB = tuple[int, int, int]

MIN_CONTRAST = 4.5
"""WCAG 2.x level AA for normal text: what every bubble must reach."""


class ColorDepth(enum.Enum):
    """How many colors the terminal draws (what Rich's console will emit)."""

    TRUECOLOR = "truecolor"
    EIGHT_BIT = "256"
    STANDARD = "16"
    NONE = "none"  # NO_COLOR or TERM=dumb: attributes only (bold, reverse...)


ANSI_NAMES: tuple[str, ...] = (
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "white",
    "bright_black",
    "bright_red",
    "bright_green",
    "bright_yellow",
    "bright_blue",
    "bright_magenta",
    "bright_cyan",
    "bright_white",
)
"""The 16 color names a theme may use, in ANSI index order (0..15)."""

ANSI_PALETTE: tuple[RGB, ...] = (
    (0, 0, 0),
    (170, 0, 0),
    (0, 170, 0),
    (170, 85, 0),
    (0, 0, 170),
    (170, 0, 170),
    (0, 170, 170),
    (170, 170, 170),
    (85, 85, 85),
    (255, 85, 85),
    (85, 255, 85),
    (255, 255, 85),
    (85, 85, 255),
    (255, 85, 255),
    (85, 255, 255),
    (255, 255, 255),
)
"""The RGB assumed for ANSI colors 0..15: Rich's STANDARD_PALETTE (VGA), see above."""

NEAR_BLACK = "#121212"
NEAR_WHITE = "#f2f2f2"
"""What ``auto`` text starts from: softer than pure black/white, picked per bubble."""

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_ANSI_INDEX = {name: index for index, name in enumerate(ANSI_NAMES)}
_LIGHTNESS_STEP = 0.04
_SYSTEMS = {ColorDepth.EIGHT_BIT: ColorSystem.EIGHT_BIT, ColorDepth.STANDARD: ColorSystem.STANDARD}


def detect_depth(environ: Mapping[str, str]) -> ColorDepth:
    """The color depth from the environment, as the app's console will see it.

    ``NO_COLOR`` (any non-empty value, https://no-color.org) or ``TERM=dumb`` -> NONE;
    ``COLORTERM`` truecolor/24bit -> TRUECOLOR; a ``TERM`` naming 256 colors (or
    kitty, as Rich counts it) -> EIGHT_BIT; anything else -> STANDARD. Inside the
    app prefer :func:`depth_for_color_system` with the console's own answer.
    """
    if environ.get("NO_COLOR", ""):
        return ColorDepth.NONE
    term = environ.get("TERM", "").strip().lower()
    if term == "dumb":
        return ColorDepth.NONE
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return ColorDepth.TRUECOLOR
    if "256color" in term or term.rpartition("-")[2] == "kitty":
        return ColorDepth.EIGHT_BIT
    return ColorDepth.STANDARD


def depth_for_color_system(color_system: str | None, environ: Mapping[str, str]) -> ColorDepth:
    """The depth of a Rich console (``console.color_system``), NO_COLOR honoured.

    Rich's own detection decides what the app's console emits (it also says None
    when output is not a terminal); reading the console's answer keeps the
    contrast check in step with it. ``"windows"`` (the legacy console's 16 colors)
    counts as STANDARD.
    """
    if environ.get("NO_COLOR", "") or color_system is None:
        return ColorDepth.NONE
    return {
        "truecolor": ColorDepth.TRUECOLOR,
        "256": ColorDepth.EIGHT_BIT,
    }.get(color_system, ColorDepth.STANDARD)


def is_color(value: object) -> bool:
    """Whether ``value`` is a theme color: ``"#rrggbb"`` or one of :data:`ANSI_NAMES`."""
    return isinstance(value, str) and (_HEX.fullmatch(value) is not None or value in _ANSI_INDEX)


def is_ansi(color: str) -> bool:
    """Whether ``color`` is one of the 16 ANSI names."""
    return color in _ANSI_INDEX


def to_rgb(color: str | RGB) -> RGB:
    """``"#rrggbb"`` or an ANSI name (its :data:`ANSI_PALETTE` RGB) as a triplet.

    Raises ValueError for anything else.
    """
    if isinstance(color, tuple):
        return color
    index = _ANSI_INDEX.get(color)
    if index is not None:
        return ANSI_PALETTE[index]
    if _HEX.fullmatch(color) is None:
        raise ValueError(f"not a color: {color!r}")
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def to_hex(color: str | RGB) -> str:
    """The ``"#rrggbb"`` (lower case) form of a color; ANSI names via the palette."""
    red, green, blue = to_rgb(color)
    return f"#{red:02x}{green:02x}{blue:02x}"


def blend(a: str | RGB, b: str | RGB, amount: float) -> str:
    """The color ``amount`` (0..1) of the way from ``a`` to ``b``, as ``"#rrggbb"``."""
    amount = min(1.0, max(0.0, amount))
    ra, rb = to_rgb(a), to_rgb(b)
    mixed = tuple(round(x + (y - x) * amount) for x, y in zip(ra, rb, strict=True))
    return to_hex(mixed)  # type: ignore[arg-type]


def relative_luminance(color: str | RGB) -> float:
    """WCAG 2.x relative luminance (0 black .. 1 white) of an sRGB color."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = to_rgb(color)
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(a: str | RGB, b: str | RGB) -> float:
    """WCAG 2.x contrast ratio of two colors, 1.0 .. 21.0 (order does not matter)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


@lru_cache(maxsize=8192)
def shown(color: str, depth: ColorDepth) -> RGB:
    """The RGB a terminal of ``depth`` draws when Rich is given ``to_hex(color)``.

    TRUECOLOR: the color itself. EIGHT_BIT: Rich's downgrade to the xterm 256-color
    palette. STANDARD: Rich's nearest of the 16 colors, drawn as :data:`ANSI_PALETTE`.
    NONE has no colors; the color itself is returned (nothing uses it).
    """
    rgb = to_rgb(color)
    system = _SYSTEMS.get(depth)
    if system is None:
        return rgb
    downgraded = Color.parse(to_hex(rgb)).downgrade(system)
    if system is ColorSystem.STANDARD:
        assert downgraded.number is not None
        return ANSI_PALETTE[downgraded.number]
    triplet = downgraded.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def shown_contrast(a: str, b: str, depth: ColorDepth) -> float:
    """The contrast ratio of two colors as a terminal of ``depth`` draws them."""
    return contrast_ratio(shown(a, depth), shown(b, depth))


def _ladder(text: str, against: str, see: Callable[[str], RGB]) -> str | None:
    """Steps 1-3: ``text`` if readable on ``against``, else the nearest that is.

    ``see`` maps a color to the RGB drawn for it (:func:`shown` at some depth).
    """
    target = see(against)

    def ok(candidate: str) -> bool:
        return contrast_ratio(see(candidate), target) >= MIN_CONTRAST

    if ok(text):
        return text
    # Towards whichever end (black or white) can get further from the background.
    darker = contrast_ratio((0, 0, 0), target) >= contrast_ratio((255, 255, 255), target)
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in to_rgb(text)))
    while 0.0 < lightness < 1.0:
        if darker:
            lightness = max(0.0, lightness - _LIGHTNESS_STEP)
        else:
            lightness = min(1.0, lightness + _LIGHTNESS_STEP)
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = to_hex((round(red * 255), round(green * 255), round(blue * 255)))
        if ok(candidate):
            return candidate
    for fallback in ("#000000", "#ffffff") if darker else ("#ffffff", "#000000"):
        if ok(fallback):
            return fallback
    return None


@lru_cache(maxsize=8192)
def readable(
    text: str | None,
    bubble: str,
    depth: ColorDepth,
    *,
    background: str | None = None,
) -> tuple[str | None, str | None]:
    """The ``(foreground, background)`` to emit for ``text`` on ``bubble``.

    ``text`` None means "auto": near-black or near-white, whichever reads better.
    Colors are theme colors (``"#rrggbb"`` or ANSI names); the result is
    ``"#rrggbb"`` strings (see the module docstring for why never ANSI numbers).

    Whenever a bubble background is returned, the two reach :data:`MIN_CONTRAST`
    as the terminal of ``depth`` draws them. When even black and white fail on the
    bubble, the bubble is dropped (background None) and the text is made readable
    on ``background`` — the theme's background, which the view paints under every
    line — instead; with no ``background`` given (or none that works) the text is
    left to the terminal's default colors too (``(None, None)``), on the
    assumption that a terminal's own default foreground reads on its own default
    background.

    With depth NONE there are no colors at all: ``(None, None)``.
    """
    if depth is ColorDepth.NONE:
        return (None, None)
    return readable_with(text, bubble, partial(shown, depth=depth), background=background)


def readable_with(
    text: str | None,
    bubble: str,
    see: Callable[[str], RGB],
    *,
    background: str | None = None,
) -> tuple[str | None, str | None]:
    """:func:`readable` for any color mapping ``see`` (color -> RGB drawn).

    The ladder itself, apart from the depth, so its last rungs can be exercised
    with a palette that lacks black and white.
    """
    bubble_hex = to_hex(bubble)
    if text is None:
        dark = contrast_ratio(see(NEAR_BLACK), see(bubble_hex))
        light = contrast_ratio(see(NEAR_WHITE), see(bubble_hex))
        start = NEAR_BLACK if dark >= light else NEAR_WHITE
    else:
        start = to_hex(text)
    fg = _ladder(start, bubble_hex, see)
    if fg is not None:
        return (fg, bubble_hex)
    if background is None:
        return (None, None)
    return (_ladder(start, to_hex(background), see), None)
