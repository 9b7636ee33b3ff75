"""Photos kept for good: each photo of a stored suggestion is downloaded from WeChat's
temporary media (kept there 3 days) into the media folder (BOT_MEDIA_DIR, default
instance/media/), one row per photo in suggestion_photos (bot/store/photos.py).

Never on the webhook's path. Storing a suggestion with attachments only wakes this process's
fetcher thread (an Event, no I/O); the thread waits a moment so the answer goes out first,
then adds the missing rows and downloads what is due. The scheduler's tick wakes it too, so
photos left pending by a restart, by another process, or by a retry's backoff are found again
from the database. Several processes may fetch at once: each row is claimed by one of them.

Outcomes, all recorded on the row, never dropped:
- fetched: written to ``<ticket>-<position>.<ext>`` (no openid in any name) through a temporary
  file and a rename, so a half-written photo never has the final name; sha256 and size kept.
- retried with backoff (30 s, 2 min, 10 min, 30 min) after -1 busy, quota, timeouts, 5xx or a
  token that stays refused after one refresh; failed after MAX_ATTEMPTS tries.
- failed at once when retrying cannot help: 40007 (the id expired or is unknown), larger than
  10 MB, not an image, or only a picture URL (no media id).
- pending with a reason, untouched, while the outbound API is not configured (no credentials:
  RecordingSender has no get_media); they are fetched once credentials are set, if their
  3 days are not over.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from bot.store.photos import PhotoJob, PhotoStore
from bot.store.suggestions_repo import SqlSuggestionStore
from bot.wechat_api import WeChatAPIError
from bot.wechat_media import MAX_MEDIA_BYTES
from handlers.ports import NewSuggestion, Submitted, SuggestionRecord

log = logging.getLogger(__name__)

BACKOFF = (30.0, 120.0, 600.0, 1800.0)  # seconds before attempt 2, 3, 4, 5
MAX_ATTEMPTS = 5
LEASE = 300.0  # seconds a claimed row is left to its process before another may take it
DELAY = 0.3  # seconds the thread waits after a wake-up: the answer goes out first
IDLE = 600.0  # seconds between scans when nothing was asked for
BATCH = 20
NO_CREDENTIALS = "waiting: outbound API not configured (set WECHAT_APPID and WECHAT_SECRET)"
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
}


class MediaSource(Protocol):
    def get_media(self, media_id: str, max_bytes: int = ...) -> tuple[bytes, str]: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class FetchReport:
    """What one pass did."""

    added: int = 0
    fetched: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0  # pending for want of credentials
    more: bool = False  # a full batch was due: go again at once
    next_due: datetime | None = None


def file_name(ticket: str, position: int, content_type: str) -> str:
    """``K3Q9A7-1.jpg``: the public ticket and the photo's place, nothing about the sender."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", ticket) or "suggestion"
    return f"{safe}-{position}{_EXTENSIONS.get(content_type, '.img')}"


