"""Sending published answers to residents, exactly once, over one ledger (the answer outbox).

A row is claimed (queued/waiting -> sending) before any send, so two runners never send one
answer twice; then, in this order:
- inside WeChat's 48-hour window (the user wrote within it) and with one of WeChat's 5
  customer-service messages per user message left (the quota the notices use): a
  customer-service text with the ticket, the answer and the rating invitation (via "cs");
- otherwise (window closed, quota used up, or WeChat answering 45015/45047), when
  WECHAT_TEMPLATE_ID is set: a template message (ticket and status, each field <= 20
  characters) linking to the signed answer page when BOT_PUBLIC_URL is set (via "template");
- otherwise it waits, and is told in the reply to the user's next message
  (handlers/resident.py, via "reply"); should that message get a fixed answer instead (帮助),
  a later round sends it as a customer-service message, the user's window being open again.
A retry-later failure (system busy, per-minute limit, a token refused twice, the network)
queues the row again, up to MAX_ATTEMPTS sends; any other failure is final ("failed").

The scheduler runs `deliver_due` every minute (jobs/answers.py); the console and
`suggestions answer` run it right after publishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from services.answer_links import AnswerLinks
from services.ports import AnswerSender, Outbox, OutboxItem, TextSender
from texts import workflow as texts
from texts.notices import TEMPLATE_KEYS

WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # WeChat's window, with a margin
MAX_ATTEMPTS = 3

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
WAITING = "waiting"
RETRY = "retry"  # counted when a failed send was queued again

CS, TEMPLATE, REPLY = "cs", "template", "reply"  # how an answer was sent (`via`)

WINDOW_CLOSED, CS_QUOTA = 45015, 45047  # WeChat: window closed; message count exceeded
TRANSPORT_ERROR = -2  # bot/wechat_client.py: the request never got WeChat's answer
CLOSED_REASON = "outside the 48-hour window"
QUOTA_REASON = "customer-service quota used up (5 per user message)"


@dataclass(frozen=True)
class Channels:
    """How answers may go out: the sender, the template (if any) and the page's links."""

    sender: AnswerSender | TextSender
    template_id: str = ""
    links: AnswerLinks | None = None
    tz: tzinfo = UTC


class ChannelSettings(Protocol):
    """What `channels_for` reads of config.settings.Settings."""

    @property
    def wechat_template_id(self) -> str: ...

    @property
    def public_url(self) -> str: ...

    @property
    def tz(self) -> tzinfo: ...

    def effective_secret_key(self) -> str: ...


def channels_for(sender: AnswerSender | TextSender, settings: ChannelSettings) -> Channels:
    """The channels this install has: the template when WECHAT_TEMPLATE_ID is set, linking
    to the answer page when BOT_PUBLIC_URL is set."""
    links = AnswerLinks(settings.effective_secret_key(), settings.public_url)
    return Channels(sender, settings.wechat_template_id, links, settings.tz)


def deliver_due(
    outbox: Outbox, channels: Channels | TextSender, now: datetime, limit: int = 50
) -> dict[str, int]:
    """Send what can be sent now; counts by result (sent, failed, waiting, retry)."""
    if not isinstance(channels, Channels):
        channels = Channels(channels)  # a bare sender: customer-service messages only
    counts = {SENT: 0, FAILED: 0, WAITING: 0, RETRY: 0}
    for item in outbox.due(limit):
        if not outbox.claim(item.id, now):
            continue  # another process has it
        counts[_deliver(outbox, channels, item, now)] += 1
    return counts


def _window_open(item: OutboxItem, now: datetime) -> bool:
    return item.last_inbound_at is not None and now - item.last_inbound_at < WINDOW


def _deliver(outbox: Outbox, ch: Channels, item: OutboxItem, now: datetime) -> str:
    """One claimed row: sent by the first channel that can take it, else waiting."""
    errcode: int | None = None
    why = CLOSED_REASON
    if _window_open(item, now):
        if outbox.take_cs(item.recipient):
            try:
                ch.sender.send_text(item.recipient, item.text)
            except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row
                code = getattr(exc, "errcode", None)
                if code != TRANSPORT_ERROR:
                    outbox.give_back_cs(item.recipient)  # refused: WeChat did not count it
                if code not in (WINDOW_CLOSED, CS_QUOTA):
                    return _failed(outbox, item, now, exc)
                errcode, why = code, f"WeChat {code}: customer-service message refused"
            else:
                outbox.mark(item.id, SENT, now, via=CS)
                return SENT
        else:
            errcode, why = CS_QUOTA, QUOTA_REASON
    template = getattr(ch.sender, "send_template", None)
    if ch.template_id and template is not None:
        url = ch.links.url(item.ticket) if ch.links is not None else None
        try:
            msgid = template(item.recipient, ch.template_id, template_fields(item, now, ch.tz), url)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row
            return _failed(outbox, item, now, exc)
        outbox.mark(item.id, SENT, now, via=TEMPLATE, msgid=None if msgid is None else str(msgid))
        return SENT
    outbox.mark(item.id, WAITING, now, errcode, why)
    return WAITING


def template_fields(item: OutboxItem, now: datetime, tz: tzinfo) -> dict[str, str]:
    """The template's values: kind, ticket, date, status (each within 20 characters)."""
    day = now.astimezone(tz)
    values = {
        "kind": texts.TEMPLATE_KIND,
        "subject": texts.TEMPLATE_TICKET.format(ticket=item.ticket),
        "date": texts.TEMPLATE_DATE.format(year=day.year, month=day.month, day=day.day),
        "note": texts.TEMPLATE_STATUS.format(status=item.status or "已答复"),
    }
    return {TEMPLATE_KEYS[k]: v[:20] for k, v in values.items()}


def _failed(outbox: Outbox, item: OutboxItem, now: datetime, exc: Exception) -> str:
    """Record a failed send: queued again for a retry-later error (until MAX_ATTEMPTS)."""
    errcode = getattr(exc, "errcode", None)
    kind = getattr(exc, "kind", "give_up")
    detail = getattr(exc, "errmsg", "") or str(exc)
    reason = f"{type(exc).__name__}: {detail}"[:200]
    if kind in ("retry_later", "token") and item.attempts + 1 < MAX_ATTEMPTS:
        outbox.mark(item.id, QUEUED, now, errcode, reason)
        return RETRY
    outbox.mark(item.id, FAILED, now, errcode, reason)
    return FAILED
