"""ThreadHeader: the open thread's vanish state and chat theme, at a glance."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region

from chatui.core.models import AccountConfig, Thread, VanishSetting
from chatui.ui.widgets.status import ThreadHeader
from tests.ui.conftest import rendered_lines

ACCOUNT = AccountConfig(
    account_id="home",
    kind="local",
    server="http://127.0.0.1:8080",
    username="bob",
    label="H",
    color="#5fafff",
)


def thread(**kw) -> Thread:
    return Thread("home", "t1", kw.pop("title", "Lunch plans"), ("bob", "alice"), **kw)


class Host(App):
    def compose(self) -> ComposeResult:
        yield ThreadHeader()


async def test_header_shows_the_vanish_state_and_the_theme() -> None:
    app = Host()
    async with app.run_test(size=(100, 4)) as pilot:
        header = app.query_one(ThreadHeader)
        header.show(thread(), ACCOUNT, "bob")
        await pilot.pause()
        plain = header.plain
        assert "vanish" not in plain and "disappear" not in plain and "theme" not in plain
        # Who you are and where, in words: not "you are bob on 127.0.0.1:8080".
        assert "as bob on this computer (port 8080)" in plain
        assert "127.0.0.1" not in plain

        header.show(thread(vanish=VanishSetting("timer", 300)), ACCOUNT, "bob")
        await pilot.pause()
        first = header.plain.split("\n")[0]
        assert "⏳ 5m " in first and "5m 0s" not in first
        assert "messages disappear after 5 minutes" in first
        # The badge keeps its meaning without color: reverse video.
        badge = next(s for s in header.render().spans if "reverse" in str(s.style))
        assert "⏳" in header.render().plain[badge.start : badge.end]

        header.show(thread(vanish=VanishSetting("vanish")), ACCOUNT, "bob")
        await pilot.pause()
        assert "◌ vanish" in header.plain.split("\n")[0]
        assert "once seen and the chat is closed" in header.plain

        header.show(thread(theme={"name": "Sunset", "dark": False}), ACCOUNT, "bob")
        await pilot.pause()
        second = header.plain.split("\n")[1]
        assert "theme Sunset" in second
        assert "◌" not in header.plain and "⏳" not in header.plain


async def test_a_long_title_does_not_hide_the_vanish_badge() -> None:
    app = Host()
    async with app.run_test(size=(60, 4)) as pilot:
        header = app.query_one(ThreadHeader)
        header.show(
            thread(title="a very long title " * 10, vanish=VanishSetting("timer", 30)),
            ACCOUNT,
            "bob",
        )
        await pilot.pause()
        first_line = rendered_lines(header)[0]
        assert "⏳ 30s" in first_line
        assert "a very long title" in first_line


def test_hostile_theme_names_are_inert_text() -> None:
    header = ThreadHeader()
    name = "[b]Evil[/b]\x1b]52;c;AAAA\x07\u202e" + "x" * 500
    header.show(thread(theme={"name": name}), ACCOUNT, "bob")
    second = header.plain.split("\n")[1]
    assert "[b]Evil[/b]" in second  # shown as typed, never read as markup
    assert "\x1b" not in second and "\u202e" not in second
    assert "x" * 100 not in second  # capped
    header.show(thread(theme={"name": 42}), ACCOUNT, "bob")  # malformed: no theme shown
    assert "theme" not in header.plain


async def test_the_header_names_a_demo_network_and_quotes_the_name_you() -> None:
    from dataclasses import replace

    app = Host()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(ThreadHeader)
        header.show(thread(), replace(ACCOUNT, network="Northwind"), "you")
        await pilot.pause()
        assert "as “you” on Northwind" in header.plain


async def test_a_narrow_header_cuts_with_an_ellipsis_and_drops_the_least_first() -> None:
    """At 80 columns and less nothing is cut mid-word without an ellipsis: the
    theme's name goes first, then the members are shortened, then the account."""
    group = Thread(
        "home",
        "t2",
        "Weekend hike 🥾",
        ("bob", "alice", "carol", "dmitri", "emma"),
        theme={"name": "Sunset", "dark": False},
    )
    app = Host()
    async with app.run_test(size=(100, 4)) as pilot:
        header = app.query_one(ThreadHeader)
        header.show(group, ACCOUNT, "bob")
        await pilot.pause()
        members = "with alice, carol, dmitri, emma"
        account = "as bob on this computer (port 8080)"
        seconds = {}
        for width in (100, 76, 60, 30, 14):
            await pilot.resize_terminal(width, 4)
            await pilot.pause()
            outer = Region(0, 0, *header.outer_size)  # the padding too: all that is drawn
            lines = [strip.text for strip in header.render_lines(outer)]
            assert len(lines) == 2 and all(line.rstrip() for line in lines)
            second = lines[1].strip()
            seconds[width] = second
            # Whole parts, or cut where an ellipsis says so.
            assert "…" in second or second in (
                f"{members}  ·  theme Sunset  ·  {account}",
                f"{members}  ·  {account}",
            ), second
        assert "theme Sunset" in seconds[100] and "as bob on" in seconds[100]
        assert seconds[76] == f"{members}  ·  {account}"  # the theme's name went first
        assert "…" in seconds[60] and seconds[60].endswith(account)
        assert "as bob" not in seconds[30] and seconds[30].startswith("with alice, ca")
        assert seconds[30].endswith("…")
