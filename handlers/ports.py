"""What handlers need from the outside world, as interfaces.

Handlers see only these protocols; `bot/` implements them over SQLAlchemy and Redis, and the
unit tests implement them in memory. No Flask, wechatpy, Redis or SQLAlchemy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from domain.plan import Plan

if TYPE_CHECKING:
    from services.ports import ResidentStore


class Clock(Protocol):
    def now(self) -> datetime:
        """The real current moment, timezone-aware, in the campaign time zone (records and
        limits use it; it does not follow the rehearsal date)."""
        ...

    def today(self) -> date:
        """The campaign's today (the rehearsal date when BOT_TODAY is set)."""
        ...


@dataclass(frozen=True)
class CampaignInfo:
    code: str
    name: str
    topics: tuple[str, ...] = ()


class CampaignStore(Protocol):
    def active(self) -> list[CampaignInfo]:
        """Every loaded campaign, ordered by name."""
        ...

    def plan(self, code: str) -> Plan | None:
        """The campaign's plan (cached; cheap to call per message)."""
        ...


@dataclass(frozen=True)
class SuggestionRecord:
    ticket: str
    campaign_code: str
    topic: str
    content: str
    status: str
    created_at: datetime
    attachments: int = 0


@dataclass(frozen=True)
class NewSuggestion:
    user: str
    channel: str
    campaign_code: str
    topic: str
    content: str
    source_key: str  # the dedup key of the message that submitted it: unique per suggestion
    created_at: datetime
    attachments: tuple[str, ...] = ()  # media references (MediaId / PicUrl)


@dataclass(frozen=True)
class Submitted:
    """What SuggestionStore.submit did: stored it (`record`), or refused it."""

    record: SuggestionRecord | None = None  # stored now, or earlier from this same message
    same_today: str | None = None  # refused: the ticket of the same text earlier today
    this_hour: int = 0  # the user's suggestions in the last hour (refused at the limit)


class SuggestionStore(Protocol):
    def submit(
        self, new: NewSuggestion, hour_since: datetime, day_since: datetime, per_hour: int
    ) -> Submitted:
        """Store `new` unless the user sent the same text since `day_since` or already
        `per_hour` suggestions since `hour_since`; a retried message (its source_key already
        stored) gets its record back. What `submit_in_steps` does, as one round trip where
        the store can (the hot path of every submission)."""
        ...

    def create(self, new: NewSuggestion) -> tuple[SuggestionRecord, bool]:
        """Store a suggestion; (record, True), or (the existing record, False) for a source_key
        that was already stored (a retried message)."""
        ...

    def recent(
        self, user: str, content: str, hour_since: datetime, day_since: datetime
    ) -> tuple[int, str | None]:
        """How many suggestions the user made since `hour_since`, and the ticket of their
        earliest one with the same content (ignoring punctuation and spacing) since `day_since`.
        One question, because it is asked before every submission."""
        ...

    def by_source(self, source_key: str) -> SuggestionRecord | None:
        """The suggestion stored from that message, if any."""
        ...

    def for_user(self, user: str, limit: int = 10) -> tuple[list[SuggestionRecord], int]:
        """The user's newest suggestions and their total count."""
        ...

    def by_ticket(self, user: str, ticket: str) -> SuggestionRecord | None:
        """The suggestion with that ticket if it belongs to `user` (otherwise None)."""
        ...


def submit_in_steps(
    store: SuggestionStore,
    new: NewSuggestion,
    hour_since: datetime,
    day_since: datetime,
    per_hour: int,
) -> Submitted:
    """SuggestionStore.submit from its other methods: the reference behaviour."""
    existing = store.by_source(new.source_key)
    if existing is not None:
        return Submitted(existing)
    count, same = store.recent(new.user, new.content, hour_since, day_since)
    if same is not None or count >= per_hour:
        existing = store.by_source(new.source_key)  # stored meanwhile by a concurrent copy
        return Submitted(existing, None, count) if existing else Submitted(None, same, count)
    record, _created = store.create(new)
    return Submitted(record, None, count)


