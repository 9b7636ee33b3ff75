"""献一策: the rules a suggestion must pass, and storing it (handlers/suggest.py runs the
conversation; this module decides and writes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import suggestion as rules
from handlers.ports import NewSuggestion, Services
from handlers.types import Incoming, Reply
from texts import chat as texts


def too_short(content: str, services: Services) -> bool:
    need = services.limits.min_chars
    return rules.content_length(content, need) < need


def lengthrefusal(content: str, services: Services) -> Reply | None:
    """A kind refusal if the content is too short or too long, else None."""
    limits = services.limits
    if too_short(content, services):
        return Reply(texts.TOO_SHORT.format(min=limits.min_chars))
    if len(content) > limits.max_chars:
        return Reply(texts.TOO_LONG.format(max=limits.max_chars, chars=len(content)))
    return None


def windows(services: Services) -> tuple[datetime, datetime]:
    """Since when the hourly limit and the same-text-today rule count."""
    now = services.clock.now()
    return now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0)


def refusal(user: str, content: str, services: Services) -> Reply | None:
    """A kind refusal if the content breaks a rule, else None: asked early, when a guided
    conversation would otherwise go on; _store asks again as it stores."""
    refusal = lengthrefusal(content, services)
    if refusal:
        return refusal
    hour_since, day_since = windows(services)
    count, same = services.suggestions.recent(user, content, hour_since, day_since)
    return refused(same, count, services)


def refused(same: str | None, count: int, services: Services) -> Reply | None:
    if same:
        return Reply(texts.DUPLICATE_TODAY.format(ticket=same))
    if count >= services.limits.per_hour:
        return Reply(texts.RATE_LIMITED.format(count=count))
    return None


def store(
    msg: Incoming,
    services: Services,
    campaign: str,
    topic: str,
    content: str,
    attachments: list[str],
    source_key: str,
) -> Reply:
    """Store the suggestion unless the rules refuse it (checked in the same round trip)."""
    refusal = lengthrefusal(content, services)
    if refusal:
        return refusal
    now = services.clock.now()
    hour_since, day_since = windows(services)
    result = services.suggestions.submit(
        NewSuggestion(
            user=msg.user,
            channel=msg.channel,
            campaign_code=campaign,
            topic=topic,
            content=content,
            source_key=source_key or f"{msg.channel}:{msg.user}:{now.isoformat()}",
            created_at=now,
            attachments=tuple(attachments),
        ),
        hour_since,
        day_since,
        services.limits.per_hour,
    )
    record = result.record
    if record is None:
        return refused(result.same_today, result.this_hour, services) or Reply(texts.SERVICE_ERROR)
    return Reply(texts.SUBMITTED.format(ticket=record.ticket, status=record.status))
