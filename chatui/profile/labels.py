"""Default account ids, labels and colors for newly linked accounts.

Every thread row shows its account's label in its color, so both must tell the
accounts of one profile apart at a glance: labels are short and unique, colors come
from a fixed palette of hues that stay distinct from each other and readable both as
text on a dark terminal and as a chip behind black text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

PALETTE: tuple[str, ...] = (
    "#5fafff",  # blue
    "#ff8700",  # orange
    "#5fd75f",  # green
    "#d787d7",  # pink
    "#ffd75f",  # yellow
    "#5fd7d7",  # cyan
    "#ff5f5f",  # red
    "#af87ff",  # violet
)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return slug or "account"


def default_account_id(kind: str, server: str, username: str, taken: Iterable[str]) -> str:
    """``kind-username``, or with the server's host (then a number) when that is taken."""
    taken = {t.lower() for t in taken}
    user = _slug(username)[:32]
    candidates = [f"{_slug(kind)}-{user}"]
    host = urlsplit(server).hostname or ""
    port = urlsplit(server).port if host else None
    if host:
        candidates.append(f"{candidates[0]}-{_slug(host)}" + (f"-{port}" if port else ""))
    for candidate in candidates:
        candidate = candidate[:64].rstrip("-._")
        if candidate.lower() not in taken:
            return candidate
    base = candidates[0][:60]
    n = 2
    while f"{base}-{n}".lower() in taken:
        n += 1
    return f"{base}-{n}"


def default_label(username: str, taken: Iterable[str]) -> str:
    """The username's first letter, uppercase; longer prefixes, then digits, if taken."""
    taken = {t.upper() for t in taken}
    letters = "".join(ch for ch in username if ch.isalnum()).upper() or "X"
    for length in range(1, min(len(letters), 3) + 1):
        if letters[:length] not in taken:
            return letters[:length]
    n = 2
    while f"{letters[0]}{n}" in taken:
        n += 1
    return f"{letters[0]}{n}"


def default_color(taken: Iterable[str]) -> str:
    """The first palette color not used yet; when all are used, the least used one."""
    counts = Counter(c.lower() for c in taken)
    return min(PALETTE, key=lambda color: (counts[color.lower()], PALETTE.index(color)))
