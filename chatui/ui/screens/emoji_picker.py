"""The emoji picker: search, groups, recently used first; dismissed with the emoji chosen.

Opened for a reaction (with the chat theme's reaction set shown first) and for
putting an emoji in the composer. Dismissed with the emoji (``str``) or ``None``
when cancelled (Esc)::

    app.push_screen(EmojiPicker(recent=recent.items, first=theme.reactions), on_pick)

About 1,900 emoji (skin-tone forms folded under their base; Ctrl+T picks the tone
shown and chosen) are drawn by one Line-API widget, :class:`EmojiGrid`, that paints
only the visible rows: a widget per emoji would cost seconds to mount
(docs/performance.md). Every cell of the grid is :data:`SLOT` cells wide, padded by the
emoji's width as Rich measures it (``cell_len``), so flags, keycaps and ZWJ
sequences line up in columns.

Keys: the search box keeps the focus (type to search by name or alias), while the
arrows move through the grid, Enter chooses, Tab / Shift+Tab jump between groups,
Esc cancels; a click on an emoji chooses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from chatui.core.emoji_names import SKIN_TONES, Catalogue, EmojiEntry, catalogue, shortcode
from chatui.core.emoji_width import disputed
from chatui.ui.widgets.ordered_keys import OrderedInput

SLOT = 4
"""Cells per emoji in the grid: one space, the emoji padded to two cells, one space."""
_GLYPH_CELLS = 2

RECENT_TITLE = "Recently used"
FIRST_TITLE = "Reactions"

GROUP_ICONS: dict[str, str] = {
    FIRST_TITLE: "⭐",
    RECENT_TITLE: "🕘",
    "Smileys & Emotion": "😀",
    "People & Body": "👋",
    "Animals & Nature": "🐻",
    "Food & Drink": "🍔",
    "Travel & Places": "🚗",
    "Activities": "⚽",
    "Objects": "💡",
    "Symbols": "🔣",
    "Flags": "🏁",
}


@dataclass(frozen=True)
class Cell:
    """One emoji in the grid: what is drawn (and chosen), and what it is."""

    glyph: str
    entry: EmojiEntry


@dataclass(frozen=True)
class Section:
    title: str
    cells: tuple[Cell, ...]


def cell_text(glyph: str) -> str:
    """``glyph`` placed in a :data:`SLOT`-cell slot (padding by Rich's measure)."""
    pad = max(0, _GLYPH_CELLS - cell_len(glyph))
    return f" {glyph}{' ' * pad} "


def grid_columns(width: int) -> int:
    return max(1, width // SLOT)


@dataclass(frozen=True)
class _Row:
    section: int
    header: bool
    first: int
    """Index (in the flat list of cells) of the row's first cell; headers: of the next."""
    count: int


class EmojiGrid(ScrollView, can_focus=False):
    """Sections of emoji, a header line each, drawn line by line with a cursor.

    It does not take focus: the picker's search box keeps it and the screen's
    bindings move this cursor.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "emoji-grid--header",
        "emoji-grid--cursor",
        "emoji-grid--empty",
    }

    DEFAULT_CSS = """
    EmojiGrid {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    EmojiGrid > .emoji-grid--header {
        text-style: bold;
        color: $text-muted;
    }
    EmojiGrid > .emoji-grid--cursor {
        background: $accent;
    }
    EmojiGrid > .emoji-grid--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

    class Chosen(Message):
        """A click chose an emoji."""

        def __init__(self, glyph: str) -> None:
            super().__init__()
            self.glyph = glyph

    class Moved(Message):
        """The cursor moved (to another emoji, or another section)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sections: list[Section] = []
        self.cells: list[Cell] = []
        self.cursor = 0
        self.empty_text = "No emoji found"
        self._rows: list[_Row] = []
        self._section_of: list[int] = []
        self._columns = 1

    # --- content ---------------------------------------------------------------------

    def set_sections(self, sections: Sequence[Section]) -> None:
        self.sections = [s for s in sections if s.cells]
        self.cells = [cell for section in self.sections for cell in section.cells]
        self._section_of = [i for i, s in enumerate(self.sections) for _ in s.cells]
        self.cursor = 0
        self._layout_rows()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.post_message(self.Moved())

    @property
    def current(self) -> Cell | None:
        return self.cells[self.cursor] if self.cells else None

    @property
    def current_section(self) -> int:
        return self._section_of[self.cursor] if self.cells else 0

    def _layout_rows(self) -> None:
        width = self.scrollable_content_region.width or self.size.width or 40
        self._columns = columns = grid_columns(width)
        rows: list[_Row] = []
        flat = 0
        for index, section in enumerate(self.sections):
            rows.append(_Row(index, True, flat, 0))
            for start in range(0, len(section.cells), columns):
                count = min(columns, len(section.cells) - start)
                rows.append(_Row(index, False, flat + start, count))
            flat += len(section.cells)
        self._rows = rows
        self.virtual_size = Size(columns * SLOT, max(1, len(rows)))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if grid_columns(self.scrollable_content_region.width) != self._columns:
            self._layout_rows()
        self._scroll_to_cursor()

    # --- moving ----------------------------------------------------------------------

    def _row_of(self, flat: int) -> int:
        for index, row in enumerate(self._rows):
            if not row.header and row.first <= flat < row.first + row.count:
                return index
        return 0

    def move_to(self, flat: int) -> None:
        if not self.cells:
            return
        self.cursor = max(0, min(len(self.cells) - 1, flat))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Moved())

    def move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def move_rows(self, delta: int) -> None:
        """Up (-1) or down (+1) a row, keeping the column where the row is long enough."""
        if not self.cells:
            return
        here = self._row_of(self.cursor)
        column = self.cursor - self._rows[here].first
        index = here + delta
        while 0 <= index < len(self._rows) and self._rows[index].header:
            index += delta
        if not 0 <= index < len(self._rows):
            return
        row = self._rows[index]
        self.move_to(row.first + min(column, row.count - 1))

    def jump_section(self, delta: int) -> None:
        """To the first emoji of the next (+1) or previous (-1) section."""
        if not self.sections:
            return
        section = self.current_section
        starts = [r.first for r in self._rows if r.header]
        if delta < 0 and self.cursor != starts[section]:
            self.move_to(starts[section])  # first back to the start of this one
            return
        target = max(0, min(len(self.sections) - 1, section + delta))
        self.move_to(starts[target])
        if delta > 0 or self.cursor == 0:
            # Show the section's header too, not only its first row.
            header = next(i for i, r in enumerate(self._rows) if r.header and r.section == target)
            self.scroll_to(y=header, animate=False, immediate=True)

    def _scroll_to_cursor(self) -> None:
        if not self.cells or not self.is_mounted:
            return
        row = self._row_of(self.cursor)
        top = row - 1 if row > 0 and self._rows[row - 1].header else row
        self.scroll_to_region(
            Region(0, top, 1, row - top + 1),
            animate=False,
            force=True,
            x_axis=False,
            immediate=True,
        )

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + self.scroll_offset.y
        if not 0 <= index < len(self._rows) or self._rows[index].header:
            return
        row = self._rows[index]
        column = (offset.x + self.scroll_offset.x) // SLOT
        if column < row.count:
            self.move_to(row.first + column)
            self.post_message(self.Chosen(self.cells[self.cursor].glyph))

    # --- drawing ---------------------------------------------------------------------

    def row_text(self, index: int) -> Text:
        """Row ``index`` as plain-styled text (no cursor): used for drawing and tests."""
        row = self._rows[index]
        if row.header:
            return Text(self.sections[row.section].title)
        cells = self.cells[row.first : row.first + row.count]
        return Text("".join(cell_text(cell.glyph) for cell in cells))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not self._rows:
            if y != 0:
                return Strip.blank(width, base)
            style = base + self.get_visual_style("emoji-grid--empty").rich_style
            return Strip([Segment(f" {self.empty_text}", style)]).crop_extend(0, width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        if row.header:
            style = base + self.get_visual_style("emoji-grid--header").rich_style
            title = self.sections[row.section].title
            return Strip([Segment(f" {title}", style)]).crop_extend(0, width, base)
        cursor_style = base + self.get_visual_style("emoji-grid--cursor").rich_style
        segments = []
        for flat in range(row.first, row.first + row.count):
            text = cell_text(self.cells[flat].glyph)
            segments.append(Segment(text, cursor_style if flat == self.cursor else base))
        strip = Strip(segments)
        return strip.crop(self.scroll_offset.x, self.scroll_offset.x + width).extend_cell_length(
            width, base
        )


class GroupBar(Widget, can_focus=False):
    """One line: an icon per section, the current one highlighted, then its name.

    While searching there is one section, whose heading in the grid already says
    what was searched for: the bar then says how many were found instead of
    repeating that heading (issue 12, item 17).
    """

    DEFAULT_CSS = """
    GroupBar {
        height: 1;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles: list[str] = []
        self.current = 0
        self.summary: str | None = None

    def show(self, titles: Sequence[str], current: int) -> None:
        self.titles = list(titles)
        self.current = current
        self.summary = None
        self.refresh()

    def show_summary(self, summary: str) -> None:
        """One plain line in place of the groups (the search's count)."""
        self.titles = []
        self.summary = summary
        self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.summary is not None:
            line.append(self.summary)
            return line
        for index, title in enumerate(self.titles):
            icon = GROUP_ICONS.get(title, "•")
            style = Style(reverse=True, bold=True) if index == self.current else Style()
            line.append(cell_text(icon), style)
        if self.titles:
            line.append(" ")
            line.append(self.titles[self.current], Style(bold=True))
        return line


class EmojiPicker(ModalScreen[str | None]):
    """Choose an emoji. Dismissed with the emoji, or None when cancelled."""

    DEFAULT_CSS = """
    EmojiPicker {
        align: center middle;
    }
    EmojiPicker > Vertical {
        width: 64;
        max-width: 100%;
        height: 26;
        max-height: 100%;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    EmojiPicker #emoji-search {
        margin-bottom: 0;
    }
    EmojiPicker #emoji-info {
        height: 1;
    }
    EmojiPicker #emoji-keys {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the search box keeps the focus, and these keys steer the grid.
        Binding("up", "move_rows(-1)", "Up", show=False, priority=True),
        Binding("down", "move_rows(1)", "Down", show=False, priority=True),
        Binding("left", "move(-1)", "Left", show=False, priority=True),
        Binding("right", "move(1)", "Right", show=False, priority=True),
        Binding("pageup", "move_rows(-6)", "Page up", show=False, priority=True),
        Binding("pagedown", "move_rows(6)", "Page down", show=False, priority=True),
        Binding("tab", "jump_section(1)", "Next group", show=False, priority=True),
        Binding("shift+tab", "jump_section(-1)", "Previous group", show=False, priority=True),
        Binding("ctrl+t", "next_tone", "Skin tone", show=False, priority=True),
        Binding("escape", "cancel", "Cancel", show=False, priority=True),
    ]

    def __init__(
        self,
        recent: Sequence[str] = (),
        first: Sequence[str] = (),
        *,
        first_title: str = FIRST_TITLE,
        tone: int = 0,
        title: str = "Emoji",
    ) -> None:
        super().__init__()
        self.recent = tuple(recent)
        self.first = tuple(first)
        self.first_title = first_title
        self.tone = tone
        """Skin tone shown and chosen for emoji that have tones: 0 none, 1-5 light to dark."""
        self.title_text = title
        self._catalogue: Catalogue | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), id="emoji-title")
            yield OrderedInput(placeholder="Search emoji by name", id="emoji-search")
            yield GroupBar(id="emoji-groups")
            yield EmojiGrid(id="emoji-grid")
            yield Static(id="emoji-info")
            yield Static(
                Text("arrows move · Enter choose · Tab group · ^T tone · Esc cancel"),
                id="emoji-keys",
            )

    def on_mount(self) -> None:
        self.grid = self.query_one(EmojiGrid)
        self.search = self.query_one("#emoji-search", Input)
        self._catalogue = catalogue()
        self.grid.set_sections(self.sections())
        self.search.focus()

    # --- content ---------------------------------------------------------------------

    def sections(self, query: str = "") -> list[Section]:
        """What the grid shows: everything by group, or the matches for ``query``."""
        assert self._catalogue is not None
        cat = self._catalogue
        if query.strip():
            hits = [Cell(entry.with_tone(self.tone), entry) for entry in cat.search(query)]
            return [Section(f"Results for {query.strip()!r}", tuple(hits))]
        sections: list[Section] = []
        if self.first:
            sections.append(Section(self.first_title, self._cells_for(self.first, tone=False)))
        if self.recent:
            sections.append(Section(RECENT_TITLE, self._cells_for(self.recent, tone=False)))
        for group, entries in cat.groups:
            cells = tuple(Cell(entry.with_tone(self.tone), entry) for entry in entries)
            sections.append(Section(group, cells))
        return sections

    def _cells_for(self, glyphs: Sequence[str], *, tone: bool) -> tuple[Cell, ...]:
        assert self._catalogue is not None
        cells: list[Cell] = []
        seen: set[str] = set()
        for glyph in glyphs:
            if not isinstance(glyph, str) or not glyph or glyph in seen:
                continue
            seen.add(glyph)
            entry = self._catalogue.find(glyph)
            if entry is None:
                # Not a known emoji (a theme may carry anything): shown, never trusted
                # as markup; named by its shortcode if the tables know one.
                name = shortcode(glyph) or "emoji"
                entry = EmojiEntry(glyph=glyph, name=name, group="", shortcode=name)
            cells.append(Cell(entry.with_tone(self.tone) if tone else glyph, entry))
        return tuple(cells)

    # --- events ----------------------------------------------------------------------

    @on(Input.Changed, "#emoji-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.grid.empty_text = f"No emoji named {event.value.strip()!r}"
        self.grid.set_sections(self.sections(event.value))

    @on(Input.Submitted, "#emoji-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    @on(EmojiGrid.Chosen)
    def _clicked(self, event: EmojiGrid.Chosen) -> None:
        self.dismiss(event.glyph)

    @on(EmojiGrid.Moved)
    def _moved(self, _event: EmojiGrid.Moved) -> None:
        self._show_current()

    def _show_current(self) -> None:
        grid = self.grid
        bar = self.query_one(GroupBar)
        if self.search.value.strip():
            found = sum(len(section.cells) for section in grid.sections)
            bar.show_summary(f"{found} found" if found else "")
        else:
            bar.show([s.title for s in grid.sections], grid.current_section)
        info = self.query_one("#emoji-info", Static)
        cell = grid.current
        if cell is None:
            info.update(Text(""))
            return
        line = Text.assemble(cell.glyph, " ", (cell.entry.name, "bold"))
        if cell.entry.shortcode and cell.entry.shortcode != cell.entry.name:
            line.append("  ")
            line.append(cell.entry.shortcode, "dim")
        if cell.entry.tones:
            line.append("  ")
            line.append(f"{len(cell.entry.tones)} skin tones", "dim")
        steady = getattr(self.app, "steady_emoji", None)
        if steady is not None and steady.enabled and disputed(cell.glyph):
            # Drawn by a stand-in (docs/emoji.md): ❤️‍🔥 looks like ❤️ here, so say so.
            line.append("  ")
            line.append("shown simplified", "dim italic")
        info.update(line)

    # --- actions ---------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.grid.move(delta)

    def action_move_rows(self, delta: int) -> None:
        step = 1 if delta > 0 else -1
        for _ in range(abs(delta)):
            self.grid.move_rows(step)

    def action_jump_section(self, delta: int) -> None:
        self.grid.jump_section(delta)

    def action_next_tone(self) -> None:
        """Cycle the skin tone: none, then light to dark (applies to every emoji)."""
        self.tone = (self.tone + 1) % (len(SKIN_TONES) + 1)
        cursor = self.grid.cursor
        self.grid.set_sections(self.sections(self.search.value))
        self.grid.move_to(cursor)

    def action_choose(self) -> None:
        cell = self.grid.current
        if cell is not None:
            self.dismiss(cell.glyph)

    def action_cancel(self) -> None:
        self.dismiss(None)
