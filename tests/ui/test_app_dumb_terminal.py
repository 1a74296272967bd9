"""TERM=dumb drops colors as NO_COLOR does (docs/themes.md): the app's chrome through
chatui's StripColor filter (no color at all, not Textual's grays), the chat through
depth NONE (bold and reverse only). NO_COLOR set but empty keeps the colors, as
no-color.org says. What reaches the terminal is checked end to end in
tests/e2e/test_no_color_e2e.py; here, which mode a start picks."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome, NoColor

from chatui.core.contrast import ColorDepth, detect_depth
from chatui.ui.app import ChatApp


def _strips_color(app: ChatApp) -> bool:
    from chatui.ui.no_color import StripColor

    return any(isinstance(f, StripColor) for f in app._filters)


def _paints_grays(app: ChatApp) -> bool:
    return any(isinstance(f, (Monochrome, NoColor)) for f in app._filters)


def test_a_dumb_terminal_gets_no_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    app = ChatApp(None)
    assert app.no_color
    assert _strips_color(app) and not _paints_grays(app)
    assert detect_depth({"TERM": "dumb"}) is ColorDepth.NONE


def test_no_color_strips_instead_of_graying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    app = ChatApp(None)
    assert app.no_color
    assert _strips_color(app) and not _paints_grays(app)


def test_an_empty_no_color_keeps_the_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("TERM", "xterm-256color")
    app = ChatApp(None)
    assert not app.no_color
    assert not _strips_color(app) and not _paints_grays(app)
    assert detect_depth({"NO_COLOR": "", "TERM": "xterm-256color"}) is not ColorDepth.NONE


def test_an_ordinary_terminal_keeps_its_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    app = ChatApp(None)
    assert not app.no_color
    assert not _strips_color(app) and not _paints_grays(app)
