"""Handing a link to a browser (chatui/ui/browser.py): which browsers run in our
terminal, and a browser command started with its output kept off the screen.

Real webbrowser controllers and real processes (a Python one-liner standing for the browser);
the app's part, what reaches the opener, is tested live in test_app_everyday.py.
"""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path

import pytest

from chatui.ui.browser import _start_quietly, is_console_browser


def test_terminal_browsers_are_told_from_the_others() -> None:
    assert is_console_browser(webbrowser.GenericBrowser("lynx"))
    assert is_console_browser(webbrowser.GenericBrowser(["/usr/bin/w3m", "%s"]))
    assert not is_console_browser(webbrowser.BackgroundBrowser("xdg-open"))
    assert not is_console_browser(webbrowser.GenericBrowser(["firefox", "--new-tab", "%s"]))


def test_a_browser_command_gets_the_link_and_writes_nothing_on_our_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    got = tmp_path / "got"
    script = (
        "import sys; from pathlib import Path;"
        f" Path({str(got)!r}).write_text(sys.argv[1]); print('chatter');"
        " print('warning', file=sys.stderr)"
    )
    browser = webbrowser.GenericBrowser([sys.executable, "-c", script, "%s"])
    url = "https://example.org/a?b=1&c=2#d"
    assert _start_quietly(browser, url)
    assert got.read_text() == url  # one argument, exactly the link
    out, err = capfd.readouterr()
    assert "chatter" not in out and "warning" not in err
