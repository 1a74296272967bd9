"""ThreadListView in a tiny host app, fed from an in-memory Inbox (no server needed)."""

from __future__ import annotations

import time
from dataclasses import replace

from rich.cells import cell_len
from textual.app import App, ComposeResult

from chatui.core.inbox import Inbox
from chatui.core.models import AccountConfig, Message, Thread, ThreadKey, VanishSetting
from chatui.ui.widgets.thread_list import ROW_HEIGHT, VANISH_MARKERS, ThreadListView

NOW = int(time.time() * 1000)
FAMILY = "👨\u200d👩\u200d👧"
FLAG = "🇯🇵"

ACCOUNTS = {
    "home": AccountConfig("home", "local", "http://h", "me", "H", "#5fafff"),
    "work": AccountConfig("work", "local", "http://w", "me", "W", "#d75f00"),
}


def thread(
    account: str,
    thread_id: str,
    title: str | None,
    body: str | None = "hello",
    *,
    sender: str = "bob",
    ago_s: int = 0,
    unread: int = 0,
    members: tuple[str, ...] = ("me", "bob"),
) -> Thread:
    ts = NOW - ago_s * 1000
    last = None
    if body is not None:
        last = Message(account, thread_id, f"m-{thread_id}", sender, body, ts)
    return Thread(account, thread_id, title, members, last, unread, created_ts=ts - 1)


class Host(App):
    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self.opened: list[ThreadKey] = []
        self.highlighted: list[ThreadKey] = []

    def compose(self) -> ComposeResult:
        yield ThreadListView()

    def on_mount(self) -> None:
        view = self.query_one(ThreadListView)
        view.set_source(self.inbox, lambda account_id: "me", ACCOUNTS)
        view.focus()

    def on_thread_list_view_opened(self, event: ThreadListView.Opened) -> None:
        self.opened.append(event.key)

    def on_thread_list_view_highlighted(self, event: ThreadListView.Highlighted) -> None:
        self.highlighted.append(event.key)


def lines(view: ThreadListView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def rows(view: ThreadListView) -> list[str]:
    shown = lines(view)
    return [
        shown[i] + "\n" + shown[i + 1]
        for i in range(0, len(shown) - 1, ROW_HEIGHT)
        if shown[i].strip()
    ]


def make_inbox(*threads: Thread) -> Inbox:
    inbox = Inbox()
    for t in threads:
        inbox.upsert(t)
    return inbox


def sample_inbox() -> Inbox:
    return make_inbox(
        thread("home", "lunch", "Lunch plans", "pizza at noon?", ago_s=600, unread=2),
        thread("work", "climb", "Climbing", "saturday works", sender="me", ago_s=60),
        thread(
            "home",
            "group",
            "Book club",
            "chapter 3!",
            sender="carol",
            ago_s=3600,
            members=("me", "bob", "carol"),
        ),
        thread("work", "dm", None, "hi there", sender="dave", ago_s=7200, members=("me", "dave")),
    )


async def test_rows_are_newest_first_with_badge_title_preview_time_and_unread() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(48, 12)) as pilot:
        await pilot.pause()
        view = app.query_one(ThreadListView)
        shown = rows(view)
        assert [r.split("\n")[0].split()[1] for r in shown] == [
            "Climbing",
            "Lunch",
            "Book",
            "dave",  # untitled: named after the other member
        ]
        climbing, lunch, club, dm = shown
        assert climbing.startswith(" W ")  # the account's label badge
        assert "you: saturday works" in climbing  # own message
        assert lunch.startswith(" H ") and "pizza at noon?" in lunch
        assert lunch.rstrip().endswith(" 2")  # unread count, right-aligned
        assert "carol: chapter 3!" in club  # sender shown in group threads
        assert "hi there" in dm and "dave:" not in dm

        # unread threads have a bold title; read ones do not
        def title_bold(y: int, title: str) -> bool:
            segment = next(seg for seg in view.render_line(y) if title in seg.text)
            return bool(segment.style and segment.style.bold)

        await pilot.press("down", "down")  # move the cursor (itself bold) out of the way
        assert title_bold(2, "Lunch plans")
        assert not title_bold(0, "Climbing")
        # the time sits at the right edge of the first line
        first_line = lines(view)[0]
        assert len(first_line) == 48 and first_line.rstrip()[-5:].count(":") == 1


async def test_newest_is_selected_at_start_and_keys_move_and_open() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert view.cursor_key == ("work", "climb")
        await pilot.press("down")
        assert view.cursor_key == ("home", "lunch")
        await pilot.press("j", "j")
        assert view.cursor_key == ("work", "dm")
        await pilot.press("j")  # stays on the last row
        assert view.cursor_key == ("work", "dm")
        await pilot.press("k")
        assert view.cursor_key == ("home", "group")
        await pilot.press("up")
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == [("home", "lunch")]
        await pilot.press("end")
        assert view.cursor_key == ("work", "dm")
        await pilot.press("home")
        assert view.cursor_key == ("work", "climb")
        await pilot.pause()
        assert app.highlighted[0] == ("work", "climb")
        assert ("home", "group") in app.highlighted


