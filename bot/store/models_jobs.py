"""The scheduler's tables (jobs/, through bot/store/notices_repo.py, deliveries_repo.py and
lease_repo.py): notices, one delivery per (notice, recipient), leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models_base import Base, UTCDateTime


class NoticeRow(Base):
    """A notice derived from a plan (domain.notices.NoticeSpec), and where its fan-out stands.

    status: "scheduled" (not started) -> "sending" (fan-out under way) -> "done" (every
    recipient has a delivery row); "missed" (more than 6 awake hours late, never started;
    sent only by `jobs run --include-missed`); "superseded" (a deadline reminder whose later
    reminder for the same task came due before it went out: never sent); "cancelled" (set
    by an operator; the scheduler leaves it alone).
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    campaign_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryRow(Base):
    """One notice to one recipient. The row is written ("sending") before the send and marked
    after it, so a (notice, recipient) pair is attempted by one process only, ever.

    status: "sending" | "sent" | "recorded" (no credentials: recorded, not sent) | "retry"
    (next_attempt_at) | "failed" (errcode, reason; also when WeChat's TEMPLATESENDJOBFINISH
    report says so, found by msgid) | "undeliverable" (reason) | "superseded" (a later
    reminder of the same task came due first) | "uncertain" (in flight when its process died).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "openid", name="uq_deliveries_notice_openid"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_deliveries_msgid", "msgid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    channel: Mapped[str] = mapped_column(String(16), default="wechat")
    openid: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    errcode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    msgid: Mapped[str | None] = mapped_column(String(32), nullable=True)  # template sends


class JobLeaseRow(Base):
    """Leases in the database: "scheduler" (the one acting scheduler) and "runner:<id>" (the
    heartbeat of a process that may hold deliveries in flight)."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
