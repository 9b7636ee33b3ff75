"""SQL adapters for the suggestion workflow (services/ports.py): the store the use cases
decide over, and the answer outbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.store.db import Database
from bot.store.delivery_reports import CustomerServiceQuota
from bot.store.models import AnswerOutboxRow, AuditRow, SuggestionRow, UserRow
from services.ports import AuditEntry, Case, CaseQuery, Delivery, OutboxItem

_FIELDS = frozenset(
    {"unit", "outcome", "reply", "replied_at", "reply_draft", "decline_reason", "satisfaction",
     "rated_at"}
)  # fmt: skip


class _Generation:
    """Bumped whenever this process marks an answer waiting: the reply path's cache of users
    with waiting answers (bot/store/resident_repo.py) then reads afresh."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


WAITING_MARKS = _Generation()


def to_case(row: SuggestionRow) -> Case:
    return Case(
        ticket=row.ticket,
        campaign=row.campaign_code,
        topic=row.topic,
        content=row.content,
        status=row.status,
        created_at=row.created_at,
        channel=row.channel,
        author=row.author,
        attachments=len(row.attachments or []),
        unit=row.unit,
        outcome=row.outcome,
        reply=row.reply,
        replied_at=row.replied_at,
        reply_draft=row.reply_draft,
        decline_reason=row.decline_reason,
        satisfaction=row.satisfaction,
        rated_at=row.rated_at,
    )


def to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.at, row.actor, row.action, row.target, row.before, row.after)


