"""Leases in the database: who acts, and who is still alive.

Two uses of one mechanism (table ``job_leases``: name, holder, expires_at):
- the leader lease ``"scheduler"``: several ``python -m bot scheduler`` processes may run; the
  one holding it acts, the others retry every few seconds and take over once it has expired
  (default TTL 30 s, renewed every 10 s: a dead leader is replaced well within a minute);
- runner heartbeats ``"runner:<id>"``: every process that fans out (a scheduler, ``jobs run``)
  keeps one alive, and stamps the deliveries it claims with its id. A delivery still
  "sending" whose runner's heartbeat has expired was in flight when that process died:
  `sweep_uncertain` marks it "uncertain" (see jobs/deliver.py).

The database, not Redis, holds them because the embedded install has no shared Redis: a
``jobs run`` beside ``serve`` must still see the other process's heartbeat. Expiry uses the
hosts' UTC clocks (keep them NTP-synchronised; the TTLs tolerate seconds of skew).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from jobs.ports import LeaseStore

log = logging.getLogger(__name__)
LEADER = "scheduler"
RUNNER_PREFIX = "runner:"
UNCERTAIN = "in flight when its process stopped: delivered or not, check by hand"


def new_runner_id() -> str:
    """A process-unique id: host, pid and a random suffix (no secret, no user data)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def utcnow() -> datetime:
    """The real current moment in UTC (leases never follow a rehearsal clock)."""
    return datetime.now(UTC)


class Lease:
    """A named lease held by `holder` for `ttl` seconds at a time; `acquire()` also renews."""

    def __init__(self, store: LeaseStore, name: str, holder: str, ttl: float) -> None:
        """Nothing is written until `acquire()`."""
        self.store, self.name, self.holder, self.ttl = store, name, holder, ttl
        self._valid_until = 0.0  # time.monotonic() until which we may act

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if ours; False if another
        holder has it (or the database is unreachable: we must then stop acting)."""
        started = time.monotonic()
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl)
        try:
            won = self.store.take(self.name, self.holder, now, expires)
        except SQLAlchemyError as exc:
            log.warning("lease %s: database error %s", self.name, type(exc).__name__)
            won = False
        # Act only until slightly before the expiry others will see.
        self._valid_until = started + self.ttl * 0.8 if won else 0.0
        return won

    def held(self) -> bool:
        """True while our last successful acquire/renew is still fresh."""
        return time.monotonic() < self._valid_until

    def release(self) -> None:
        """Give the lease up at once (clean shutdown), so another can take over immediately."""
        self._valid_until = 0.0
        try:
            self.store.release(self.name, self.holder)
        except SQLAlchemyError as exc:
            log.warning("lease %s: release failed (%s)", self.name, type(exc).__name__)


def runner_lease(store: LeaseStore, runner_id: str, ttl: float) -> Lease:
    """The heartbeat lease of one runner."""
    return Lease(store, RUNNER_PREFIX + runner_id, runner_id, ttl)


def live_runners(store: LeaseStore, runner_ids: Iterable[str]) -> set[str]:
    """Those of `runner_ids` whose heartbeat has not expired."""
    names = [RUNNER_PREFIX + r for r in runner_ids if r]
    if not names:
        return set()
    return store.live(names, utcnow())


def leader_info(store: LeaseStore) -> tuple[str, datetime] | None:
    """(holder, expires_at) of the leader lease, if any row exists."""
    return store.get(LEADER)


def prune_heartbeats(store: LeaseStore, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete runner heartbeats expired for longer than `older_than`."""
    return store.prune(RUNNER_PREFIX, utcnow() - older_than)


class KeepAlive:
    """A daemon thread calling `beat()` every `interval` seconds until `stop()`."""

    def __init__(self, beat: Callable[[], object], interval: float, name: str) -> None:
        """Call `start()` to begin; `beat` should not raise (errors are logged)."""
        self._beat, self._interval = beat, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> KeepAlive:
        """Beat once now, then every interval."""
        self._beat()
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._beat()
            except SQLAlchemyError as exc:
                log.warning("%s: %s", self._thread.name, type(exc).__name__)

    def stop(self) -> None:
        """Stop beating (does not release anything)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def sweep_uncertain(store: LeaseStore) -> int:
    """Mark deliveries still "sending" whose runner's heartbeat has expired as "uncertain"
    (in flight when that process died); returns how many."""
    runners = store.sending_runners()
    dead = runners - live_runners(store, runners)
    if not dead:
        return 0
    count = store.mark_uncertain(dead, UNCERTAIN, utcnow())
    if count:
        log.warning("%s deliveries were in flight when their process stopped: uncertain", count)
    return count
