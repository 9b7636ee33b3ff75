"""The dates a period of a question means, seen from today: pure, standard library only.

Choices (README lists them):
- "X之前/以前" in a question looks forward: from today to the end of X ("本周三之前" on a
  Monday is Monday–Wednesday; "15号以前" on the 20th is the 15th of next month). Asked after X,
  the range is the period leading to X (the week's Monday, the month's first day).
- A day without a month ("15号") is its next occurrence: this month's unless it has passed.
- "前两周" is the two whole weeks before this one; "未来十天" today and the nine days after;
  "这两天" today and tomorrow.
- Parts of a month: 上旬 1–10, 中旬/月中 11–20, 下旬 21–end, 初 1–5, 底/末 25–end (the same as
  the plan wording, INTERFACES.md).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, timedelta

from domain.calendar import RANGE_KINDS, month_range, nearest_month, resolve_range, week_of

# The kinds beyond calendar.RANGE_KINDS that questions name (domain.question_periods).
PERIOD_KINDS = RANGE_KINDS + (
    "day_after",
    "last_month",
    "week_after_next",
    "week_before_last",
    "next_days",
    "past_days",
    "next_weeks",
    "past_weeks",
    "weekday",
    "until_weekday",
    "day",
    "until_day",
    "span",
    "month_part",
    "quarter",
    "next_quarter",
    "year_rest",
    "this_year",
    "half_year",
    "remaining",
)
REMAINING_DAYS = 3650  # "还剩几个任务": everything from today on

_PART_DAYS = {
    "early": (1, 10),
    "mid": (11, 20),
    "late": (21, 31),
    "begin": (1, 5),
    "end": (25, 31),
    "first_half": (1, 15),
    "second_half": (16, 31),
}


def _shift_month(today: date, offset: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + offset
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> int:
    return _stdlib_calendar.monthrange(year, month)[1]


def _month_of(today: date, month: int | None, offset: int | None) -> tuple[int, int]:
    """(year, month): an explicit month (the nearest such), else this month shifted."""
    if month is not None:
        first, _ = nearest_month(today, month)
        return first.year, first.month
    return _shift_month(today, offset or 0)


def _next_day(today: date, month: int | None, day: int) -> date:
    """The day `day` of `month` (nearest), else its next occurrence from today on."""
    if month is not None:
        year, month = _month_of(today, month, None)
        return date(year, month, min(day, _last_day(year, month)))
    year, number = today.year, today.month
    if day < today.day:
        year, number = _shift_month(today, 1)
    return date(year, number, min(day, _last_day(year, number)))


def _forward(today: date, end: date, fallback_start: date) -> tuple[date, date]:
    """Today to `end`; once `end` has passed, the period leading to it."""
    return (today, end) if today <= end else (min(fallback_start, end), end)


def resolve_period(
    kind: str,
    today: date,
    *,
    month: int | None = None,
    count: int | None = None,
    day: int | None = None,
    weekday: int | None = None,
    part: str | None = None,
    end_month: int | None = None,
    end_day: int | None = None,
) -> tuple[date, date]:
    """The inclusive range of days a question's period names (one of PERIOD_KINDS)."""
    n = count or 0
    if kind == "day_after":
        return today + timedelta(days=2), today + timedelta(days=2)
    if kind == "last_month":
        return month_range(*_shift_month(today, -1))
    if kind in ("week_after_next", "week_before_last"):
        return week_of(today + timedelta(days=14 if kind == "week_after_next" else -14))
    if kind == "next_days":
        return today, today + timedelta(days=max(n, 1) - 1)
    if kind == "past_days":
        return today - timedelta(days=max(n, 1)), today - timedelta(days=1)
    if kind == "next_weeks":
        return today, today + timedelta(days=7 * max(n, 1) - 1)
    if kind == "past_weeks":
        monday, _ = week_of(today)
        return monday - timedelta(days=7 * max(n, 1)), monday - timedelta(days=1)
    if kind in ("weekday", "until_weekday"):
        monday, _ = week_of(today + timedelta(days=7 * n))
        target = monday + timedelta(days=weekday or 0)
        return (target, target) if kind == "weekday" else _forward(today, target, monday)
    if kind == "day":
        target = _next_day(today, month, day or 1)
        return target, target
    if kind == "until_day":
        if day is None:  # "月底前": the end of that month
            year, number = _month_of(today, month, count)
            first, last = month_range(year, number)
            return _forward(today, last, first)
        target = _next_day(today, month, day)
        return _forward(today, target, target.replace(day=1))
    if kind == "span":
        start = _next_day(today, month, day or 1) if month is None else None
        if start is None:
            year, number = _month_of(today, month, None)
            start = date(year, number, min(day or 1, _last_day(year, number)))
        stop_month = end_month or start.month
        year = start.year + (1 if stop_month < start.month else 0)
        stop = date(year, stop_month, min(end_day or 31, _last_day(year, stop_month)))
        if stop < start:  # "20号到5号": into the next month
            year, stop_month = _shift_month(stop, 1)
            stop = date(year, stop_month, min(end_day or 31, _last_day(year, stop_month)))
        return start, stop
    if kind == "month_part":
        year, number = _month_of(today, month, count)
        first_day, last_day = _PART_DAYS.get(part or "", (1, 31))
        last_day = min(last_day, _last_day(year, number))
        return date(year, number, first_day), date(year, number, last_day)
    if kind in ("quarter", "next_quarter"):
        quarter = count if kind == "quarter" and count else (today.month - 1) // 3 + 1
        year = today.year
        if kind == "next_quarter":
            quarter += 1
            if quarter > 4:
                quarter, year = 1, year + 1
        first = date(year, 3 * quarter - 2, 1)
        return first, month_range(year, 3 * quarter)[1]
    if kind == "year_rest":
        return today, date(today.year, 12, 31)
    if kind == "half_year":
        opening = 1 if n == 1 else 7
        return date(today.year, opening, 1), month_range(today.year, opening + 5)[1]
    if kind == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if kind == "remaining":
        return today, today + timedelta(days=REMAINING_DAYS)
    return resolve_range(kind, today, month)
