"""Week and month arithmetic for schedule questions: pure functions, standard library only.

Weeks run Monday to Sunday (the Chinese working week); every range is inclusive at both ends.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, timedelta

RANGE_KINDS = (
    "today",
    "tomorrow",
    "this_week",
    "next_week",
    "last_week",
    "this_month",
    "next_month",
    "month",
    "upcoming",
)
UPCOMING_DAYS = 14  # "最近/近期" means today and the next 13 days


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def next_week(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week after the one containing `day`."""
    return week_of(day + timedelta(days=7))


def last_week(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week before the one containing `day`."""
    return week_of(day - timedelta(days=7))


def month_range(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of `month` in `year`."""
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last)


def nearest_month(today: date, month: int) -> tuple[date, date]:
    """The occurrence of `month` nearest to `today`: this year's, unless that is more than six
    months away ("1月" asked in December means next January; "12月" asked in January, last
    December)."""
    year = today.year
    if month - today.month > 6:
        year -= 1
    elif today.month - month > 6:
        year += 1
    return month_range(year, month)


def this_month(day: date) -> tuple[date, date]:
    """The first and the last day of the month containing `day`."""
    return month_range(day.year, day.month)


def next_month(day: date) -> tuple[date, date]:
    """The first and the last day of the month after the one containing `day`."""
    if day.month == 12:
        return month_range(day.year + 1, 1)
    return month_range(day.year, day.month + 1)


def days_until(today: date, day: date) -> int:
    """Whole days from `today` to `day`: 0 on the day itself, negative once it has passed."""
    return (day - today).days


def resolve_range(kind: str, today: date, month: int | None = None) -> tuple[date, date]:
    """The inclusive date range a relative range spec names, seen from `today`.

    `kind` is one of RANGE_KINDS; for "month", `month` (1-12) names the nearest such month.
    """
    if kind == "today":
        return today, today
    if kind == "tomorrow":
        tomorrow = today + timedelta(days=1)
        return tomorrow, tomorrow
    if kind == "this_week":
        return week_of(today)
    if kind == "next_week":
        return next_week(today)
    if kind == "last_week":
        return last_week(today)
    if kind == "this_month":
        return this_month(today)
    if kind == "next_month":
        return next_month(today)
    if kind == "upcoming":
        return today, today + timedelta(days=UPCOMING_DAYS - 1)
    if kind == "month":
        if month is None:
            raise ValueError("range kind 'month' needs a month number")
        return nearest_month(today, month)
    raise ValueError(f"unknown range kind: {kind!r}")
