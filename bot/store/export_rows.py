"""SQL for the suggestions export (bot/export.py): the rows, streamed in batches, and the few
small aggregates its summary needs. The openid is never selected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, func, select

from bot.store.db import Database
from bot.store.models import CampaignRow, SuggestionRow

BATCH = 1000  # rows per fetch: a server-side cursor on PostgreSQL, fetchmany on SQLite


class ExportRow(NamedTuple):
    ticket: str
    campaign: str
    topic: str
    content: str
    status: str
    created_at: datetime  # aware (UTC)
    channel: str
    author: str
    attachments: list[str] | None
    outcome: str | None
    unit: str | None
    reply: str | None
    replied_at: datetime | None


def _scoped(stmt: Select, unit: str | None) -> Select:  # type: ignore[type-arg]
    return stmt if unit is None else stmt.where(SuggestionRow.unit == unit)


def stream(db: Database, unit: str | None = None) -> Iterator[ExportRow]:
    """Every suggestion (or one unit's), oldest first, never all in memory: `yield_per` makes
    SQLAlchemy fetch BATCH rows at a time (on PostgreSQL through a named, server-side cursor)."""
    stmt = _scoped(
        select(
            SuggestionRow.ticket,
            SuggestionRow.campaign_code,
            SuggestionRow.topic,
            SuggestionRow.content,
            SuggestionRow.status,
            SuggestionRow.created_at,
            SuggestionRow.channel,
            SuggestionRow.author,
            SuggestionRow.attachments,
            SuggestionRow.outcome,
            SuggestionRow.unit,
            SuggestionRow.reply,
            SuggestionRow.replied_at,
        ),
        unit,
    ).order_by(SuggestionRow.created_at, SuggestionRow.id)
    with db.session() as s:
        for row in s.execute(stmt.execution_options(yield_per=BATCH)):
            yield ExportRow(*row)


def campaign_names(db: Database) -> dict[str, str]:
    """code -> name of every campaign loaded, in code order."""
    with db.session() as s:
        rows = s.execute(select(CampaignRow.code, CampaignRow.name).order_by(CampaignRow.code))
        return {code: name for code, name in rows}


def satisfaction(db: Database, unit: str | None = None) -> dict[str, Counter[str]]:
    """campaign code -> how many suggestions were rated 满意 / 基本满意 / 不满意 (回访)."""
    stmt = _scoped(
        select(SuggestionRow.campaign_code, SuggestionRow.satisfaction, func.count())
        .where(SuggestionRow.satisfaction.is_not(None))
        .group_by(SuggestionRow.campaign_code, SuggestionRow.satisfaction),
        unit,
    )
    found: dict[str, Counter[str]] = {}
    with db.session() as s:
        for code, rating, count in s.execute(stmt):
            found.setdefault(code, Counter())[rating] += int(count)
    return found
