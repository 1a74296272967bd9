"""End to end: a stranger's hostile messages reach a running chatui in a real terminal.

alice sends every case of the corpus through the reference server's HTTP API into
a thread with bob (whose title is hostile too). bob runs the real ``chatui``
command on a pseudo-terminal of 120x40 with TERM=xterm-256color. The test then
reads two channels (see tests/hostile/terminal.py):

* the raw bytes the app wrote: no control sequence from any message is among them
  (each case names byte strings that appear only if its attack got through), no
  8-bit C1 control at all, and no escape sequence of a kind the app itself never
  writes;
* the emulated screen: every message is visible, in its safe form, and the app
  still answers keys and quits cleanly.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from chatui.core.models import AccountConfig
from chatui.core.sanitize import safe_text
from chatui.profile.config import save_accounts
from chatui.profile.folders import Profile
from chatui.profile.tokens import store_token
from chatui.server.runner import ServerThread
from tests.conftest import make_user
from tests.faults.proxy import FaultProxy, Rewrite
from tests.hostile import corpus
from tests.support import app_env, chatui_on_pty, require

if TYPE_CHECKING:
    from tests.hostile.terminal import TerminalProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

# What the app writes itself: CSI sequences, and OSC 22 (the mouse pointer's shape).
# Anything else starting with ESC in its output came from somewhere it should not.
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_POINTER_SHAPE = re.compile(r"\x1b\]22;[a-z-]*\x07")

# Only bounds a failure: a busy machine may starve the app for seconds.
_DEADLINE = 60.0


@pytest.fixture
def app_for_bob(server: ServerThread, tmp_path: Path) -> Iterator[tuple[object, str, str]]:
    require(hasattr(os, "openpty"), "a pseudo-terminal (os.openpty)")
    require(importlib.util.find_spec("pyte") is not None, "the pyte terminal emulator")

    alice = make_user(server, "alice")
    bob = make_user(server, "bob")
    headers = {"Authorization": f"Bearer {alice.token}"}
    thread = httpx.post(
        f"{server.url}/v1/threads",
        json={"members": ["bob"], "title": corpus.HOSTILE_TITLE},
        headers=headers,
        timeout=10,
    ).json()
    _send(server, alice.token, thread["thread_id"], "hello", "HX00 hello bob")

    profile = Profile.resolve(str(tmp_path / "bob"))
    account = AccountConfig(
        account_id="local-bob",
        kind="local",
        server=server.url,
        username="bob",
        label="L",
        color="#5fafff",
        token_store="file",
    )
    # bob's app talks to the server through a proxy that plays a hostile server for
    # one message: it rewrites a placeholder into lone surrogates and raw controls
    # (JSON escapes), which the reference server itself would refuse to store.
    proxy = FaultProxy(
        server.url, lambda request: Rewrite(corpus.SERVER_SIDE_PAYLOAD, corpus.SERVER_SIDE_JSON)
    ).start()
    account = replace(account, server=proxy.url)
    store_token(profile, account, bob.token)
    save_accounts(profile, [account])

    app = chatui_on_pty(profile.config_dir, env=app_env())
    try:
        yield app, alice.token, thread["thread_id"]
    finally:
        app.close()
        proxy.stop()


def _send(server: ServerThread, token: str, thread_id: str, txn_id: str, body: str) -> None:
    response = httpx.put(
        f"{server.url}/v1/threads/{thread_id}/messages/{txn_id}",
        json={"body": body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def _expected_on_screen(case: corpus.Case) -> str:
    """The marker and, where an emulator can be trusted to draw it, the start of the
    attack as the safe form shows it.

    Widths of joined emoji, spacing marks and conjoining jamo differ between pyte,
    Rich and real terminals; for those only the marker is looked for.
    """
    body = corpus.as_received_from_a_hostile_server(case)
    words = safe_text(body)[len(case.marker) + 1 :].split()
    attack = corpus_plain(words[0])[:10] if words else ""
    if any(_ambiguous_width(ch) for ch in attack):
        return case.marker
    return f"{case.marker} {attack}".rstrip()


def _ambiguous_width(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "Mc" or 0x1160 <= cp <= 0x11FF or cp >= 0x1F000


def _steady(row: str) -> str:
    """``row`` up to its first character whose width pyte and Rich may disagree on.

    Past such a character (an emoji, a combining or format mark, a spacing mark,
    conjoining jamo) the app's idea of the cursor and pyte's part ways, and the rest
    of the row keeps stale cells that differ from frame to frame; comparing rows
    for the overlap of two pages uses only what both draw alike.
    """
    for index, ch in enumerate(row):
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") or _ambiguous_width(ch):
            return row[:index]
    return row.rstrip()


class _MessageArea:
    """Where the open conversation's messages are on bob's screen.

    Paging is judged on these rows alone: the thread list beside them previews the
    newest message (a marker there proves nothing about the conversation), and the
    scroll bar's thumb moves with every page.
    """

    def __init__(self, app: TerminalProcess) -> None:
        self.app = app
        rows = app.screen()
        # The pane's left border is the column most rows have a "│" in.
        counts = [app.screen(x, x + 1).count("│") for x in range(app.columns)]
        self.left = counts.index(max(counts)) + 1
        header = next(y for y, row in enumerate(rows) if "with alice" in row)
        self.top = header + 1
        pane = app.screen(self.left, app.columns - 1)
        self.bottom = next(y for y in range(self.top, app.rows) if pane[y].startswith("▊▔"))

    def rows(self) -> list[str]:
        """The message rows of the last whole frame, without the scroll bar."""
        pane = self.app.screen(self.left, self.app.columns - 1)
        return pane[self.top : self.bottom]

    def page_above(self, below: list[str]) -> list[str]:
        """Press PageUp and wait until the page above ``below`` is shown.

        A positive condition, not a quiet period: the new page's last rows are
        ``below``'s first ones (PageUp keeps one row of overlap; at the top of the
        thread the scroll stops short and keeps more). A frame from before the key
        cannot pass for it, so a starved app is waited for, never read too early.
        """
        self.app.press("pageup")
        old = [_steady(row) for row in below]
        size = len(old)
        deadline = time.monotonic() + _DEADLINE
        while True:
            rows = self.rows()
            new = [_steady(row) for row in rows]
            # The overlap must hold a row with text: blank rows between messages
            # would let any frame whose last row is blank pass for the page above.
            if new != old and any(
                new[d:] == old[: size - d] and any(old[: size - d]) for d in range(1, size)
            ):
                return rows
            if time.monotonic() > deadline or not self.app.alive():
                raise AssertionError(
                    "PageUp never showed the page above; the message area shows:\n"
                    + "\n".join(rows)
                    + "\n--- and before PageUp:\n"
                    + "\n".join(below)
                )
            time.sleep(0.05)

    def wait_for_rows(self, check: Callable[[list[str]], bool], what: str) -> list[str]:
        """The message rows once ``check`` holds; AssertionError naming ``what``."""
        deadline = time.monotonic() + _DEADLINE
        while True:
            rows = self.rows()
            if check(rows):
                return rows
            if time.monotonic() > deadline or not self.app.alive():
                raise AssertionError(
                    f"timed out waiting for {what}; the message area shows:\n" + "\n".join(rows)
                )
            time.sleep(0.05)


def _text(rows: list[str]) -> str:
    """The rows as one text, compared as a person sees it (see ``plain``)."""
    return corpus_plain("\n".join(rows))


def corpus_plain(text: str) -> str:
    from tests.hostile.terminal import plain

    return plain(text)


def test_hostile_messages_reach_the_terminal_only_in_their_safe_form(
    server: ServerThread, app_for_bob: tuple
) -> None:
    app, alice_token, thread_id = app_for_bob
    app.wait_for(lambda s: "HXT" in s and "connected" in s, "the hostile thread in the list")
    app.press("enter")  # open it: the composer gets the focus
    app.wait_for(lambda s: "HX00 hello bob" in s, "the opened thread")

    cases = [*corpus.SENDABLE, corpus.FROM_A_HOSTILE_SERVER]
    for number, case in enumerate(cases):
        _send(server, alice_token, thread_id, f"case-{number}", case.body)
    last = cases[-1]
    app.wait_for(lambda s: last.marker in s, "the last hostile message, live")

    # Every message is visible in its safe form somewhere in the thread: page up
    # from the newest to the first. Whole frames only (see terminal.py), and each
    # page is waited for by what it must show, never by how long the screen was quiet.
    assert app.synchronized, "the app never bracketed a frame: reads could see half of one"
    app.press("shift+tab")  # from the composer to the message view
    area = _MessageArea(app)
    page = area.wait_for_rows(lambda rows: last.marker in _text(rows), "the newest message")
    seen: list[str] = []
    for _ in range(80):
        text = _text(page)
        # A message whose marker is on this page shows its safe form on the same row.
        for case in cases:
            if case.marker in text and _expected_on_screen(case) not in text:
                page = area.wait_for_rows(
                    lambda rows, case=case: _expected_on_screen(case) in _text(rows),
                    f"{case.marker} ({case.name}) in its safe form {_expected_on_screen(case)!r}",
                )
                text = _text(page)
        seen.append(text)
        if "HX00 hello bob" in text:
            break
        page = area.page_above(page)
    else:
        raise AssertionError("80 pages up and still not at the start of the thread")

    # The raw bytes, everything written so far: nothing from a message got through.
    output = app.output.decode("utf-8", errors="replace")
    leaked = [(case.name, leak) for case in cases for leak in case.leaks if leak in output]
    assert not leaked, f"control sequences from messages reached the terminal: {leaked}"
    for sequence in (*corpus.NEVER_EMITTED, *corpus.HOSTILE_TITLE_LEAKS):
        assert sequence not in output, f"{sequence!r} reached the terminal"
    c1 = sorted({f"U+{ord(ch):04X}" for ch in output if 0x80 <= ord(ch) <= 0x9F})
    assert not c1, f"8-bit C1 controls reached the terminal: {c1}"
    foreign = _POINTER_SHAPE.sub("", _CSI.sub("", output))
    stray = sorted({foreign[i : i + 3] for i in range(len(foreign)) if foreign[i] == "\x1b"})
    assert not stray, f"escape sequences the app never writes itself: {stray}"

    everything = "\n".join(seen)
    missing = [case.name for case in cases if _expected_on_screen(case) not in everything]
    assert not missing, f"never shown in their safe form: {missing}\nlast page:\n{seen[-1]}"

    # The app is alive and still answers keys: End jumps back to the newest message.
    assert app.alive()
    app.press("end")
    app.wait_for(lambda s: last.marker in s, "End to scroll back to the newest message")

    app.press("ctrl+q")
    assert app.wait_exit() == 0
    assert "Traceback" not in app.screen_text()
