"""What the use cases need from storage and the outside world, as Protocols of plain values."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.plan import Plan


@dataclass(frozen=True)
class Case:
    """A suggestion as the console and the workflow see it: pseudonymous, never an openid."""

    ticket: str
    campaign: str
    topic: str
    content: str
    status: str
    created_at: datetime
    channel: str
    author: str
    attachments: int
    unit: str | None = None
    outcome: str | None = None
    reply: str | None = None
    replied_at: datetime | None = None
    reply_draft: str | None = None
    decline_reason: str | None = None
    satisfaction: str | None = None  # 回访: 满意 / 基本满意 / 不满意
    rated_at: datetime | None = None


@dataclass(frozen=True)
class CaseQuery:
    """Inbox filters. `only_unit` restricts to one unit's suggestions (a unit account)."""

    campaign: str = ""
    status: str = ""
    unit: str = ""
    text: str = ""
    only_unit: str | None = None
    page: int = 1
    per_page: int = 20
    topic: str = ""
    outcome: str = ""
    author: str = ""  # a pseudonym: the author's other ideas
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    has_photos: bool | None = None  # None: either
    sort: str = "newest"  # domain.inbox.SORTS


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Account:
    id: int
    login: str
    role: str
    unit: str
    password_hash: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class OutboxItem:
    """A published answer waiting to be sent; `last_inbound_at` opens the 48-hour window."""

    id: int
    ticket: str
    recipient: str
    text: str
    last_inbound_at: datetime | None
    attempts: int = 0  # sends tried before this one
    status: str = ""  # the case's status now (the template message shows it)


@dataclass(frozen=True)
class Delivery:
    """Where a published answer stands, for the console: status, how it went, why not."""

    status: str  # queued, sending, sent, failed, waiting
    via: str | None = None  # cs, template, reply
    attempts: int = 0
    errcode: int | None = None
    reason: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class AnswerInfo:
    """A resident's own suggestion as chat shows it: status, and the answer once published."""

    ticket: str
    status: str
    outcome: str | None = None
    reply: str | None = None
    satisfaction: str | None = None


class WorkflowTx(Protocol):
    """One transaction: read a suggestion (locked), change it, queue its answer, audit."""

    def get(self, ticket: str) -> Case | None: ...

    def update(self, ticket: str, status: str, fields: Mapping[str, object]) -> None: ...

    def queue_answer(self, ticket: str, text: str, now: datetime) -> None: ...

    def audit(self, entry: AuditEntry) -> None: ...


class WorkflowStore(Protocol):
    def transaction(self) -> AbstractContextManager[WorkflowTx]: ...

    def find(self, ticket: str) -> Case | None: ...

    def search(self, query: CaseQuery) -> tuple[list[Case], int]: ...

    def history(self, ticket: str) -> list[AuditEntry]: ...

    def delivery(self, ticket: str) -> str | None: ...


@dataclass(frozen=True)
class Photo:
    """One photo of a suggestion: status pending | fetched | failed (bot/store/photos.py);
    `path` is relative to the media folder, set once fetched."""

    position: int
    status: str
    content_type: str = ""
    path: str = ""


@dataclass(frozen=True)
class Similar:
    """An idea with the same (score 1.0, same fingerprint) or nearly the same text."""

    case: Case
    score: float
    same: bool


class InboxStore(Protocol):
    """Reads for the inbox and the detail page. `only_unit` limits to one unit's ideas."""

    def search(self, query: CaseQuery) -> tuple[list[Case], int]: ...

    def photos(self, ticket: str) -> list[Photo]: ...

    def by_author(
        self, author: str, only_unit: str | None, exclude: str, limit: int
    ) -> tuple[list[Case], int]: ...

    def similar(self, case: Case, only_unit: str | None, limit: int) -> list[Similar]: ...


class AccountStore(Protocol):
    """Accounts; each change is written with its audit entry in one transaction."""

    def add(
        self, login: str, role: str, unit: str, password_hash: str, now: datetime, audit: AuditEntry
    ) -> Account | None: ...

    def get(self, login: str) -> Account | None: ...

    def by_id(self, account_id: int) -> Account | None: ...

    def all(self) -> list[Account]: ...

    def set_disabled(self, login: str, disabled: bool, audit: AuditEntry) -> bool: ...


class AuditStore(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def since(self, when: datetime | None, limit: int = 1000) -> list[AuditEntry]: ...


class Outbox(Protocol):
    """Answers to send; `claim` moves one from queued/waiting to sending, once (and counts
    the attempt). `take_cs` counts one customer-service message against WeChat's 5 per user
    message (False: used up), `give_back_cs` uncounts a refused one."""

    def due(self, limit: int = 50) -> list[OutboxItem]: ...

    def claim(self, item_id: int, now: datetime) -> bool: ...

    def mark(
        self,
        item_id: int,
        status: str,
        now: datetime,
        errcode: int | None = None,
        reason: str = "",
        *,
        via: str | None = None,
        msgid: str | None = None,
    ) -> None: ...

    def take_cs(self, openid: str) -> bool: ...

    def give_back_cs(self, openid: str) -> None: ...


class ResidentStore(Protocol):
    """What a resident's chat needs of the workflow: their own answers, the waiting ones (taken
    once, into the reply to their message), and the answer awaiting their rating."""

    def answers(self, user: str, tickets: list[str]) -> dict[str, AnswerInfo]: ...

    def may_have_waiting(self, user: str) -> bool:
        """Cheap (no round trip for most users): False means certainly none waiting."""
        ...

    def take_waiting(self, user: str, now: datetime) -> list[OutboxItem]:
        """Mark the user's waiting answers sent (via reply), each by one conditional update:
        of two messages arriving at once only one gets a given answer."""
        ...

    def rating_due(self, user: str, since: datetime) -> str | None:
        """The ticket of the user's answer sent since `since`, not rated yet, newest first."""
        ...

    def transaction(self) -> AbstractContextManager[WorkflowTx]: ...


class Throttle(Protocol):
    """Counts failures per key in a window (sign-in throttling)."""

    def count(self, key: str) -> int: ...

    def fail(self, key: str) -> int: ...

    def clear(self, key: str) -> None: ...


class TextSender(Protocol):
    def send_text(self, openid: str, text: str) -> None: ...


class AnswerSender(TextSender, Protocol):
    def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> int | str | None: ...


class PlanConflict(ValueError):
    """The plan cannot be stored as it is (e.g. another campaign has its name); says why."""


class PlanStore(Protocol):
    """Campaign plans; `save` raises PlanConflict, `invalidate` tells every process."""

    def save(self, plan: Plan, source: str) -> tuple[bool, int]:
        """Create or update by code: (created, revision)."""
        ...

    def invalidate(self) -> None: ...


class NoticeCounts(Protocol):
    """What a notice sync changed (jobs/ports.py SyncResult)."""

    added: int
    updated: int
    removed: int
    total: int
