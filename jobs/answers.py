"""The scheduler's share of answer delivery: every minute, send published answers that are
due (services.answers.deliver_due), so that an answer waiting outside the 48-hour window goes
out soon after the user writes again. The acting scheduler only; a row is claimed before its
send, so even two runners never send one answer twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.store.workflow_repo import SqlOutbox
from services import answers

log = logging.getLogger(__name__)
EVERY_SECONDS = 60


def deliver_answers(state: Any, acting: Callable[[], bool]) -> dict[str, int]:
    """One round (APScheduler job); counts by resulting status."""
    if not acting():
        return {}
    try:
        channels = answers.channels_for(state.sender, state.settings)
        counts = answers.deliver_due(SqlOutbox(state.db), channels, datetime.now(UTC))
    except SQLAlchemyError as exc:
        log.warning("answers: database error %s; trying again next round", type(exc).__name__)
        return {}
    if any(counts.values()):
        log.info("answers: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts
