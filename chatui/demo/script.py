"""What the demo's conversations say: fixed, so every first run (and every
screenshot) starts from the same history.

Times are minutes before the moment of seeding, so the history always looks
recent: a chat from "two years ago" would make a first impression of a dead app.
``ME`` stands for the user, whose name is only known at seeding time.
"""

from __future__ import annotations

from dataclasses import dataclass

ME = "\x00me"  # never a valid username, so it cannot clash with a contact

HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class Line:
    ago: int  # minutes before seeding
    sender: str  # a contact's username, or ME
    body: str


@dataclass(frozen=True, slots=True)
class Conversation:
    members: tuple[str, ...]  # the contacts in it (the user is always in it too)
    lines: tuple[Line, ...]  # oldest first
    title: str | None = None  # None: named after the members, as a DM
    unread: int = 0  # how many of the last lines the user has not read yet


NORTHWIND_SCRIPT: tuple[Conversation, ...] = (
    Conversation(
        ("alice",),
        (
            Line(26 * HOUR, "alice", "Did you get the slides from Friday?"),
            Line(26 * HOUR - 3, ME, "Yes! Thanks, they look great"),
            Line(25 * HOUR, "alice", "Phew 😅 I was up till 2 fixing the charts 👩‍💻"),
            Line(25 * HOUR - 2, ME, "Worth it. The roadmap one especially"),
            Line(14, "alice", "Coffee later? ☕"),
            Line(12, "alice", "There's a new place near the office with real espresso"),
        ),
        unread=2,
    ),
    Conversation(
        ("alice", "bob", "carol"),
        (
            Line(3 * DAY, "carol", "Who's in for Saturday? Forecast says sun ☀️"),
            Line(3 * DAY - 4, "bob", "In! Which trail?"),
            Line(3 * DAY - 9, "carol", "The ridge loop, about 12 km"),
            Line(2 * DAY, "alice", "Count me in 🙋"),
            Line(2 * DAY - 30, ME, "Me too. I'll bring snacks 🍫"),
            Line(5 * HOUR, "bob", "Meet at the station at 8?"),
            Line(5 * HOUR - 6, "carol", "8 works 👍"),
            Line(4 * HOUR, "bob", "Bring water, it's a long climb 💧"),
        ),
        title="Weekend hike 🥾",
        unread=1,
    ),
    Conversation(
        ("bob",),
        (
            Line(50 * HOUR, "bob", "Can you review my PR when you get a chance?"),
            Line(49 * HOUR, ME, "Sure, after lunch"),
            Line(47 * HOUR, ME, "Left a few comments, mostly naming"),
            Line(46 * HOUR, "bob", "Thanks! Fixed them all 🙏"),
        ),
    ),
    Conversation(
        ("carol",),
        (
            Line(4 * DAY + 3 * HOUR, "carol", "Happy birthday!! 🎂🎉"),
            Line(4 * DAY + 2 * HOUR, ME, "Aww, thank you Carol!"),
            Line(4 * DAY + 2 * HOUR - 5, "carol", "Drinks on Friday then 🍻"),
        ),
    ),
)

HARBOR_SCRIPT: tuple[Conversation, ...] = (
    Conversation(
        ("emma",),
        (
            Line(22 * HOUR, "emma", "Are you still coming to the market on Sunday?"),
            Line(21 * HOUR, ME, "Definitely. When do they open?"),
            Line(21 * HOUR - 4, "emma", "9, but the good bread is gone by 10 🥖"),
            Line(35, "emma", "Also: I got us tickets for the concert 🎶"),
        ),
        unread=1,
    ),
    Conversation(
        ("dmitri", "emma"),
        (
            Line(6 * DAY, "dmitri", "Next pick: The Left Hand of Darkness?"),
            Line(6 * DAY - 12, "emma", "Yes please, I've wanted to read it for ages"),
            Line(6 * DAY - 20, ME, "Seconded 👍"),
            Line(27 * HOUR, "dmitri", "Halfway through. The journey across the ice ❄️ wow"),
            Line(26 * HOUR, "emma", "No spoilers!! 🙈"),
        ),
        title="Book club 📚",
    ),
    Conversation(
        ("dmitri",),
        (
            Line(3 * DAY + 5 * HOUR, "dmitri", "Привет! Back from Lisbon 🇵🇹"),
            Line(3 * DAY + 5 * HOUR - 2, "dmitri", "Did the package arrive?"),
            Line(3 * DAY + 4 * HOUR, ME, "It did, thank you! The tea is amazing 🍵"),
            Line(3 * DAY + 4 * HOUR - 8, "dmitri", "My grandmother's favourite. Glad you like it"),
        ),
    ),
)

SCRIPTS: dict[str, tuple[Conversation, ...]] = {
    "northwind": NORTHWIND_SCRIPT,
    "harbor": HARBOR_SCRIPT,
}
