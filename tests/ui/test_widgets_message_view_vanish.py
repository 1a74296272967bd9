"""MessageView and vanish mode: notices, the vanish look, countdowns, seen reports.

In-memory messages in a tiny host app; the clock the countdowns read is the view's
``now_ms`` (replaced here), and deadlines come through ``deadline_of`` as the app
passes ``session.expires_at``.
"""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from chatui.core.models import ThreadKey, VanishSetting
from chatui.core.notices import theme_change, vanish_change
from chatui.ui.widgets.message_view import MessageView
from tests.ui.test_widgets_message_view import KEY, NOW, history, msg, screen, text_of

FIVE_MINUTES = VanishSetting("timer", 300)


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[ThreadKey, tuple[str, ...]]] = []

    def compose(self) -> ComposeResult:
        yield MessageView()

    def on_message_view_shown(self, event: MessageView.Shown) -> None:
        self.shown.append((event.key, event.message_ids))


async def until(pilot: Pilot, predicate, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def notice(n: int, change, *, sender: str = "alice", body: str = "", **kw):
    return msg(n, body, sender=sender, kind="setting", change=change, **kw)


async def test_setting_notices_are_one_quiet_centered_line() -> None:
    app = Host()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(MessageView)
        base = NOW - 60_000
        messages = [
            msg(1, "hi", sender="alice", ts=base),
            # The body is the server's: the view builds the sentence from ``change``.
            notice(2, vanish_change(FIVE_MINUTES), body="\x1b[2J FAKE", ts=base + 1000),
            notice(3, theme_change("Sunset"), sender="me", ts=base + 2000),
            notice(4, None, sender="eve", body="\x1b]52;c;AA\x07eve did things", ts=base + 3000),
            msg(5, "after the notices", sender="alice", ts=base + 4000),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        lines = screen(view)
        width = view.scrollable_content_region.width
        line = next(x for x in lines if "set messages to disappear" in x)
        assert line.strip() == "── alice set messages to disappear after 5 minutes ──"
        left = len(line) - len(line.lstrip())
        right = len(line) - len(line.rstrip())
        assert abs(left - right) <= 1 and cell_len(line) == width  # centered
        assert any(x.strip() == "── you changed the theme to Sunset ──" for x in lines)
        shown = "\n".join(lines)
        assert "FAKE" not in shown and "\x1b" not in shown
        assert "── ␛]52;c;AA␇eve did things ──" in shown  # no change: the body, inert
        # Never a bubble: no sender header, no gutter, no accent bar of their own...
        assert not any(x.startswith("alice") and "disappear" in x for x in lines)
        assert sum(x.startswith("alice  ") for x in lines) == 2  # ...and a header after
        # The notice's style is the quiet one (italic), not the body's.
        row = lines.index(line)
        styles = [s.style for s in view.render_line(row) if "disappear" in s.text]
        assert styles and all(style.italic for style in styles)


async def test_a_notice_too_long_for_a_narrow_view_wraps_whole() -> None:
    """At 60 columns (a conversation about 40 wide) every word of a notice is there:
    wrapped and centred, not cut."""
    app = Host()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(MessageView)
        base = NOW - 60_000
        messages = [
            msg(1, "hi", sender="alice", ts=base),
            notice(2, vanish_change(VanishSetting("timer", 7 * 86400)), ts=base + 1000),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        lines = screen(view)
        start = next(i for i, x in enumerate(lines) if "alice set" in x)
        words = " ".join(x.strip() for x in lines[start : start + 3] if x.strip())
        assert "alice set messages to disappear after 1 week" in words
        assert "…" not in words
        width = view.scrollable_content_region.width
        for line in lines[start : start + 3]:
            if line.strip():  # centred
                left, right = len(line) - len(line.lstrip()), len(line) - len(line.rstrip())
                assert abs(left - right) <= 1 and cell_len(line) == width


async def test_vanish_mode_has_its_own_look_and_no_banner() -> None:
    """The background says vanish mode is on; the words are the header's alone (a
    banner here said them a second time, issue 12 item 15), so no row is taken."""
    app = Host()
    async with app.run_test(size=(70, 16)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(80), "me")
        await pilot.pause()
        assert not view.has_class("-vanish")
        plain_background = view.rich_style.bgcolor
        before = screen(view)

        view.vanish = FIVE_MINUTES
        await pilot.pause()
        assert view.has_class("-vanish")
        assert view.rich_style.bgcolor != plain_background
        assert not any("disappear" in line or "Vanish" in line for line in screen(view))
        assert [line.strip() for line in screen(view)] == [line.strip() for line in before]
        assert view.at_bottom and view.scroll_y == view.max_scroll_y

        view.vanish = VanishSetting()
        await pilot.pause()
        assert not view.has_class("-vanish")


async def test_messages_sent_under_vanish_carry_a_mark() -> None:
    app = Host()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(MessageView)
        view.show(
            KEY,
            [
                msg(1, "plain old message", sender="alice"),
                msg(2, "gone once seen", sender="alice", vanish=VanishSetting("vanish")),
                msg(3, "gone in five", sender="alice", vanish=FIVE_MINUTES),
            ],
            "me",
        )
        await pilot.pause()
        lines = screen(view)
        assert not any("◌" in x or "⏳" in x for x in lines if "plain old" in x)
        assert any("gone once seen" in x and "◌ vanish" in x for x in lines)
        # Not seen yet (no deadline): the whole time it will have.
        assert any("gone in five" in x and "⏳ 5m" in x and "0s" not in x for x in lines)


async def test_a_countdown_repaints_only_its_own_lines_each_second() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MessageView)
        clock = [NOW]
        view.now_ms = lambda: clock[0]
        deadlines = {"m000002": NOW + 300_000, "m000004": NOW + 30_500}
        view.deadline_of = lambda m: deadlines.get(m.message_id)
        messages = [
            msg(1, "no timer here", sender="alice"),
            msg(2, "five minutes", sender="alice", vanish=FIVE_MINUTES),
            msg(3, "also plain", sender="me"),
            msg(4, "thirty seconds", sender="me", vanish=VanishSetting("timer", 30)),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        lines = screen(view)
        assert any("five minutes" in x and "⏳ 5m 0s" in x for x in lines)
        assert any("thirty seconds" in x and "⏳ 31s" in x for x in lines)
        assert view.ticking
        badge_rows = {y for y, x in enumerate(lines) if "⏳" in x}
        assert len(badge_rows) == 2

        renders = 0
        original = view._render_block

        def counting(*args, **kwargs):
            nonlocal renders
            renders += 1
            return original(*args, **kwargs)

        view._render_block = counting  # type: ignore[method-assign]
        painted: list[int] = []
        render_line = view.render_line

        def recording(y: int):
            painted.append(y)
            return render_line(y)

        await pilot.pause()
        view.render_line = recording  # type: ignore[method-assign]
        clock[0] += 1000
        # The view's own once-a-second timer repaints the two lines (no help here).
        await until(pilot, lambda: painted, "a countdown repaint")
        await pilot.pause()
        assert set(painted) == badge_rows  # only the lines that hold a countdown
        assert renders == 0  # no block was rendered again: the time is not in the cache
        view.render_line = render_line  # type: ignore[method-assign]
        lines = screen(view)
        assert any("five minutes" in x and "⏳ 4m 59s" in x for x in lines)
        assert any("thirty seconds" in x and "⏳ 30s" in x for x in lines)
        assert renders == 0


async def test_the_ticking_stops_when_no_countdown_is_in_view() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        view.deadline_of = lambda m: NOW + 60_000 if m.vanish.mode == "timer" else None
        view.show(KEY, history(200), "me")
        await pilot.pause()
        assert not view.ticking  # nothing sent under vanish: no timer at all
        timed = [msg(n, f"timed {n}", vanish=FIVE_MINUTES) for n in range(200, 203)]
        view.update_messages([*history(200), *timed])
        await until(pilot, lambda: view.ticking, "the ticking to start")
        await pilot.press("home")
        await until(pilot, lambda: not view.ticking, "the ticking to stop")
        view.focus()
        await pilot.press("end")
        await until(pilot, lambda: view.ticking, "the ticking to start again")


async def test_shown_reports_the_real_messages_in_view_once_per_change() -> None:
    app = Host()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(MessageView)
        messages = [
            *history(100),
            notice(100, vanish_change(FIVE_MINUTES)),
            msg(101, "on its way", sender="me", pending=True, message_id="~tx1"),
            msg(102, "refused", sender="me", pending=True, failed="no", message_id="~tx2"),
        ]
        view.show(KEY, messages, "me")
        await until(pilot, lambda: app.shown, "a Shown report")
        await until(pilot, lambda: "m000099" in app.shown[-1][1], "a report with the newest")
        await pilot.pause()
        # One report per change of what is in view, not one per event. (A busy
        # machine may draw the first frame before the view settles at the newest,
        # which is a change and a second report: so no count of reports is asserted,
        # only that none repeats the one before it.)
        assert all(a != b for a, b in itertools.pairwise(app.shown))
        key, ids = app.shown[-1]
        assert key == KEY
        assert ids and all(i.startswith("m0000") for i in ids)
        assert "m000100" not in ids  # the notice
        assert "~tx1" not in ids and "~tx2" not in ids
        assert "m000099" in ids  # the newest real one is in view
        numbers = [int(i[1:]) for i in ids]
        assert numbers == list(range(numbers[0], numbers[-1] + 1))
        on_screen = {int(n) for n in re.findall(r"message number (\d+)", text_of(view))}
        assert on_screen <= set(numbers)  # nothing in view is left out...
        assert len(numbers) <= len(on_screen) + 1  # ...and nothing out of view is in

        # Same messages in view after an update below the fold: no new report.
        reports = len(app.shown)
        view.update_messages(list(messages))
        await pilot.pause()
        await pilot.pause()
        assert len(app.shown) == reports

        await pilot.press("pageup", "pageup")
        await until(pilot, lambda: len(app.shown) > reports, "a report after scrolling")
        _, older = app.shown[-1]
        assert "m000099" not in older
        assert min(older) < min(ids)

        reports = len(app.shown)
        await pilot.resize_terminal(60, 30)
        await until(pilot, lambda: len(app.shown) > reports, "a report after a resize")
        assert len(app.shown[-1][1]) > len(older)


async def test_replies_to_erased_messages_say_it_is_gone() -> None:
    app = Host()
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(MessageView)
        secret = msg(1, "the secret plan", sender="alice", vanish=FIVE_MINUTES)
        reply = msg(2, "got it", sender="me", reply_to="m000001")
        far = msg(3, "replying to history", sender="alice", reply_to="m999999")
        view.show(KEY, [secret, reply, far], "me")
        await pilot.pause()
        assert "↳ alice: the secret plan" in text_of(view)
        view.update_messages([reply, far])  # erased (vanish expiry or redaction)
        await pilot.pause()
        shown = text_of(view)
        assert "secret plan" not in shown
        assert "↳ message vanished" in shown
        assert "↳ reply" in shown  # never loaded is not the same as gone


async def test_a_failing_deadline_lookup_does_not_break_the_view() -> None:
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(MessageView)

        def broken(message):
            raise RuntimeError("timer store unavailable")

        view.deadline_of = broken
        view.show(KEY, [msg(1, "still readable", vanish=FIVE_MINUTES)], "me")
        await pilot.pause()
        assert any("still readable" in x and "⏳ 5m" in x for x in screen(view))


async def test_a_timer_armed_by_being_seen_starts_counting_on_screen() -> None:
    class Arming(Host):
        """Stands in for the app: being seen starts the recipient's timer."""

        def __init__(self) -> None:
            super().__init__()
            self.deadlines: dict[str, int] = {}

        def on_message_view_shown(self, event: MessageView.Shown) -> None:
            super().on_message_view_shown(event)
            for message_id in event.message_ids:
                self.deadlines.setdefault(message_id, NOW + 120_000)

    app = Arming()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(MessageView)
        view.now_ms = lambda: NOW
        view.deadline_of = lambda m: app.deadlines.get(m.message_id)
        view.show(KEY, [msg(1, "for your eyes", sender="alice", vanish=FIVE_MINUTES)], "me")
        await until(pilot, lambda: app.shown, "a Shown report")
        (row,) = [y for y, line in enumerate(screen(view)) if "⏳" in line]
        painted: list[str] = []
        render_line = view.render_line

        def recording(y: int):
            strip = render_line(y)
            if y == row:
                painted.append(strip.text)
            return strip

        view.render_line = recording  # type: ignore[method-assign]
        # No update of the messages: the view notices the new deadline by itself
        # and repaints the badge's line.
        await until(pilot, lambda: any("⏳ 2m 0s" in x for x in painted), "the countdown")
        assert view.ticking


async def test_the_countdown_sits_on_the_views_own_background() -> None:
    """The badge is laid over the cached line at paint time; it must carry the
    widget's background like the rest of the line, not the terminal's default."""
    app = Host()
    async with app.run_test(size=(70, 12)) as pilot:
        view = app.query_one(MessageView)
        view.now_ms = lambda: NOW
        view.deadline_of = lambda m: NOW + 90_000
        view.vanish = FIVE_MINUTES
        view.show(KEY, [msg(1, "short lived", sender="alice", vanish=FIVE_MINUTES)], "me")
        await pilot.pause()
        background = view.rich_style.bgcolor
        assert background is not None
        row = next(
            y
            for y in range(view.size.height)
            if "1m 30s" in "".join(s.text for s in view.render_line(y))
        )
        badge = [
            s for s in view.render_line(row) if s.text.strip() and s.text.strip() in "⏳ 1m 30s"
        ]
        assert badge and all(s.style is not None and s.style.bgcolor == background for s in badge)
