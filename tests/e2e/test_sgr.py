"""The SGR reader the no-color tests rely on: a reader that misses a color, or sees
one that is not there, would make those tests pass or fail for the wrong reason."""

from __future__ import annotations

import pytest

from tests.e2e.sgr import Attribute, color_attributes, parse_params, sgr_attributes


@pytest.mark.parametrize(
    ("raw", "colors"),
    [
        (b"\x1b[38;2;224;224;224m", ["38:2:224:224:224"]),
        (b"\x1b[48;5;234m", ["48:5:234"]),
        (b"\x1b[1;38;5;196;4m", ["38:5:196"]),  # bold and underline around it
        (b"\x1b[38:2::255:0:0m", ["38:2::255:0:0"]),  # ISO 8613-6 colon form
        (b"\x1b[58;2;1;2;3m", ["58:2:1:2:3"]),  # underline color
        (b"\x1b[31m", ["31"]),
        (b"\x1b[97m", ["97"]),
        (b"\x1b[100m", ["100"]),
        (b"\x1b[5;31m", ["31"]),  # blink, then red: the 5 is no palette index here
        (b"\x9b41m", ["41"]),  # the 8-bit CSI
    ],
)
def test_colors_are_found_in_every_spelling(raw: bytes, colors: list[str]) -> None:
    assert [str(a) for a in color_attributes(b"text" + raw + b"more")] == colors


@pytest.mark.parametrize(
    "raw",
    [
        b"\x1b[0m",
        b"\x1b[m",
        b"\x1b[1;3;4;7m",
        b"\x1b[2m",
        b"\x1b[39m\x1b[49m\x1b[59m",  # the terminal's own defaults
        b"\x1b[4:3m",  # a curly underline, not a color
        b"\x1b[>4;1m",  # xterm modifyOtherKeys: a private sequence, not SGR
        b"\x1b[?1049h\x1b[2J\x1b[12;40H",  # screen, clear, cursor: not SGR at all
    ],
)
def test_attributes_and_defaults_are_not_colors(raw: bytes) -> None:
    assert color_attributes(raw) == []


def test_the_parameters_after_38_are_consumed_not_read_as_attributes() -> None:
    # 38;5;1 is palette entry 1, not "38, then 5 (blink), then 1 (bold)"; the 7
    # after it is reverse video.
    assert parse_params(b"38;5;1;7") == [Attribute(38, (5, 1)), Attribute(7)]
    assert parse_params(b"48;2;10;20;30;1") == [Attribute(48, (2, 10, 20, 30)), Attribute(1)]
    assert [a.code for a in sgr_attributes(b"\x1b[1;7m\x1b[;4m")] == [1, 7, 0, 4]
