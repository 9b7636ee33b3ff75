"""What WeChat reports back about our sends, and the customer-service quota we must keep.

- ``SqlDeliveryReports.template_finished``: WeChat answers a template send with a msgid at once
  and reports the outcome later in a ``TEMPLATESENDJOBFINISH`` event (Status "success",
  "failed:user block", "failed: system failed"). A failure marks the delivery with that msgid
  "failed", the platform's words as its reason. A report that finds no row (a msgid we never
  stored, or one that arrives before the send was recorded) changes nothing. A failed template
  send of a published answer (answer_outbox) goes back to "waiting": the resident is then told
  in the reply to their next message (services/answers.py), still once.
- ``CustomerServiceQuota``: after a user's message WeChat accepts 5 customer-service messages
  in 48 hours (WECHAT.md). Each send first takes one of the 5 in one conditional UPDATE of the
  user's row (``cs_sent`` counted against ``cs_window_at``, the ``last_inbound_at`` the count
  belongs to), so concurrent senders cannot exceed it; a newer message from the user (recorded
  by bot/seen.py as ``last_inbound_at``) starts a new count. A send that then fails gives its
  slot back. bot/seen.py records a user at most every 10 minutes, so a message within 10
  minutes of the recorded one does not reset the count: we err towards sending fewer.

Plain SQLAlchemy Core over bot.store.models only: both the scheduler (jobs/channels.py) and the
webhook's late answers (bot/inbound.py) can use it without an import cycle.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import case, or_, update

from bot.store.db import Database
from bot.store.models import AnswerOutboxRow, DeliveryRow, UserRow

log = logging.getLogger(__name__)
CS_PER_WINDOW = 5  # customer-service messages WeChat accepts after one user message
QUOTA_REASON = (
    "quota: 5 customer-service messages already sent since the user's last message "
    "(WeChat's limit); not attempted"
)


class CustomerServiceQuota:
    """Counts customer-service messages per user against WeChat's 5 per message window."""

    def __init__(self, db: Database, limit: int = CS_PER_WINDOW) -> None:
        self.db, self.limit = db, limit
        same_window = UserRow.cs_window_at == UserRow.last_inbound_at
        self._take = (
            update(UserRow)
            .where(
                UserRow.last_inbound_at.is_not(None),
                or_(UserRow.cs_window_at.is_(None), ~same_window, UserRow.cs_sent < limit),
            )
            .values(
                cs_sent=case((same_window, UserRow.cs_sent + 1), else_=1),
                cs_window_at=UserRow.last_inbound_at,
            )
        )
        self._give_back = (
            update(UserRow)
            .where(UserRow.cs_sent > 0, same_window)
            .values(cs_sent=UserRow.cs_sent - 1)
        )

    def take(self, openid: str) -> bool:
        """Count one message to `openid`; False (nothing counted) when the 5 are used up or
        the user never wrote to us."""
        with self.db.autocommit() as conn:
            taken = conn.execute(self._take.where(UserRow.openid == openid)).rowcount
        return bool(taken)

    def give_back(self, openid: str) -> None:
        """The message counted by `take` was not accepted by WeChat: uncount it."""
        with self.db.autocommit() as conn:
            conn.execute(self._give_back.where(UserRow.openid == openid))

    def used(self, openid: str) -> int:
        """Messages counted in the user's current window (for tests and operators)."""
        with self.db.session() as s:
            row = s.get(UserRow, openid)
            if row is None or row.cs_window_at is None or row.cs_window_at != row.last_inbound_at:
                return 0
            return row.cs_sent


class SqlDeliveryReports:
    """Applies WeChat's reports about template sends to the deliveries table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def template_finished(self, msgid: str, status: str) -> bool:
        """Record a TEMPLATESENDJOBFINISH report; True when a delivery was marked failed."""
        status = (status or "").strip()
        if not msgid or not status.lower().startswith("failed"):
            return False  # "success" (or nothing to act on): the row already says "sent"
        with self.db.autocommit() as conn:
            marked = conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.msgid == msgid[:32], DeliveryRow.status == "sent")
                .values(
                    status="failed",
                    reason=f"WeChat reported {status}"[:200],
                    updated_at=datetime.now(UTC),
                )
            ).rowcount
            if not marked:
                marked = conn.execute(
                    update(AnswerOutboxRow)
                    .where(
                        AnswerOutboxRow.msgid == msgid[:32],
                        AnswerOutboxRow.status == "sent",
                        AnswerOutboxRow.via == "template",
                    )
                    .values(
                        status="waiting", via=None, sent_at=None,
                        reason=f"WeChat reported {status}"[:200], updated_at=datetime.now(UTC),
                    )  # fmt: skip
                ).rowcount
        if not marked:
            log.info("template report for an unknown msgid (status %s)", status[:40])
        return bool(marked)
