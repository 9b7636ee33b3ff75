"""Builds the process's parts from Settings and hands them to handlers as plain services."""

from __future__ import annotations

import logging

from bot.app_state import AppState
from bot.clock import SystemClock
from bot.inbound import InboundProcessor
from bot.photo_fetcher import PhotoAwareSuggestionStore, PhotoFetcher
from bot.privacy import Pseudonymizer
from bot.seen import SeenRecorder
from bot.store.campaigns_repo import SqlCampaignStore
from bot.store.db import Database
from bot.store.delivery_reports import SqlDeliveryReports
from bot.store.hot_redis import QuietSet, hot_redis
from bot.store.kv import RedisConversationStore, make_redis
from bot.store.kv import io_bound as redis_io_bound
from bot.store.missed import SqlMissedQuestionStore
from bot.store.photos import PhotoStore
from bot.store.resident_repo import SqlResidentStore
from bot.store.users_repo import SqlUserStore
from bot.wechat_client import build_sender
from bot.wechat_protocol import Cipher
from config.settings import Settings, hide_password, instance_secret
from handlers.ports import Services
from handlers.resident import with_answers
from handlers.router import classify, is_read_only, route, stateless_reply
from handlers.types import Incoming

log = logging.getLogger(__name__)


def build_state(settings: Settings, *, migrate: bool = False) -> AppState:
    """Connect to the database and Redis (or the embedded defaults) and wire everything.
    An unreachable Redis or database raises here, at start (one line from the CLI), not on
    the first message."""
    kv = make_redis(settings.redis_url, settings.redis_timeout)
    if settings.redis_url:
        kv.ping()
    db = Database(
        settings.effective_database_url,
        settings.db_statement_timeout or None,
        settings.db_connect_timeout,
    )
    if migrate:
        db.upgrade()
    else:
        db.require_schema()
    pseudonym = Pseudonymizer(settings.pseudonym_key or instance_secret("pseudonym.key"))
    suggestions = PhotoAwareSuggestionStore(db, pseudonym)  # wakes `photos` (below)
    users = SqlUserStore(db, pseudonym)
    campaigns = SqlCampaignStore(db, kv, settings.redis_prefix)
    clock = SystemClock(settings.tz, settings.today)
    hot = hot_redis(kv)  # the claim and the kept answer on a held connection per thread
    conversations = RedisConversationStore(kv, settings.redis_prefix + "conv", hot)
    services = Services(
        suggestions=suggestions,
        campaigns=campaigns,
        users=users,
        conversations=conversations,
        clock=clock,
        reports=SqlDeliveryReports(db),
        missed=SqlMissedQuestionStore(db, pseudonym),
        resident=SqlResidentStore(db),  # answers and 回访 in chat
    )
    sender = build_sender(
        settings.wechat_appid,
        settings.wechat_secret,
        kv,
        base_url=settings.wechat_api_base_url,
        pseudonym=pseudonym,
        key_prefix=settings.redis_prefix,
    )

    # Photos kept for good: a suggestion stored with photos wakes the fetcher's thread
    # (started on first use, in this process); the scheduler's tick wakes it too.
    photos = PhotoFetcher(PhotoStore(db), sender, settings.effective_media_dir)
    suggestions.on_photos = photos.notify

    seen = SeenRecorder(users, clock.now)

    def on_inbound(msg: Incoming) -> None:
        # A message (not an event) opens WeChat's 48-hour customer-service window.
        if msg.kind != "event":
            seen.note(msg.user)

    processor = InboundProcessor(
        services,
        kv,
        conversations,
        with_answers(route),  # waiting answers told, ratings taken (handlers/resident.py)
        sender,
        pseudonym,
        stateless=stateless_reply,
        read_only=is_read_only,
        on_inbound=on_inbound,
        key_prefix=settings.redis_prefix,
        classify=classify,
        # One round trip that stalls fails its handler, so the longest is what counts.
        io_bound=max(db.io_bound, redis_io_bound(kv)),
        keep=QuietSet(kv, hot, settings.redis_prefix),
    )
    cipher = (
        Cipher(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
        if settings.wechat_aes_key
        else None
    )
    return AppState(
        settings=settings,
        db=db,
        kv=kv,
        pseudonym=pseudonym,
        services=services,
        suggestions=suggestions,
        users=users,
        campaigns=campaigns,
        sender=sender,
        processor=processor,
        cipher=cipher,
        seen=seen,
        photos=photos,
        hot=hot,
    )


def describe(settings: Settings) -> list[str]:
    """Start-up lines: what this process runs on (never a secret)."""
    lines = []
    db = settings.effective_database_url
    lines.append("database: " + hide_password(db))
    if settings.redis_url:
        lines.append("redis: " + hide_password(settings.redis_url))
    else:
        lines.append(
            "redis: REDIS_URL unset - using the embedded in-process store; "
            "run a single process only (no gunicorn workers, no separate scheduler)"
        )
    if settings.wechat_token_is_default:
        lines.append(f"WECHAT_TOKEN unset - development token: {settings.wechat_token}")
    lines.append(
        "outbound: "
        + (
            "WeChat API at " + settings.wechat_api_base_url
            if settings.outbound_enabled
            else "WECHAT_APPID/SECRET unset - sends are recorded, not sent"
        )
    )
    lines.append(
        f"photos: kept in {settings.effective_media_dir}"
        + ("" if settings.outbound_enabled else " once WECHAT_APPID/SECRET are set")
    )
    if settings.today:
        lines.append(f"REHEARSAL CLOCK: answering as if today were {settings.today.isoformat()}")
    return lines
