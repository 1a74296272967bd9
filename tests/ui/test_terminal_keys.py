"""Alt+Enter as most terminals send it (ESC CR) reaches the app as ``alt+enter``,
not as Enter: the message box starts a new line instead of sending
(chatui.ui.terminal_keys; end to end in tests/e2e/test_composer_tmux.py)."""

from __future__ import annotations

from textual import events
from textual._xterm_parser import XTermParser

from chatui.ui.terminal_keys import teach_alt_enter


def _keys(data: str) -> list[str]:
    """The key names Textual's terminal input parser makes of ``data``."""
    parser = XTermParser()
    return [token.key for token in parser.feed(data) if isinstance(token, events.Key)]


def test_esc_cr_is_alt_enter_and_the_keys_around_it_are_unchanged() -> None:
    teach_alt_enter()
    teach_alt_enter()  # twice is once
    assert _keys("ab\x1b\rc\r") == ["a", "b", "alt+enter", "c", "enter"]
    # The kitty keyboard protocol's spellings are Textual's own, as before.
    assert _keys("\x1b[13;3u\x1b[13;2u") == ["alt+enter", "shift+enter"]
    # Ctrl+J is a line feed, a key of its own.
    assert _keys("\n") == ["ctrl+j"]