async def test_highlighted_row_is_visibly_marked() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()

        def background(y: int) -> object:
            segments = list(view.render_line(y))
            return segments[-1].style.bgcolor if segments[-1].style else None

        cursor_bg = background(0)
        assert cursor_bg is not None
        assert background(1) == cursor_bg  # both lines of the row
        assert background(2) != cursor_bg
        await pilot.press("down")
        assert background(2) == cursor_bg and background(0) != cursor_bg


async def test_theme_change_repaints_cached_rows() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        before = [list(view.render_line(y)) for y in range(4)]
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = [list(view.render_line(y)) for y in range(4)]
        assert [s.text for s in after[0]] == [s.text for s in before[0]]
        assert after[0][-1].style != before[0][-1].style  # the cursor's new colors


async def test_cursor_follows_its_thread_when_the_order_changes() -> None:
    inbox = sample_inbox()
    app = Host(inbox)
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        await pilot.press("down", "down")  # the user picks "Book club"
        assert view.cursor_key == ("home", "group")
        # A new message moves "dm" to the top.
        dm = inbox.get(("work", "dm"))
        assert dm is not None
        newer = replace(dm.last_message, message_id="m2", body="ping", ts=NOW + 5000)
        inbox.upsert(replace(dm, last_message=newer, unread=1))
        view.refresh_threads()
        await pilot.pause()
        assert view.cursor_key == ("home", "group")
        assert view.cursor_index == 3
        assert rows(view)[0].split()[1] == "dave"
        assert "Book club" in rows(view)[view.cursor_index]


async def test_cursor_stays_on_the_newest_until_the_user_moves() -> None:
    inbox = sample_inbox()
    app = Host(inbox)
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert view.cursor_key == ("work", "climb")
        inbox.upsert(thread("home", "new", "Fresh", "just now", ago_s=-5))
        view.refresh_threads()
        await pilot.pause()
        assert view.cursor_key == ("home", "new")
        assert app.highlighted[-1] == ("home", "new")


async def test_select_key_and_click() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert view.select_key(("work", "dm"))
        assert view.cursor_key == ("work", "dm")
        assert not view.select_key(("nowhere", "x"))
        await pilot.click(ThreadListView, offset=(5, 2 * ROW_HEIGHT + 1))
        await pilot.pause()
        assert view.cursor_key == ("home", "group")
        assert app.opened == [("home", "group")]


async def test_hostile_titles_and_previews_render_inert() -> None:
    inbox = make_inbox(
        thread("home", "a", "\x1b]52;c;cm0gLXJm\x07Pwn\x1b[2J", "\x1b[31mred\x9b1m \u202eevil"),
        thread("home", "b", "[bold red]not markup[/]", "[link=x]y[/link]", ago_s=10),
        thread("work", "c", "multi\nline\ttitle", "zalgo" + "\u0301" * 200, ago_s=20),
    )
    app = Host(inbox)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        shown = lines(view)
        text = "\n".join(shown)
        for bad in ("\x1b", "\x9b", "\x07", "\u202e", "\t"):
            assert bad not in text
        assert "␛]52;c;cm0gLXJm␇Pwn␛[2J" in shown[0]
        assert "␛[31mred⟨U+009B⟩1m ⟨U+202E⟩evil" in shown[1]
        assert "[bold red]not markup[/]" in shown[2]  # shown literally, not parsed
        assert "[link=x]y[/link]" in shown[3]
        assert "multi line title" in shown[4]
        assert all(cell_len(line) == 60 for line in shown)
        svg = app.export_screenshot()
        assert "\x1b" not in svg


async def test_truncation_keeps_flags_and_zwj_sequences_whole() -> None:
    title = "Trip " + FLAG * 3 + " " + FAMILY * 3 + " and more words here"
    inbox = make_inbox(thread("home", "t", title, FAMILY + FLAG * 20))
    app = Host(inbox)
    async with app.run_test(size=(24, 6)) as pilot:
        view = app.query_one(ThreadListView)
        for width in range(20, 45):
            await pilot.resize_terminal(width, 6)
            await pilot.pause()
            content_width = view.scrollable_content_region.width
            for line in lines(view)[:2]:
                assert cell_len(line) == content_width
                regional = sum(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in line)
                assert regional % 2 == 0, (width, line)
                assert line.count("\u200d") % 2 == 0, (width, line)  # families stay whole
                assert "\u200d…" not in line and "👨…" not in line


