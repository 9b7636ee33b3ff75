"""Everything one process holds: built once by bot.wiring, handed to the Flask app and CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis

from bot.inbound import InboundProcessor
from bot.photo_fetcher import PhotoFetcher
from bot.privacy import Pseudonymizer
from bot.seen import SeenRecorder
from bot.store.campaigns_repo import SqlCampaignStore
from bot.store.db import Database
from bot.store.hot_redis import HotRedis
from bot.store.suggestions_repo import SqlSuggestionStore
from bot.store.users_repo import SqlUserStore
from bot.wechat_api import OutboundSender
from bot.wechat_protocol import Cipher
from config.settings import Settings
from handlers.ports import Services

if TYPE_CHECKING:
    from jobs.channels import Channel


@dataclass
class AppState:
    settings: Settings
    db: Database
    kv: redis.Redis
    pseudonym: Pseudonymizer
    services: Services
    suggestions: SqlSuggestionStore
    users: SqlUserStore
    campaigns: SqlCampaignStore
    sender: OutboundSender
    processor: InboundProcessor
    cipher: Cipher | None
    seen: SeenRecorder
    # The running scheduler's one-line status for /healthz (set by jobs/runner.py).
    scheduler_status: Callable[[], str] | str = "not running in this process"
    # Notice channels besides the official account (e.g. a WeCom app; bot/jobs_wiring.py).
    notice_channels: list[Channel] = field(default_factory=list)
    photos: PhotoFetcher | None = None  # photos kept for good (bot/photo_fetcher.py)
    hot: HotRedis | None = None  # the hot path's held Redis connections (bot/store/hot_redis.py)

    def close(self) -> None:
        self.processor.close()
        self.seen.close()  # after the handlers: their last messages are recorded too
        if self.photos is not None:
            self.photos.close()  # a photo being downloaded finishes; the rest stay pending
        self.db.dispose()
        if self.hot is not None:
            self.hot.close()
