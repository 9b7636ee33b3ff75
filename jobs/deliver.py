"""Fan-out of a notice to its recipients over a channel, with retries: exactly once, or says so.

Why "exactly once" holds, and where it cannot
---------------------------------------------
Every (notice, recipient) pair gets one row in ``deliveries``, protected by a unique
constraint. The row is inserted with status "sending" *before* the message goes out (the
insert is the claim: of two processes, or of a scheduler and a ``jobs run``, only one can
insert it) and is marked "sent" (or failed, retry, undeliverable) *after* WeChat answers. A
recipient who already has a row is never picked again, so a second scheduler, a second
``jobs run`` or a restart after a crash never sends to the same person twice.

What no design can promise is exactly-once *across a crash*: WeChat's send APIs take no
idempotency key, so when a process dies between sending a request and recording the answer,
nobody can know whether WeChat delivered the message. Sending again could notify the person
twice; not sending could leave them without the notice. We choose never twice: such rows stay
"sending" with the id of the process that claimed them, and once that process's heartbeat
has expired (see jobs/lease.py) they are marked "uncertain" for a person to check (for
example by asking the recipient). A row is claimed by the worker thread right before its
send, so at most the sends in flight at the moment of the crash (the fan-out's concurrency,
16 by default) can end up "uncertain"; everyone else is delivered exactly once.

Retries: errors WeChat asks us to wait out (45009 daily quota, 45011 per-minute limit, -1
busy, HTTP 5xx, timeouts) put the row in "retry" with a later ``next_attempt_at`` (bounded:
MAX_ATTEMPTS calls in all); 45009/45011 also pause the channel, so the rest of the fan-out is
recorded as "retry" without calling WeChat. Token errors are refreshed and retried by the
client itself. 43004, 43101, 45015, 45047 and other refusals are recorded as "failed".
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.store.db import Database
from bot.store.models import DeliveryRow, NoticeRow, UserRow
from domain.notices import is_quiet, shift_out_of_quiet
from jobs import notices_store as store
from jobs.channels import (  # noqa: F401 - re-exported: jobs.deliver.Channel etc.
    Channel,
    ChannelError,
    Message,
    OfficialAccountChannel,
    Recipient,
    Undeliverable,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
PAUSE_ERRORS = frozenset({45009, 45011})
POOL_RESERVE = 4  # database connections a fan-out leaves to everybody else
PAUSED = "channel paused by WeChat's rate limit (45009/45011)"


class _Connections:
    """One autocommit connection per worker thread, kept for a whole fan-out. Each delivery
    statement (the claim, the mark) is atomic on its own, so autocommit makes it one round
    trip instead of BEGIN/statement/COMMIT, and no checkout (with its pre-ping) per send."""

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


@dataclass
class DeliveryContext:
    """What a fan-out needs: where to record, how to send, who is acting."""

    db: Database
    channels: Sequence[Channel]
    tz: tzinfo
    runner_id: str
    pseudonym: Callable[[str], str]
    concurrency: int = 16
    batch: int = 200  # recipients read per query (claims are one by one, right before sending)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # the run's clock
    keep_going: Callable[[], bool] = field(default=lambda: True)  # False: stop soon
    conns: _Connections | None = None  # per-thread connections while a pool runs
    paused_until: dict[str, datetime] = field(default_factory=dict)  # per channel name
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pause(self, channel: str, until: datetime) -> None:
        """Stop calling `channel` until `until` (45009 / 45011)."""
        with self._lock:
            if self.paused_until.get(channel, until) <= until:
                self.paused_until[channel] = until

    def pause_of(self, channel: str, now: datetime) -> datetime | None:
        """The end of the channel's pause, if it is paused at `now`."""
        until = self.paused_until.get(channel)
        return until if until is not None and until > now else None

    def statement(self) -> AbstractContextManager[Connection]:
        """An autocommit connection for one delivery statement."""
        return self.conns.statement() if self.conns is not None else _one_off(self.db.engine)


@dataclass
class Outcome:
    """How one delivery ended this time ("taken": another runner has it)."""

    status: str
    errcode: int | None = None
    reason: str = ""
    next_attempt_at: datetime | None = None
    attempts: int | None = None  # set when the count must change (no call was made)


