"""Builds the process's parts from Settings and hands them to handlers as plain services."""

from __future__ import annotations

import logging

from bot.app_state import AppState
from bot.clock import SystemClock
from bot.inbound import InboundProcessor
from bot.privacy import Pseudonymizer
from bot.seen import SeenRecorder
from bot.store.db import Database
from bot.store.kv import RedisConversationStore, make_redis
from bot.store.missed import SqlMissedQuestionStore
from bot.store.repos import SqlCampaignStore, SqlSuggestionStore, SqlUserStore
from bot.wechat_client import build_sender
from bot.wechat_protocol import Cipher
from config.settings import Settings, instance_secret
from handlers.ports import Services
from handlers.router import is_read_only, route, stateless_reply
from handlers.types import Incoming

log = logging.getLogger(__name__)


def build_state(settings: Settings, *, migrate: bool = False) -> AppState:
    """Connect to the database and Redis (or the embedded defaults) and wire everything."""
    db = Database(settings.effective_database_url)
    if migrate:
        db.upgrade()
    kv = make_redis(settings.redis_url)
    pseudonym = Pseudonymizer(settings.pseudonym_key or instance_secret("pseudonym.key"))
    suggestions = SqlSuggestionStore(db, pseudonym)
    users = SqlUserStore(db, pseudonym)
    campaigns = SqlCampaignStore(db, kv, settings.redis_prefix)
    clock = SystemClock(settings.tz, settings.today)
    conversations = RedisConversationStore(kv, settings.redis_prefix + "conv")
    services = Services(
        suggestions=suggestions,
        campaigns=campaigns,
        users=users,
        conversations=conversations,
        clock=clock,
        missed=SqlMissedQuestionStore(db, pseudonym),
    )
    sender = build_sender(
        settings.wechat_appid,
        settings.wechat_secret,
        kv,
        base_url=settings.wechat_api_base_url,
        pseudonym=pseudonym,
        key_prefix=settings.redis_prefix,
    )

    seen = SeenRecorder(users, clock.now)

    def on_inbound(msg: Incoming) -> None:
        # A message (not an event) opens WeChat's 48-hour customer-service window.
        if msg.kind != "event":
            seen.note(msg.user)

    processor = InboundProcessor(
        services,
        kv,
        conversations,
        route,
        sender,
        pseudonym,
        stateless=stateless_reply,
        read_only=is_read_only,
        on_inbound=on_inbound,
        key_prefix=settings.redis_prefix,
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
    )


def describe(settings: Settings) -> list[str]:
    """Start-up lines: what this process runs on (never a secret)."""
    lines = []
    db = settings.effective_database_url
    lines.append("database: " + (db.split("@")[-1] if "@" in db else db))
    if settings.redis_url:
        lines.append("redis: " + settings.redis_url.split("@")[-1])
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
    if settings.today:
        lines.append(f"REHEARSAL CLOCK: answering as if today were {settings.today.isoformat()}")
    return lines
