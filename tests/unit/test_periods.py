"""The dates a question's period means, seen from a given day (hand-computed expectations)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods import PERIOD_KINDS, resolve_period

MON = date(2018, 6, 4)  # a Monday
WED = date(2018, 6, 27)  # a Wednesday
D = date


@pytest.mark.parametrize(
    ("kind", "today", "slots", "expected"),
    [
        ("day_after", MON, {}, (D(2018, 6, 6), D(2018, 6, 6))),
        ("last_month", MON, {}, (D(2018, 5, 1), D(2018, 5, 31))),
        ("last_month", D(2018, 1, 9), {}, (D(2017, 12, 1), D(2017, 12, 31))),
        ("week_after_next", MON, {}, (D(2018, 6, 18), D(2018, 6, 24))),
        ("week_after_next", WED, {}, (D(2018, 7, 9), D(2018, 7, 15))),
        ("week_before_last", MON, {}, (D(2018, 5, 21), D(2018, 5, 27))),
        ("next_days", MON, {"count": 10}, (D(2018, 6, 4), D(2018, 6, 13))),
        ("next_days", WED, {"count": 2}, (D(2018, 6, 27), D(2018, 6, 28))),
        ("past_days", MON, {"count": 3}, (D(2018, 6, 1), D(2018, 6, 3))),
        ("next_weeks", MON, {"count": 2}, (D(2018, 6, 4), D(2018, 6, 17))),
        ("past_weeks", WED, {"count": 2}, (D(2018, 6, 11), D(2018, 6, 24))),
        ("weekday", MON, {"weekday": 2, "count": 0}, (D(2018, 6, 6), D(2018, 6, 6))),
        ("weekday", MON, {"weekday": 6, "count": 1}, (D(2018, 6, 17), D(2018, 6, 17))),
        ("until_weekday", MON, {"weekday": 2, "count": 0}, (D(2018, 6, 4), D(2018, 6, 6))),
        ("until_weekday", WED, {"weekday": 2, "count": 1}, (D(2018, 6, 27), D(2018, 7, 4))),
        # asked on Thursday about "本周三之前": the week up to Wednesday
        (
            "until_weekday",
            D(2018, 6, 7),
            {"weekday": 2, "count": 0},
            (D(2018, 6, 4), D(2018, 6, 6)),
        ),
        ("day", MON, {"day": 15}, (D(2018, 6, 15), D(2018, 6, 15))),
        ("day", WED, {"day": 15}, (D(2018, 7, 15), D(2018, 7, 15))),  # the next 15th
        ("until_day", MON, {"day": 15}, (D(2018, 6, 4), D(2018, 6, 15))),
        ("until_day", WED, {"day": 15}, (D(2018, 6, 27), D(2018, 7, 15))),
        ("until_day", MON, {"month": 6, "day": 10}, (D(2018, 6, 4), D(2018, 6, 10))),
        ("until_day", D(2018, 8, 15), {"month": 7, "day": 10}, (D(2018, 7, 1), D(2018, 7, 10))),
        ("until_day", WED, {"count": 0}, (D(2018, 6, 27), D(2018, 6, 30))),  # 月底前
        ("span", MON, {"month": 6, "day": 20, "end_month": 6}, (D(2018, 6, 20), D(2018, 6, 30))),
        ("span", WED, {"day": 20}, (D(2018, 7, 20), D(2018, 7, 31))),
        ("span", MON, {"month": 6, "day": 20, "end_day": 5}, (D(2018, 6, 20), D(2018, 7, 5))),
        ("month_part", MON, {"count": 0, "part": "begin"}, (D(2018, 6, 1), D(2018, 6, 5))),
        ("month_part", MON, {"count": 0, "part": "mid"}, (D(2018, 6, 11), D(2018, 6, 20))),
        ("month_part", MON, {"count": 0, "part": "late"}, (D(2018, 6, 21), D(2018, 6, 30))),
        ("month_part", MON, {"count": 0, "part": "end"}, (D(2018, 6, 25), D(2018, 6, 30))),
        ("month_part", MON, {"count": 1, "part": "begin"}, (D(2018, 7, 1), D(2018, 7, 5))),
        ("month_part", MON, {"month": 2, "part": "late"}, (D(2018, 2, 21), D(2018, 2, 28))),
        ("month_part", MON, {"count": 0, "part": "second_half"}, (D(2018, 6, 16), D(2018, 6, 30))),
        ("quarter", MON, {}, (D(2018, 4, 1), D(2018, 6, 30))),
        ("quarter", MON, {"count": 3}, (D(2018, 7, 1), D(2018, 9, 30))),
        ("next_quarter", D(2018, 11, 2), {}, (D(2019, 1, 1), D(2019, 3, 31))),
        ("year_rest", WED, {}, (D(2018, 6, 27), D(2018, 12, 31))),
        ("this_year", WED, {}, (D(2018, 1, 1), D(2018, 12, 31))),
        ("half_year", WED, {"count": 2}, (D(2018, 7, 1), D(2018, 12, 31))),
        ("this_week", MON, {}, (D(2018, 6, 4), D(2018, 6, 10))),
        ("month", MON, {"month": 12}, (D(2018, 12, 1), D(2018, 12, 31))),
    ],
)
def test_resolve_period(kind: str, today: date, slots: dict, expected: tuple[date, date]) -> None:  # type: ignore[type-arg]
    assert resolve_period(kind, today, **slots) == expected


def test_every_kind_resolves_to_a_range() -> None:
    for kind in PERIOD_KINDS:
        start, end = resolve_period(kind, MON, month=1, count=1, day=1, weekday=0, part="mid")
        assert start <= end, kind
    with pytest.raises(ValueError):
        resolve_period("fortnight", MON)
