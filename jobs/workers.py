"""The machinery a fan-out runs on: its context, per-thread autocommit connections, a batched
stream of work items and the worker pool (split out of jobs/deliver.py; nothing here knows
what a notice is)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.store.db import Database
from jobs.channels import Channel

log = logging.getLogger(__name__)
POOL_RESERVE = 4  # database connections a fan-out leaves to everybody else


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


class Stream:
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


def run_workers(ctx: DeliveryContext, work: Callable[[DeliveryContext], None]) -> bool:
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
