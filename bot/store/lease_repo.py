"""SQL adapter for the scheduler's leases (jobs/ports.py `LeaseStore`; jobs/lease.py explains
the leader lease and the runner heartbeats), and the sweep of deliveries whose runner died."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from bot.store.db import Database, insert_ignoring_conflicts
from bot.store.models import DeliveryRow, JobLeaseRow


class SqlLeases:
    """The job_leases table over SQLAlchemy."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, name: str, holder: str, now: datetime, expires: datetime) -> bool:
        """Take the lease if free or expired, or renew it if `holder`'s."""
        with self.db.session() as s:
            result = s.execute(
                update(JobLeaseRow)
                .where(JobLeaseRow.name == name)
                .where(or_(JobLeaseRow.holder == holder, JobLeaseRow.expires_at < now))
                .values(holder=holder, expires_at=expires)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return True
        # No row yet: create it (no error when another process has just done so).
        stmt = insert_ignoring_conflicts(self.db.engine.dialect.name, JobLeaseRow).values(
            name=name, holder=holder, expires_at=expires
        )
        with self.db.session() as s:
            return bool(s.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def release(self, name: str, holder: str) -> None:
        with self.db.session() as s:
            s.execute(
                delete(JobLeaseRow).where(JobLeaseRow.name == name, JobLeaseRow.holder == holder)
            )

    def live(self, names: Iterable[str], now: datetime) -> set[str]:
        with self.db.session() as s:
            rows = s.execute(
                select(JobLeaseRow.holder).where(
                    JobLeaseRow.name.in_(list(names)), JobLeaseRow.expires_at >= now
                )
            ).all()
        return {holder for (holder,) in rows}

    def get(self, name: str) -> tuple[str, datetime] | None:
        with self.db.session() as s:
            row = s.get(JobLeaseRow, name)
            return (row.holder, row.expires_at) if row else None

    def prune(self, prefix: str, before: datetime) -> int:
        with self.db.session() as s:
            result = s.execute(
                delete(JobLeaseRow).where(
                    JobLeaseRow.name.startswith(prefix), JobLeaseRow.expires_at < before
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def sending_runners(self) -> set[str]:
        """The runners stamped on deliveries still "sending"."""
        with self.db.session() as s:
            return set(
                s.scalars(
                    select(DeliveryRow.claimed_by).where(DeliveryRow.status == "sending").distinct()
                ).all()
            )

    def mark_uncertain(self, runners: Iterable[str], reason: str, now: datetime) -> int:
        with self.db.session() as s:
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.status == "sending", DeliveryRow.claimed_by.in_(list(runners)))
                .values(status="uncertain", updated_at=now, reason=reason)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
