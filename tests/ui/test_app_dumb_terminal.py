"""TERM=dumb drops colors as NO_COLOR does (DESIGN.md §5): the app's chrome through
Textual's monochrome filter, the chat through depth NONE (bold and reverse only)."""

from __future__ import annotations

import pytest
from textual.filter import Monochrome

from chatui.core.contrast import ColorDepth, detect_depth
from chatui.ui.app import ChatApp


def test_a_dumb_terminal_gets_no_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    app = ChatApp(None)
    assert app.no_color
    assert any(isinstance(f, Monochrome) for f in app._filters)
    assert detect_depth({"TERM": "dumb"}) is ColorDepth.NONE


def test_an_ordinary_terminal_keeps_its_colors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    app = ChatApp(None)
    assert not app.no_color
    assert not any(isinstance(f, Monochrome) for f in app._filters)