async def test_narrow_width_still_shows_label_title_and_time() -> None:
    app = Host(sample_inbox())
    async with app.run_test(size=(24, 10)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        first, second = lines(view)[:2]
        assert first.startswith(" W  Climbing")
        assert first.rstrip()[-5:].count(":") == 1
        assert second.strip().startswith("you: sat")
        assert all(cell_len(line) == view.scrollable_content_region.width for line in lines(view))


async def test_empty_inbox_says_so() -> None:
    app = Host(Inbox())
    async with app.run_test(size=(50, 6)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert view.cursor_key is None
        assert "No conversations yet" in "\n".join(lines(view))
        await pilot.press("down", "enter")
        assert app.opened == []


async def test_ten_thousand_threads_render_and_scroll_with_the_cursor() -> None:
    inbox = Inbox()
    for n in range(10_000):
        account = "home" if n % 2 else "work"
        inbox.upsert(thread(account, f"t{n:05d}", f"Thread {n:05d}", f"body {n}", ago_s=n))
    app = Host(inbox)
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert view.virtual_size.height == 10_000 * ROW_HEIGHT
        assert "Thread 00000" in lines(view)[0]
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor_key == ("home", "t09999")
        assert "Thread 09999" in "\n".join(lines(view)[-ROW_HEIGHT:])
        await pilot.press("pageup")
        await pilot.pause()
        index = view.cursor_index
        assert index is not None and index < 9999
        assert f"Thread {index:05d}" in "\n".join(lines(view))


async def test_vanish_mode_shows_a_glyph_on_the_row_and_a_change_redraws_it(
    monkeypatch,
) -> None:
    # NO_COLOR: the marker is a glyph, so it must still be there without colors.
    monkeypatch.setenv("NO_COLOR", "1")
    timer, ghost = VANISH_MARKERS["timer"], VANISH_MARKERS["vanish"]
    inbox = make_inbox(
        replace(
            thread("home", "lunch", "Lunch plans", ago_s=60),
            vanish=VanishSetting("timer", 300),
        ),
        replace(thread("work", "climb", "Climbing", ago_s=120), vanish=VanishSetting("vanish")),
        thread("home", "plain", "Plain chat", ago_s=180),
    )
    app = Host(inbox)
    async with app.run_test(size=(44, 10)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        width = view.scrollable_content_region.width
        first_lines = [lines(view)[y] for y in range(0, 6, ROW_HEIGHT)]
        lunch, climb, plain = first_lines
        assert timer in lunch and ghost not in lunch
        assert ghost in climb and timer not in climb
        assert timer not in plain and ghost not in plain
        # Before the time, and the line still exactly fills the width (the glyph is
        # two cells wide for Rich as for the terminal).
        assert lunch.rstrip().endswith(f"{timer} " + lunch.rstrip().split()[-1])
        for y in range(0, 6, ROW_HEIGHT):
            assert view.render_line(y).cell_length == width

        # Someone turns vanish mode off in "Lunch plans": the cached row is redrawn.
        key = ("home", "lunch")
        inbox.upsert(replace(inbox.get(key), vanish=VanishSetting()))  # type: ignore[arg-type]
        view.refresh_threads()
        await pilot.pause()
        assert timer not in lines(view)[0] and "Lunch plans" in lines(view)[0]


async def test_vanish_glyph_gives_way_to_the_title_when_narrow() -> None:
    ghost = VANISH_MARKERS["vanish"]
    inbox = make_inbox(
        replace(thread("home", "lunch", "Lunch plans", ago_s=60), vanish=VanishSetting("vanish"))
    )
    app = Host(inbox)
    async with app.run_test(size=(30, 6)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        assert ghost in view.render_line(0).text
        await pilot.resize_terminal(12, 6)
        await pilot.pause()
        width = view.scrollable_content_region.width
        first = view.render_line(0)
        assert first.cell_length == width
        assert ghost not in first.text and "Lun" in first.text


async def test_a_setting_notice_previews_as_one_sentence_without_a_sender_prefix() -> None:
    from dataclasses import replace

    from chatui.core.models import VanishSetting
    from chatui.core.notices import theme_change, vanish_change

    group = thread("home", "group", "Book club", ago_s=60, members=("me", "bob", "carol"))
    mine = thread("work", "dm", None, ago_s=120, members=("me", "dave"))
    group = replace(
        group,
        last_message=replace(
            group.last_message,
            sender="carol",
            kind="setting",
            body="\x1b[2Jfake",
            change=theme_change("Sunset"),
        ),
    )
    mine = replace(
        mine,
        last_message=replace(
            mine.last_message,
            sender="me",
            kind="setting",
            change=vanish_change(VanishSetting("vanish")),
        ),
    )
    app = Host(make_inbox(group, mine))
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        club, dm = rows(app.query_one(ThreadListView))
        assert "carol changed the theme to Sunset" in club and "carol: " not in club
        assert "fake" not in club  # the sentence comes from the change, not the body
        assert "you turned on vanish mode" in dm and "you: " not in dm
