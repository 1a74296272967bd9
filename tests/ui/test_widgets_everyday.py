"""The conversation and the list on their own (in-memory, no server): how links,
"seen", quotes of messages the view has not loaded, mentions and typing are
drawn, down to the cases a live test does not reach (a link wrapped over two
lines, a quote looked up once per change, "@99+")."""

from __future__ import annotations

from dataclasses import replace

from rich.segment import Segment
from textual.app import App, ComposeResult

from chatui.core.inbox import Inbox
from chatui.core.models import tombstone
from chatui.ui.widgets.message_blocks import Quoted
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.test_widgets_message_view import KEY, Host, msg, screen, text_of
from tests.ui.test_widgets_thread_list import ACCOUNTS, thread


def underlined(view: MessageView) -> list[str]:
    """The underlined text of each line on screen (what is shown as a link)."""
    found = []
    for y in range(view.scrollable_content_region.height):
        pieces = [s.text for s in view.render_line(y) if s.style is not None and s.style.underline]
        if pieces:
            found.append("".join(pieces))
    return found


async def test_a_link_wrapped_over_two_lines_is_underlined_on_both_and_opened_whole() -> None:
    app = Host()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(MessageView)
        url = "https://example.org/a/rather/long/path/to/the/page"
        view.show(KEY, [msg(1, f"look: {url} thanks", sender="alice")], "me")
        await pilot.pause()
        assert "".join(underlined(view)) == url  # every piece of it, nothing else
        assert len(underlined(view)) == 2
        assert [link.url for link in view.links_of(view.messages[0])] == [url]


async def test_no_link_in_a_deleted_message_nor_a_hidden_target() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        first = msg(1, "see https://example.org", sender="alice")
        hostile = msg(2, "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\", sender="alice")
        view.show(KEY, [tombstone(first), hostile], "me")
        await pilot.pause()
        assert view.links_of(view.messages[0]) == []
        assert "message deleted" in text_of(view)
        # The OSC 8 sequence is inert text; its target is a link only as far as it
        # is written out on the screen, and "click me" is no link at all.
        assert [link.url for link in view.links_of(hostile)] == ["https://evil.example"]
        assert underlined(view) == ["https://evil.example"]
        for y in range(view.scrollable_content_region.height):
            assert all(s.style is None or s.style.link is None for s in view.render_line(y))


async def test_seen_is_under_one_message_and_moves() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        mine = [msg(n, f"note {n}", sender="me") for n in range(1, 4)]
        view.show(KEY, mine, "me")
        view.mark_seen("m000001")
        await pilot.pause()
        lines = [x.strip() for x in screen(view) if x.strip()]
        assert lines.count("seen") == 1 and lines[lines.index("seen") - 1].endswith("note 1")
        view.mark_seen("m000003")
        await pilot.pause()
        lines = [x.strip() for x in screen(view) if x.strip()]
        assert lines.count("seen") == 1 and lines[lines.index("seen") - 1].endswith("note 3")
        assert view.at_bottom and lines[-1] == "seen"  # the new line is in view
        view.mark_seen(None)
        await pilot.pause()
        assert "seen" not in text_of(view)


async def test_quotes_of_messages_not_loaded_come_from_quote_of_once_per_change() -> None:
    app = Host()
    async with app.run_test(size=(60, 16)) as pilot:
        view = app.query_one(MessageView)
        older = msg(1, "the plan from last week", sender="alice")
        asked: list[str] = []
        states = {"m000001": Quoted("shown", older), "m000002": Quoted("deleted")}

        def quote_of(message):
            asked.append(message.reply_to)
            return states.get(message.reply_to)

        view.quote_of = quote_of
        replies = [
            msg(10, "about that", sender="me", reply_to="m000001"),
            msg(11, "and that", sender="me", reply_to="m000002"),
            msg(12, "and this", sender="me", reply_to="m000003"),
        ]
        view.show(KEY, replies, "me")
        await pilot.pause()
        shown = text_of(view)
        assert "↳ alice: the plan from last week" in shown
        assert "↳ message deleted" in shown
        assert "↳ reply" in shown  # not known anywhere
        for _ in range(3):
            text_of(view)
        assert sorted(asked) == ["m000001", "m000002", "m000003"]  # once each
        states["m000001"] = Quoted("vanished")
        view.update_messages([*replies, msg(13, "later", sender="alice")])
        await pilot.pause()
        assert "↳ message vanished" in text_of(view)


async def test_a_mention_has_its_bar_and_bold_text_and_only_from_others() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(MessageView)
        view.show(
            KEY,
            [
                msg(1, "@me look", sender="alice", mentions_me=True),
                msg(2, "plain", sender="alice"),
            ],
            "me",
        )
        await pilot.pause()
        lines = screen(view)
        mention = next(y for y, x in enumerate(lines) if "@me look" in x)
        plain = next(y for y, x in enumerate(lines) if "plain" in x)
        assert lines[mention].startswith("▌ @me look")
        assert lines[plain].startswith("  plain")
        segments: list[Segment] = list(view.render_line(mention))
        body = [s for s in segments if "look" in s.text]
        bar = [s for s in segments if "▌" in s.text]
        assert body and all(s.style.bold for s in body + bar)


class ListHost(App):
    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    def compose(self) -> ComposeResult:
        yield ThreadListView()

    def on_mount(self) -> None:
        self.query_one(ThreadListView).set_source(self.inbox, lambda account_id: "me", ACCOUNTS)


def rows(view: ThreadListView) -> list[str]:
    lines = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
    return [" ".join(" ".join(lines[i : i + 2]).split()) for i in range(0, len(lines), 2)]


async def test_the_list_counts_mentions_says_deleted_and_who_types() -> None:
    group = ("me", "bob", "carol")
    busy = replace(
        thread("home", "t1", "Team", "ping @me", unread=120, members=group), mentions=120
    )
    gone = thread("home", "t2", "Lunch", ago_s=60, members=group)
    gone = replace(gone, last_message=tombstone(gone.last_message))
    mine = thread("home", "t3", None, ago_s=120, sender="me")
    mine = replace(mine, last_message=tombstone(mine.last_message))
    inbox = Inbox()
    for item in (busy, gone, mine):
        inbox.upsert(item)
    app = ListHost(inbox)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ThreadListView)
        await pilot.pause()
        team, lunch, direct = rows(view)[:3]
        assert team.endswith("bob: ping @me @99+ 120")
        assert lunch.endswith("bob: message deleted")
        assert direct.endswith("you: message deleted")

        view.set_typing(busy.key, ["bob", "carol"])
        await pilot.pause()
        assert rows(view)[0].endswith("bob and carol are typing… @99+ 120")
        view.set_typing(busy.key, [])
        await pilot.pause()
        assert "typing" not in rows(view)[0]
