"""Who reacted: the selected message's reactions, each with the names of who put it.

Opened with ``w`` on a selected message (chatui.ui.actions); the names are
chosen by chatui.ui.controllers.reacted ("you", display names, else ids).

**Live**: the dialog reads its rows through ``source`` and the main screen calls
:meth:`WhoReacted.reload` whenever the open conversation's messages or its
thread change, so a reaction that arrives (or is taken back) while the dialog is
open shows at once; if the last one goes, the dialog says there are none left,
and if the message itself goes (deleted, vanished), it says so.

Emoji and names come from servers: emoji pass through the reaction chips' own
label (safe, a few cells, ``:shortcode:`` where the user asked for those) and
names through :func:`chatui.core.sanitize.one_line`, and everything is built as
Rich ``Text``, never markup. The list is an ``OptionList`` (Line API): a message in
a big room may carry hundreds of names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chatui.core.sanitize import one_line
from chatui.ui.controllers.reacted import NO_REACTIONS, ReactionNames, names_line
from chatui.ui.widgets.reactions import chip_label, count_label

MESSAGE_GONE = "This message is gone."
NAME_MAX_CHARS = 64
"""A display name longer than this is cut (the id after it still tells who)."""
ABOUT_MAX_CHARS = 100
"""The line naming the message shows this much of it (two lines of the dialog)."""

Source = Callable[[], Sequence[ReactionNames] | None]
"""The rows as they are now; None once the message is gone."""


class WhoReacted(ModalScreen[None]):
    """The reactions on one message and who put each; Esc closes."""

    DEFAULT_CSS = """
    WhoReacted {
        align: center middle;
    }
    WhoReacted > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        padding: 0 1;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
    }
    WhoReacted #who-reacted-about {
        color: $text-muted;
        margin-bottom: 1;
    }
    WhoReacted OptionList, WhoReacted OptionList:focus {
        height: auto;
        max-height: 16;
        border: none;
        padding: 0;
    }
    WhoReacted #who-reacted-none {
        display: none;
        margin-bottom: 1;
    }
    WhoReacted.-empty #who-reacted-none {
        display: block;
    }
    WhoReacted.-empty OptionList {
        display: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="who_reacted.close"),
    ]

    def __init__(self, about: str, source: Source, *, shortcodes: bool = False) -> None:
        """``about``: which message (plain text, made safe here); ``shortcodes``: emoji
        as ``:shortcode:``, as the conversation shows them."""
        super().__init__()
        self.about = about
        self.source = source
        self.shortcodes = shortcodes
        self.rows: tuple[ReactionNames, ...] | None = ()
        """What is shown now (None: the message is gone)."""
        self._loaded = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Who reacted"
            box.border_subtitle = "Esc closes"
            yield Static(Text(one_line(self.about, ABOUT_MAX_CHARS)), id="who-reacted-about")
            yield OptionList(id="who-reacted-list")
            yield Static("", id="who-reacted-none")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        """Show the rows as they are now (the main screen calls this on a change)."""
        found = self.source()
        rows = None if found is None else tuple(found)
        if self._loaded and rows == self.rows:
            return  # unchanged: keep the scroll position as it is
        self._loaded = True
        self.rows = rows
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if rows:
            options.add_options(self._option(row) for row in rows)
            if highlighted is not None:
                options.highlighted = min(highlighted, len(rows) - 1)
        self.query_one("#who-reacted-none", Static).update(
            Text(MESSAGE_GONE if rows is None else NO_REACTIONS)
        )
        self.set_class(not rows, "-empty")

    def _option(self, row: ReactionNames) -> Option:
        label = chip_label(row.emoji, shortcodes=self.shortcodes)
        names = [one_line(name, NAME_MAX_CHARS) for name in row.names]
        # Two columns, so that a long list of names wraps under itself, not under
        # the emoji.
        grid = Table.grid(padding=(0, 2, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(Text(f"{label} {count_label(len(names))}"), Text(names_line(names)))
        return Option(grid)

    def action_close(self) -> None:
        self.dismiss(None)
