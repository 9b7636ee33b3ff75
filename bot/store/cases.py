"""A suggestion row as the use cases see it (services.ports.Case): pseudonymous, no openid."""

from __future__ import annotations

from bot.store.models import SuggestionRow
from services.ports import Case


def to_case(row: SuggestionRow) -> Case:
    return Case(
        ticket=row.ticket,
        campaign=row.campaign_code,
        topic=row.topic,
        content=row.content,
        status=row.status,
        created_at=row.created_at,
        channel=row.channel,
        author=row.author,
        attachments=len(row.attachments or []),
        unit=row.unit,
        outcome=row.outcome,
        reply=row.reply,
        replied_at=row.replied_at,
        reply_draft=row.reply_draft,
        decline_reason=row.decline_reason,
        satisfaction=row.satisfaction,
        rated_at=row.rated_at,
    )
