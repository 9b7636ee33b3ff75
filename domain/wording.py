"""Read Chinese schedule wording ("5月上旬至5月中旬", "7月底前") as inclusive date spans.

Standard library only. The grammar is small and hand-written (see INTERFACES.md, "How wording
becomes dates"):

    period   := ["从"] unit [("开始" | "起")] sep unit  |  unit
    sep      := 至 | 到 | ~ | ～ | 〜 | — | – | -
    unit     := iso-date
              | [YYYY年] ( 年初 | 年底 | 年末 | 年内 | 上半年 | 下半年 | [第]N季度
                         | M月[份] [ D[日|号] | 上旬 | 中旬 | 下旬 | 初 | 底 | 末 ] )
              | YYYY年                       (the whole year)
              | D日 | D号                    (only as the end of a range: "11月3日~7日")
    deadline := period [之前 | 以前 | 前]

Chinese numerals and full-width characters count the same as ASCII digits. Anything else is a
WordingError that names the text: the assistant never guesses a date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from domain.plan import DateSpan
from domain.wording_text import WordingError, normalise

MIN_YEAR, MAX_YEAR = 1900, 2199


# --- units ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    start: date
    end: date
    year_named: bool  # the wording wrote its own year
    month: int | None  # the month it named, for a following day-only end ("11月3日~7日")
    day_only: bool = False


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})年")
_YEAR_PART_AFTER_YEAR = re.compile(r"年?(初|底|末|内)")
_YEAR_PART = re.compile(r"年(初|底|末|内)")
_HALF = re.compile(r"(上|下)半年")
_QUARTER = re.compile(r"第?(\d+)季度")
_MONTH = re.compile(r"(\d{1,2})月份?")
_MONTH_PART = re.compile(r"上旬|中旬|下旬|初|底|末")
_DAY = re.compile(r"(\d{1,2})(?:日|号)?")
_DAY_ONLY = re.compile(r"(\d{1,2})(?:日|号)")
_RANGE_SEP = re.compile(r"至|到|~|〜|—+|–|-")
_FROM = re.compile(r"从")
_SINCE = re.compile(r"开始|起")
_DEADLINE_SUFFIX = re.compile(r"(?:之前|以前|前)$")


class _Scanner:
    def __init__(self, text: str, s: str) -> None:
        self.text = text  # the original wording, for errors
        self.s = s
        self.pos = 0

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.match(self.s, self.pos)
        if match:
            self.pos = match.end()
        return match

    def done(self) -> bool:
        return self.pos == len(self.s)

    def fail(self, reason: str) -> WordingError:
        return WordingError(self.text, reason)

    def stuck(self) -> WordingError:
        """The error for text the grammar cannot continue with."""
        if self.done():
            return self.fail("a date is missing at the end")
        if self.pos == 0:
            return self.fail("not a date wording this assistant understands")
        return self.fail(f"not understood after '{self.s[: self.pos]}': '{self.s[self.pos :]}'")


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _check_year(sc: _Scanner, year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise sc.fail(f"year {year} is out of range")
    return year


def _day(sc: _Scanner, year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise sc.fail(f"there is no month {month}")
    if not 1 <= day <= _month_end(year, month):
        raise sc.fail(f"{year}-{month:02d} has no day {day}")
    return date(year, month, day)


def _month_span(sc: _Scanner, year: int, month: int) -> tuple[date, date]:
    """The span named by whatever follows 'M月': a day, a part of the month, or nothing."""
    if not 1 <= month <= 12:
        raise sc.fail(f"there is no month {month}")
    last = _month_end(year, month)
    part = sc.take(_MONTH_PART)
    if part:
        first_day, last_day = {
            "上旬": (1, 10),
            "中旬": (11, 20),
            "下旬": (21, last),
            "初": (1, 5),
            "底": (25, last),
            "末": (25, last),
        }[part.group()]
        return date(year, month, first_day), date(year, month, last_day)
    day = sc.take(_DAY)
    if day:
        one = _day(sc, year, month, int(day.group(1)))
        return one, one
    return date(year, month, 1), date(year, month, last)


def _year_span(sc: _Scanner, year: int, year_named: bool) -> tuple[date, date] | None:
    """年初/年底/年末/年内, halves and quarters; None when none of them follows."""
    part = sc.take(_YEAR_PART_AFTER_YEAR if year_named else _YEAR_PART)
    if part:
        word = part.group(1)
        if word == "初":
            return date(year, 1, 1), date(year, 1, 31)
        if word == "内":
            return date(year, 1, 1), date(year, 12, 31)
        return date(year, 12, 1), date(year, 12, 31)
    half = sc.take(_HALF)
    if half:
        if half.group(1) == "上":
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)
    quarter = sc.take(_QUARTER)
    if quarter:
        number = int(quarter.group(1))
        if not 1 <= number <= 4:
            raise sc.fail(f"there is no quarter {number}")
        first = 3 * number - 2
        return date(year, first, 1), date(year, first + 2, _month_end(year, first + 2))
    return None


def _unit(sc: _Scanner, year: int, context_month: int | None = None) -> _Unit:
    """One unit at the scanner's position; context_month allows a day-only unit ('7日')."""
    iso = sc.take(_ISO)
    if iso:
        y = _check_year(sc, int(iso.group(1)))
        one = _day(sc, y, int(iso.group(2)), int(iso.group(3)))
        return _Unit(one, one, year_named=True, month=one.month)
    named = sc.take(_YEAR)
    y = _check_year(sc, int(named.group(1)) if named else year)
    span = _year_span(sc, y, year_named=bool(named))
    if span:
        return _Unit(span[0], span[1], year_named=bool(named), month=None)
    month = sc.take(_MONTH)
    if month:
        start, end = _month_span(sc, y, int(month.group(1)))
        return _Unit(start, end, year_named=bool(named), month=start.month)
    if named:
        return _Unit(date(y, 1, 1), date(y, 12, 31), year_named=True, month=None)
    if context_month is not None:
        day = sc.take(_DAY_ONLY)
        if day:
            one = _day(sc, y, context_month, int(day.group(1)))
            return _Unit(one, one, year_named=False, month=context_month, day_only=True)
    raise sc.stuck()


