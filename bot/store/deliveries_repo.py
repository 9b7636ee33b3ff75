"""SQL adapter for the scheduler's deliveries (jobs/ports.py `DeliveryStore`): one row per
(notice, recipient), inserted as the claim right before the send (jobs/deliver.py explains the
exactly-once design these statements serve).

During a fan-out each worker thread keeps one autocommit connection (`pinned()`): each delivery
statement (the claim, the mark) is atomic on its own, so autocommit makes it one round trip
instead of BEGIN/statement/COMMIT, and no checkout (with its pre-ping) per send.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.store.db import Database, insert_ignoring_conflicts
from bot.store.models import DeliveryRow, NoticeRow, UserRow
from jobs.channels import Recipient
from jobs.ports import Mark, RetryItem

POOL_RESERVE = 4  # database connections a fan-out leaves to everybody else


class _Connections:
    """One autocommit connection per worker thread, kept for a whole fan-out."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Connection] = []

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """This thread's connection (a new one after an error)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        try:
            yield conn
        except SQLAlchemyError:
            self._local.conn = None
            conn.close()
            raise

    def close(self) -> None:
        """Return every connection to the pool."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


@contextmanager
def _one_off(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


def _mark_statement(with_attempts: bool) -> Any:
    """The UPDATE that records an outcome, built once (building costs more than running)."""
    values: dict[str, Any] = {
        "status": bindparam("b_status"),
        "errcode": bindparam("b_errcode"),
        "reason": bindparam("b_reason"),
        "updated_at": bindparam("b_updated_at"),
        "next_attempt_at": bindparam("b_next_attempt_at"),
        "msgid": bindparam("b_msgid"),
    }
    if with_attempts:
        values["attempts"] = bindparam("b_attempts")
    return (
        update(DeliveryRow)
        .where(
            DeliveryRow.id == bindparam("b_id"),
            DeliveryRow.claimed_by == bindparam("b_runner"),
            DeliveryRow.status.in_(("sending", "uncertain")),
        )
        .values(**values)
    )


_MARK = _mark_statement(with_attempts=False)
_MARK_ATTEMPTS = _mark_statement(with_attempts=True)


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id for a new delivery row, built once."""
    return insert_ignoring_conflicts(dialect, DeliveryRow).returning(DeliveryRow.id)


class SqlDeliveries:
    """The deliveries table over SQLAlchemy Core (these statements run once per send)."""

    def __init__(self, db: Database, conns: _Connections | None = None) -> None:
        self.db, self._conns = db, conns

    def _statement(self) -> AbstractContextManager[Connection]:
        return self._conns.statement() if self._conns is not None else _one_off(self.db.engine)

    def pinned(self) -> SqlDeliveries:
        return SqlDeliveries(self.db, _Connections(self.db.engine))

    def close(self) -> None:
        if self._conns is not None:
            self._conns.close()

    def workers(self, wanted: int) -> int:
        """`wanted`, capped so that the workers' connections (one each, held for the fan-out)
        leave room in the engine's pool for reads and for the webhook's threads."""
        pool = self.db.engine.pool
        size = getattr(pool, "size", None)
        if not callable(size):
            return max(1, wanted)
        capacity = size() + max(getattr(pool, "_max_overflow", 0), 0)
        return max(1, min(wanted, capacity - POOL_RESERVE))

    def recipients(
        self,
        notice_id: int,
        campaign_code: str,
        channel: str,
        units: list[str] | None,
        after: str | None,
        limit: int,
    ) -> tuple[list[Recipient], str | None]:
        """Two plain queries per batch (a primary-key range of users, then the unique index of
        deliveries) rather than one anti-join: the planner's statistics lag behind a table
        growing by thousands of rows a minute, and a stale anti-join plan is quadratic."""
        q = (
            select(UserRow.openid, UserRow.last_inbound_at)
            .where(
                UserRow.campaign_code == campaign_code,
                UserRow.channel == channel,
                UserRow.subscribed.is_(True),
                UserRow.following.is_(True),
            )
            .order_by(UserRow.openid)
            .limit(limit)
        )
        if units is not None:
            q = q.where(UserRow.unit.in_(units))
        if after is not None:
            q = q.where(UserRow.openid > after)
        with self.db.session() as s:
            rows = s.execute(q).all()
            if not rows:
                return [], None
            done = set(
                s.scalars(
                    select(DeliveryRow.openid).where(
                        DeliveryRow.notice_id == notice_id,
                        DeliveryRow.openid.in_([openid for openid, _ in rows]),
                    )
                )
            )
        fresh = [Recipient(openid, last) for openid, last in rows if openid not in done]
        return fresh, rows[-1][0]

    def due_retries(
        self, channel: str, now: datetime, after_id: int | None, limit: int
    ) -> list[RetryItem]:
        d, u = DeliveryRow, UserRow
        with self.db.session() as s:
            rows = s.execute(
                select(d.id, d.notice_id, d.openid, u.last_inbound_at, u.subscribed, u.following)
                .join(NoticeRow, NoticeRow.id == d.notice_id)
                .outerjoin(u, u.openid == d.openid)
                .where(
                    d.status == "retry",
                    d.next_attempt_at <= now,
                    d.channel == channel,
                    d.id > (after_id or 0),
                    NoticeRow.status.not_in(("cancelled", "superseded")),
                )
                .order_by(d.id)
                .limit(limit)
            ).all()
        return [RetryItem(*row) for row in rows]

    def claim_new(
        self,
        notice_id: int,
        channel: str,
        openid: str,
        runner_id: str,
        paused_until: datetime | None,
        reason: str,
    ) -> int | None:
        stamp = datetime.now(UTC)
        row = {
            "notice_id": notice_id,
            "channel": channel,
            "openid": openid,
            "claimed_by": runner_id,
            "created_at": stamp,
            "updated_at": stamp,
            "status": "sending" if paused_until is None else "retry",
            "attempts": 1 if paused_until is None else 0,
            "next_attempt_at": paused_until,
            "reason": reason,
        }
        with self._statement() as conn:
            return conn.execute(_claim_statement(self.db.engine.dialect.name), row).scalar()

    def claim_retry(self, delivery_id: int, runner_id: str) -> int | None:
        with self._statement() as conn:
            return conn.scalar(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "retry")
                .values(
                    status="sending",
                    claimed_by=runner_id,
                    updated_at=datetime.now(UTC),
                    attempts=DeliveryRow.attempts + 1,
                )
                .returning(DeliveryRow.attempts)
            )

    def mark(self, delivery_id: int, runner_id: str, mark: Mark) -> None:
        """Record an outcome on a row we claimed ("uncertain" too: the truth wins if we live)."""
        params: dict[str, Any] = {
            "b_id": delivery_id,
            "b_runner": runner_id,
            "b_status": mark.status,
            "b_errcode": mark.errcode,
            "b_reason": mark.reason[:200],
            "b_updated_at": datetime.now(UTC),
            "b_next_attempt_at": mark.next_attempt_at,
            "b_msgid": None if mark.msgid is None else mark.msgid[:32],
        }
        stmt = _MARK
        if mark.attempts is not None:
            params["b_attempts"] = mark.attempts
            stmt = _MARK_ATTEMPTS
        with self._statement() as conn:
            conn.execute(stmt, params)

    def drop_unsubscribed(self, delivery_id: int) -> None:
        """Nothing more is ever sent to someone who unsubscribed or unfollowed."""
        with self._statement() as conn:
            conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "retry")
                .values(
                    status="undeliverable",
                    reason="no longer subscribed",
                    updated_at=datetime.now(UTC),
                )
            )
