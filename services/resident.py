"""Use cases on the resident's side: their waiting answers told once in the reply to their next
message, and their rating of an answer (回访), recorded and audited as "resident" (never an
openid). The rules are domain/workflow.py's (`parse_rating`, `rate`, RATING_WINDOW).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import workflow as wf
from services.answer_links import AnswerLinks
from services.ports import AnswerInfo, AuditEntry, ResidentStore, WorkflowStore
from texts import workflow as texts


def take_waiting(store: ResidentStore, user: str, now: datetime) -> list[str]:
    """The user's waiting answers, each marked sent (via "reply") before it is returned: of two
    messages arriving at once, only one reply carries a given answer."""
    if not store.may_have_waiting(user):
        return []
    return [item.text for item in store.take_waiting(user, now)]


@dataclass(frozen=True)
class Rated:
    ticket: str
    satisfaction: str
    before: str
    after: str

    @property
    def reopened(self) -> bool:
        return self.after == wf.ACCEPTED


def rate(store: ResidentStore, user: str, text: str, now: datetime) -> Rated | None:
    """Record `text` as the user's rating of their answer awaiting one; None when `text` is not
    a rating or no rating is awaited (then the message means whatever it means otherwise)."""
    satisfaction = wf.parse_rating(text)
    if satisfaction is None:
        return None
    ticket = store.rating_due(user, now - wf.RATING_WINDOW)
    if ticket is None:
        return None
    with store.transaction() as tx:
        case = tx.get(ticket)  # locked: two ratings sent at once take turns
        if case is None:
            return None
        try:
            change = wf.rate(case.status, satisfaction, case.satisfaction)
        except wf.WorkflowError:
            return None  # rated (or reopened) meanwhile
        tx.update(ticket, change.after, {"satisfaction": satisfaction, "rated_at": now})
        label = texts.SATISFACTION_LABEL.format(satisfaction=satisfaction)
        tx.audit(
            AuditEntry(
                at=now, actor=wf.RESIDENT, action=wf.RATE, target=ticket,
                before=case.status, after=f"{change.after} · {label}",
            )
        )  # fmt: skip
    return Rated(ticket, satisfaction, case.status, change.after)


def answer_page(store: WorkflowStore, links: AnswerLinks, token: str) -> AnswerInfo | None:
    """What the signed answer page shows (ticket, status, outcome, answer), or None for a
    bad or tampered token or an idea with no published answer."""
    ticket = links.ticket(token)
    case = store.find(ticket) if ticket else None
    if case is None or not case.reply:
        return None
    return AnswerInfo(case.ticket, case.status, case.outcome, case.reply, case.satisfaction)
