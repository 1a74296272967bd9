"""Short, glanceable times for thread rows and message headers.

Pure functions of (timestamp, now, timezone) so tests pin all three. Timestamps are
UTC epoch milliseconds (see chatui.core.models). Names are fixed English
abbreviations rather than ``strftime("%a")`` so a row never changes width with
the process locale.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from chatui.core.clock import now_ms

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def to_local(ts_ms: int, tz: tzinfo | None = None) -> datetime:
    """The moment ``ts_ms`` in ``tz`` (the machine's local zone when None)."""
    return datetime.fromtimestamp(ts_ms / 1000, tz)


def local_day(ts_ms: int, tz: tzinfo | None = None) -> int:
    """The calendar day of ``ts_ms`` as a date ordinal, for grouping by day."""
    return to_local(ts_ms, tz).toordinal()


def short_time(ts_ms: int, now: int | None = None, tz: tzinfo | None = None) -> str:
    """ "14:05" today, "Mon" within the last week, "12 Mar" this year, else "2024-03-12".

    ``now`` is epoch ms (the current time when None). A timestamp in the future
    (clock skew between servers) shows as its time if it is today, else its date.
    """
    moment = to_local(ts_ms, tz)
    today = to_local(now if now is not None else now_ms(), tz).date()
    day = moment.date()
    if day == today:
        return f"{moment:%H:%M}"
    days_ago = (today - day).days
    if 0 < days_ago < 7:
        return WEEKDAYS[day.weekday()]
    if day.year == today.year:
        return f"{day.day} {MONTHS[day.month - 1]}"
    return day.isoformat()


def clock(ts_ms: int, tz: tzinfo | None = None) -> str:
    """Just the wall-clock time, "14:05", for message headers under a day separator."""
    return f"{to_local(ts_ms, tz):%H:%M}"


def day_label(day_ordinal: int, now: int | None = None, tz: tzinfo | None = None) -> str:
    """A day separator: "Today", "Yesterday", "Monday", "12 March", "12 March 2024"."""
    day = date.fromordinal(day_ordinal)
    today = to_local(now if now is not None else now_ms(), tz).date()
    days_ago = (today - day).days
    if days_ago == 0:
        return "Today"
    if days_ago == 1:
        return "Yesterday"
    if 1 < days_ago < 7:
        return WEEKDAYS_LONG[day.weekday()]
    month = MONTHS_LONG[day.month - 1]
    if day.year == today.year:
        return f"{day.day} {month}"
    return f"{day.day} {month} {day.year}"