class _SqlTx:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _row(self, ticket: str) -> SuggestionRow | None:
        # FOR UPDATE on PostgreSQL: two reviewers acting on one idea take turns, so the
        # second one's decision sees the first one's result. SQLite ignores it (one writer).
        stmt = select(SuggestionRow).where(SuggestionRow.ticket == ticket).with_for_update()
        return self.s.scalars(stmt).one_or_none()

    def get(self, ticket: str) -> Case | None:
        row = self._row(ticket)
        return to_case(row) if row else None

    def update(self, ticket: str, status: str, fields: Mapping[str, object]) -> None:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError(f"not a workflow field: {sorted(unknown)}")
        row = self._row(ticket)
        if row is None:
            raise LookupError(ticket)
        row.status = status
        for name, value in fields.items():
            setattr(row, name, value)
        self.s.flush()

    def queue_answer(self, ticket: str, text: str, now: datetime) -> None:
        row = self._row(ticket)
        if row is None:
            raise LookupError(ticket)
        earlier = self.s.scalars(
            select(AnswerOutboxRow).where(AnswerOutboxRow.suggestion_id == row.id)
        ).one_or_none()
        if earlier is not None:  # answered again after a 不满意 reopened it: a new send
            for name, value in (
                ("text", text),
                ("status", "queued"),
                ("reason", ""),
                ("errcode", None),
                ("via", None),
                ("msgid", None),
                ("attempts", 0),
                ("sent_at", None),
                ("updated_at", now),
            ):
                setattr(earlier, name, value)  # fmt: skip
            self.s.flush()
            return
        self.s.add(
            AnswerOutboxRow(
                suggestion_id=row.id, ticket=row.ticket, channel=row.channel,
                openid=row.user_openid, text=text, status="queued", reason="",
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        self.s.flush()  # a second publish of one idea fails here (unique suggestion_id)

    def audit(self, entry: AuditEntry) -> None:
        self.s.add(audit_row(entry))


def audit_row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        at=entry.at, actor=entry.actor, action=entry.action, target=entry.target,
        before=entry.before, after=entry.after,
    )  # fmt: skip


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlWorkflowStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def transaction(self) -> Iterator[_SqlTx]:
        with self.db.session() as s:
            yield _SqlTx(s)

    def find(self, ticket: str) -> Case | None:
        with self.db.session() as s:
            row = s.scalars(select(SuggestionRow).where(SuggestionRow.ticket == ticket)).first()
            return to_case(row) if row else None

    def search(self, query: CaseQuery) -> tuple[list[Case], int]:
        conds = []
        if query.campaign:
            conds.append(SuggestionRow.campaign_code == query.campaign)
        if query.status:
            conds.append(SuggestionRow.status == query.status)
        if query.unit:
            conds.append(SuggestionRow.unit == query.unit)
        if query.only_unit is not None:
            conds.append(SuggestionRow.unit == query.only_unit)
        if query.text.strip():
            pattern = _like(query.text.strip())
            conds.append(
                or_(
                    SuggestionRow.content.like(pattern, escape="\\"),
                    SuggestionRow.ticket == query.text.strip().upper(),
                )
            )
        per_page = max(1, min(query.per_page, 200))
        page = max(1, query.page)
        with self.db.session() as s:
            total = s.scalar(select(func.count()).select_from(SuggestionRow).where(*conds)) or 0
            rows = s.scalars(
                select(SuggestionRow)
                .where(*conds)
                .order_by(SuggestionRow.created_at.desc(), SuggestionRow.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
            return [to_case(r) for r in rows], total

    def history(self, ticket: str) -> list[AuditEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(AuditRow).where(AuditRow.target == ticket).order_by(AuditRow.id)
            ).all()
            return [to_entry(r) for r in rows]

    def delivery(self, ticket: str) -> str | None:
        """Where the published answer stands: queued, sending, sent, failed, waiting."""
        with self.db.session() as s:
            return s.scalar(select(AnswerOutboxRow.status).where(AnswerOutboxRow.ticket == ticket))

    def delivery_detail(self, ticket: str) -> Delivery | None:
        """The answer's delivery for the console: status, channel, attempts, last error."""
        o = AnswerOutboxRow
        with self.db.session() as s:
            row = s.execute(
                select(o.status, o.via, o.attempts, o.errcode, o.reason, o.sent_at).where(
                    o.ticket == ticket
                )
            ).first()
        if row is None:
            return None
        return Delivery(row.status, row.via, row.attempts, row.errcode, row.reason, row.sent_at)

    def units(self) -> list[str]:
        """Units seen on suggestions so far (the console's assign list adds the plans' owners)."""
        with self.db.session() as s:
            rows = s.scalars(
                select(SuggestionRow.unit).where(SuggestionRow.unit.is_not(None)).distinct()
            ).all()
            return sorted(u for u in rows if u)


class SqlOutbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.quota = CustomerServiceQuota(db)

    def due(self, limit: int = 50) -> list[OutboxItem]:
        """Queued answers, and waiting ones whose user has written since (window open)."""
        o, u, sg = AnswerOutboxRow, UserRow, SuggestionRow
        waiting_reopened = and_(o.status == "waiting", u.last_inbound_at > o.updated_at)
        with self.db.session() as s:
            rows = s.execute(
                select(o.id, o.ticket, o.openid, o.text, u.last_inbound_at, o.attempts, sg.status)
                .outerjoin(u, u.openid == o.openid)
                .join(sg, sg.id == o.suggestion_id)
                .where(or_(o.status == "queued", waiting_reopened))
                .order_by(o.id)
                .limit(limit)
            ).all()
        return [
            OutboxItem(r.id, r.ticket, r.openid, r.text, r.last_inbound_at, r.attempts, r.status)
            for r in rows
        ]

    def claim(self, item_id: int, now: datetime) -> bool:
        with self.db.session() as s:
            result = s.execute(
                update(AnswerOutboxRow)
                .where(AnswerOutboxRow.id == item_id)
                .where(AnswerOutboxRow.status.in_(("queued", "waiting")))
                .values(status="sending", updated_at=now, attempts=AnswerOutboxRow.attempts + 1)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark(
        self,
        item_id: int,
        status: str,
        now: datetime,
        errcode: int | None = None,
        reason: str = "",
        *,
        via: str | None = None,
        msgid: str | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status, "updated_at": now, "errcode": errcode}
        values["reason"] = reason[:200]
        if status == "sent":
            values.update(sent_at=now, via=via, msgid=msgid)
        with self.db.session() as s:
            s.execute(update(AnswerOutboxRow).where(AnswerOutboxRow.id == item_id).values(values))
        if status == "waiting":
            WAITING_MARKS.bump()

    def take_cs(self, openid: str) -> bool:
        return self.quota.take(openid)

    def give_back_cs(self, openid: str) -> None:
        self.quota.give_back(openid)
