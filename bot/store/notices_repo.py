"""SQL adapter for the scheduler's notices (jobs/ports.py `NoticeStore`): the rows kept in step
with the plans, and read for fan-out, preview, results and the catch-up rules.

A notice with deliveries is never touched by a sync (the foreign key forbids deleting it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update

from bot.store.campaigns_repo import plan_from_row
from bot.store.db import Database, insert_ignoring_conflicts
from bot.store.models import CampaignRow, DeliveryRow, NoticeRow, UserRow
from domain.notices import NoticeSpec
from domain.plan import Plan
from jobs.ports import OPEN, REPLACEABLE, DueNotice, SyncResult


def _has_deliveries() -> Any:
    return exists().where(DeliveryRow.notice_id == NoticeRow.id)


def _values(spec: NoticeSpec) -> dict[str, Any]:
    return {
        "campaign_code": spec.campaign_code,
        "kind": spec.kind,
        "unit": spec.unit,
        "due_at": spec.due_at,
        "title": spec.title[:200],
        "text": spec.text,
        "fields": dict(spec.fields),
    }


def notice_of(row: NoticeRow) -> DueNotice:
    """A notice row as plain values."""
    return DueNotice(
        row.id,
        row.key,
        row.campaign_code,
        row.kind,
        row.unit,
        row.due_at,
        row.title,
        row.text,
        dict(row.fields or {}),
        row.status,
    )


class SqlNotices:
    """The notices table over SQLAlchemy."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def plans(self, codes: Iterable[str] | None = None) -> list[Plan]:
        with self.db.session() as s:
            q = select(CampaignRow)
            if codes is not None:
                q = q.where(CampaignRow.code.in_(list(codes)))
            return [plan_from_row(row) for row in s.scalars(q).all()]

    def sync(self, code: str, specs: Sequence[NoticeSpec], now: datetime) -> SyncResult:
        by_key = {s.key: s for s in specs}
        result = SyncResult(total=len(by_key))
        with self.db.session() as s:
            rows = s.execute(
                select(NoticeRow, _has_deliveries().label("started")).where(
                    NoticeRow.campaign_code == code
                )
            ).all()
            existing = {row.key: (row, started) for row, started in rows}
            new = [
                {
                    "key": key,
                    **_values(spec),
                    "status": "scheduled",
                    "created_at": now,
                    "updated_at": now,
                }
                for key, spec in by_key.items()
                if key not in existing
            ]
            if new:
                s.execute(insert_ignoring_conflicts(self.db.engine.dialect.name, NoticeRow), new)
                result.added = len(new)
            for key, (row, started) in existing.items():
                spec = by_key.get(key)
                if spec is None or started or row.status != "scheduled":
                    continue
                values = _values(spec)
                if any(getattr(row, name) != value for name, value in values.items()):
                    s.execute(
                        update(NoticeRow)
                        .where(NoticeRow.id == row.id, NoticeRow.status == "scheduled")
                        .values(**values, updated_at=now)
                    )
                    result.updated += 1
            gone = [
                row.id
                for key, (row, started) in existing.items()
                if key not in by_key and not started and row.status in REPLACEABLE
            ]
            if gone:
                deleted = s.execute(
                    delete(NoticeRow).where(
                        NoticeRow.id.in_(gone),
                        NoticeRow.status.in_(REPLACEABLE),
                        ~_has_deliveries(),
                    )
                )
                result.removed = int(deleted.rowcount or 0)  # type: ignore[attr-defined]
        return result

    def due(
        self, now: datetime, statuses: tuple[str, ...] = OPEN, kind: str | None = None
    ) -> list[DueNotice]:
        """Notices in `statuses` whose time has come, oldest first."""
        with self.db.session() as s:
            q = select(NoticeRow).where(NoticeRow.status.in_(statuses), NoticeRow.due_at <= now)
            if kind is not None:
                q = q.where(NoticeRow.kind == kind)
            rows = s.scalars(q.order_by(NoticeRow.due_at, NoticeRow.id)).all()
            return [notice_of(r) for r in rows]

    def upcoming(self, start: datetime, end: datetime) -> list[DueNotice]:
        """Open notices due before `end` (and, unless already sending, not before `start`)."""
        with self.db.session() as s:
            rows = s.scalars(
                select(NoticeRow)
                .where(NoticeRow.status.in_(OPEN), NoticeRow.due_at <= end)
                .where((NoticeRow.due_at >= start) | (NoticeRow.status == "sending"))
                .order_by(NoticeRow.due_at, NoticeRow.id)
            ).all()
            return [notice_of(r) for r in rows]

    def recent(self, start: datetime, end: datetime) -> list[DueNotice]:
        """Notices started, finished or missed with a due time between `start` and `end`."""
        finished = ("sending", "done", "missed", "superseded", "cancelled")
        with self.db.session() as s:
            rows = s.scalars(
                select(NoticeRow)
                .where(NoticeRow.status.in_(finished))
                .where(NoticeRow.due_at >= start, NoticeRow.due_at <= end)
                .order_by(NoticeRow.due_at, NoticeRow.id)
            ).all()
            return [notice_of(r) for r in rows]

    def by_id(self, ids: Iterable[int]) -> dict[int, DueNotice]:
        with self.db.session() as s:
            rows = s.scalars(select(NoticeRow).where(NoticeRow.id.in_(list(ids)))).all()
            return {r.id: notice_of(r) for r in rows}

    def set_status(
        self, notice_id: int, status: str, *, when: tuple[str, ...], now: datetime
    ) -> bool:
        """Move a notice to `status` if it is in one of `when`; True if it now is."""
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if status == "sending":
            values["started_at"] = now
        elif status in ("done", "missed", "superseded"):
            values["finished_at"] = now
        with self.db.session() as s:
            s.execute(
                update(NoticeRow)
                .where(NoticeRow.id == notice_id, NoticeRow.status.in_(when))
                .values(**values)
            )
            return s.scalar(select(NoticeRow.status).where(NoticeRow.id == notice_id)) == status

    def audience(self, campaign_code: str, channel: str) -> dict[str, int]:
        """Following subscribers of a campaign, grouped by unit (a handful of rows)."""
        with self.db.session() as s:
            rows = s.execute(
                select(UserRow.unit, func.count())
                .where(
                    UserRow.campaign_code == campaign_code,
                    UserRow.channel == channel,
                    UserRow.subscribed.is_(True),
                    UserRow.following.is_(True),
                )
                .group_by(UserRow.unit)
            ).all()
        counts: dict[str, int] = {}
        for unit, count in rows:
            counts[unit or ""] = counts.get(unit or "", 0) + int(count)
        return counts

    def results(self, notice_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """Delivery counts per notice: status -> count, plus "failed:<errcode>" -> count."""
        ids = list(notice_ids)
        out: dict[int, dict[str, int]] = {i: {} for i in ids}
        if not ids:
            return out
        d = DeliveryRow
        with self.db.session() as s:
            rows = s.execute(
                select(d.notice_id, d.status, d.errcode, func.count())
                .where(d.notice_id.in_(ids))
                .group_by(d.notice_id, d.status, d.errcode)
            ).all()
        for notice_id, status, errcode, count in rows:
            bucket = out[notice_id]
            bucket[status] = bucket.get(status, 0) + int(count)
            if status in ("failed", "retry") and errcode is not None:
                name = f"{status}:{errcode}"
                bucket[name] = bucket.get(name, 0) + int(count)
        return out

    def retrying_deadlines(self, now: datetime) -> list[DueNotice]:
        with self.db.session() as s:
            return [
                notice_of(row)
                for row in s.scalars(
                    select(NoticeRow).where(
                        NoticeRow.kind == "deadline",
                        NoticeRow.status == "done",
                        NoticeRow.due_at <= now,
                        NoticeRow.id.in_(
                            select(DeliveryRow.notice_id).where(DeliveryRow.status == "retry")
                        ),
                    )
                )
            ]

    def later_deadlines(
        self, codes: Iterable[str], after: datetime, now: datetime
    ) -> list[tuple[str, datetime]]:
        with self.db.session() as s:
            rows = s.execute(
                select(NoticeRow.key, NoticeRow.due_at).where(
                    NoticeRow.kind == "deadline",
                    NoticeRow.campaign_code.in_(set(codes)),
                    NoticeRow.due_at > after,
                    NoticeRow.due_at <= now,
                    NoticeRow.status != "cancelled",
                )
            ).all()
        return [(key, due) for key, due in rows]

    def mark_superseded(self, notice: DueNotice, reason: str, now: datetime) -> bool:
        """The notice (unless it was fanned out already: "done" stays) and its waiting
        retries: who waits for a retry gets the later reminder instead."""
        with self.db.session() as s:
            changed = 0
            if notice.status != "done":
                changed = s.execute(
                    update(NoticeRow)
                    .where(NoticeRow.id == notice.id, NoticeRow.status == notice.status)
                    .values(status="superseded", updated_at=now, finished_at=now)
                ).rowcount  # type: ignore[attr-defined]
            if changed or notice.status == "done":
                changed += s.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.notice_id == notice.id, DeliveryRow.status == "retry")
                    .values(status="superseded", reason=reason, updated_at=now)
                ).rowcount  # type: ignore[attr-defined]
        return bool(changed)
