"""The layout holds at 80x24 (the classic terminal) and when resized larger."""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Footer

from chatui.ui.app import ChatApp
from chatui.ui.widgets.composer import Composer
from chatui.ui.widgets.message_view import MessageView
from chatui.ui.widgets.status import StatusBar, ThreadHeader
from chatui.ui.widgets.thread_list import ThreadListView
from tests.ui.conftest import World, rendered, thread_rows, wait_for

PARTS = (ThreadListView, ThreadHeader, MessageView, Composer, StatusBar, Footer)


def _check_layout(app: ChatApp, width: int, height: int) -> dict[type, Region]:
    screen = Region(0, 0, width, height)
    regions = {}
    for part in PARTS:
        region = app.query_one(part).region
        assert region.width > 0 and region.height > 0, f"{part.__name__} is not visible"
        assert screen.contains_region(region), f"{part.__name__} {region} is off screen"
        regions[part] = region
    # Nothing overlaps: the list, the conversation column and the bars tile the screen.
    for i, a in enumerate(PARTS):
        for b in PARTS[i + 1 :]:
            assert not regions[a].overlaps(regions[b]), f"{a.__name__} overlaps {b.__name__}"
    return regions


async def test_layout_at_80x24_and_after_resizing(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "saturday works" in rendered(view), "messages shown")

        regions = _check_layout(app, 80, 24)
        assert regions[ThreadListView].width >= 26
        assert regions[MessageView].height >= 10  # most of the height is for reading
        assert regions[ThreadListView].right <= regions[MessageView].x
        assert "Climbing trip" in thread_rows(app)[0]

        await pilot.resize_terminal(160, 45)
        await wait_for(pilot, lambda: app.size == (160, 45), "the resize")
        await pilot.pause()
        regions = _check_layout(app, 160, 45)
        # About a third for the list, the rest for the conversation.
        assert 40 <= regions[ThreadListView].width <= 60
        assert regions[MessageView].width >= 95
        assert "saturday works" in rendered(view)
        assert "Climbing trip" in thread_rows(app)[0]

        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.size == (80, 24), "the resize back")
        await pilot.pause()
        _check_layout(app, 80, 24)
        assert "saturday works" in rendered(view)


async def test_at_60x20_the_list_yields_and_the_keys_that_matter_stay(world: World) -> None:
    app = ChatApp(world.bob_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.session.inbox) == 2, "both accounts' threads")
        await pilot.press("enter")
        view = app.query_one(MessageView)
        await wait_for(pilot, lambda: "saturday works" in rendered(view), "messages shown")
        composer = app.query_one(Composer)
        # The placeholder fits the box, whole: the longest one that does.
        assert cell_len(composer.placeholder) <= composer.scrollable_content_region.width
        assert composer.placeholder.startswith("Message · Enter sends · :name for emoji")
        at_80 = _check_layout(app, 80, 24)

        await pilot.resize_terminal(60, 20)
        await wait_for(pilot, lambda: app.size == (60, 20), "the resize")
        await pilot.pause()
        regions = _check_layout(app, 60, 20)
        assert regions[ThreadListView].width < at_80[ThreadListView].width
        assert regions[MessageView].width >= 38  # two thirds for the conversation
        assert "saturday works" in rendered(view)
        assert thread_rows(app)[0].startswith("W  Climbing…")  # shortened, still readable
        assert cell_len(composer.placeholder) <= composer.scrollable_content_region.width
        # Not every key fits: Help and Quit do, whole, and the palette key on the right.
        keys = rendered(app.query_one(Footer))
        assert "f1 Help" in keys and "^q Quit" in keys and "^p Find" in keys
