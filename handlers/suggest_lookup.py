"""Looking suggestions up in chat: "我的建议" and "查询 <编号>" show each one's status and,
once published, the outcome and the answer (only the submitter's own)."""

from __future__ import annotations

from domain import suggestion as rules
from handlers import texts
from handlers.ports import Services
from handlers.types import Incoming, Reply

PREVIEW_CHARS = 60


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def my_suggestions(msg: Incoming, services: Services) -> Reply:
    records, total = services.suggestions.for_user(msg.user, limit=10)
    if not records:
        return Reply(texts.MY_NONE)
    shown = texts.MY_SHOWN.format(count=len(records)) if total > len(records) else ""
    tz = services.clock.now().tzinfo
    lines = [
        texts.MY_LINE.format(
            ticket=r.ticket,
            status=r.status,
            date=f"{r.created_at.astimezone(tz):%m月%d日}",
            preview=preview(r.content, 40),
        )
        for r in records
    ]
    return Reply(
        texts.MY_HEADER.format(total=total, shown=shown) + "\n".join(lines) + texts.MY_FOOTER
    )


def lookup(msg: Incoming, ticket_text: str, services: Services) -> Reply:
    ticket = rules.normalize_ticket(ticket_text)
    if ticket is None:
        return Reply(texts.TICKET_BAD)
    record = services.suggestions.by_ticket(msg.user, ticket)
    if record is None:
        return Reply(texts.TICKET_NOT_FOUND.format(ticket=ticket))
    names = {c.code: c.name for c in services.campaigns.active()}
    tz = services.clock.now().tzinfo
    return Reply(
        texts.TICKET_DETAIL.format(
            ticket=record.ticket,
            status=record.status,
            date=f"{record.created_at.astimezone(tz):%Y年%m月%d日 %H:%M}",
            campaign=names.get(record.campaign_code, record.campaign_code or "—"),
            topic=record.topic or texts.OTHER_TOPIC,
            content=preview(record.content, 300),
        )
    )
