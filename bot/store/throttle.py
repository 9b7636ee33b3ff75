"""Failure counters in Redis (or the embedded store) for sign-in throttling: a key's count
lives for a fixed window from its first failure."""

from __future__ import annotations

import redis

WINDOW_SECONDS = 15 * 60


class RedisThrottle:
    def __init__(self, kv: redis.Redis, prefix: str, window: int = WINDOW_SECONDS) -> None:
        self.kv, self.prefix, self.window = kv, prefix + "throttle:", window

    def count(self, key: str) -> int:
        value = self.kv.get(self.prefix + key)
        return int(value) if value else 0

    def fail(self, key: str) -> int:
        name = self.prefix + key
        pipe = self.kv.pipeline()
        pipe.incr(name)
        pipe.expire(name, self.window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def clear(self, key: str) -> None:
        self.kv.delete(self.prefix + key)
