"""Use cases on suggestions: accept, decline, assign, draft, publish, close, answer, list.

Each one reads the suggestion inside one transaction, asks domain.workflow whether the actor
may do it, then records the change, its audit row and (on publish) the resident's message in
the answer outbox, all or nothing. Sending is not done here: services.answers.deliver_due
sends what the outbox holds (after the commit, so a rolled-back answer is never sent).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain import workflow as wf
from services.ports import AuditEntry, Case, CaseQuery, WorkflowStore
from texts import workflow as texts

DEFAULT_CLI_OUTCOME = wf.FOR_REFERENCE


def act(
    store: WorkflowStore,
    actor: wf.Actor,
    ticket: str,
    action: str,
    now: datetime,
    *,
    reason: str = "",
    unit: str = "",
    reply: str = "",
    outcome: str = "",
) -> Case:
    """Take one workflow action; the suggestion as it is afterwards, or WorkflowError."""
    with store.transaction() as tx:
        case = tx.get(ticket)
        if case is None:
            raise wf.WorkflowError(wf.NOT_VISIBLE)
        change = wf.decide(
            actor, action, case.status, case.unit, reason=reason, unit=unit, reply=reply,
            outcome=outcome,
        )  # fmt: skip
        fields: dict[str, object] = dict(change.fields)
        if action == wf.PUBLISH:
            fields.update(replied_at=now, satisfaction=None, rated_at=None)  # a new answer
            message = texts.ANSWER_MESSAGE.format(
                ticket=case.ticket, outcome=change.fields["outcome"], reply=change.fields["reply"]
            )
            tx.queue_answer(ticket, message + texts.RATING_INVITATION, now)
        tx.update(ticket, change.after, fields)
        tx.audit(
            AuditEntry(
                at=now,
                actor=actor.login,
                action=action,
                target=ticket,
                before=_summary(case.status, change, case),
                after=_summary(change.after, change, None),
            )
        )
        updated = tx.get(ticket)
    assert updated is not None
    return updated


def _summary(status: str, change: wf.Change, before: Case | None) -> str:
    """An audit side: the status, then what the action changed (its old value on `before`)."""
    parts = [status]
    values = change.fields
    if change.action == wf.ASSIGN:
        unit = (before.unit if before else values["unit"]) or "-"
        parts.append(texts.UNIT_LABEL.format(unit=unit))
    elif change.action == wf.DECLINE and before is None:
        parts.append(texts.REASON_LABEL.format(reason=values["decline_reason"]))
    elif change.action == wf.PUBLISH and before is None:
        parts.append(texts.OUTCOME_LABEL.format(outcome=values["outcome"]))
    elif change.action == wf.DRAFT and before is None:
        parts.append(texts.DRAFT_LABEL)
    return " · ".join(parts)


def accept(store: WorkflowStore, actor: wf.Actor, ticket: str, now: datetime) -> Case:
    return act(store, actor, ticket, wf.ACCEPT, now)


def decline(store: WorkflowStore, actor: wf.Actor, ticket: str, reason: str, now: datetime) -> Case:
    return act(store, actor, ticket, wf.DECLINE, now, reason=reason)


def assign(store: WorkflowStore, actor: wf.Actor, ticket: str, unit: str, now: datetime) -> Case:
    return act(store, actor, ticket, wf.ASSIGN, now, unit=unit)


def draft_answer(
    store: WorkflowStore, actor: wf.Actor, ticket: str, reply: str, now: datetime
) -> Case:
    return act(store, actor, ticket, wf.DRAFT, now, reply=reply)


def publish_answer(
    store: WorkflowStore, actor: wf.Actor, ticket: str, reply: str, outcome: str, now: datetime
) -> Case:
    return act(store, actor, ticket, wf.PUBLISH, now, reply=reply, outcome=outcome)


def close(store: WorkflowStore, actor: wf.Actor, ticket: str, now: datetime) -> Case:
    return act(store, actor, ticket, wf.CLOSE, now)


def answer(
    store: WorkflowStore,
    actor: wf.Actor,
    ticket: str,
    reply: str,
    now: datetime,
    *,
    status: str = wf.ANSWERED,
    outcome: str = "",
) -> Case:
    """`suggestions answer` from a script: accept if still pending, publish, and close when
    `status` is 已办结. Each step is its own audited action under the same rules."""
    if status not in (wf.ANSWERED, wf.CLOSED):
        raise ValueError(f"--status must be {wf.ANSWERED} or {wf.CLOSED}")
    case = store.find(ticket)
    if case is None or not wf.can_see(actor, case.unit):
        raise wf.WorkflowError(wf.NOT_VISIBLE)
    if case.status == wf.PENDING:
        accept(store, actor, ticket, now)
    case = publish_answer(store, actor, ticket, reply, outcome or DEFAULT_CLI_OUTCOME, now)
    if status == wf.CLOSED:
        case = close(store, actor, ticket, now)
    return case


def list_cases(store: WorkflowStore, actor: wf.Actor, query: CaseQuery) -> tuple[list[Case], int]:
    """The inbox page the actor may see (a unit sees its own unit's suggestions only)."""
    if actor.role == wf.UNIT:
        if not actor.unit:
            return [], 0
        query = replace(query, only_unit=actor.unit)
    elif actor.role not in wf.ROLES:
        return [], 0
    return store.search(query)


def view(store: WorkflowStore, actor: wf.Actor, ticket: str) -> Case:
    """One suggestion, if the actor may see it (else WorkflowError NOT_VISIBLE)."""
    case = store.find(ticket)
    if case is None or not wf.can_see(actor, case.unit):
        raise wf.WorkflowError(wf.NOT_VISIBLE)
    return case


# --- Bulk actions on a selection (the console's inbox) ---------------------------------------

BULK_ACTIONS = (wf.ACCEPT, wf.ASSIGN, wf.PUBLISH)
MAX_BULK = 200


@dataclass(frozen=True)
class BulkResult:
    """One ticket of a batch: done, or why not (in Chinese)."""

    ticket: str
    ok: bool
    message: str = ""


def can_bulk(actor: wf.Actor) -> bool:
    """Whether the actor's role may take any bulk action (a unit account may not)."""
    return bool(wf.ROLE_ACTIONS.get(actor.role, frozenset()) & set(BULK_ACTIONS))


def bulk_act(
    store: WorkflowStore,
    actor: wf.Actor,
    tickets: list[str],
    action: str,
    now: datetime,
    *,
    unit: str = "",
    outcome: str = "",
) -> list[BulkResult]:
    """Take one action on each selected ticket through `act`, under the same rules one by
    one (each its own transaction and audit row). Publishing publishes each idea's existing
    draft with `outcome`. Refuses the whole batch (WorkflowError) for a role that may not
    bulk-act, an unknown action, a missing unit or a bad outcome. Past MAX_BULK tickets,
    the rest are reported as not done."""
    if action not in BULK_ACTIONS:
        raise wf.WorkflowError(wf.UNKNOWN_ACTION)
    if not can_bulk(actor):
        raise wf.WorkflowError(wf.FORBIDDEN)
    if action == wf.ASSIGN and not unit.strip():
        raise wf.WorkflowError(wf.UNIT_REQUIRED)
    if action == wf.PUBLISH and outcome not in wf.OUTCOMES:
        raise wf.WorkflowError(wf.BAD_OUTCOME)
    results: list[BulkResult] = []
    for ticket in dict.fromkeys(t.strip().upper()[:32] for t in tickets if t.strip()):
        if len(results) >= MAX_BULK:
            results.append(BulkResult(ticket, False, texts.BULK_TOO_MANY.format(limit=MAX_BULK)))
            continue
        reply = ""
        if action == wf.PUBLISH:
            found = store.find(ticket)
            reply = (found.reply_draft or "") if found else ""
        try:
            act(store, actor, ticket, action, now, unit=unit, reply=reply, outcome=outcome)
        except wf.WorkflowError as exc:
            why = texts.NO_DRAFT if exc.code == wf.REPLY_REQUIRED else str(exc)
            results.append(BulkResult(ticket, False, why))
        else:
            results.append(BulkResult(ticket, True))
    return results
