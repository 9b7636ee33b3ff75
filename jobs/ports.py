"""What the scheduler needs from storage and the outside world: Protocols of plain values.

jobs/ decides (what is due, who gets it, the catch-up rules, retries, leases); the adapters in
bot/store/ (notices_repo.py, deliveries_repo.py, lease_repo.py) run the SQL, and the wiring
(bot/jobs_wiring.py) hands them in as a `JobsDeps`. Nothing in jobs/ imports bot/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from config.settings import Settings
from domain.notices import NoticeSpec
from domain.plan import Plan
from jobs.channels import Channel, Recipient
from services.ports import AnswerSender, Outbox, TextSender

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


@dataclass(frozen=True)
class RetryItem:
    """A delivery waiting in "retry" whose time has come, with its user's state now."""

    id: int
    notice_id: int
    openid: str
    last_inbound_at: datetime | None
    subscribed: bool | None
    following: bool | None


@dataclass(frozen=True)
class Mark:
    """An outcome recorded on a claimed delivery row (`attempts` only when it changes)."""

    status: str
    errcode: int | None
    reason: str
    next_attempt_at: datetime | None
    msgid: str | None
    attempts: int | None = None


class NoticeStore(Protocol):
    """The notices table (and the plans they are computed from)."""

    def plans(self, codes: Iterable[str] | None = None) -> list[Plan]: ...

    def sync(self, code: str, specs: Sequence[NoticeSpec], now: datetime) -> SyncResult:
        """Insert new keys, update scheduled notices not started, delete vanished ones that
        nothing was sent for (safe to run concurrently)."""
        ...

    def due(
        self, now: datetime, statuses: tuple[str, ...] = OPEN, kind: str | None = None
    ) -> list[DueNotice]: ...

    def upcoming(self, start: datetime, end: datetime) -> list[DueNotice]: ...

    def recent(self, start: datetime, end: datetime) -> list[DueNotice]: ...

    def by_id(self, ids: Iterable[int]) -> dict[int, DueNotice]: ...

    def set_status(
        self, notice_id: int, status: str, *, when: tuple[str, ...], now: datetime
    ) -> bool: ...

    def audience(self, campaign_code: str, channel: str) -> dict[str, int]:
        """Following subscribers per bound unit ("" = none bound)."""
        ...

    def results(self, notice_ids: Iterable[int]) -> dict[int, dict[str, int]]: ...

    def retrying_deadlines(self, now: datetime) -> list[DueNotice]:
        """Deadline reminders fanned out ("done") by `now` with deliveries waiting to retry."""
        ...

    def later_deadlines(
        self, codes: Iterable[str], after: datetime, now: datetime
    ) -> list[tuple[str, datetime]]:
        """(key, due_at) of deadline reminders due after `after` and by `now`, not cancelled."""
        ...

    def mark_superseded(self, notice: DueNotice, reason: str, now: datetime) -> bool: ...


class DeliveryStore(Protocol):
    """The deliveries table: one row per (notice, recipient), the claim before each send."""

    def recipients(
        self,
        notice_id: int,
        campaign_code: str,
        channel: str,
        units: list[str] | None,
        after: str | None,
        limit: int,
    ) -> tuple[list[Recipient], str | None]:
        """Subscribers after `after` (by openid) without a row for the notice, and the cursor."""
        ...

    def due_retries(
        self, channel: str, now: datetime, after_id: int | None, limit: int
    ) -> list[RetryItem]: ...

    def claim_new(
        self,
        notice_id: int,
        channel: str,
        openid: str,
        runner_id: str,
        paused_until: datetime | None,
        reason: str,
    ) -> int | None:
        """Insert the row ("sending", or "retry" while paused); its id, or None if it exists."""
        ...

    def claim_retry(self, delivery_id: int, runner_id: str) -> int | None:
        """Move a "retry" row to "sending"; its attempt count, or None if another has it."""
        ...

    def mark(self, delivery_id: int, runner_id: str, mark: Mark) -> None: ...

    def drop_unsubscribed(self, delivery_id: int) -> None: ...

    def workers(self, wanted: int) -> int:
        """How many worker threads may each hold a connection for a fan-out."""
        ...

    def pinned(self) -> DeliveryStore:
        """A view of this store keeping one connection per thread until `close()`."""
        ...

    def close(self) -> None: ...


class LeaseStore(Protocol):
    """The job_leases table, and the deliveries whose runner died."""

    def take(self, name: str, holder: str, now: datetime, expires: datetime) -> bool: ...

    def release(self, name: str, holder: str) -> None: ...

    def live(self, names: Iterable[str], now: datetime) -> set[str]:
        """Holders of the named leases that have not expired."""
        ...

    def get(self, name: str) -> tuple[str, datetime] | None: ...

    def prune(self, prefix: str, before: datetime) -> int: ...

    def sending_runners(self) -> set[str]: ...

    def mark_uncertain(self, runners: Iterable[str], reason: str, now: datetime) -> int: ...


def _no_wake() -> None:
    return None


@dataclass
class JobsDeps:
    """Everything the scheduler and `jobs` commands use, handed in by the wiring."""

    settings: Settings
    notices: NoticeStore
    deliveries: DeliveryStore
    leases: LeaseStore
    channels: Sequence[Channel]
    pseudonym: Callable[[str], str]
    outbox: Outbox
    sender: AnswerSender | TextSender  # published answers (services/answers.py)
    wake: Callable[[], None] = _no_wake  # each tick (e.g. the photo fetcher finds pending ones)
    publish_status: Callable[[Callable[[], str] | str], None] = field(
        default=lambda status: None
    )  # the scheduler's one-line status, for /healthz
    close: Callable[[], None] = _no_wake
