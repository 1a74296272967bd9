"""MessageView in a tiny host app with in-memory messages (no server needed)."""

from __future__ import annotations

import time
from dataclasses import replace

from rich.cells import cell_len
from textual.app import App, ComposeResult

from chatui.core.models import Message, ThreadKey
from chatui.ui.widgets.message_view import MessageView

KEY: ThreadKey = ("home", "t1")
NOW = int(time.time() * 1000)
FAMILY = "👨\u200d👩\u200d👧"
FLAG = "🇯🇵"


def msg(n: int, body: str | None = None, *, sender: str | None = None, **kw) -> Message:
    return Message(
        account_id=KEY[0],
        thread_id=KEY[1],
        message_id=kw.pop("message_id", f"m{n:06d}"),
        sender=sender if sender is not None else ("me" if n % 3 == 0 else "alice"),
        body=body if body is not None else f"message number {n} " + "blah " * (n % 6),
        ts=kw.pop("ts", NOW - (1_000_000 - n) * 1000),
        **kw,
    )


def history(count: int, start: int = 0) -> list[Message]:
    return [msg(n) for n in range(start, start + count)]


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.near_top: list[ThreadKey] = []

    def compose(self) -> ComposeResult:
        yield MessageView()

    def on_message_view_near_top(self, event: MessageView.NearTop) -> None:
        self.near_top.append(event.key)


def screen(view: MessageView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def text_of(view: MessageView) -> str:
    return "\n".join(screen(view))


async def test_opens_at_the_newest_messages() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(300), "me", title="Alice")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0
        assert view.at_bottom
        shown = text_of(view)
        assert "message number 299" in shown
        assert "message number 100" not in shown
        assert screen(view)[-1].strip()  # the last line of the view is used


async def test_show_before_layout_opens_at_the_newest_too() -> None:
    class Early(Host):
        def on_mount(self) -> None:
            view = self.query_one(MessageView)
            view.show(KEY, history(500), "me")
            view.update_messages(history(501))

    app = Early()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        await pilot.pause()
        assert "message number 500" in text_of(view)
        assert view.scroll_y == view.max_scroll_y


async def test_sticks_to_the_bottom_when_new_messages_arrive() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = history(100)
        view.show(KEY, messages, "me")
        await pilot.pause()
        for n in range(100, 105):
            messages.append(msg(n, f"fresh news {n}"))
            view.update_messages(messages)
            await pilot.pause()
            assert f"fresh news {n}" in text_of(view)
            assert view.scroll_y == view.max_scroll_y


async def test_stays_put_when_scrolled_up_and_messages_arrive_or_history_loads() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = history(200, start=100)
        view.show(KEY, messages, "me")
        await pilot.pause()
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        assert not view.at_bottom
        before = screen(view)
        view.update_messages([*messages, msg(300, "below the fold")])
        await pilot.pause()
        assert screen(view) == before
        # Older history is prepended (the app's answer to NearTop): nothing moves.
        view.update_messages([*history(100), *messages, msg(300, "below the fold")])
        await pilot.pause()
        assert screen(view) == before
        await pilot.press("end")
        await pilot.pause()
        assert "below the fold" in text_of(view)


async def test_scrolling_through_unmeasured_history_is_smooth() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(3000), "me")
        await pilot.pause()
        view.scroll_to(y=view.max_scroll_y // 2, animate=False)  # far from anything measured
        await pilot.pause()
        previous = screen(view)
        for _ in range(40):
            view.action_scroll_up()  # the wheel's step (Up/Down move the selection)
            await pilot.pause()
            current = screen(view)
            assert current[1:] == previous[:-1]  # everything moved down exactly one line
            previous = current
        for _ in range(10):
            await pilot.press("pageup")
            current = screen(view)
            assert current[-1] == previous[0]  # a page keeps one line of context
            previous = current


async def test_near_top_is_posted_when_the_user_reaches_the_oldest_message() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(60), "me")
        await pilot.pause()
        assert app.near_top == []
        await pilot.press("home")
        await pilot.pause()
        assert app.near_top == [KEY]
        assert "message number 0" in text_of(view)
        await pilot.press("up", "up")  # no repeats until something changes
        await pilot.pause()
        assert app.near_top == [KEY]


