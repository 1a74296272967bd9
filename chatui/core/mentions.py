"""Who a message calls by name: the one rule for ``@name`` mentions.

The reference server records the members a message mentions with it (and counts
them for the thread list), the Matrix adapter finds whom to put in ``m.mentions``
when sending, and reads a message without ``m.mentions`` (an older client's) by
the same rule. A mention is ``@`` plus the name, case-insensitive, as a word of
its own:

* not glued to what comes before: ``mail@bob.org`` mentions nobody;
* not the start of a longer name: ``@bobby`` and ``@bob.smith`` are not ``@bob``,
  but a sentence may go on right after it: ``@bob.``, ``@bob,``, ``@bob's``,
  ``@bob: hi``.

The composer completes ``@`` + letters to a member's handle (:func:`handles`),
the name this rule reads back as that member.

Pure and small, so both the server and the clients can run it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from chatui.core.sanitize import safe_text

# A character that may continue a name: letters and digits in any script, "_", "-".
_NAME_CHAR = r"[\w-]"


@functools.lru_cache(maxsize=1024)
def _pattern(name: str, at_sign: bool) -> re.Pattern[str]:
    before = r"(?<![\w.+@-])@" if at_sign else r"(?<![\w@])"
    after = rf"(?!{_NAME_CHAR}|\.{_NAME_CHAR})"
    return re.compile(before + re.escape(name) + after, re.IGNORECASE)


def mentions(body: str, name: str, *, at_sign: bool = True) -> bool:
    """Whether ``body`` calls ``name``: ``@name`` (or, with ``at_sign=False``, the
    bare name as a word, which is how Matrix's older rule reads a display name)."""
    name = name.strip()
    if not name or (at_sign and "@" not in body):
        return False
    return _pattern(name, at_sign).search(body) is not None


def mentioned(body: str, names: Iterable[str]) -> list[str]:
    """Which of ``names`` ``body`` mentions with ``@``, in the order given."""
    if "@" not in body:
        return []
    return [name for name in dict.fromkeys(names) if mentions(body, name)]


def handles(others: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """What to write after ``@`` to call each of ``others`` (member ids), for the
    composer's completion.

    The display name the network knows them by (``names``, Matrix's), as people
    see it and as the rule above reads it back (the Matrix adapter puts whoever it
    names into ``m.mentions``); else their id without the ``@`` a Matrix user id
    starts with, since the mention writes one. The id also stands in for a name
    that would not read back as this one person: one shared with another member,
    on several lines, with characters a terminal would act on, or starting with
    its own ``@``.
    """
    members = list(dict.fromkeys(others))
    shown = {member: (names.get(member) or "").strip() for member in members}
    counts = Counter(name.casefold() for name in shown.values() if name)

    def handle(member: str) -> str:
        name = shown[member]
        if (
            name
            and not name.startswith("@")
            and counts[name.casefold()] == 1
            and safe_text(name, single_line=True) == name
        ):
            return name
        return member.removeprefix("@")

    return [handle(member) for member in members]