def write_atomically(folder: Path, name: str, body: bytes) -> None:
    """Write ``folder/name`` through a temporary file in the same folder and a rename."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class PhotoFetcher:
    """Downloads pending photos; `notify()` from anywhere, `run_once()` to do one pass now."""

    def __init__(
        self,
        store: PhotoStore,
        sender: Any,
        media_dir: Path,
        *,
        now: Callable[[], datetime] = _utcnow,
        backoff: tuple[float, ...] = BACKOFF,
        max_attempts: int = MAX_ATTEMPTS,
        max_bytes: int = MAX_MEDIA_BYTES,
        delay: float = DELAY,
    ) -> None:
        self.store, self.media_dir, self.now = store, media_dir, now
        get_media = getattr(sender, "get_media", None)
        self.source: MediaSource | None = sender if callable(get_media) else None
        self.backoff, self.max_attempts, self.max_bytes = backoff, max_attempts, max_bytes
        self.delay = delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one pass at a time in this process
        self._start = threading.Lock()  # never the pass's lock: notify() must not wait
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._warned = False

    # -- the pass ------------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None) -> FetchReport:
        """Add missing rows, then try every photo due at ``now`` (one batch)."""
        with self._lock:
            now = now or self.now()
            added, full = self.store.add_missing(now)
            report = FetchReport(added=added, more=full)
            if self.source is None:
                report.waiting = self.store.note_waiting(NO_CREDENTIALS)
                if report.waiting and not self._warned:
                    log.warning("photos: %d waiting - %s", report.waiting, NO_CREDENTIALS)
                    self._warned = True
                return report
            jobs = self.store.due(now, BATCH)
            for job in jobs:
                if self._stop.is_set():
                    break
                outcome = self._fetch(self.source, job, now)
                if outcome:
                    setattr(report, outcome, getattr(report, outcome) + 1)
            report.more = (full or len(jobs) == BATCH) and not self._stop.is_set()
            report.next_due = self.store.next_due()
            if report.fetched or report.failed or report.retried:
                log.info(
                    "photos: %d fetched, %d to retry, %d failed",
                    report.fetched,
                    report.retried,
                    report.failed,
                )
            return report

    def _fetch(self, source: MediaSource, job: PhotoJob, now: datetime) -> str | None:
        """One attempt at one photo: "fetched", "retried", "failed" (None: another took it)."""
        if not self.store.claim(job, now, LEASE):
            return None
        attempt = job.attempts + 1
        where = f"{job.ticket}-{job.position}"
        try:
            body, content_type = source.get_media(job.media_id, self.max_bytes)
            name = file_name(job.ticket, job.position, content_type)
            write_atomically(self.media_dir, name, body)
        except WeChatAPIError as exc:
            error = f"{exc.errcode} {exc.errmsg}".strip()
            final = exc.kind == "give_up"
        except OSError as exc:  # the folder: missing rights, disk full
            error, final = f"could not write to the media folder: {type(exc).__name__}", False
        else:
            digest = hashlib.sha256(body).hexdigest()
            self.store.fetched(job, name, content_type, len(body), digest, self.now())
            return "fetched"
        if final or attempt >= self.max_attempts:
            reason = error if final else f"{error} (after {attempt} attempts)"
            self.store.failed(job, reason)
            log.warning("photo %s could not be fetched: %s", where, reason)
            return "failed"
        wait = self.backoff[min(attempt - 1, len(self.backoff) - 1)]
        self.store.retry_at(job, self.now() + timedelta(seconds=wait), error)
        log.info("photo %s: attempt %d failed (%s); again in %ss", where, attempt, error, wait)
        return "retried"

    # -- the thread ----------------------------------------------------------------------------
    def notify(self) -> None:
        """Something may be due (a suggestion with photos was stored, or the scheduler ticked):
        wake the thread, starting it on first use (and again in a forked worker)."""
        self._wake.set()
        pid = os.getpid()
        if self._thread is not None and self._pid == pid and self._thread.is_alive():
            return
        with self._start:
            if self._thread is not None and self._pid == pid and self._thread.is_alive():
                return
            if self._stop.is_set():
                return
            self._pid = pid
            self._thread = threading.Thread(target=self._loop, name="photo-fetcher", daemon=True)
            self._thread.start()
        atexit.register(self.close)

    def close(self) -> None:
        """Stop the thread after the download in progress (rows left pending stay pending)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=15)

    def _loop(self) -> None:
        timeout: float | None = IDLE
        while not self._stop.is_set():
            self._wake.wait(timeout)
            self._wake.clear()
            if self._stop.wait(self.delay):
                return
            try:
                report = self.run_once()
            except Exception as exc:  # noqa: BLE001 - the database may be back next time
                log.warning("photos: pass failed (%s); trying again later", type(exc).__name__)
                timeout = BACKOFF[0]
                continue
            if report.more:
                timeout = 0.0
            elif report.next_due is not None:
                wait = (report.next_due - self.now()).total_seconds()
                timeout = min(max(wait, 0.0), IDLE)
            else:
                timeout = IDLE


class PhotoAwareSuggestionStore(SqlSuggestionStore):
    """The suggestion store that wakes the photo fetcher after storing one with attachments
    (a non-blocking Event.set: the handler's thread does no I/O for it)."""

    on_photos: Callable[[], None] | None = None

    def submit(self, new: NewSuggestion, *args: Any, **kwargs: Any) -> Submitted:
        result = super().submit(new, *args, **kwargs)
        if new.attachments and result.record is not None and self.on_photos is not None:
            self.on_photos()
        return result

    def create(
        self, new: NewSuggestion, *args: Any, **kwargs: Any
    ) -> tuple[SuggestionRecord, bool]:
        result = super().create(new, *args, **kwargs)
        if new.attachments and self.on_photos is not None:
            self.on_photos()
        return result
