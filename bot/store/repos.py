"""SQL implementations of the handler ports (handlers/ports.py) and plan persistence."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import redis
from sqlalchemy import bindparam, case, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bot.privacy import Pseudonymizer
from bot.store.campaign_names import check_unique_name
from bot.store.db import Database
from bot.store.models import CampaignRow, PhaseRow, SuggestionRow, TaskRow, UserRow
from bot.store.users_seen import touch_many_pg
from domain import suggestion as rules
from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import (
    CampaignInfo,
    NewSuggestion,
    Profile,
    Submitted,
    SuggestionRecord,
    submit_in_steps,
)

PLAN_REVISION_KEY = "plans:revision"
DB_CHECK_EVERY = 5.0  # seconds
REVISION_CHECK_EVERY = 1.0  # seconds: how stale another worker's plan may be


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: SuggestionRow) -> SuggestionRecord:
    return SuggestionRecord(
        ticket=row.ticket,
        campaign_code=row.campaign_code,
        topic=row.topic,
        content=row.content,
        status=row.status,
        created_at=row.created_at,
        attachments=len(row.attachments or []),
    )


# SuggestionStore.submit on PostgreSQL: the duplicate and hourly checks and the insert as one
# statement, so a submission costs one round trip. `mine` finds a retried message's own row;
# `stored` is NULL when a check refused it or a unique key (source_key, ticket) was taken.
# It is PREPAREd once per connection: planning this statement cost PostgreSQL more than
# running it (pgbench, 2 clients: 1,660 statements/s planned each time, 2,980/s prepared).
_SUBMIT_ARGS = (  # (parameter, PostgreSQL type), in $1… order
    ("ticket", "text"),
    ("campaign_code", "text"),
    ("topic", "text"),
    ("content", "text"),
    ("content_hash", "text"),
    ("status", "text"),
    ("created_at", "timestamptz"),
    ("channel", "text"),
    ("user_openid", "text"),
    ("author", "text"),
    ("source_key", "text"),
    ("attachments", "json"),
    ("hour", "timestamptz"),
    ("day", "timestamptz"),
    ("per_hour", "bigint"),
)
_SUBMIT_SQL = """
WITH prior AS (
    SELECT
        (SELECT ticket FROM suggestions WHERE source_key = $11) AS mine,
        (SELECT ticket FROM suggestions
          WHERE user_openid = $9 AND content_hash = $5 AND created_at >= $14
          ORDER BY created_at LIMIT 1) AS same,
        (SELECT count(*) FROM suggestions WHERE user_openid = $9 AND created_at >= $13) AS n
), stored AS (
    INSERT INTO suggestions (ticket, campaign_code, topic, content, content_hash, status,
                             created_at, channel, user_openid, author, source_key, attachments)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
    FROM prior
    WHERE prior.mine IS NULL AND prior.same IS NULL AND prior.n < $15
    ON CONFLICT DO NOTHING
    RETURNING ticket
)
SELECT prior.mine, prior.same, prior.n, (SELECT ticket FROM stored) AS stored FROM prior
"""
_PREPARE_SUBMIT = (
    f"PREPARE bot_submit ({', '.join(kind for _, kind in _SUBMIT_ARGS)}) AS {_SUBMIT_SQL}"
)
_EXECUTE_SUBMIT = f"EXECUTE bot_submit ({', '.join(f'%({name})s' for name, _ in _SUBMIT_ARGS)})"


class SqlSuggestionStore:
    """Suggestions in the database; `source_key` is unique, so a retried message stores once."""

    def __init__(self, db: Database, pseudonym: Pseudonymizer) -> None:
        self.db = db
        self.pseudonym = pseudonym
        # The hot path's statements, built once (building one costs more than running it).
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        self._insert = insert(SuggestionRow).on_conflict_do_nothing().returning(SuggestionRow.id)
        self._by_source = select(SuggestionRow).where(
            SuggestionRow.source_key == bindparam("source_key")
        )
        mine = SuggestionRow.user_openid == bindparam("user")
        count = select(func.count()).where(mine, SuggestionRow.created_at >= bindparam("hour"))
        same = (
            select(SuggestionRow.ticket)
            .where(
                mine,
                SuggestionRow.content_hash == bindparam("hash"),
                SuggestionRow.created_at >= bindparam("day"),
            )
            .order_by(SuggestionRow.created_at)
            .limit(1)
        )
        self._recent = select(count.scalar_subquery(), same.scalar_subquery())

    def _values(self, new: NewSuggestion) -> dict[str, object]:
        return {
            "campaign_code": new.campaign_code,
            "topic": new.topic,
            "content": new.content,
            "content_hash": rules.fingerprint(new.content),
            "status": rules.PENDING,
            "created_at": new.created_at,
            "channel": new.channel,
            "user_openid": new.user,
            "author": self.pseudonym.of(new.user),
            "source_key": new.source_key,
            "attachments": list(new.attachments),
        }

    @staticmethod
    def _new_record(ticket: str, new: NewSuggestion) -> SuggestionRecord:
        return SuggestionRecord(
            ticket=ticket,
            campaign_code=new.campaign_code,
            topic=new.topic,
            content=new.content,
            status=rules.PENDING,
            created_at=new.created_at,
            attachments=len(new.attachments),
        )

    def create(self, new: NewSuggestion) -> tuple[SuggestionRecord, bool]:
        """One INSERT … ON CONFLICT DO NOTHING RETURNING, committed by itself. Nothing returned
        means the source key (a retried message: give back that record) or, about once in a
        billion, the random ticket was taken (draw another)."""
        values = self._values(new)
        with self.db.autocommit() as conn:
            for _ in range(8):
                ticket = rules.new_ticket()
                if conn.execute(self._insert, {"ticket": ticket, **values}).first() is not None:
                    return self._new_record(ticket, new), True
                found = conn.execute(self._by_source, {"source_key": new.source_key}).first()
                if found is not None:
                    return _record(found), False  # type: ignore[arg-type]
        raise RuntimeError("could not allocate a unique ticket")

    def submit(
        self, new: NewSuggestion, hour_since: datetime, day_since: datetime, per_hour: int
    ) -> Submitted:
        """The checks and the insert in one statement on PostgreSQL (see _SUBMIT_SQL); in
        steps elsewhere. A concurrent copy of the same message, or a ticket drawn twice,
        stores nothing: then the copy's record is looked up, or another ticket drawn."""
        if self.db.engine.dialect.name != "postgresql":
            return submit_in_steps(self, new, hour_since, day_since, per_hour)
        params = {
            **self._values(new),
            "attachments": json.dumps(list(new.attachments), ensure_ascii=False),
            "hour": hour_since,
            "day": day_since,
            "per_hour": per_hour,
        }
        with self.db.autocommit() as conn:
            prepared = conn.connection.info  # lives as long as the database connection
            if not prepared.get("bot_submit"):
                conn.exec_driver_sql(_PREPARE_SUBMIT)
                prepared["bot_submit"] = True
            for _ in range(8):
                ticket = rules.new_ticket()
                row = conn.exec_driver_sql(_EXECUTE_SUBMIT, {**params, "ticket": ticket}).one()
                if row.stored is not None:
                    return Submitted(self._new_record(ticket, new), None, int(row.n))
                if row.mine is not None or row.same is None and row.n < per_hour:
                    # Stored from this message (now or before), or the ticket was taken.
                    found = conn.execute(self._by_source, {"source_key": new.source_key}).first()
                    if found is not None:
                        return Submitted(_record(found), None, int(row.n))  # type: ignore[arg-type]
                    continue
                return Submitted(None, row.same, int(row.n))
        raise RuntimeError("could not allocate a unique ticket")

    def by_source(self, source_key: str) -> SuggestionRecord | None:
        with self.db.autocommit() as conn:
            row = conn.execute(self._by_source, {"source_key": source_key}).first()
        return _record(row) if row is not None else None  # type: ignore[arg-type]

    def recent(
        self, user: str, content: str, hour_since: datetime, day_since: datetime
    ) -> tuple[int, str | None]:
        params = {
            "user": user,
            "hash": rules.fingerprint(content),
            "hour": hour_since,
            "day": day_since,
        }
        with self.db.autocommit() as conn:
            row = conn.execute(self._recent, params).one()
        return int(row[0] or 0), row[1]

    def for_user(self, user: str, limit: int = 10) -> tuple[list[SuggestionRecord], int]:
        with self.db.session() as s:
            rows = s.scalars(
                select(SuggestionRow)
                .where(SuggestionRow.user_openid == user)
                .order_by(SuggestionRow.created_at.desc(), SuggestionRow.id.desc())
                .limit(limit)
            ).all()
            total = s.scalar(select(func.count()).where(SuggestionRow.user_openid == user))
            return [_record(r) for r in rows], int(total or 0)

    def by_ticket(self, user: str, ticket: str) -> SuggestionRecord | None:
        with self.db.session() as s:
            row = s.scalars(
                select(SuggestionRow).where(
                    SuggestionRow.ticket == ticket, SuggestionRow.user_openid == user
                )
            ).first()
            return _record(row) if row else None


