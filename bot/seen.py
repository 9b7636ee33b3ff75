"""When each user last wrote to us: it opens WeChat's 48-hour customer-service window, which
decides whether a push or a late answer may be sent to them (jobs/channels.py).

Recorded off the request path. Each process remembers whom it recorded in the last
`every` seconds and skips them; the others are queued and written by a background thread
once a second, all in one upsert. A message therefore costs the webhook no round trip, and
the database one statement per second however busy the account is.

What this gives up: a process killed without its exit handlers loses at most the last second
of "last seen" times (never a message or a suggestion); the window is then judged from a
slightly older time, i.e. more cautiously. Another worker may record the same user again
within `every` seconds; the upsert keeps the later time, so that is harmless.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)

TOUCH_EVERY = 600.0  # seconds: how fresh the recorded "last message" is kept
FLUSH_EVERY = 1.0  # seconds between writes
MAX_PENDING = 100_000  # beyond this (the database down for long), the oldest news is dropped


class Toucher(Protocol):
    def touch_many(self, seen: dict[str, datetime]) -> None: ...


class SeenRecorder:
    def __init__(
        self,
        users: Toucher,
        now: Callable[[], datetime],
        every: float = TOUCH_EVERY,
        flush_every: float = FLUSH_EVERY,
    ) -> None:
        self.users = users
        self.now = now
        self.every = every
        self.flush_every = flush_every
        self._recent: dict[str, float] = {}  # user -> monotonic time until which to skip
        self._pending: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._pid = 0

    def note(self, user: str) -> None:
        """The user wrote to us just now."""
        mono = time.monotonic()
        if self._recent.get(user, 0.0) > mono:
            return
        if len(self._recent) > MAX_PENDING:
            self._recent.clear()
        self._recent[user] = mono + self.every
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._pending.pop(next(iter(self._pending)))
            self._pending[user] = self.now()
        self._ensure_thread()

    def flush(self) -> bool:
        """Write what is queued now. False if the database refused (kept for the next try)."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return True
        try:
            self.users.touch_many(batch)
            return True
        except Exception as exc:  # noqa: BLE001 - keep the news, say so, try again later
            log.warning(
                "could not record %d users' last message: %s", len(batch), type(exc).__name__
            )
            with self._lock:
                for user, when in batch.items():
                    if len(self._pending) < MAX_PENDING and self._pending.get(user, when) <= when:
                        self._pending[user] = when
                for user in batch:  # let their next message queue them again
                    self._recent.pop(user, None)
            return False

    def close(self) -> None:
        """Stop the background thread and write what is left."""
        self._stop = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.flush()

    def _ensure_thread(self) -> None:
        # Started on first use, and again in a forked child (threads do not survive a fork).
        pid = os.getpid()
        if self._thread is not None and self._pid == pid and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._pid == pid and self._thread.is_alive():
                return
            self._pid = pid
            self._stop = False
            self._thread = threading.Thread(target=self._loop, name="seen-recorder", daemon=True)
            self._thread.start()
        atexit.register(self.close)

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait(self.flush_every)
            self._wake.clear()
            self.flush()
