"""The inbox's rules: how it can be sorted, how a day range in the campaign's time zone becomes
instants, and which texts the search can look up. Pure, standard library only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

NEWEST, OLDEST, BY_STATUS = "newest", "oldest", "status"
SORTS = (NEWEST, OLDEST, BY_STATUS)
MAX_QUERY = 100  # characters of a search


def day_range(
    start: date | None, end: date | None, tz: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, the day after `end` 00:00) in `tz`, as UTC instants (None: open). Both
    days are included; a range given backwards is turned round."""
    if start and end and start > end:
        start, end = end, start
    low = datetime.combine(start, time(), tz).astimezone(UTC) if start else None
    high = datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC) if end else None
    return low, high


def parse_day(text: str | None) -> date | None:
    """A date typed into a date field (YYYY-MM-DD), or None."""
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def search_text(text: str) -> str:
    """The search as looked up: trimmed, inner whitespace kept, at most MAX_QUERY characters."""
    return text.strip()[:MAX_QUERY]