class Tally:
    """Thread-safe counts of outcomes per notice (this run only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[int, Counter[str]] = {}

    def add(self, notice_id: int, outcome: Outcome) -> None:
        """Count one outcome ("failed:43004"-style keys for error codes too)."""
        with self._lock:
            if outcome.status == "taken":
                return
            bucket = self.counts.setdefault(notice_id, Counter())
            bucket[outcome.status] += 1
            if outcome.errcode is not None and outcome.status in ("failed", "retry"):
                bucket[f"{outcome.status}:{outcome.errcode}"] += 1


def retry_at(errcode: int, attempts: int, now: datetime, tz: tzinfo) -> datetime:
    """When to try again after a retry_later error on the `attempts`-th call (quiet-shifted):
    45009 (daily quota) the next morning; 45011 (per-minute limit) a minute per attempt;
    anything else 30 s doubling per attempt, at most 30 min."""
    if errcode == 45009:
        local = now.astimezone(tz)
        later = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
    elif errcode == 45011:
        later = now + timedelta(minutes=attempts)
    else:
        later = now + min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(minutes=30))
    return shift_out_of_quiet(later, tz)


def classify(error: ChannelError, attempts: int, now: datetime, tz: tzinfo) -> Outcome:
    """The outcome of a failed call: failed (give up, or out of attempts) or retry later."""
    if error.kind == "give_up":
        return Outcome("failed", error.errcode, error.reason)
    if attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {attempts} attempts: {error.reason}"
        return Outcome("failed", error.errcode, reason)
    return Outcome("retry", error.errcode, error.reason, retry_at(error.errcode, attempts, now, tz))


def _mark_statement(with_attempts: bool) -> Any:
    """The UPDATE that records an outcome, built once (building costs more than running)."""
    values: dict[str, Any] = {
        "status": bindparam("b_status"),
        "errcode": bindparam("b_errcode"),
        "reason": bindparam("b_reason"),
        "updated_at": bindparam("b_updated_at"),
        "next_attempt_at": bindparam("b_next_attempt_at"),
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


def _mark(ctx: DeliveryContext, delivery_id: int, outcome: Outcome) -> None:
    """Record an outcome on a row we claimed ("uncertain" too: the truth wins if we live)."""
    params: dict[str, Any] = {
        "b_id": delivery_id,
        "b_runner": ctx.runner_id,
        "b_status": outcome.status,
        "b_errcode": outcome.errcode,
        "b_reason": outcome.reason[:200],
        "b_updated_at": datetime.now(UTC),
        "b_next_attempt_at": outcome.next_attempt_at,
    }
    stmt = _MARK
    if outcome.attempts is not None:
        params["b_attempts"] = outcome.attempts
        stmt = _MARK_ATTEMPTS
    for attempt in range(3):
        try:
            with ctx.statement() as conn:  # Core, not the ORM: this runs per send
                conn.execute(stmt, params)
            return
        except SQLAlchemyError as exc:
            log.warning("recording delivery %s failed (%s)", delivery_id, type(exc).__name__)
            threading.Event().wait(0.5 * (attempt + 1))


def _send(
    ctx: DeliveryContext,
    channel: Channel,
    delivery_id: int,
    recipient: Recipient,
    message: Message,
    attempts: int,
) -> Outcome:
    """Send one claimed delivery and record how it went."""
    who = ctx.pseudonym(recipient.openid)
    paused = ctx.pause_of(channel.name, ctx.now())
    if paused is not None:  # another send hit the rate limit meanwhile: do not call at all
        outcome = Outcome("retry", None, PAUSED, paused, attempts - 1)
        _mark(ctx, delivery_id, outcome)
        return outcome
    try:
        channel.send(recipient, message)
        outcome = Outcome("sent")
    except Undeliverable as exc:
        outcome = Outcome("undeliverable", reason=exc.reason)
    except ChannelError as exc:
        outcome = classify(exc, attempts, ctx.now(), ctx.tz)
        if exc.errcode in PAUSE_ERRORS and outcome.next_attempt_at is not None:
            ctx.pause(channel.name, outcome.next_attempt_at)
        log.info(
            "notice %s to %s: %s (errcode %s, attempt %s)",
            message.notice_id,
            who,
            outcome.status,
            exc.errcode,
            attempts,
        )
    except Exception as exc:  # noqa: BLE001 - unknown state: never resend, let a person check
        # Type only: messages of database or client errors may quote parameters (openids).
        log.error("notice %s to %s: unexpected %s", message.notice_id, who, type(exc).__name__)
        log.debug("unexpected error detail", exc_info=True)
        outcome = Outcome("uncertain", reason=f"unexpected error: {type(exc).__name__}")
    _mark(ctx, delivery_id, outcome)
    return outcome


def _stopping(ctx: DeliveryContext) -> bool:
    return not ctx.keep_going() or is_quiet(ctx.now(), ctx.tz)


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id for a new delivery row, built once."""
    return store.insert_ignoring_conflicts(dialect, DeliveryRow).returning(DeliveryRow.id)


