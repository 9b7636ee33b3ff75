"""Notice rows: kept in step with the loaded plans, and read for fan-out, preview and results.

`sync_campaign` turns a plan into notice rows (domain.notices.compute_notices): new keys are
inserted, notices that have not started get the latest text and time, and notices whose key
vanished (a moved deadline, a deleted task) are deleted if nothing was sent for them yet. A
notice with deliveries is never touched (the foreign key forbids deleting it anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from sqlalchemy import delete, exists, func, select, update

from bot.store.db import Database
from bot.store.models import CampaignRow, DeliveryRow, NoticeRow, UserRow
from bot.store.repos import plan_from_row
from domain.notices import NoticeSpec, compute_notices, unit_matches
from domain.plan import Plan

log = logging.getLogger(__name__)
OPEN = ("scheduled", "sending")  # notices the scheduler still works on
REPLACEABLE = ("scheduled", "missed", "superseded")  # deleted when their key vanishes


@dataclass(frozen=True)
class DueNotice:
    """A notice row as plain values."""

    id: int
    key: str
    campaign_code: str
    kind: str
    unit: str
    due_at: datetime
    title: str
    text: str
    fields: dict[str, str]
    status: str


@dataclass
class SyncResult:
    """What a sync changed: counts of inserted, updated and deleted notices."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    total: int = 0

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.total += other.total
        return self


def utcnow() -> datetime:
    """The real current moment in UTC."""
    return datetime.now(UTC)


def insert_ignoring_conflicts(dialect: str, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for `dialect` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).on_conflict_do_nothing()


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


def sync_campaign(
    db: Database, plan: Plan, reminder_time: time, reminder_days: Iterable[int], tz: tzinfo
) -> SyncResult:
    """Bring the campaign's notice rows in line with `plan`; safe to run concurrently."""
    specs = {s.key: s for s in compute_notices(plan, reminder_time, reminder_days, tz)}
    now = utcnow()
    result = SyncResult(total=len(specs))
    with db.session() as s:
        rows = s.execute(
            select(NoticeRow, _has_deliveries().label("started")).where(
                NoticeRow.campaign_code == plan.code
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
            for key, spec in specs.items()
            if key not in existing
        ]
        if new:
            s.execute(insert_ignoring_conflicts(db.engine.dialect.name, NoticeRow), new)
            result.added = len(new)
        for key, (row, started) in existing.items():
            spec = specs.get(key)
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
            if key not in specs and not started and row.status in REPLACEABLE
        ]
        if gone:
            deleted = s.execute(
                delete(NoticeRow).where(
                    NoticeRow.id.in_(gone), NoticeRow.status.in_(REPLACEABLE), ~_has_deliveries()
                )
            )
            result.removed = int(deleted.rowcount or 0)  # type: ignore[attr-defined]
    return result


def sync_all(
    db: Database,
    reminder_time: time,
    reminder_days: Iterable[int],
    tz: tzinfo,
    codes: Iterable[str] | None = None,
) -> SyncResult:
    """Sync every loaded campaign (or only `codes`)."""
    days = tuple(reminder_days)
    with db.session() as s:
        q = select(CampaignRow)
        if codes is not None:
            q = q.where(CampaignRow.code.in_(list(codes)))
        plans = [plan_from_row(row) for row in s.scalars(q).all()]
    total = SyncResult()
    for plan in plans:
        total += sync_campaign(db, plan, reminder_time, days, tz)
    return total


def sync_for_state(state: Any, code: str | None = None) -> SyncResult:
    """Sync with the process's settings (the `plan load` hook and scheduler start)."""
    settings = state.settings
    result = sync_all(
        state.db,
        settings.reminder_time,
        settings.reminder_days,
        settings.tz,
        None if code is None else [code],
    )
    log.info(
        "notices synced: %s added, %s updated, %s removed (%s in plan)",
        result.added,
        result.updated,
        result.removed,
        result.total,
    )
    return result


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