def _period(text: str, flat: str, year: int) -> tuple[date, date]:
    """A unit or a range of two units covering the whole of `flat` (already normalised)."""
    if not flat:
        raise WordingError(text, "empty")
    sc = _Scanner(text, flat)
    has_from = bool(sc.take(_FROM))
    first = _unit(sc, year)
    if sc.done():
        if has_from:
            raise sc.fail("a range starting with 从 needs an end")
        return first.start, first.end
    sc.take(_SINCE)
    if not sc.take(_RANGE_SEP):
        raise sc.stuck()
    end_pos = sc.pos
    context_year = first.start.year
    last = _unit(sc, context_year, first.month)
    if last.end < first.start:
        if last.year_named or last.day_only:
            raise sc.fail("the range ends before it starts")
        sc.pos = end_pos  # an end earlier than its start falls in the next year
        last = _unit(sc, context_year + 1, first.month)
    if not sc.done():
        raise sc.stuck()
    return first.start, last.end


def _check_args(text: object, year: object) -> None:
    if not isinstance(text, str):
        raise WordingError(str(text), "not text")
    if not isinstance(year, int) or isinstance(year, bool):
        raise WordingError(text, f"the plan year {year!r} is not a whole number")


# --- public API -------------------------------------------------------------------------------


def parse_when(text: str, year: int) -> DateSpan:
    """Read a period (a phase's `when:`): one unit, or a range from start(A) to end(B).

    `year` is the plan's year, used when the wording does not name one. Raises WordingError.
    """
    _check_args(text, year)
    start, end = _period(text, normalise(text), year)
    return DateSpan(start, end, text.strip())


def parse_due(text: str, year: int) -> DateSpan:
    """Read a deadline `X前` / `X之前` / `X以前` / `X`: span.end is the END of X, inclusive.

    span.start is the start of X ('7月底' -> 07-25..07-31). Raises WordingError.
    """
    _check_args(text, year)
    flat = normalise(text)
    body = _DEADLINE_SUFFIX.sub("", flat)
    if not body:
        raise WordingError(text, "empty" if not flat else "a deadline needs a date before 前")
    start, end = _period(text, body, year)
    return DateSpan(start, end, text.strip())


_N = "[0-9０-９〇零一二三四五六七八九十]"
_MONTH_WORDING = rf"{_N}{{1,3}}月份?(?:{_N}{{1,3}}[日号]?|上旬|中旬|下旬|初|底|末)?"
_YEAR_WORDING = r"年初|年底|年末|年内|上半年|下半年|第?[1-4１-４一二三四]季度"
_EMBEDDED = re.compile(
    rf"(?:(?:[0-9０-９]{{4}}|[〇零一二三四五六七八九]{{4}})年"
    rf"(?:{_MONTH_WORDING}|年?[初底末内]|{_YEAR_WORDING})?"
    rf"|{_MONTH_WORDING}|{_YEAR_WORDING})"
    r"(?:之前|以前|前)?"
)


def find_deadline_in(text: str, year: int) -> DateSpan | None:
    """The first deadline wording embedded in a short phrase, or None.

    '调研成果7月底上报市活动办' -> 07-25..07-31 with text '7月底';
    '7月底前列出问题清单' -> text '7月底前'. The span's text is the wording found, as written.
    Only for reading documents (plan import); plan files use parse_due, which is strict.
    """
    for match in _EMBEDDED.finditer(text):
        try:
            return parse_due(match.group(), year)
        except WordingError:
            continue
    return None
