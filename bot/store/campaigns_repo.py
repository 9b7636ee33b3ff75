"""SQL implementation of the campaign port (handlers/ports.py `CampaignStore`): plans cached
per process and re-read when a plan is loaded, and `save_plan`."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import redis
from sqlalchemy import func, select

from bot.store.campaign_names import check_unique_name
from bot.store.db import Database
from bot.store.models import CampaignRow, PhaseRow, TaskRow
from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import (
    CampaignInfo,
)

PLAN_REVISION_KEY = "plans:revision"
DB_CHECK_EVERY = 5.0  # seconds
REVISION_CHECK_EVERY = 1.0  # seconds: how stale another worker's plan may be


def _now() -> datetime:
    return datetime.now(UTC)


def plan_from_row(row: CampaignRow) -> Plan:
    return Plan(
        code=row.code,
        name=row.name,
        year=row.year,
        topics=tuple(row.topics or ()),
        phases=tuple(
            Phase(p.name, DateSpan(p.start, p.end, p.when_text), p.summary) for p in row.phases
        ),
        tasks=tuple(
            Task(
                title=t.title,
                group=t.group,
                detail=t.detail,
                owner=t.owner,
                due=DateSpan(t.due_start, t.due_end, t.due_text)
                if t.due_end is not None and t.due_start is not None
                else None,
            )
            for t in row.tasks
        ),
    )


class SqlCampaignStore:
    """Campaigns from the database, cached in process and re-read when a plan is loaded.

    A `plan load` bumps a revision counter in Redis; each process compares it (one GET) before
    answering, so every worker sees a new plan at once without reading all rows per message.
    """

    def __init__(self, db: Database, kv: redis.Redis, key_prefix: str = "") -> None:
        self.db = db
        self.kv = kv
        self.revision_key = key_prefix + PLAN_REVISION_KEY
        self._lock = threading.Lock()
        self._revision: bytes | None = None
        self._db_checked = -1e9
        self._db_signature = b""
        self._kv_checked = -1e9
        self._kv_revision = b"0"
        self._plans: dict[str, Plan] = {}
        self._infos: list[CampaignInfo] = []

    def _signature(self) -> bytes:
        """Redis's revision counter, plus (every few seconds) the database's own revisions, so a
        plan loaded by a process that shares no Redis with us (embedded store) is seen too."""
        now = time.monotonic()
        if now - self._kv_checked < REVISION_CHECK_EVERY:
            return self._kv_revision + b":" + self._db_signature
        raw = self.kv.get(self.revision_key) or b"0"
        revision = raw if isinstance(raw, bytes) else str(raw).encode()
        self._kv_revision, self._kv_checked = revision, now
        if now - self._db_checked > DB_CHECK_EVERY:
            with self.db.session() as s:
                total, count = s.execute(
                    select(func.coalesce(func.sum(CampaignRow.revision), 0), func.count())
                ).one()
            self._db_signature = f"{total}/{count}".encode()
            self._db_checked = now
        return revision + b":" + self._db_signature

    def _refresh(self) -> None:
        signature = self._signature()
        if signature == self._revision:
            return
        with self._lock:
            if signature == self._revision:
                return
            with self.db.session() as s:
                rows = s.scalars(select(CampaignRow)).all()
                # Sorted here, not by the database: collations differ between SQLite and PG.
                rows = sorted(rows, key=lambda r: (r.name, r.code))
                plans = {row.code: plan_from_row(row) for row in rows}
            self._plans = plans
            self._infos = [CampaignInfo(p.code, p.name, p.topics) for p in plans.values()]
            self._revision = signature

    def active(self) -> list[CampaignInfo]:
        self._refresh()
        return list(self._infos)

    def plan(self, code: str) -> Plan | None:
        self._refresh()
        return self._plans.get(code)

    def invalidate(self) -> None:
        """Tell every process to re-read the plans (after a plan load)."""
        self.kv.incr(self.revision_key)
        self._revision = None
        self._db_checked = self._kv_checked = -1e9


def save_plan(db: Database, plan: Plan, source: str = "") -> tuple[bool, int]:
    """Create or update a campaign by code; phases and tasks are replaced by the plan's.

    Returns (created, revision). Raises DuplicateCampaignName (nothing saved) when another
    campaign already has the plan's name.
    """
    with db.session() as s:
        check_unique_name(s, plan)
        row = s.scalars(select(CampaignRow).where(CampaignRow.code == plan.code)).first()
        created = row is None
        if row is None:
            row = CampaignRow(code=plan.code, revision=0)
            s.add(row)
        row.name = plan.name
        row.year = plan.year
        row.topics = list(plan.topics)
        row.source = source
        row.revision = (row.revision or 0) + 1
        row.updated_at = _now()
        row.phases = [
            PhaseRow(
                seq=i,
                name=p.name,
                when_text=p.span.text,
                start=p.span.start,
                end=p.span.end,
                summary=p.summary,
            )
            for i, p in enumerate(plan.phases)
        ]
        row.tasks = [
            TaskRow(
                seq=i,
                title=t.title,
                group=t.group,
                detail=t.detail,
                owner=t.owner,
                due_text=t.due.text if t.due else "",
                due_start=t.due.start if t.due else None,
                due_end=t.due.end if t.due else None,
            )
            for i, t in enumerate(plan.tasks)
        ]
        s.flush()
        return created, row.revision


class SqlPlanStore:
    """services/ports.py `PlanStore`: `save_plan`, and the campaigns cache told to re-read."""

    def __init__(self, db: Database, campaigns: SqlCampaignStore) -> None:
        self.db, self.campaigns = db, campaigns

    def save(self, plan: Plan, source: str) -> tuple[bool, int]:
        return save_plan(self.db, plan, source)

    def invalidate(self) -> None:
        self.campaigns.invalidate()