def send_new(
    ctx: DeliveryContext,
    channel: Channel,
    recipient: Recipient,
    message: Message,
) -> Outcome:
    """Claim (insert the row) and send, in the worker thread: only rows actually being sent
    are ever "sending". While the channel is paused the row is recorded as "retry"."""
    paused = ctx.pause_of(channel.name, ctx.now())
    stamp = datetime.now(UTC)
    row = {
        "notice_id": message.notice_id,
        "channel": channel.name,
        "openid": recipient.openid,
        "claimed_by": ctx.runner_id,
        "created_at": stamp,
        "updated_at": stamp,
        "status": "sending" if paused is None else "retry",
        "attempts": 1 if paused is None else 0,
        "next_attempt_at": paused,
        "reason": "" if paused is None else PAUSED,
    }
    with ctx.statement() as conn:
        delivery_id = conn.execute(_claim_statement(ctx.db.engine.dialect.name), row).scalar()
    if delivery_id is None:
        return Outcome("taken")
    if paused is not None:
        return Outcome("retry", None, PAUSED, paused)
    return _send(ctx, channel, delivery_id, recipient, message, 1)


def send_retry(
    ctx: DeliveryContext,
    channel: Channel,
    delivery_id: int,
    recipient: Recipient,
    message: Message,
) -> Outcome:
    """Claim a "retry" row (conditional update) and send it again."""
    with ctx.statement() as conn:
        attempts = conn.scalar(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "retry")
            .values(
                status="sending",
                claimed_by=ctx.runner_id,
                updated_at=datetime.now(UTC),
                attempts=DeliveryRow.attempts + 1,
            )
            .returning(DeliveryRow.attempts)
        )
    if attempts is None:
        return Outcome("taken")
    return _send(ctx, channel, delivery_id, recipient, message, attempts)


class _Stream:
    """Items read from the database in batches and handed out one at a time to the worker
    threads (each takes the next itself: no per-item hand-off, memory bounded by a batch)."""

    def __init__(self, fetch: Callable[[Any], tuple[list[Any], Any]]) -> None:
        """`fetch(cursor)` returns the next items and the cursor after the rows it read
        (None when it read none: the end)."""
        self._fetch = fetch
        self._lock = threading.Lock()
        self._buffer: deque[Any] = deque()
        self._after: Any = None
        self.exhausted = False

    def next(self) -> Any | None:
        """The next item, or None when there are no more."""
        with self._lock:
            while not self._buffer and not self.exhausted:
                items, cursor = self._fetch(self._after)
                self._buffer.extend(items)
                self._after = cursor
                self.exhausted = cursor is None
            return self._buffer.popleft() if self._buffer else None


def workers_for(ctx: DeliveryContext) -> int:
    """`ctx.concurrency`, capped so that the workers' connections (one each, held for the
    fan-out) leave room in the engine's pool for reads and for the webhook's threads."""
    pool = ctx.db.engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return max(1, ctx.concurrency)
    capacity = size() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(1, min(ctx.concurrency, capacity - POOL_RESERVE))


def _run_workers(ctx: DeliveryContext, work: Callable[[DeliveryContext], None]) -> bool:
    """Run `work` in worker threads, each with its own connection, until done; False if a
    worker failed (its item may have been left without a row)."""
    ctx = replace(ctx, conns=_Connections(ctx.db.engine))
    workers = workers_for(ctx)
    ok = True
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="notice") as pool:
            for future in [pool.submit(work, ctx) for _ in range(workers)]:
                error = future.exception()
                if error is not None:  # its row (if any) stays "sending", then "uncertain"
                    log.error("a notice worker stopped: %s", type(error).__name__)
                    ok = False
    finally:
        if ctx.conns is not None:
            ctx.conns.close()
    return ok


def message_of(notice: store.DueNotice) -> Message:
    """The channel-facing view of a notice."""
    return Message(notice.id, notice.kind, notice.title, notice.text, notice.fields)


