"""The hot path's PostgreSQL statement, on a psycopg2 connection each thread holds.

A resident's submission is one statement (bot/store/suggestions_repo.py). Through SQLAlchemy
it cost ~150-250 µs of CPU more than the statement itself: a pool checkout and check-in, the
Connection, its events and the result machinery (issue 12, "Where the time goes" in
bench/README.md). Here each thread that runs it keeps one DBAPI connection of its own,
autocommit, made with the engine's own connection parameters and bounds (statement_timeout,
tcp_user_timeout, connect_timeout: bot/store/db.py `pg_connect_args`), so the handler that
runs it stays bounded and may run in the request thread.

- A connection that fails (the server went away, a statement was cancelled at the timeout) is
  dropped: that one message fails as any failed round trip does (answered with the apology,
  its claim released for WeChat's retry) and the next statement connects again. No ping
  before use, as the pool does not ping either.
- One left idle for RECYCLE seconds is replaced before use (the pool's pool_recycle).
- A connection is never used by a process other than the one that made it (after a fork, the
  child makes its own and leaves the parent's alone).
- Statements can be PREPAREd once per connection (`prepare`).
- `listeners` see each statement (the round-trip tests count them).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

RECYCLE = 1800.0  # seconds, as the engine's pool_recycle


class _Held:
    __slots__ = ("conn", "pid", "used_at", "prepared")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pid = os.getpid()
        self.used_at = time.monotonic()
        self.prepared: set[str] = set()


class HotConnections:
    """One held psycopg2 connection per thread (see the module's doc)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._all: list[_Held] = []  # every live connection, for close()
        self._lock = threading.Lock()
        self.listeners: list[Callable[[str], None]] = []

    def _held(self) -> _Held:
        held: _Held | None = getattr(self._local, "held", None)
        now = time.monotonic()
        if held is not None and (held.pid != os.getpid() or now - held.used_at > RECYCLE):
            if held.pid == os.getpid():
                self._drop(held)
            held = None  # a forked child leaves its parent's connection alone
        if held is None:
            conn = self._connect()
            conn.autocommit = True
            held = _Held(conn)
            with self._lock:
                self._all.append(held)
            self._local.held = held
        held.used_at = now
        return held

    def _drop(self, held: _Held) -> None:
        with self._lock:
            if held in self._all:
                self._all.remove(held)
        if getattr(self._local, "held", None) is held:
            self._local.held = None
        try:
            held.conn.close()
        except Exception:  # noqa: BLE001 - already broken; nothing more to do with it
            pass

    @contextmanager
    def cursor(self, prepare: tuple[str, str] | None = None) -> Iterator[Any]:
        """A cursor on this thread's connection. `prepare` = (name, PREPARE statement): run
        once per connection before the first use. Any psycopg2 error other than a statement's
        own (a constraint, bad data) drops the connection."""
        import psycopg2

        held = self._held()
        try:
            with held.conn.cursor() as cur:
                if prepare is not None and prepare[0] not in held.prepared:
                    cur.execute(prepare[1])
                    held.prepared.add(prepare[0])
                yield _Counted(cur, self.listeners) if self.listeners else cur
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            self._drop(held)
            raise

    def close(self) -> None:
        with self._lock:
            helds, self._all = self._all, []
        for held in helds:
            if held.pid == os.getpid():
                try:
                    held.conn.close()
                except Exception:  # noqa: BLE001 - closing anyway
                    pass
        self._local = threading.local()


class _Counted:
    """A cursor that tells the listeners of each statement (tests only: no listener, no
    wrapper)."""

    def __init__(self, cur: Any, listeners: list[Callable[[str], None]]) -> None:
        self._cur, self._listeners = cur, listeners

    def execute(self, sql: str, params: Any = None) -> None:
        for listener in self._listeners:
            listener(sql)
        self._cur.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)
