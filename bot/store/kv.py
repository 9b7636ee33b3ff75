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


# One round trip for what every message needs first: the dedup claim (SET NX, when given),
# the conversation, whether pages wait, and "it expired unfinished" reported once (the marker
# outlives the state; the copy holding the claim deletes it). A script, not a pipeline: one
# command costs redis-py ~45 µs of CPU where the four-command pipeline cost ~78 µs, and the
# marker's check-and-delete is atomic. Single Redis node (the keys are not hash-tagged).
_BEGIN = """
local claimed = 1
if #KEYS == 4 and not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[2]) then
  claimed = 0
end
local state = redis.call('GET', KEYS[1])
local expired = 0
if not state and claimed == 1 then
  expired = redis.call('DEL', KEYS[2])
end
return {claimed, state, expired, redis.call('EXISTS', KEYS[3])}
"""


class RedisConversationStore:
    """Implements handlers.ports.ConversationStore over Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "conv") -> None:
        self.r = client
        self.prefix = prefix
        self._begin = client.register_script(_BEGIN)

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
        keys = [self._key("state", user), self._key("open", user), self._key("pages", user)]
        args: list[str | int] = []
        if claim is not None:
            key, value, ttl = claim
            keys.append(key)
            args = [value, ttl]
        claimed, raw, expired, pages = self._begin(keys=keys, args=args)
        state = json.loads(raw) if raw else None
        return bool(claimed), Opening(state, bool(expired), bool(pages))

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
