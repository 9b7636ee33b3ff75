"""Statistics rules (issue 10 point 8): what is counted and how. Pure, standard library only.

- Days are the campaign's calendar days (Settings.tz), not UTC ones.
- Time to answer runs from the moment an idea was sent to the moment its answer was
  published (replied_at). The median of an even count is the mean of the two middle values.
- Overdue, against a limit of N calendar days (BOT_ANSWER_DAYS): still unanswered after N
  days, or answered later than N days. A declined idea (不予受理) has had its response and
  is never overdue.
- Satisfaction (回访): the share 满意 + 基本满意 among the ideas rated, None when none was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from domain.workflow import FAIRLY_SATISFIED, SATISFIED
from domain.workflow import SATISFACTIONS as SATISFACTION_LEVELS

# What a suggestion is counted by (bot/store/stats_repo.py maps each to its column).
TOPIC = "topic"
STATUS = "status"
OUTCOME = "outcome"
UNIT = "unit"
SATISFACTION = "satisfaction"
DIMENSIONS = (TOPIC, STATUS, OUTCOME, UNIT, SATISFACTION)

MAX_FILLED_DAYS = 400  # a longer range is shown with its empty days left out


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def satisfied_share(counts: Mapping[str, int]) -> float | None:
    """满意 + 基本满意 over all ratings (0..1), None when nobody rated."""
    rated = sum(counts.get(level, 0) for level in SATISFACTION_LEVELS)
    if rated == 0:
        return None
    return (counts.get(SATISFIED, 0) + counts.get(FAIRLY_SATISFIED, 0)) / rated


def fill_days(rows: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    """Day counts in order, with the days without any idea between the first and the last
    shown as 0 (a chart's gaps are real gaps), unless the range is implausibly long."""
    counts: dict[date, int] = {}
    for day, n in rows:
        counts[day] = counts.get(day, 0) + n
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if (last - first).days >= MAX_FILLED_DAYS:
        return sorted(counts.items())
    span = (last - first).days + 1
    return [(d, counts.get(d, 0)) for d in (first + timedelta(days=i) for i in range(span))]


def ordered(counts: Iterable[tuple[str, int]], known: Sequence[str] = ()) -> list[tuple[str, int]]:
    """Counts with the `known` values first, in their order (zeros included), then the others
    by count, largest first, then by name."""
    merged: dict[str, int] = {}
    for key, n in counts:
        merged[key] = merged.get(key, 0) + n
    head = [(k, merged.pop(k, 0)) for k in known]
    tail = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    return head + tail


def share_text(share: float | None) -> str:
    """A share as a percentage with one decimal ("87.5%"), "-" when there is none."""
    return "-" if share is None else f"{share * 100:.1f}%"


def days_text(seconds: float | None) -> str:
    """A duration in days with one decimal ("2.5"), "-" when there is none."""
    return "-" if seconds is None else f"{seconds / 86400:.1f}"
