"""Use cases behind the console's detail page: a suggestion's photos, its author's other ideas
and ideas with the same or nearly the same text, each within what the actor may see (a unit
account sees its own unit's suggestions only)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import workflow as wf
from services.ports import Case, InboxStore, Photo, Similar

OTHERS = 10  # the author's other ideas shown
SIMILAR = 8  # similar ideas shown


@dataclass(frozen=True)
class Related:
    """What the detail page shows around a suggestion. `photos` has one entry per attachment,
    in order: a placeholder (status pending or failed) where no file was fetched."""

    photos: list[Photo]
    others: list[Case]
    others_total: int
    similar: list[Similar]


def _scope(actor: wf.Actor) -> str | None:
    return actor.unit if actor.role == wf.UNIT else None


def related(store: InboxStore, actor: wf.Actor, case: Case) -> Related:
    """The photos, other ideas and similar ideas of a suggestion the actor can see (the
    caller got `case` from services.suggestions.view, which checked that)."""
    scope = _scope(actor)
    others, total = store.by_author(case.author, scope, case.ticket, OTHERS)
    return Related(
        photos=photos(store, case),
        others=others,
        others_total=total,
        similar=store.similar(case, scope, SIMILAR),
    )


def photos(store: InboxStore, case: Case) -> list[Photo]:
    """One entry per attachment: its row, or a pending placeholder while none was made."""
    rows = {p.position: p for p in store.photos(case.ticket)}
    count = max([case.attachments, *rows])
    return [rows.get(n) or Photo(position=n, status="pending") for n in range(1, count + 1)]


def photo(store: InboxStore, case: Case, position: int) -> Photo | None:
    """The fetched photo at `position` of a visible suggestion, or None."""
    for item in store.photos(case.ticket):
        if item.position == position and item.status == "fetched" and item.path:
            return item
    return None
