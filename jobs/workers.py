"""The machinery a fan-out runs on: its context, a batched stream of work items and the worker
pool (split out of jobs/deliver.py; nothing here knows what a notice is). Each worker keeps
one connection for the fan-out (`DeliveryStore.pinned()`, bot/store/deliveries_repo.py)."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from jobs.channels import Channel
from jobs.ports import DeliveryStore, NoticeStore

log = logging.getLogger(__name__)


@dataclass
class DeliveryContext:
    """What a fan-out needs: where to record, how to send, who is acting."""

    notices: NoticeStore
    deliveries: DeliveryStore
    channels: Sequence[Channel]
    tz: tzinfo
    runner_id: str
    pseudonym: Callable[[str], str]
    concurrency: int = 16
    batch: int = 200  # recipients read per query (claims are one by one, right before sending)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # the run's clock
    keep_going: Callable[[], bool] = field(default=lambda: True)  # False: stop soon
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


def run_workers(ctx: DeliveryContext, work: Callable[[DeliveryContext], None]) -> bool:
    """Run `work` in worker threads, each with its own connection, until done; False if a
    worker failed (its item may have been left without a row)."""
    ctx = replace(ctx, deliveries=ctx.deliveries.pinned())
    workers = ctx.deliveries.workers(ctx.concurrency)
    ok = True
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="notice") as pool:
            for future in [pool.submit(work, ctx) for _ in range(workers)]:
                error = future.exception()
                if error is not None:  # its row (if any) stays "sending", then "uncertain"
                    log.error("a notice worker stopped: %s", type(error).__name__)
                    ok = False
    finally:
        ctx.deliveries.close()
    return ok
