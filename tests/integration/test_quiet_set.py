"""QuietSet (bot/store/hot_redis.py): the answer kept for WeChat's retries without waiting for
Redis's reply. On real Redis the value is there and the connections carry no stray replies after
hundreds of quiet SETs mixed with ordinary commands; the embedded store and a Redis that
refuses CLIENT REPLY get a plain SET."""

from __future__ import annotations

import uuid

import pytest
import redis

from bot.store.hot_redis import QuietSet
from bot.store.kv import make_redis


@pytest.fixture
def real(real_redis_url):  # type: ignore[no-untyped-def]
    client = make_redis(real_redis_url, timeout=1.0)
    prefix = f"test-quiet-{uuid.uuid4().hex[:8]}:"
    yield client, prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_quiet_sets_store_and_leave_no_reply_behind(real):  # type: ignore[no-untyped-def]
    client, prefix = real
    keep = QuietSet(client, prefix)
    for n in range(300):
        keep(f"{prefix}k{n}", f"答复{n}", 60)
        if n % 3 == 0:  # ordinary commands on the same pool read their own replies
            assert client.get(f"{prefix}k{n}") == f"答复{n}".encode()
            assert client.incr(f"{prefix}counter") == n // 3 + 1
    assert keep.quiet is True
    assert client.get(f"{prefix}k299") == "答复299".encode()
    assert 0 < client.ttl(f"{prefix}k299") <= 60
    assert client.ttl(prefix + QuietSet.PROBE_KEY) > 0  # the probe wrote its own key only
    for conn in list(client.connection_pool._available_connections):
        assert not conn.can_read()  # nothing unread on any pooled connection


def test_the_embedded_store_gets_a_plain_set() -> None:
    client = make_redis("")
    keep = QuietSet(client)
    keep("k", "v", 60)
    assert keep.quiet is False and client.get("k") == b"v"


def test_a_redis_refusing_client_reply_gets_a_plain_set(real, monkeypatch):  # type: ignore[no-untyped-def]
    client, prefix = real

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise redis.ResponseError("unknown command 'CLIENT'")

    with monkeypatch.context() as m:
        m.setattr(redis.connection.AbstractConnection, "read_response", refuse)
        keep = QuietSet(client, prefix)
        assert keep._probe() is False
    keep.quiet = False
    keep(f"{prefix}plain", "v", 60)
    assert client.get(f"{prefix}plain") == b"v"
    assert client.ping() is True  # the refused probe's connection was dropped, not reused