async def test_sender_headers_mine_theirs_pending_and_replies() -> None:
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MessageView)
        base = NOW - 60_000
        messages = [
            msg(1, "are we still on for lunch?", sender="alice", ts=base),
            msg(2, "yes! noon", sender="me", ts=base + 1000, reply_to="m000001"),
            msg(3, "replying to something old", sender="alice", ts=base + 2000, reply_to="zzz"),
            msg(4, "on my way", sender="me", ts=base + 3000, pending=True, message_id="~tx"),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        shown = text_of(view)
        assert "Today" in shown  # day separator
        assert "alice" in shown and "you" in shown
        assert "↳ alice: are we still on for lunch?" in shown
        assert "↳ reply" in shown
        assert "▎ yes! noon" in shown  # own messages carry the accent bar
        assert "  are we still on for lunch?" in shown
        assert "sending" in shown
        # The server accepts the pending message: the mark goes away.
        accepted = replace(messages[3], message_id="m000004", pending=False)
        view.update_messages([*messages[:3], accepted])
        await pilot.pause()
        assert "sending" not in text_of(view)
        assert "on my way" in text_of(view)


async def test_theme_change_repaints_cached_lines() -> None:
    app = Host()
    async with app.run_test(size=(50, 10)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, [msg(1, "hello", sender="alice")], "me")
        await pilot.pause()
        header = next(y for y, line in enumerate(screen(view)) if line.startswith("alice"))
        before = list(view.render_line(header))
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = list(view.render_line(header))
        assert after[0].text == before[0].text == "alice"
        assert after[0].style != before[0].style


async def test_hostile_bodies_render_inert() -> None:
    app = Host()
    async with app.run_test(size=(50, 20)) as pilot:
        view = app.query_one(MessageView)
        messages = [
            msg(1, "\x1b]52;c;cm0gLXJmIH4=\x07copied", sender="\x1b[31mmallory"),
            msg(2, "\x1b]8;;https://evil\x07click\x1b]8;;\x07 \x9b2J"),
            msg(3, "abc\u202efdp.exe\u2066x\u2069"),
            msg(4, "Z" + "\u0301" * 500 + "algo"),
            msg(5, "[bold]not markup[/bold]\ttabbed"),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        shown = text_of(view)
        for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\u2066", "\t"):
            assert bad not in shown
        assert "␛]52;c;cm0gLXJmIH4=␇copied" in shown
        assert "␛[31mmallory" in shown
        assert "⟨U+202E⟩" in shown
        assert "[bold]not markup[/bold]" in shown
        assert shown.count("\u0301") <= 4
        assert "\x1b" not in app.export_screenshot()


async def test_wrapping_keeps_graphemes_and_follows_resizes() -> None:
    app = Host()
    async with app.run_test(size=(30, 20)) as pilot:
        view = app.query_one(MessageView)
        body = "flags " + FLAG * 30 + " family " + FAMILY * 12 + " fin"
        view.show(KEY, [msg(1, body)], "me")
        for width in (30, 23, 17, 40):
            await pilot.resize_terminal(width, 20)
            await pilot.pause()
            content_width = view.scrollable_content_region.width
            shown = screen(view)
            for line in shown:
                assert cell_len(line) == content_width
                assert sum(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in line) % 2 == 0
                assert line.count("\u200d") % 2 == 0
            assert shown[-1].strip().endswith("fin")  # short threads sit at the bottom
            assert view.at_bottom


async def test_empty_states() -> None:
    app = Host()
    async with app.run_test(size=(50, 10)) as pilot:
        view = app.query_one(MessageView)
        await pilot.pause()
        # The header says no conversation is open; the view stays blank.
        assert text_of(view).strip() == ""
        view.show(KEY, [], "me", loading=True)
        await pilot.pause()
        assert "Loading" in text_of(view)
        view.update_messages([])
        await pilot.pause()
        assert "No messages yet — say hi" in text_of(view)
        view.update_messages([msg(1, "first!")])
        await pilot.pause()
        assert "first!" in text_of(view)


async def test_a_hundred_thousand_messages_open_at_the_newest_without_rendering_all() -> None:
    app = Host()
    async with app.run_test(size=(60, 24)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(100_000), "me")
        await pilot.pause()
        assert "message number 99999" in text_of(view)
        assert view.scroll_y == view.max_scroll_y
        # Only messages near the viewport were laid out (a design guard: laying out
        # all of them is what makes a big thread slow to open).
        assert sum(view._exact) < 200
        await pilot.press("home")
        await pilot.pause()
        assert "message number 0 " in text_of(view)
        assert sum(view._exact) < 400
