"""Short times for rows and headers, pinned to a fixed "now" and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chatui.core.timefmt import clock, day_label, local_day, short_time


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


NOW = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)  # a Friday


def test_today_shows_the_clock() -> None:
    assert short_time(ms(NOW.replace(hour=14, minute=5)), ms(NOW), UTC) == "14:05"
    assert short_time(ms(NOW.replace(hour=0, minute=0)), ms(NOW), UTC) == "00:00"


def test_within_a_week_shows_the_weekday() -> None:
    assert short_time(ms(NOW - timedelta(days=1)), ms(NOW), UTC) == "Thu"
    assert short_time(ms(NOW - timedelta(days=4)), ms(NOW), UTC) == "Mon"
    assert short_time(ms(NOW - timedelta(days=6)), ms(NOW), UTC) == "Sat"


def test_older_this_year_shows_day_and_month() -> None:
    assert short_time(ms(NOW - timedelta(days=7)), ms(NOW), UTC) == "7 Mar"
    assert short_time(ms(datetime(2025, 1, 2, tzinfo=UTC)), ms(NOW), UTC) == "2 Jan"


def test_other_years_show_the_full_date() -> None:
    assert short_time(ms(datetime(2024, 3, 12, 9, 0, tzinfo=UTC)), ms(NOW), UTC) == "2024-03-12"


def test_future_timestamps_from_skewed_clocks_do_not_crash() -> None:
    assert short_time(ms(NOW + timedelta(minutes=3)), ms(NOW), UTC) == "15:33"
    assert short_time(ms(NOW + timedelta(days=3)), ms(NOW), UTC) == "17 Mar"


def test_the_zone_decides_which_day_it_is() -> None:
    tokyo = timezone(timedelta(hours=9))
    late = ms(datetime(2025, 3, 14, 23, 0, tzinfo=UTC))  # already the 15th in Tokyo
    assert short_time(late, ms(NOW), UTC) == "23:00"
    assert short_time(late, ms(NOW), tokyo) == "08:00"
    assert clock(late, tokyo) == "08:00"


def test_day_labels_for_separators() -> None:
    def label(dt: datetime) -> str:
        return day_label(local_day(ms(dt), UTC), ms(NOW), UTC)

    assert label(NOW) == "Today"
    assert label(NOW - timedelta(days=1)) == "Yesterday"
    assert label(NOW - timedelta(days=3)) == "Tuesday"
    assert label(NOW - timedelta(days=30)) == "12 February"
    assert label(datetime(2023, 12, 31, tzinfo=UTC)) == "31 December 2023"
