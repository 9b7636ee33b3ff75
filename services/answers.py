"""Sending published answers to residents, once (the answer outbox).

Inside WeChat's 48-hour customer-service window (the user wrote within the last 48 hours) the
answer goes out as a customer-service text; outside it the row waits, and is sent by a later
`deliver_due` once the user has written again (their message reopens the window).

The scheduler runs `deliver_due` every minute (jobs/answers.py), and the console and
`suggestions answer` run it right after publishing.

TODO (next session, issue 10 point 5): outside the window, when WECHAT_TEMPLATE_ID is set, a
template message linking to a signed answer page; and telling a waiting answer in the reply
to the user's next message ("您的建议有了答复：…") instead of a separate message after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.ports import Outbox, TextSender

WINDOW = timedelta(hours=48)

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
WAITING = "waiting"


def deliver_due(
    outbox: Outbox, sender: TextSender, now: datetime, limit: int = 50
) -> dict[str, int]:
    """Send what can be sent now; counts by resulting status."""
    counts = {SENT: 0, FAILED: 0, WAITING: 0}
    for item in outbox.due(limit):
        if not outbox.claim(item.id, now):
            continue  # another process has it
        if item.last_inbound_at is None or now - item.last_inbound_at > WINDOW:
            outbox.mark(item.id, WAITING, now, reason="outside the 48-hour window")
            counts[WAITING] += 1
            continue
        try:
            sender.send_text(item.recipient, item.text)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row
            errcode = getattr(exc, "errcode", None)
            outbox.mark(item.id, FAILED, now, errcode, type(exc).__name__)
            counts[FAILED] += 1
            continue
        outbox.mark(item.id, SENT, now)
        counts[SENT] += 1
    return counts
