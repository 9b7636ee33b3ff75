"""The resident's side of the workflow over SQL (services/ports.py ResidentStore): their own
answers for chat, the waiting answers told in the reply to their next message, the answer
awaiting their rating (回访).

`may_have_waiting` keeps, per process, the set of users with a waiting answer, read again
every REFRESH seconds and whenever this process marks an answer waiting: most messages then
cost no round trip for it. A user missed by a stale set is told by the scheduler instead
(services/answers.py), never twice: every telling claims the row first.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import select, update

from bot.store.db import Database
from bot.store.models import AnswerOutboxRow, SuggestionRow
from bot.store.workflow_repo import WAITING_MARKS, SqlWorkflowStore
from domain import workflow as wf
from services.ports import AnswerInfo, OutboxItem, WorkflowTx

REFRESH = 10.0  # seconds between reads of the users with waiting answers
MAX_TICKETS = 50


class SqlResidentStore:
    def __init__(self, db: Database, refresh: float = REFRESH) -> None:
        self.db = db
        self.refresh = refresh
        self._workflow = SqlWorkflowStore(db)
        self._lock = threading.Lock()
        self._users: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._generation = -1

    def answers(self, user: str, tickets: list[str]) -> dict[str, AnswerInfo]:
        if not tickets:
            return {}
        sg = SuggestionRow
        with self.db.session() as s:
            rows = s.execute(
                select(sg.ticket, sg.status, sg.outcome, sg.reply, sg.satisfaction).where(
                    sg.user_openid == user, sg.ticket.in_(tickets[:MAX_TICKETS])
                )
            ).all()
        return {r.ticket: AnswerInfo(r.ticket, r.status, r.outcome, r.reply, r.satisfaction)
                for r in rows}  # fmt: skip

    def may_have_waiting(self, user: str) -> bool:
        if self._stale():
            with self._lock:
                if not self._stale():  # another thread read it meanwhile
                    return user in self._users
                generation = WAITING_MARKS.value
                with self.db.session() as s:
                    users = s.scalars(
                        select(AnswerOutboxRow.openid)
                        .where(AnswerOutboxRow.status == "waiting")
                        .distinct()
                    ).all()
                self._users = frozenset(users)
                self._read_at, self._generation = time.monotonic(), generation
        return user in self._users

    def _stale(self) -> bool:
        too_old = time.monotonic() - self._read_at >= self.refresh
        return too_old or self._generation != WAITING_MARKS.value

    def take_waiting(self, user: str, now: datetime) -> list[OutboxItem]:
        o = AnswerOutboxRow
        taken: list[OutboxItem] = []
        with self.db.session() as s:
            rows = s.execute(
                select(o.id, o.ticket, o.text, o.attempts)
                .where(o.openid == user, o.status == "waiting")
                .order_by(o.id)
            ).all()
        for r in rows:
            with self.db.session() as s:
                claimed = s.execute(
                    update(o)
                    .where(o.id == r.id, o.status == "waiting")
                    .values(
                        status="sent",
                        via="reply",
                        sent_at=now,
                        updated_at=now,
                        attempts=o.attempts + 1,
                        errcode=None,
                        reason="",
                    )  # fmt: skip
                ).rowcount  # type: ignore[attr-defined]
            if claimed:
                taken.append(OutboxItem(r.id, r.ticket, user, r.text, None, r.attempts + 1))
        return taken

    def rating_due(self, user: str, since: datetime) -> str | None:
        o, sg = AnswerOutboxRow, SuggestionRow
        with self.db.session() as s:
            return s.scalar(
                select(sg.ticket)
                .join(o, o.suggestion_id == sg.id)
                .where(
                    sg.user_openid == user,
                    o.status == "sent",
                    o.sent_at >= since,
                    sg.status.in_((wf.ANSWERED, wf.CLOSED)),
                    sg.satisfaction.is_(None),
                )
                .order_by(o.sent_at.desc(), o.id.desc())
                .limit(1)
            )

    def transaction(self) -> AbstractContextManager[WorkflowTx]:
        return self._workflow.transaction()
