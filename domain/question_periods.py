"""Periods named in a question ("下下周", "未来十天", "本周三之前", "6月20日到月底"), read from
normalised text (domain.question_text) into a range kind and its slots: standard library only.

The words are read here; the dates they mean, seen from a given day, are computed by
domain.calendar.resolve_period. Every kind is listed in domain.periods.PERIOD_KINDS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from domain.question_text import cn_to_int

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "7": 6}
_WEEKDAYS.update({str(n): n - 1 for n in range(1, 7)})
_WEEK_OFFSET = {"": 0, "本": 0, "这": 0, "下": 1, "上": -1}
_MONTH_OFFSET = {"本": 0, "这": 0, "当": 0, "下": 1, "上": -1, "": 0}
_PARTS = {"上旬": "early", "中旬": "mid", "下旬": "late", "初": "begin", "中": "mid"}
_PARTS.update({"底": "end", "末": "end", "上半月": "first_half", "下半月": "second_half"})
_BEFORE = r"(?:之前|以前|前|为止)"
_M = r"(1[0-2]|[1-9])月"
_D = r"([12]\d|3[01]|[1-9])"
_QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Found:
    """A period found in a text: its slots (keyword arguments of domain.questions.Question) and
    where it stands in the text."""

    slots: dict[str, object]
    start: int
    end: int


Builder = Callable[["re.Match[str]"], dict[str, object]]


def _kind(kind: str) -> Builder:
    return lambda _m: {"range_kind": kind}


def _num(kind: str, group: int = 1) -> Builder:
    return lambda m: {"range_kind": kind, "count": int(m.group(group))}


def _weekday(kind: str) -> Builder:
    return lambda m: {
        "range_kind": kind,
        "weekday": _WEEKDAYS[m.group(2)],
        "count": _WEEK_OFFSET[m.group(1) or ""],
    }


def _day(kind: str) -> Builder:
    def build(m: re.Match[str]) -> dict[str, object]:
        month = int(m.group(1)) if m.group(1) else None
        return {"range_kind": kind, "month": month, "day": int(m.group(2))}

    return build


def _month_end_before(m: re.Match[str]) -> dict[str, object]:
    month = int(m.group(1)) if m.group(1) else None
    return {"range_kind": "until_day", "month": month, "count": _MONTH_OFFSET[m.group(2) or ""]}


def _month_part(m: re.Match[str]) -> dict[str, object]:
    month = int(m.group(1)) if m.group(1) else None
    offset = _MONTH_OFFSET[m.group(2) or ""]
    return {"range_kind": "month_part", "month": month, "count": offset, "part": _PARTS[m.group(3)]}


def _quarter(m: re.Match[str]) -> dict[str, object]:
    return {"range_kind": "quarter", "count": _QUARTERS[m.group(1)]}


def _span(m: re.Match[str]) -> dict[str, object]:
    start_month = int(m.group(1)) if m.group(1) else None
    end_month = int(m.group(3)) if m.group(3) else None
    end_day = int(m.group(4)) if m.group(4) else None
    if end_day is None and end_month is None:
        end_month = start_month  # "6月20日到月底": the end of the same month
    return {
        "range_kind": "span",
        "month": start_month,
        "day": int(m.group(2)),
        "end_month": end_month,
        "end_day": end_day,
    }


# (pattern, slots) in no particular order: the earliest match wins, the longest at one place.
_SPECS: tuple[tuple[str, Builder], ...] = (
    (
        rf"(?:从)?(?:{_M})?{_D}[日号]?(?:到|至|~|-|—)(?:{_M})?(?:{_D}[日号]|(?:本?月)?[底末])",
        _span,
    ),
    (rf"(本|这|下|上)?周([一二三四五六日天1-7]){_BEFORE}", _weekday("until_weekday")),
    (r"(本|这|下|上)?周([一二三四五六日天1-7])(?!个)", _weekday("weekday")),
    (rf"(?:{_M})?{_D}[日号]?{_BEFORE}", _day("until_day")),
    (rf"(?:{_M})?{_D}[日号]", _day("day")),
    (rf"(?:{_M}|(本|这|当|下|上)?月)[底末]{_BEFORE}", _month_end_before),
    (
        r"(?:(1[0-2]|[1-9])月|(本|这|当|下|上)?月)(上旬|中旬|下旬|上半月|下半月|初|中(?!旬)|底|末)",
        _month_part,
    ),
    (
        r"(?<![月\d])(上旬|中旬|下旬)",
        lambda m: {"range_kind": "month_part", "count": 0, "part": _PARTS[m.group(1)]},
    ),
    (
        r"(?<![月\d])(上半月|下半月)",
        lambda m: {"range_kind": "month_part", "count": 0, "part": _PARTS[m.group(1)]},
    ),
    (
        r"(上|下)半年",
        lambda m: {"range_kind": "half_year", "count": 1 if m.group(1) == "上" else 2},
    ),
    (r"(?:本|这|当前|目前)季度", _kind("quarter")),
    (r"下季度", _kind("next_quarter")),
    (r"第?([1-4一二三四])季度", _quarter),
    (rf"(?:今年)?年[底末]{_BEFORE}|年内|今年(?:还|剩下|剩余|余下)", _kind("year_rest")),
    (r"年[底末]", lambda _m: {"range_kind": "month", "month": 12}),
    (r"今年|本年|全年", _kind("this_year")),
    (r"(?:未来|接下来|今后|之后|往后|后面|近|最近|这)(\d{1,2})天", _num("next_days")),
    (r"(\d{1,2})天(?:内|之内|以内)", _num("next_days")),
    (r"(?:过去|前|之前|上)(\d{1,2})天", _num("past_days")),
    (r"(?:未来|接下来|今后|之后|往后|后面|后|近|最近)(\d{1,2})个?周", _num("next_weeks")),
    (r"(\d{1,2})个?周(?:内|之内|以内)", _num("next_weeks")),
    (r"(?:过去|前|上)(\d{1,2})个?周", _num("past_weeks")),
    (r"下下周", _kind("week_after_next")),
    (r"上上周", _kind("week_before_last")),
    (r"今天|今日", _kind("today")),
    (r"明天|明日", _kind("tomorrow")),
    (r"后天", _kind("day_after")),
    (r"(?:本|这)周", _kind("this_week")),
    (r"(?<!下)下周", _kind("next_week")),
    (r"(?<!上)上周", _kind("last_week")),
    (r"(?:本|这|当)月", _kind("this_month")),
    (r"(?<!下)下月", _kind("next_month")),
    (r"(?<!上)上月", _kind("last_month")),
    (
        r"最近|近期|近日|近几天|这几天|快要?到期|即将到期|马上到期|快截止|即将截止",
        _kind("upcoming"),
    ),
    (
        r"(?<!\d)(1[0-2]|[1-9])月(?![\d底末初中上下])",
        lambda m: {"range_kind": "month", "month": int(m.group(1))},
    ),
)
_PATTERNS = tuple((re.compile(pattern), build) for pattern, build in _SPECS)


def find_period(text: str) -> Found | None:
    """The first period named in `text` (normalised), or None."""
    best: tuple[int, int, dict[str, object]] | None = None
    for pattern, build in _PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        start, end = match.span()
        if best is None or start < best[0] or (start == best[0] and end > best[1]):
            try:
                best = (start, end, build(match))
            except (KeyError, ValueError):
                continue
    if best is None:
        return None
    return Found(best[2], best[0], best[1])


def ordinal(word: str) -> int:
    """ "三" or "3" as 3."""
    return cn_to_int(word)