def due_notices(
    db: Database, now: datetime, statuses: tuple[str, ...] = OPEN, kind: str | None = None
) -> list[DueNotice]:
    """Notices in `statuses` (default: not finished) whose time has come, oldest first."""
    with db.session() as s:
        q = select(NoticeRow).where(NoticeRow.status.in_(statuses), NoticeRow.due_at <= now)
        if kind is not None:
            q = q.where(NoticeRow.kind == kind)
        rows = s.scalars(q.order_by(NoticeRow.due_at, NoticeRow.id)).all()
        return [notice_of(r) for r in rows]


def upcoming(db: Database, start: datetime, end: datetime) -> list[DueNotice]:
    """Open notices due before `end` (and, unless already sending, not before `start`)."""
    with db.session() as s:
        rows = s.scalars(
            select(NoticeRow)
            .where(NoticeRow.status.in_(OPEN), NoticeRow.due_at <= end)
            .where((NoticeRow.due_at >= start) | (NoticeRow.status == "sending"))
            .order_by(NoticeRow.due_at, NoticeRow.id)
        ).all()
        return [notice_of(r) for r in rows]


def notices_by_id(db: Database, ids: Iterable[int]) -> dict[int, DueNotice]:
    """Notice rows by id."""
    with db.session() as s:
        rows = s.scalars(select(NoticeRow).where(NoticeRow.id.in_(list(ids)))).all()
        return {r.id: notice_of(r) for r in rows}


def set_status(
    db: Database, notice_id: int, status: str, *, when: tuple[str, ...], now: datetime | None = None
) -> bool:
    """Move a notice to `status` if it is in one of `when`; True if it now is."""
    now = now or utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "sending":
        values["started_at"] = now
    elif status in ("done", "missed", "superseded"):
        values["finished_at"] = now
    with db.session() as s:
        s.execute(
            update(NoticeRow)
            .where(NoticeRow.id == notice_id, NoticeRow.status.in_(when))
            .values(**values)
        )
        return s.scalar(select(NoticeRow.status).where(NoticeRow.id == notice_id)) == status


@dataclass
class Audience:
    """Subscribers of one campaign on one channel, counted per bound unit."""

    per_unit: dict[str, int] = field(default_factory=dict)  # "" = no unit bound

    def units_for(self, notice_unit: str) -> list[str] | None:
        """The bound units a notice addresses (None = everyone)."""
        if not notice_unit:
            return None
        return [u for u in self.per_unit if u and unit_matches(u, notice_unit)]

    def size(self, notice_unit: str) -> int:
        """How many subscribers a notice for `notice_unit` reaches."""
        units = self.units_for(notice_unit)
        if units is None:
            return sum(self.per_unit.values())
        return sum(self.per_unit[u] for u in units)


def audience(db: Database, campaign_code: str, channel: str = "wechat") -> Audience:
    """Following subscribers of a campaign, grouped by unit (a handful of rows)."""
    with db.session() as s:
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
    return Audience(counts)


def results(db: Database, notice_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Delivery counts per notice: status -> count, plus "failed:<errcode>" -> count."""
    ids = list(notice_ids)
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    with db.session() as s:
        rows = s.execute(
            select(DeliveryRow.notice_id, DeliveryRow.status, DeliveryRow.errcode, func.count())
            .where(DeliveryRow.notice_id.in_(ids))
            .group_by(DeliveryRow.notice_id, DeliveryRow.status, DeliveryRow.errcode)
        ).all()
    for notice_id, status, errcode, count in rows:
        bucket = out[notice_id]
        bucket[status] = bucket.get(status, 0) + int(count)
        if status in ("failed", "retry") and errcode is not None:
            name = f"{status}:{errcode}"
            bucket[name] = bucket.get(name, 0) + int(count)
    return out


def recent(db: Database, start: datetime, end: datetime) -> list[DueNotice]:
    """Notices started, finished or missed with a due time between `start` and `end`."""
    with db.session() as s:
        rows = s.scalars(
            select(NoticeRow)
            .where(NoticeRow.status.in_(("sending", "done", "missed", "superseded", "cancelled")))
            .where(NoticeRow.due_at >= start, NoticeRow.due_at <= end)
            .order_by(NoticeRow.due_at, NoticeRow.id)
        ).all()
        return [notice_of(r) for r in rows]