@dataclass(frozen=True)
class Profile:
    campaign_code: str | None = None
    unit: str | None = None
    subscribed: bool = False
    following: bool = True


class UserStore(Protocol):
    def profile(self, user: str) -> Profile: ...

    def set_campaign(self, user: str, code: str) -> None: ...

    def set_unit(self, user: str, code: str, unit: str) -> None: ...

    def set_following(self, user: str, following: bool) -> None:
        """Follow / unfollow. Unfollowing also ends every subscription at once."""
        ...

    def set_subscribed(self, user: str, subscribed: bool) -> None: ...


@dataclass(frozen=True)
class Opening:
    """What ConversationStore.begin found for a user before their message is handled."""

    state: dict[str, Any] | None = None  # the open guided conversation, if any
    expired: bool = False  # a conversation of theirs expired unfinished (reported once)
    has_pages: bool = False  # pages of an earlier long answer wait for "更多"


class ConversationStore(Protocol):
    """Short-lived per-user state (guided conversations, pages of a long answer)."""

    def save(
        self, user: str, state: dict[str, Any], lists: dict[str, list[str]] | None = None
    ) -> None:
        """Keep `state` for 30 minutes of inactivity. The flow's lists ("parts",
        "attachments") are not written from `state` (a message appending to them at the same
        moment would be lost): they change through append(), or are replaced by `lists`."""
        ...

    def append(self, user: str, name: str, value: str) -> list[str] | None:
        """Add `value` to the list `name` ("parts" or "attachments") of the user's open
        conversation, atomically (messages of a burst arrive at the same moment), and return
        the whole list after it; None, adding nothing, when no conversation is open."""
        ...

    def clear(self, user: str) -> None: ...

    def begin(self, user: str) -> Opening:
        """The user's open state; or that a conversation of theirs expired unfinished (said
        once, then forgotten); and whether pages wait for "更多". One round trip."""
        ...

    def save_pages(self, user: str, pages: list[str]) -> None:
        """Replace the user's waiting pages (an empty list forgets them)."""
        ...

    def next_page(self, user: str) -> tuple[str, int] | None:
        """The next stored page and how many remain after it, or None."""
        ...


@dataclass(frozen=True)
class Limits:
    min_chars: int = 5
    max_chars: int = 5000
    per_hour: int = 10
    conversation_minutes: int = 30


class DeliveryReports(Protocol):
    """What the platform reports back about our sends (bot/store/delivery_reports.py)."""

    def template_finished(self, msgid: str, status: str) -> bool:
        """WeChat's TEMPLATESENDJOBFINISH: a failure status marks the delivery failed."""
        ...


@dataclass(frozen=True)
class MissedQuestion:
    """A question the assistant could not answer (or only in part), kept so organisers see
    the wordings people use. `user` is the channel's id: the store keeps only its pseudonym."""

    user: str
    text: str
    reply: str
    kind: str  # "unknown" (nothing understood), "partial", "not_found" (a unit, task, phase)
    campaign_code: str
    source_key: str  # the message's dedup key: a retried message is kept once
    created_at: datetime


class MissedQuestionStore(Protocol):
    def add(self, missed: MissedQuestion) -> None:
        """Keep `missed` (once per source_key); never raises for a duplicate."""
        ...


@dataclass
class Services:
    """Everything a handler may use, handed in by the wiring in bot/."""

    suggestions: SuggestionStore
    campaigns: CampaignStore
    users: UserStore
    conversations: ConversationStore
    clock: Clock
    limits: Limits = field(default_factory=Limits)
    reports: DeliveryReports | None = None  # None: reports are acknowledged and dropped
    missed: MissedQuestionStore | None = None  # None: misses are not kept (tests, benches)
    # Answers and 回访 (handlers/resident.py); None: chat shows no answers, takes no ratings.
    resident: ResidentStore | None = None
