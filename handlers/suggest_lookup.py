"""Looking suggestions up in chat: "我的建议" and "查询 <编号>" show each one's status and,
once published, the outcome and the answer (only the submitter's own)."""

from __future__ import annotations

from domain import suggestion as rules
from domain import workflow as wf
from handlers.ports import Services
from handlers.schedule_format import nbytes, paginate, with_more_footer
from handlers.types import Incoming, Reply
from services.ports import AnswerInfo
from texts import chat as texts

PREVIEW_CHARS = 60
REPLY_PREVIEW_CHARS = 30
MAX_REPLY_BYTES = 2048  # handlers/router.py: every reply within WeCom's text limit
PAGE_BYTES = MAX_REPLY_BYTES - 120  # room for the "更多" footer


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _answers(msg: Incoming, services: Services, tickets: list[str]) -> dict[str, AnswerInfo]:
    """The published answers of these (the user's own) suggestions, by ticket."""
    if services.resident is None:
        return {}
    return services.resident.answers(msg.user, tickets)


def _rating_awaited(msg: Incoming, services: Services, ticket: str) -> bool:
    if services.resident is None:
        return False
    since = services.clock.now() - wf.RATING_WINDOW
    return services.resident.rating_due(msg.user, since) == ticket


def _answered(info: AnswerInfo | None) -> bool:
    return info is not None and bool(info.reply) and info.status in (wf.ANSWERED, wf.CLOSED)


def my_suggestions(msg: Incoming, services: Services) -> Reply:
    records, total = services.suggestions.for_user(msg.user, limit=10)
    if not records:
        return Reply(texts.MY_NONE)
    shown = texts.MY_SHOWN.format(count=len(records)) if total > len(records) else ""
    tz = services.clock.now().tzinfo
    answers = _answers(msg, services, [r.ticket for r in records])
    lines = []
    for r in records:
        line = texts.MY_LINE.format(
            ticket=r.ticket,
            status=r.status,
            date=f"{r.created_at.astimezone(tz):%m月%d日}",
            preview=preview(r.content, 40),
        )
        info = answers.get(r.ticket)
        if info is not None and _answered(info):
            head, _, tail = line.partition("\n")
            outcome = texts.MY_LINE_OUTCOME.format(outcome=info.outcome) if info.outcome else ""
            reply = texts.MY_LINE_REPLY.format(reply=preview(info.reply or "", REPLY_PREVIEW_CHARS))
            line = head + outcome + ("\n" + tail if tail else "") + reply
        lines.append(line)
    header = texts.MY_HEADER.format(total=total, shown=shown).rstrip("\n")
    pages = paginate(header, [*lines, texts.MY_FOOTER.strip("\n")])
    rest = tuple(pages[1:])
    return Reply(with_more_footer(pages[0], len(rest)), more=rest if rest else None)


def lookup(msg: Incoming, ticket_text: str, services: Services) -> Reply:
    ticket = rules.normalize_ticket(ticket_text)
    if ticket is None:
        return Reply(texts.TICKET_BAD)
    record = services.suggestions.by_ticket(msg.user, ticket)
    if record is None:
        return Reply(texts.TICKET_NOT_FOUND.format(ticket=ticket))
    names = {c.code: c.name for c in services.campaigns.active()}
    tz = services.clock.now().tzinfo
    text = texts.TICKET_DETAIL.format(
        ticket=record.ticket,
        status=record.status,
        date=f"{record.created_at.astimezone(tz):%Y年%m月%d日 %H:%M}",
        campaign=names.get(record.campaign_code, record.campaign_code or "—"),
        topic=record.topic or texts.OTHER_TOPIC,
        content=preview(record.content, 300),
    )
    info = _answers(msg, services, [record.ticket]).get(record.ticket)
    if info is not None and _answered(info):
        if info.outcome:
            text += texts.TICKET_OUTCOME.format(outcome=info.outcome)
        text += texts.TICKET_REPLY.format(reply=info.reply)
        if info.satisfaction:
            text += texts.TICKET_RATED.format(satisfaction=info.satisfaction)
        elif _rating_awaited(msg, services, record.ticket):
            text += texts.TICKET_RATE_HINT
    if nbytes(text) <= MAX_REPLY_BYTES:
        return Reply(text)
    pages = split_pages(text)
    return Reply(with_more_footer(pages[0], len(pages) - 1), more=tuple(pages[1:]))


def split_pages(text: str, limit: int = PAGE_BYTES) -> list[str]:
    """`text` in pages of at most `limit` bytes, split between lines where it can be."""
    pages: list[str] = []
    page = ""
    for line in text.split("\n"):
        while nbytes(line) > limit:  # one very long line: cut it by characters
            head = line
            while nbytes(head) > limit:
                head = head[: max(1, len(head) * limit // nbytes(head))]
            if page:
                pages.append(page)
                page = ""
            pages.append(head)
            line = line[len(head) :]
        candidate = f"{page}\n{line}" if page else line
        if nbytes(candidate) > limit:
            pages.append(page)
            candidate = line
        page = candidate
    if page:
        pages.append(page)
    return pages