def _recipients(
    ctx: DeliveryContext, notice: store.DueNotice, channel: str, units: list[str] | None
) -> Callable[[str | None], tuple[list[Recipient], str | None]]:
    """A reader of the subscribers (by openid) who have no delivery row for the notice yet.

    Two plain queries per batch (a primary-key range of users, then the unique index of
    deliveries) rather than one anti-join: the planner's statistics lag behind a table
    growing by thousands of rows a minute, and a stale anti-join plan is quadratic."""
    base = (
        select(UserRow.openid, UserRow.last_inbound_at)
        .where(
            UserRow.campaign_code == notice.campaign_code,
            UserRow.channel == channel,
            UserRow.subscribed.is_(True),
            UserRow.following.is_(True),
        )
        .order_by(UserRow.openid)
        .limit(ctx.batch)
    )
    if units is not None:
        base = base.where(UserRow.unit.in_(units))

    def fetch(after: str | None) -> tuple[list[Recipient], str | None]:
        with ctx.db.session() as s:
            rows = s.execute(base if after is None else base.where(UserRow.openid > after)).all()
            if not rows:
                return [], None
            done = set(
                s.scalars(
                    select(DeliveryRow.openid).where(
                        DeliveryRow.notice_id == notice.id,
                        DeliveryRow.openid.in_([openid for openid, _ in rows]),
                    )
                )
            )
        fresh = [Recipient(openid, last) for openid, last in rows if openid not in done]
        return fresh, rows[-1][0]

    return fetch


def fan_out(ctx: DeliveryContext, notice: store.DueNotice, tally: Tally) -> bool:
    """Send `notice` to every recipient who has no delivery row yet, reading them in batches
    (memory stays flat). True when nobody is left (the notice is then "done"); False when
    stopped early (quiet hours began, the lease was lost, shutdown): the next run resumes."""
    message = message_of(notice)
    finished = True
    for channel in ctx.channels:
        units = store.audience(ctx.db, notice.campaign_code, channel.name).units_for(notice.unit)
        if units == []:
            continue  # nobody is bound to this unit
        stream = _Stream(_recipients(ctx, notice, channel.name, units))

        def work(wctx: DeliveryContext, channel: Channel = channel, stream: _Stream = stream):
            while not _stopping(wctx) and (recipient := stream.next()) is not None:
                tally.add(notice.id, send_new(wctx, channel, recipient, message))

        finished = _run_workers(ctx, work) and stream.exhausted and finished
    if finished:
        store.set_status(ctx.db, notice.id, "done", when=("sending",))
    return finished


def _due_retries(
    ctx: DeliveryContext, channel: str
) -> Callable[[int | None], tuple[list[Any], int | None]]:
    def fetch(after_id: int | None) -> tuple[list[Any], int | None]:
        with ctx.db.session() as s:
            rows = list(
                s.execute(
                    select(
                        DeliveryRow.id,
                        DeliveryRow.notice_id,
                        DeliveryRow.openid,
                        UserRow.last_inbound_at,
                        UserRow.subscribed,
                        UserRow.following,
                    )
                    .join(NoticeRow, NoticeRow.id == DeliveryRow.notice_id)
                    .outerjoin(UserRow, UserRow.openid == DeliveryRow.openid)
                    .where(
                        DeliveryRow.status == "retry",
                        DeliveryRow.next_attempt_at <= ctx.now(),
                        DeliveryRow.channel == channel,
                        DeliveryRow.id > (after_id or 0),
                        NoticeRow.status != "cancelled",
                    )
                    .order_by(DeliveryRow.id)
                    .limit(ctx.batch)
                ).all()
            )
        return rows, (rows[-1].id if rows else None)

    return fetch


def retry_due(ctx: DeliveryContext, tally: Tally) -> None:
    """Send again the deliveries in "retry" whose time has come; those whose user has
    unsubscribed or unfollowed meanwhile become "undeliverable" instead."""
    messages: dict[int, Message] = {}
    lock = threading.Lock()

    def message(notice_id: int) -> Message:
        with lock:
            if notice_id not in messages:
                for nid, notice in store.notices_by_id(ctx.db, [notice_id]).items():
                    messages[nid] = message_of(notice)
            return messages[notice_id]

    for channel in ctx.channels:
        stream = _Stream(_due_retries(ctx, channel.name))

        def work(wctx: DeliveryContext, channel: Channel = channel, stream: _Stream = stream):
            while not _stopping(wctx) and wctx.pause_of(channel.name, wctx.now()) is None:
                row = stream.next()
                if row is None:
                    return
                if not (row.subscribed and row.following):
                    _drop_unsubscribed(wctx, row.id)
                    continue
                recipient = Recipient(row.openid, row.last_inbound_at)
                outcome = send_retry(wctx, channel, row.id, recipient, message(row.notice_id))
                tally.add(row.notice_id, outcome)

        _run_workers(ctx, work)


def _drop_unsubscribed(ctx: DeliveryContext, delivery_id: int) -> None:
    """Nothing more is ever sent to someone who unsubscribed or unfollowed."""
    with ctx.statement() as conn:
        conn.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == delivery_id, DeliveryRow.status == "retry")
            .values(
                status="undeliverable", reason="no longer subscribed", updated_at=datetime.now(UTC)
            )
        )
