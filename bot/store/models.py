"""Database tables (SQLAlchemy 2, typed). Migrations live in bot/migrations (Alembic)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models_base import Base, UTCDateTime
from bot.store.models_jobs import (  # noqa: F401 - re-exported: the scheduler's tables
    DeliveryRow,
    JobLeaseRow,
    NoticeRow,
)


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    phases: Mapped[list[PhaseRow]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="PhaseRow.seq"
    )
    tasks: Mapped[list[TaskRow]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="TaskRow.seq"
    )


class PhaseRow(Base):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    when_text: Mapped[str] = mapped_column(String(200))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[CampaignRow] = relationship(back_populates="phases")


class TaskRow(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    group: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_text: Mapped[str] = mapped_column(String(200), default="")
    due_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_end: Mapped[date | None] = mapped_column(Date, nullable=True)

    campaign: Mapped[CampaignRow] = relationship(back_populates="tasks")


class UserRow(Base):
    """A person who wrote to the account. The raw openid is kept only to answer them."""

    __tablename__ = "users"

    openid: Mapped[str] = mapped_column(String(128), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="wechat")
    campaign_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Customer-service messages sent since the user's last message (WeChat allows 5 in its
    # 48 hours); cs_window_at is the last_inbound_at the count belongs to: a newer message
    # starts a new count (bot/store/delivery_reports.py).
    cs_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cs_window_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# PostgreSQL only, made by migrations 0011 and 0013 in SQL and not declared below, so that
# autogenerate leaves them alone: the console's lookup table and its indexes (text search: an
# expression GIN index, and a pg_trgm one that exists only where the extension does; same
# text; an author's ideas), see bot/store/search_table.py.
PG_SEARCH_TABLES = frozenset({"suggestion_search"})
PG_SEARCH_INDEXES = frozenset({"ix_suggestion_search_bigrams", "ix_suggestion_search_trgm"})
PG_LOOKUP_INDEXES = frozenset({"ix_suggestion_search_hash", "ix_suggestion_search_author"})


class SuggestionRow(Base):
    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_suggestions_source_key"),
        # One user's suggestions since a time: the hourly limit, the same text today, 我的建议.
        Index("ix_suggestions_user_created", "user_openid", "created_at"),
        # The console's inbox (migration 0011). Only what the inbox sorts and filters by most:
        # a submission writes every index of this table while the resident waits, so the
        # console's other lookups (text, same text, an author's ideas) live on PostgreSQL's
        # lookup table, filled when the console reads it (migration 0013,
        # bot/store/search_table.py); SQLite scans for them.
        Index("ix_suggestions_created_id", "created_at", "id"),
        Index("ix_suggestions_status_created", "status", "created_at", "id"),
        # Assigned suggestions only: a new one (no unit yet) is not written to it (0013).
        Index(
            "ix_suggestions_unit",
            "unit",
            postgresql_where=text("unit IS NOT NULL"),
            sqlite_where=text("unit IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(16), unique=True)
    campaign_code: Mapped[str] = mapped_column(String(64), default="")
    topic: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    user_openid: Mapped[str] = mapped_column(String(128))
    author: Mapped[str] = mapped_column(String(32))
    source_key: Mapped[str] = mapped_column(String(200))
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    # --- the console's workflow (domain/workflow.py; migration 0008) ---
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reply_draft: Mapped[str | None] = mapped_column(Text, nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # --- 回访 (migration 0009): 满意 / 基本满意 / 不满意, set by the resident's reply 1/2/3 ---
    satisfaction: Mapped[str | None] = mapped_column(String(8), nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- Photos kept for good (bot/photo_fetcher.py) -----------------------------------------------


class SuggestionPhotoRow(Base):
    """One photo of a suggestion (its attachments, in order), downloaded from WeChat's
    temporary media (kept 3 days there) into BOT_MEDIA_DIR.

    status: "pending" (not fetched yet: new, waiting for credentials, or retrying at
    next_attempt_at) -> "fetched" (path, content_type, size, sha256) | "failed" (last_error:
    the platform's errcode and message, or why it can never be fetched). ``path`` is relative to
    the media folder; it never contains the openid.
    """

    __tablename__ = "suggestion_photos"
    __table_args__ = (
        UniqueConstraint("suggestion_id", "position", name="uq_suggestion_photos_position"),
        Index("ix_suggestion_photos_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order they were sent
    media_id: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(300), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- Questions the assistant could not answer (handlers/schedule_help.py) ---------------------


class MissedQuestionRow(Base):
    """A question not (fully) answered: kept pseudonymous, for `python -m bot questions
    missed`. kind: "unknown" (nothing understood), "partial", "not_found"."""

    __tablename__ = "missed_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    author: Mapped[str] = mapped_column(String(32))  # pseudonym (bot/privacy.py), never the id
    campaign_code: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text, default="")
    source_key: Mapped[str] = mapped_column(String(200), unique=True)


# --- The organisers' console (services/, bot/console/): accounts, audit, answers -------------


class ConsoleAccountRow(Base):
    """A console account. role: organiser | reviewer | unit (domain.workflow.ROLES)."""

    __tablename__ = "console_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who did what, when, to which ticket or account, before -> after. Also a suggestion's
    history (the rows whose target is its ticket)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")


class AnswerOutboxRow(Base):
    """The published answer on its way to the resident: one row per suggestion, so it is sent
    once. status: queued -> sending -> sent | failed | waiting (outside the 48-hour window:
    told with the user's next message). `via`: how it was sent (cs, template, reply)."""

    __tablename__ = "answer_outbox"
    __table_args__ = (
        Index("ix_answer_outbox_status", "status"),
        Index("ix_answer_outbox_openid", "openid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), unique=True)
    ticket: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16), default="wechat")
    openid: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    errcode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    via: Mapped[str | None] = mapped_column(String(16), nullable=True)  # cs, template, reply
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    msgid: Mapped[str | None] = mapped_column(String(32), nullable=True)  # template sends


class UnitRow(Base):
    """A responsible unit (承办单位). Retired names, and the old names of renamed units
    (`renamed_to`), stay as rows so that seeding from a plan never brings them back."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    renamed_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnswerTemplateRow(Base):
    """A reusable answer; `campaign` empty = every campaign. {编号} and {单位} are filled in."""

    __tablename__ = "answer_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    campaign: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
