"""MessageView's "new messages" rule and its count of news below, in a tiny host app
with in-memory messages (the live app's side is in tests/ui/test_app_unread.py)."""

from __future__ import annotations

from chatui.ui.widgets.message_view import MessageView
from tests.ui.test_widgets_message_view import KEY, Host, history, msg, screen, text_of

RULE = "new messages"


def rule_row(view: MessageView) -> int | None:
    """The screen row of the "new messages" rule, if it is on screen."""
    rows = [y for y, line in enumerate(screen(view)) if RULE in line]
    return rows[0] if rows else None


async def test_the_rule_sits_above_the_first_unread_message_near_the_top() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = [
            *history(100),
            *(msg(n, f"unread {n}", sender="alice") for n in range(100, 130)),
        ]
        view.show(KEY, messages, "me")
        await pilot.pause()
        view.mark_first_unread(messages[100].message_id)
        await pilot.pause()
        lines = screen(view)
        row = rule_row(view)
        assert row is not None and row <= 2, lines  # near the top, not at the bottom
        assert lines[row].strip().startswith("─") and lines[row].strip().endswith("─")
        # Who wrote comes right under the rule, then the first unread message.
        assert lines[row + 1].startswith("alice")
        assert "unread 100" in lines[row + 2]
        assert "message number 99" not in "\n".join(lines[row:])
        assert not view.at_bottom and view.first_unread == messages[100].message_id
        # Scrolling on down reaches the newest; the rule stays in the thread.
        await pilot.press("end")
        await pilot.pause()
        assert view.at_bottom and "unread 129" in text_of(view)
        await pilot.press("home")
        await pilot.pause()
        view.scroll_to_latest()
        assert view.first_unread == messages[100].message_id


async def test_when_the_unread_messages_fit_the_view_stays_at_the_bottom() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = [*history(100), msg(100, "only one unread", sender="alice")]
        view.show(KEY, messages, "me")
        await pilot.pause()
        view.mark_first_unread(messages[-1].message_id)
        await pilot.pause()
        assert view.at_bottom and view.scroll_y == view.max_scroll_y
        row = rule_row(view)
        assert row is not None
        assert "only one unread" in screen(view)[row + 2]
        # At the bottom, new messages are followed as before.
        messages.append(msg(101, "and another", sender="alice"))
        view.update_messages(messages)
        await pilot.pause()
        assert "and another" in screen(view)[-1]
        assert view.new_below == 0


async def test_reopening_drops_the_rule() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = history(20)
        view.show(KEY, messages, "me")
        view.mark_first_unread(messages[-2].message_id)
        await pilot.pause()
        assert rule_row(view) is not None
        view.show(KEY, messages, "me")  # opened again with nothing new
        await pilot.pause()
        assert rule_row(view) is None and view.first_unread is None
        assert view.at_bottom


async def test_news_below_is_counted_on_the_bottom_row_until_the_bottom() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        view.jump_hint = "^end"
        app.set_focus(None)  # typing in a message box, say: the row names ^end
        messages = history(100)
        view.show(KEY, messages, "me")
        await pilot.pause()
        view.scroll_to(y=view.max_scroll_y - 20, animate=False)
        await pilot.pause()
        assert not view.at_bottom
        before = screen(view)
        messages = [*messages, msg(101, "news one", sender="alice")]
        view.update_messages(messages)
        await pilot.pause()
        lines = screen(view)
        assert lines[:-1] == before[:-1]  # nothing moved
        assert "↓ 1 new message below · ^end" in lines[-1]
        # The user's own message and older history are no news below.
        messages = [*history(20, start=-20), *messages, msg(102, "mine", sender="me")]
        view.update_messages(messages)
        messages = [*messages, msg(103, "news two", sender="bob")]
        view.update_messages(messages)
        await pilot.pause()
        assert view.new_below == 2
        assert "↓ 2 new messages below" in screen(view)[-1]
        # With the conversation focused, the row names End, which jumps there.
        view.focus()
        await pilot.pause()
        assert "↓ 2 new messages below · end" in screen(view)[-1]
        await pilot.press("end")
        await pilot.pause()
        assert view.at_bottom and view.new_below == 0
        assert "news two" in text_of(view) and "new messages below" not in text_of(view)


async def test_scrolling_down_to_the_bottom_hides_the_count() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = history(60)
        view.show(KEY, messages, "me")
        await pilot.pause()
        view.focus()
        await pilot.press("pageup")
        await pilot.pause()
        view.update_messages([*messages, msg(61, "news", sender="alice")])
        await pilot.pause()
        assert "new message below" in screen(view)[-1]
        while not view.at_bottom:
            await pilot.press("pagedown")
            await pilot.pause()
        assert "new message below" not in text_of(view)
        assert "news" in screen(view)[-1]


async def test_clicking_the_count_jumps_to_the_newest() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        messages = history(60)
        view.show(KEY, messages, "me")
        await pilot.pause()
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        view.update_messages([*messages, msg(61, "news", sender="alice")])
        await pilot.pause()
        bottom = view.scrollable_content_region.height - 1
        await pilot.click(MessageView, offset=(10, bottom))
        await pilot.pause()
        assert view.at_bottom and "news" in screen(view)[-1]


async def test_a_resize_while_scrolled_up_keeps_the_place() -> None:
    app = Host()
    async with app.run_test(size=(50, 16)) as pilot:
        view = app.query_one(MessageView)
        view.show(KEY, history(100), "me")
        await pilot.pause()
        view.focus()
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        top = screen(view)[0]
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        assert not view.at_bottom
        assert screen(view)[0] == top
