"""One delivery: claim its row, call the channel, record the outcome (split out of
jobs/deliver.py, whose docstring explains the exactly-once design these functions serve).

Outcomes: "sent" (with the platform's msgid for template messages, so that WeChat's later
TEMPLATESENDJOBFINISH report can find the row), "recorded" (the channel only records:
WECHAT_APPID/SECRET unset, nothing left the machine), "retry", "failed", "undeliverable",
"uncertain".
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.exc import SQLAlchemyError

from domain.notices import is_quiet, shift_out_of_quiet
from jobs.channels import Channel, ChannelError, Message, Recipient, Undeliverable
from jobs.ports import Mark
from jobs.workers import DeliveryContext

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
PAUSE_ERRORS = frozenset({45009, 45011})
PAUSED = "channel paused by WeChat's rate limit (45009/45011)"


@dataclass
class Outcome:
    """How one delivery ended this time ("taken": another runner has it)."""

    status: str
    errcode: int | None = None
    reason: str = ""
    next_attempt_at: datetime | None = None
    attempts: int | None = None  # set when the count must change (no call was made)
    msgid: str | None = None  # the platform's id of the message sent


class Tally:
    """Thread-safe counts of outcomes per notice (this run only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[int, Counter[str]] = {}

    def add(self, notice_id: int, outcome: Outcome) -> None:
        """Count one outcome ("failed:43004"-style keys for error codes too)."""
        with self._lock:
            if outcome.status == "taken":
                return
            bucket = self.counts.setdefault(notice_id, Counter())
            bucket[outcome.status] += 1
            if outcome.errcode is not None and outcome.status in ("failed", "retry"):
                bucket[f"{outcome.status}:{outcome.errcode}"] += 1


def retry_at(errcode: int, attempts: int, now: datetime, tz: tzinfo) -> datetime:
    """When to try again after a retry_later error on the `attempts`-th call (quiet-shifted):
    45009 (daily quota) the next morning; 45011 (per-minute limit) a minute per attempt;
    anything else 30 s doubling per attempt, at most 30 min."""
    if errcode == 45009:
        local = now.astimezone(tz)
        later = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
    elif errcode == 45011:
        later = now + timedelta(minutes=attempts)
    else:
        later = now + min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(minutes=30))
    return shift_out_of_quiet(later, tz)


def classify(error: ChannelError, attempts: int, now: datetime, tz: tzinfo) -> Outcome:
    """The outcome of a failed call: failed (give up, or out of attempts) or retry later."""
    if error.kind == "give_up":
        return Outcome("failed", error.errcode, error.reason)
    if attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {attempts} attempts: {error.reason}"
        return Outcome("failed", error.errcode, reason)
    return Outcome("retry", error.errcode, error.reason, retry_at(error.errcode, attempts, now, tz))


def _mark(ctx: DeliveryContext, delivery_id: int, outcome: Outcome) -> None:
    """Record an outcome on a row we claimed ("uncertain" too: the truth wins if we live)."""
    mark = Mark(
        outcome.status,
        outcome.errcode,
        outcome.reason,
        outcome.next_attempt_at,
        outcome.msgid,
        outcome.attempts,
    )
    for attempt in range(3):
        try:
            ctx.deliveries.mark(delivery_id, ctx.runner_id, mark)
            return
        except SQLAlchemyError as exc:
            log.warning("recording delivery %s failed (%s)", delivery_id, type(exc).__name__)
            threading.Event().wait(0.5 * (attempt + 1))


def _send(
    ctx: DeliveryContext,
    channel: Channel,
    delivery_id: int,
    recipient: Recipient,
    message: Message,
    attempts: int,
) -> Outcome:
    """Send one claimed delivery and record how it went."""
    who = ctx.pseudonym(recipient.openid)
    paused = ctx.pause_of(channel.name, ctx.now())
    if paused is not None:  # another send hit the rate limit meanwhile: do not call at all
        outcome = Outcome("retry", None, PAUSED, paused, attempts - 1)
        _mark(ctx, delivery_id, outcome)
        return outcome
    try:
        msgid = channel.send(recipient, message)
        recorded = getattr(channel, "records_only", False)
        outcome = Outcome("recorded" if recorded else "sent", msgid=msgid)
    except Undeliverable as exc:
        outcome = Outcome("undeliverable", reason=exc.reason)
    except ChannelError as exc:
        outcome = classify(exc, attempts, ctx.now(), ctx.tz)
        if exc.errcode in PAUSE_ERRORS and outcome.next_attempt_at is not None:
            ctx.pause(channel.name, outcome.next_attempt_at)
        log.info(
            "notice %s to %s: %s (errcode %s, attempt %s)",
            message.notice_id,
            who,
            outcome.status,
            exc.errcode,
            attempts,
        )
    except Exception as exc:  # noqa: BLE001 - unknown state: never resend, let a person check
        # Type only: messages of database or client errors may quote parameters (openids).
        log.error("notice %s to %s: unexpected %s", message.notice_id, who, type(exc).__name__)
        log.debug("unexpected error detail", exc_info=True)
        outcome = Outcome("uncertain", reason=f"unexpected error: {type(exc).__name__}")
    _mark(ctx, delivery_id, outcome)
    return outcome


def stopping(ctx: DeliveryContext) -> bool:
    return not ctx.keep_going() or is_quiet(ctx.now(), ctx.tz)


def send_new(
    ctx: DeliveryContext,
    channel: Channel,
    recipient: Recipient,
    message: Message,
) -> Outcome:
    """Claim (insert the row) and send, in the worker thread: only rows actually being sent
    are ever "sending". While the channel is paused the row is recorded as "retry"."""
    paused = ctx.pause_of(channel.name, ctx.now())
    delivery_id = ctx.deliveries.claim_new(
        message.notice_id,
        channel.name,
        recipient.openid,
        ctx.runner_id,
        paused,
        "" if paused is None else PAUSED,
    )
    if delivery_id is None:
        return Outcome("taken")
    if paused is not None:
        return Outcome("retry", None, PAUSED, paused)
    return _send(ctx, channel, delivery_id, recipient, message, 1)


def send_retry(
    ctx: DeliveryContext,
    channel: Channel,
    delivery_id: int,
    recipient: Recipient,
    message: Message,
) -> Outcome:
    """Claim a "retry" row (conditional update) and send it again."""
    attempts = ctx.deliveries.claim_retry(delivery_id, ctx.runner_id)
    if attempts is None:
        return Outcome("taken")
    return _send(ctx, channel, delivery_id, recipient, message, attempts)
