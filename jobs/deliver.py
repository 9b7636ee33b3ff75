"""Fan-out of a notice to its recipients over a channel, with retries: exactly once, or says so.

Why "exactly once" holds, and where it cannot
---------------------------------------------
Every (notice, recipient) pair gets one row in ``deliveries``, protected by a unique
constraint. The row is inserted with status "sending" *before* the message goes out (the
insert is the claim: of two processes, or of a scheduler and a ``jobs run``, only one can
insert it) and is marked "sent" (or failed, retry, undeliverable) *after* WeChat answers. A
recipient who already has a row is never picked again, so a second scheduler, a second
``jobs run`` or a restart after a crash never sends to the same person twice.

What no design can promise is exactly-once *across a crash*: WeChat's send APIs take no
idempotency key, so when a process dies between sending a request and recording the answer,
nobody can know whether WeChat delivered the message. Sending again could notify the person
twice; not sending could leave them without the notice. We choose never twice: such rows stay
"sending" with the id of the process that claimed them, and once that process's heartbeat
has expired (see jobs/lease.py) they are marked "uncertain" for a person to check (for
example by asking the recipient). A row is claimed by the worker thread right before its
send, so at most the sends in flight at the moment of the crash (the fan-out's concurrency,
16 by default) can end up "uncertain"; everyone else is delivered exactly once.

Retries: errors WeChat asks us to wait out (45009 daily quota, 45011 per-minute limit, -1
busy, HTTP 5xx, timeouts) put the row in "retry" with a later ``next_attempt_at`` (bounded:
MAX_ATTEMPTS calls in all); 45009/45011 also pause the channel, so the rest of the fan-out is
recorded as "retry" without calling WeChat. Token errors are refreshed and retried by the
client itself. 43004, 43101, 45015, 45047 and other refusals are recorded as "failed".

Layout: jobs/workers.py (context, worker pool), jobs/attempt.py (one delivery:
claim, send, record), this module (who gets a notice, the fan-out, the retries); the SQL
is in bot/store/deliveries_repo.py, behind jobs/ports.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from jobs import notices
from jobs.attempt import (  # noqa: F401 - re-exported: jobs.deliver.MAX_ATTEMPTS etc.
    MAX_ATTEMPTS,
    Outcome,
    Tally,
    classify,
    retry_at,
    send_new,
    send_retry,
    stopping,
)
from jobs.channels import (  # noqa: F401 - re-exported: jobs.deliver.Channel etc.
    Channel,
    ChannelError,
    Message,
    Recipient,
    Undeliverable,
)
from jobs.ports import DueNotice, RetryItem
from jobs.workers import DeliveryContext, Stream, run_workers  # noqa: F401 - re-exported

log = logging.getLogger(__name__)


def message_of(notice: DueNotice) -> Message:
    """The channel-facing view of a notice."""
    return Message(notice.id, notice.kind, notice.title, notice.text, notice.fields)


def _recipients(
    ctx: DeliveryContext, notice: DueNotice, channel: str, units: list[str] | None
) -> Callable[[str | None], tuple[list[Recipient], str | None]]:
    """A reader of the subscribers (by openid) who have no delivery row for the notice yet."""

    def fetch(after: str | None) -> tuple[list[Recipient], str | None]:
        return ctx.deliveries.recipients(
            notice.id, notice.campaign_code, channel, units, after, ctx.batch
        )

    return fetch


def fan_out(ctx: DeliveryContext, notice: DueNotice, tally: Tally) -> bool:
    """Send `notice` to every recipient who has no delivery row yet, reading them in batches
    (memory stays flat). True when nobody is left (the notice is then "done"); False when
    stopped early (quiet hours began, the lease was lost, shutdown): the next run resumes."""
    message = message_of(notice)
    finished = True
    for channel in ctx.channels:
        audience = notices.audience(ctx.notices, notice.campaign_code, channel.name)
        units = audience.units_for(notice.unit)
        if units == []:
            continue  # nobody is bound to this unit
        stream = Stream(_recipients(ctx, notice, channel.name, units))

        def work(wctx: DeliveryContext, channel: Channel = channel, stream: Stream = stream):
            while not stopping(wctx) and (recipient := stream.next()) is not None:
                tally.add(notice.id, send_new(wctx, channel, recipient, message))

        finished = run_workers(ctx, work) and stream.exhausted and finished
    if finished:
        ctx.notices.set_status(notice.id, "done", when=("sending",), now=notices.utcnow())
    return finished


def _due_retries(
    ctx: DeliveryContext, channel: str
) -> Callable[[int | None], tuple[list[RetryItem], int | None]]:
    def fetch(after_id: int | None) -> tuple[list[RetryItem], int | None]:
        rows = ctx.deliveries.due_retries(channel, ctx.now(), after_id, ctx.batch)
        return rows, (rows[-1].id if rows else None)

    return fetch


def retry_due(ctx: DeliveryContext, tally: Tally) -> None:
    """Send again the deliveries in "retry" whose time has come; those whose user has
    unsubscribed or unfollowed meanwhile become "undeliverable" instead."""
    messages: dict[int, Message] = {}
    lock = threading.Lock()

    def message(notice_id: int) -> Message:
        with lock:
            if notice_id not in messages:
                for nid, notice in ctx.notices.by_id([notice_id]).items():
                    messages[nid] = message_of(notice)
            return messages[notice_id]

    for channel in ctx.channels:
        stream = Stream(_due_retries(ctx, channel.name))

        def work(wctx: DeliveryContext, channel: Channel = channel, stream: Stream = stream):
            while not stopping(wctx) and wctx.pause_of(channel.name, wctx.now()) is None:
                row = stream.next()
                if row is None:
                    return
                if not (row.subscribed and row.following):
                    wctx.deliveries.drop_unsubscribed(row.id)
                    continue
                recipient = Recipient(row.openid, row.last_inbound_at)
                outcome = send_retry(wctx, channel, row.id, recipient, message(row.notice_id))
                tally.add(row.notice_id, outcome)

        run_workers(ctx, work)