_PROFILE = select(UserRow.campaign_code, UserRow.unit, UserRow.subscribed, UserRow.following).where(
    UserRow.openid == bindparam("user")
)


class SqlUserStore:
    """Users' choices (campaign, unit) and follow/subscribe state."""

    def __init__(self, db: Database, pseudonym: Pseudonymizer, channel: str = "wechat") -> None:
        self.db = db
        self.pseudonym = pseudonym
        self.channel = channel

    def _get_or_create(self, s, user: str) -> UserRow:  # type: ignore[no-untyped-def]
        row = s.get(UserRow, user)
        if row is None:
            row = UserRow(
                openid=user,
                pseudonym=self.pseudonym.of(user),
                channel=self.channel,
                following=True,
                subscribed=False,
                updated_at=_now(),
            )
            s.add(row)
        return row

    def _update(self, user: str, **values: object) -> None:
        for attempt in range(2):  # a concurrent first insert of the same user: retry once
            try:
                with self.db.session() as s:
                    row = self._get_or_create(s, user)
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = _now()
                return
            except IntegrityError:
                if attempt:
                    raise

    def profile(self, user: str) -> Profile:
        with self.db.autocommit() as conn:
            row = conn.execute(_PROFILE, {"user": user}).first()
        if row is None:
            return Profile()
        return Profile(row.campaign_code, row.unit, row.subscribed, row.following)

    def set_campaign(self, user: str, code: str) -> None:
        self._update(user, campaign_code=code, unit=None)

    def set_unit(self, user: str, code: str, unit: str) -> None:
        self._update(user, campaign_code=code, unit=unit)

    def set_following(self, user: str, following: bool) -> None:
        if following:
            self._update(user, following=True)
        else:
            self._update(user, following=False, subscribed=False)

    def set_subscribed(self, user: str, subscribed: bool) -> None:
        self._update(user, subscribed=subscribed)

    def touch_many(self, seen: dict[str, datetime]) -> None:
        """Record the last inbound message of many users in one upsert (bot/seen.py batches
        them). A later time wins. A message newer than the row's last change also marks the
        user as following (only followers can write), but one that was queued before an
        unfollow was handled does not undo it."""
        if not seen:
            return
        now = _now()
        if self.db.engine.dialect.name == "postgresql":  # one fixed statement over arrays
            with self.db.autocommit() as conn:
                touch_many_pg(conn, seen, self.pseudonym.of, self.channel, now)
            return
        rows = [
            {
                "openid": user,
                "pseudonym": self.pseudonym.of(user),
                "channel": self.channel,
                "following": True,
                "subscribed": False,
                "last_inbound_at": when,
                "updated_at": now,
            }
            for user, when in sorted(seen.items())  # one lock order for concurrent batches
        ]
        table = UserRow.__table__
        insert = pg_insert if self.db.engine.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(UserRow).values(rows)
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.openid],
            set_={
                "last_inbound_at": case(
                    (
                        or_(
                            table.c.last_inbound_at.is_(None),
                            table.c.last_inbound_at < new.last_inbound_at,
                        ),
                        new.last_inbound_at,
                    ),
                    else_=table.c.last_inbound_at,
                ),
                "following": case(
                    (new.last_inbound_at > table.c.updated_at, true()),
                    else_=table.c.following,
                ),
                "updated_at": case(
                    (new.last_inbound_at > table.c.updated_at, new.updated_at),
                    else_=table.c.updated_at,
                ),
            },
        )
        with self.db.autocommit() as conn:
            conn.execute(stmt)


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
