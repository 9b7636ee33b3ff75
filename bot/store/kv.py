"""Redis (or the embedded in-process store) and what lives in it: conversation state, pages.

When REDIS_URL is unset we use fakeredis, a maintained in-process implementation of the Redis
protocol: every worker process would get its own, so it is for a single process only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, Protocol

import redis

from handlers.ports import Opening

CONVERSATION_TTL = 30 * 60
EXPIRED_MARKER_TTL = 24 * 3600
PAGES_TTL = 30 * 60


def make_redis(url: str, timeout: float = 2.0) -> redis.Redis:
    """A client for `url`, or an embedded in-process store when `url` is empty. `timeout`
    (seconds) bounds every command and every new connection."""
    if url:
        return redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
        )
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def io_bound(client: redis.Redis) -> float:
    """The longest one command of `client` can take, connecting included (seconds): none for
    the embedded store, unbounded for a client without timeouts."""
    kwargs = client.connection_pool.connection_kwargs
    if "server" in kwargs:
        return 0.0  # in process (fakeredis): no socket to wait on
    command, connect = kwargs.get("socket_timeout"), kwargs.get("socket_connect_timeout")
    if not command or not connect:
        return math.inf
    return float(command) + float(connect)


class ScriptRunner(Protocol):
    """Runs a registered script on a faster path (bot/store/hot_redis.py HotRedis)."""

    def evalsha(self, script: Any, keys: Sequence[str], args: Sequence[str | int]) -> Any: ...


# One round trip for what every message needs first: the dedup claim (SET NX, when given),
# the conversation (its state and the lists of a guided flow), whether pages wait, and "it
# expired unfinished" reported once (the marker outlives the state; the copy holding the claim
# deletes it). A script, not a pipeline: one command costs redis-py ~45 µs of CPU where the
# four-command pipeline cost ~78 µs, and the marker's check-and-delete is atomic. Single Redis
# node (the keys are not hash-tagged).
_BEGIN = """
local claimed = 1
if #KEYS == 4 and not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[2]) then
  claimed = 0
end
local state = redis.call('GET', KEYS[1])
local pages = redis.call('EXISTS', KEYS[3])
if state then  -- the flow's lists live beside the state (see RedisConversationStore._key)
  return {claimed, state, 0, pages, redis.call('LRANGE', KEYS[1] .. ':parts', 0, -1),
          redis.call('LRANGE', KEYS[1] .. ':attachments', 0, -1)}
end
local expired = 0
if claimed == 1 then
  expired = redis.call('DEL', KEYS[2])
end
return {claimed, false, expired, pages}
"""

# Adding a part or a photo to an open flow: one command, atomic, so messages of a burst
# (WeChat sends each photo of a multi-select as its own message, milliseconds apart) cannot
# overwrite each other as a read-modify-write of the whole state did. Nothing is added when
# the flow has ended meanwhile (nil). Returns the list after the append, for the reply's count.
_APPEND = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
redis.call('RPUSH', KEYS[2], ARGV[1])
for i = 1, 3 do
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
redis.call('EXPIRE', KEYS[4], ARGV[3])
return redis.call('LRANGE', KEYS[2], 0, -1)
"""

# The lists of a guided flow, kept apart from its JSON state so that appends are atomic.
LISTS = ("parts", "attachments")


class RedisConversationStore:
    """Implements handlers.ports.ConversationStore over Redis.

    A user's conversation is a JSON state (conv:state:<user>) and, for the 献一策 flow, two
    lists beside it (conv:state:<user>:parts, …:attachments) changed only by atomic appends;
    the state as handlers see it has the lists merged in (when not empty). The begin script
    finds the lists from the state key rather than taking them as two more keys: encoding
    them cost every message ~5-10 µs of client CPU, for lists only an open flow has."""

    def __init__(
        self, client: redis.Redis, prefix: str = "conv", hot: ScriptRunner | None = None
    ) -> None:
        self.r = client
        self.prefix = prefix
        self.hot = hot  # the begin script on the thread's held connection (bot/store/hot_redis.py)
        self._begin = client.register_script(_BEGIN)
        self._append = client.register_script(_APPEND)

    def _key(self, kind: str, user: str) -> str:
        if kind in LISTS:  # beside the state key: the begin script finds them from it
            return f"{self.prefix}:state:{user}:{kind}"
        return f"{self.prefix}:{kind}:{user}"

    def save(
        self, user: str, state: dict[str, Any], lists: dict[str, list[str]] | None = None
    ) -> None:
        scalars = {k: v for k, v in state.items() if k not in LISTS}
        pipe = self.r.pipeline(transaction=True)  # MULTI: the lists never seen half-replaced
        pipe.set(
            self._key("state", user), json.dumps(scalars, ensure_ascii=False), ex=CONVERSATION_TTL
        )
        # The marker outlives the state: finding it without the state means "expired unfinished".
        pipe.set(self._key("open", user), "1", ex=EXPIRED_MARKER_TTL)
        for name in LISTS:
            key = self._key(name, user)
            if lists is not None and name in lists:
                pipe.delete(key)
                if lists[name]:
                    pipe.rpush(key, *lists[name])
            pipe.expire(key, CONVERSATION_TTL)  # the lists live as long as the state
        pipe.execute()

    def append(self, user: str, name: str, value: str) -> list[str] | None:
        if name not in LISTS:
            raise ValueError(f"no list {name!r} in a conversation")
        keys = [self._key("state", user), self._key(name, user)]
        keys += [self._key(other, user) for other in LISTS if other != name]
        keys.append(self._key("open", user))
        found = self._append(keys=keys, args=[value, CONVERSATION_TTL, EXPIRED_MARKER_TTL])
        if not found:
            return None
        return [item.decode("utf-8") for item in found]

    def clear(self, user: str) -> None:
        self.r.delete(
            self._key("state", user),
            self._key("open", user),
            *(self._key(name, user) for name in LISTS),
        )

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
        if self.hot is not None:
            reply = self.hot.evalsha(self._begin, keys, args)
        else:
            reply = self._begin(keys=keys, args=args)
        claimed, raw, expired, pages, *lists = reply
        state = json.loads(raw) if raw else None
        if state is not None and lists:
            for name, items in zip(LISTS, lists, strict=True):
                if items:
                    state[name] = [item.decode("utf-8") for item in items]
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


# A retry's look at the first copy's claim: its value, and — when it still says `pending` long
# after the first copy should have answered or deferred — the claim taken over, atomically. The
# claim's age comes from its TTL on Redis's own clock (set with a known TTL, so age = TTL set
# - TTL left): no clock of any web server is compared with another's.
_TAKE_OVER = """
local value = redis.call('GET', KEYS[1])
if value == ARGV[1] and redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
  return {1, value}
end
return {0, value}
"""


class ClaimWatch:
    """For a copy of a message whose claim another copy holds (bot/inbound.py)."""

    def __init__(self, client: redis.Redis) -> None:
        self._script = client.register_script(_TAKE_OVER)

    def look(self, key: str, pending: str, ttl: int, stale: float) -> tuple[bool, bytes | None]:
        """(taken over, the value the claim had). Taken over when the value is `pending` and
        was set (with `ttl` seconds) more than `stale` seconds ago: its holder died."""
        older_than = int((ttl - stale) * 1000)  # ms of TTL left below which it is stale
        taken, value = self._script(keys=[key], args=[pending, older_than, ttl])
        return bool(taken), value
