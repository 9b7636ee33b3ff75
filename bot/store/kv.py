"""Redis (or the embedded in-process store) and what lives in it: conversation state, pages.

When REDIS_URL is unset we use fakeredis, a maintained in-process implementation of the Redis
protocol: every worker process would get its own, so it is for a single process only.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from handlers.ports import Opening

CONVERSATION_TTL = 30 * 60
EXPIRED_MARKER_TTL = 24 * 3600
PAGES_TTL = 30 * 60


def make_redis(url: str) -> redis.Redis:
    """A client for `url`, or an embedded in-process store when `url` is empty."""
    if url:
        return redis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, health_check_interval=30
        )
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


class RedisConversationStore:
    """Implements handlers.ports.ConversationStore over Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "conv") -> None:
        self.r = client
        self.prefix = prefix

    def _key(self, kind: str, user: str) -> str:
        return f"{self.prefix}:{kind}:{user}"

    def save(self, user: str, state: dict[str, Any]) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.set(
            self._key("state", user), json.dumps(state, ensure_ascii=False), ex=CONVERSATION_TTL
        )
        # The marker outlives the state: finding it without the state means "expired unfinished".
        pipe.set(self._key("open", user), "1", ex=EXPIRED_MARKER_TTL)
        pipe.execute()

    def clear(self, user: str) -> None:
        self.r.delete(self._key("state", user), self._key("open", user))

    def begin(self, user: str) -> Opening:
        return self.claim_and_begin(user, None)[1]

    def claim_and_begin(
        self, user: str, claim: tuple[str, str, int] | None
    ) -> tuple[bool, Opening]:
        """begin(), with an optional dedup claim (key, value, ttl) set NX in the same round
        trip. (claimed, opening); when the claim is taken, the opening is not to be used and
        an expired conversation is not reported (the copy holding the claim reports it)."""
        pipe = self.r.pipeline(transaction=False)
        if claim is not None:
            key, value, ttl = claim
            pipe.set(key, value, nx=True, ex=ttl)
        pipe.get(self._key("state", user))
        pipe.exists(self._key("open", user))
        pipe.exists(self._key("pages", user))
        results = pipe.execute()
        claimed = bool(results[0]) if claim is not None else True
        raw, marker, pages = results[-3:]
        if raw:
            return claimed, Opening(json.loads(raw), False, bool(pages))
        if not marker or not claimed:
            return claimed, Opening(None, False, bool(pages))
        # The marker without the state: it expired unfinished. Report it once.
        expired = bool(self.r.delete(self._key("open", user)))
        return claimed, Opening(None, expired, bool(pages))

    def save_pages(self, user: str, pages: list[str]) -> None:
        key = self._key("pages", user)
        pipe = self.r.pipeline(transaction=False)
        pipe.delete(key)
        if pages:
            pipe.rpush(key, *pages)
            pipe.expire(key, PAGES_TTL)
        pipe.execute()

    def next_page(self, user: str) -> tuple[str, int] | None:
        key = self._key("pages", user)
        pipe = self.r.pipeline(transaction=False)
        pipe.lpop(key)
        pipe.llen(key)
        page, remaining = pipe.execute()
        if page is None:
            return None
        return page.decode("utf-8"), int(remaining)
