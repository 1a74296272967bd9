"""Recently used emoji, kept per profile so the picker and completion offer them first.

A person reuses a handful of emoji all the time; putting those first saves a
search every time. The list lives in ``<data_dir>/recent_emoji.json`` as a JSON
array, most recent first, at most :data:`MAX_RECENT` long. It is written atomically
(temp file + rename) so a crash never leaves half a file, and a file that cannot
be read or makes no sense is not an error worth stopping for: the list starts
empty, the log says why, and the next use writes a good file over it.

Entries are checked before use (short strings of printable characters; the ZWJ,
VS16 and tag characters of emoji sequences allowed), since whatever is in the file
ends up on screen.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from chatui.profile.files import atomic_write
from chatui.profile.folders import Profile

log = logging.getLogger(__name__)

FILE_NAME = "recent_emoji.json"
MAX_RECENT = 32
_MAX_GLYPH_CHARS = 32  # the longest standard sequences (families with tones) are ~11
_JOINERS = frozenset({"\u200d", "\ufe0f", "\u20e3"})


def is_plausible_emoji(glyph: object) -> bool:
    """A short string with nothing a terminal would treat as a control."""
    if not isinstance(glyph, str) or not 0 < len(glyph) <= _MAX_GLYPH_CHARS:
        return False
    for ch in glyph:
        if ch in _JOINERS or 0xE0020 <= ord(ch) <= 0xE007F:  # tag characters (flags)
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp", "Zs"):
            return False
    return True


class RecentEmoji:
    """The recently used emoji of one profile, most recent first."""

    def __init__(self, path: Path | None, items: Iterable[str] = ()) -> None:
        self.path = path
        """Where the list is kept; None keeps it in memory only (no profile)."""
        self._items: list[str] = _clean(items)

    @classmethod
    def load(cls, profile: Profile) -> RecentEmoji:
        """Read the profile's list; an unreadable or corrupt file gives an empty one."""
        path = profile.data_dir / FILE_NAME
        return cls(path, _read(path))

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def use(self, glyph: str, *, save: bool = True) -> None:
        """``glyph`` was just used: move it to the front (and write the file)."""
        if not is_plausible_emoji(glyph):
            return
        if self._items and self._items[0] == glyph:
            return
        self._items = _clean([glyph, *self._items])
        if save:
            self.save()

    def save(self) -> None:
        """Write the list; a failure (full disk, read-only folder) is logged, not raised."""
        if self.path is None:
            return
        if self.path.exists() and not self.path.is_file():
            # Never rename over a device, a folder or a fifo (os.devnull included).
            log.warning("recently used emoji: %s is not a regular file; not saved", self.path)
            return
        data = json.dumps(self._items, ensure_ascii=False).encode("utf-8")
        try:
            atomic_write(self.path, data)
        except OSError:
            log.exception("could not save recently used emoji to %s", self.path)


def _clean(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for glyph in items:
        if glyph in seen or not is_plausible_emoji(glyph):
            continue
        seen.add(glyph)
        out.append(glyph)
        if len(out) >= MAX_RECENT:
            break
    return out


def _read(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as err:
        log.warning("recently used emoji: %s cannot be read (%s); starting empty", path, err)
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        log.warning("recently used emoji: %s is corrupt (%s); starting empty", path, err)
        return []
    if not isinstance(data, list):
        log.warning("recently used emoji: %s is not a JSON array; starting empty", path)
        return []
    kept = _clean(data)
    if len(kept) < min(len(data), MAX_RECENT):
        log.warning("recently used emoji: %s had entries that are not emoji; skipped", path)
    return kept
