"""The inbox's filter form: request arguments in, a CaseQuery and the arguments to keep in the
page links out. Unknown or malformed values are dropped, never an error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo

from domain import inbox
from domain import workflow as wf
from services.ports import CaseQuery

PER_PAGE = 20
MAX_PAGE = 100_000
PHOTOS = {"yes": True, "no": False}


@dataclass(frozen=True)
class InboxForm:
    """What the form shows back (strings as typed, cleaned) and the query it makes."""

    query: CaseQuery
    values: dict[str, str]  # the non-empty filters, as given: for the form and the page links


def _page(text: str | None) -> int:
    try:
        return max(1, min(int(text or "1"), MAX_PAGE))
    except ValueError:
        return 1


def parse(args: Mapping[str, str], tz: tzinfo) -> InboxForm:
    """The query for `args` (campaign, topic, status, outcome, unit, author, from, to, photos,
    q, sort, page). Dates are days in the campaign's time zone `tz`, both included."""

    def get(name: str, limit: int = 200) -> str:
        return (args.get(name) or "").strip()[:limit]

    status = get("status") if get("status") in wf.STATUSES else ""
    outcome = get("outcome") if get("outcome") in wf.OUTCOMES else ""
    sort = get("sort") if get("sort") in inbox.SORTS else inbox.NEWEST
    start, end = inbox.parse_day(get("from")), inbox.parse_day(get("to"))
    low, high = inbox.day_range(start, end, tz)
    if start and end and start > end:
        start, end = end, start
    photos = get("photos") if get("photos") in PHOTOS else ""
    values = {
        "campaign": get("campaign", 64),
        "topic": get("topic", 500),
        "status": status,
        "outcome": outcome,
        "unit": get("unit"),
        "author": get("author", 32),
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
        "photos": photos,
        "q": inbox.search_text(args.get("q") or ""),
        "sort": "" if sort == inbox.NEWEST else sort,
    }
    query = CaseQuery(
        campaign=values["campaign"],
        status=status,
        unit=values["unit"],
        text=values["q"],
        page=_page(args.get("page")),
        per_page=PER_PAGE,
        topic=values["topic"],
        outcome=outcome,
        author=values["author"],
        created_from=low,
        created_to=high,
        has_photos=PHOTOS.get(photos),
        sort=sort,
    )
    return InboxForm(query=query, values={k: v for k, v in values.items() if v})
