"""HotRedis (bot/store/hot_redis.py): the claim script and the kept answer on a connection each
thread holds. Same bytes as redis-py's packer, same replies as redis-py's Script; a connection
the server closed is replaced before use; a Redis restarted under the running assistant (a
redis-server of the test's own, on a port of its own) costs no message an apology and stores
each suggestion once; a script Redis forgot is loaded again; a hung server fails one command at
the socket timeout; a forked child never writes on its parent's socket."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.connection import Connection

from bot.store.hot_redis import HotRedis, QuietSet, pack
from bot.store.kv import RedisConversationStore, make_redis
from bot.wechat_protocol import parse_xml, to_incoming
from tests.conftest import _truncate_pg, free_port, make_settings
from tests.wechat_sim import text_xml


@pytest.fixture
def real(real_redis_url: str) -> Iterator[tuple[redis.Redis, str]]:
    client = make_redis(real_redis_url, timeout=1.0)
    prefix = f"test-hot-{uuid.uuid4().hex[:8]}:"
    yield client, prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


class OwnRedis:
    """A redis-server of this test's own (nothing persisted), which it may stop and restart."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="hot-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self.dir,
        ]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


def test_pack_gives_redis_py_s_bytes() -> None:
    conn = Connection()
    for args in [
        ("SET", "k", "答复：已收到", "EX", 3600),
        ("EVALSHA", "ab12", 4, "a", b"\x00\xff", -1),
        ("GET", ""),
    ]:
        assert pack(*args) == b"".join(conn.pack_command(*args))
    with pytest.raises(TypeError):
        pack("SET", "k", 1.5)  # type: ignore[arg-type]


def test_the_begin_script_answers_as_redis_py_s_script(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    stores = {}
    for name, hot in (("plain", None), ("hot", HotRedis(client))):  # the same data twice
        store = stores[name] = RedisConversationStore(client, f"{prefix}{name}", hot)
        store.save("u1", {"flow": "suggest", "step": 2}, {"parts": ["第一段", "第二段"]})
        client.set(f"{prefix}{name}:open:u2", "1")  # a flow that expired unfinished
        client.rpush(f"{prefix}{name}:pages:u3", "第2页")
    for user in ("u1", "u2", "u3", "u4"):
        answers = [
            store.claim_and_begin(user, (f"{prefix}{name}:dedup:{user}", "pending", 60))
            for name, store in stores.items()
        ]
        assert answers[0] == answers[1] and answers[0][0] is True
        again = stores["hot"].claim_and_begin(user, (f"{prefix}hot:dedup:{user}", "pending", 60))
        assert again[0] is False  # the claim is taken
    opening = stores["hot"].claim_and_begin("u1", None)[1]
    assert opening.state == {"flow": "suggest", "step": 2, "parts": ["第一段", "第二段"]}
    assert stores["plain"].claim_and_begin("u2", None)[1].expired is False  # reported once


def test_one_connection_per_thread_reused(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    seen: list[int] = []

    def work() -> None:
        for _ in range(3):
            hot.call(pack("PING"), "PING")
        seen.append(id(hot._local.conn))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 3 and len(hot._all) == 3
    hot.close()


def test_a_connection_the_server_closed_is_replaced_before_use(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    store = RedisConversationStore(client, prefix + "conv", hot)
    store.claim_and_begin("u1", None)
    first = hot._local.conn
    client_id = hot.call(pack("CLIENT", "ID"), "CLIENT")
    assert client.client_kill_filter(_id=client_id) == 1  # as a restart or a timeout would
    time.sleep(0.05)
    claimed, _ = store.claim_and_begin("u1", (f"{prefix}dedup:1", "pending", 60))
    assert claimed is True and hot._local.conn is first  # reconnected, not failed
    assert hot.call(pack("CLIENT", "ID"), "CLIENT") != client_id
    hot.close()


def test_quiet_sets_on_the_held_connection_leave_no_reply_behind(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    keep = QuietSet(client, hot, prefix)
    store = RedisConversationStore(client, prefix + "conv", hot)
    for n in range(200):
        keep(f"{prefix}k{n}", f"答复{n}", 60)
        claimed, _ = store.claim_and_begin(f"u{n}", (f"{prefix}dedup:{n}", "pending", 60))
        assert claimed is True  # each command read its own reply, not a quiet SET's
    assert keep.quiet is True and client.get(f"{prefix}k199") == "答复199".encode()
    hot.close()


def test_a_hung_server_fails_one_command_at_the_socket_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (the kernel does), never answers
    try:
        client = make_redis(f"redis://127.0.0.1:{listener.getsockname()[1]}/0", timeout=0.3)
        hot = HotRedis(client)
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            hot.call(pack("PING"), "PING")
        assert time.monotonic() - started < 1.0
    finally:
        listener.close()


def test_a_script_redis_forgot_is_loaded_again(own_redis: OwnRedis) -> None:
    client = make_redis(own_redis.url, timeout=1.0)
    store = RedisConversationStore(client, "conv", HotRedis(client))
    assert store.claim_and_begin("u1", ("dedup:1", "pending", 60))[0] is True
    client.script_flush()
    assert store.claim_and_begin("u1", ("dedup:2", "pending", 60))[0] is True


def test_a_forked_child_uses_a_connection_of_its_own(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    parent_id = hot.call(pack("CLIENT", "ID"), "CLIENT")
    pid = os.fork()
    if pid == 0:  # the child: a new connection, a new client id
        try:
            ok = hot.call(pack("CLIENT", "ID"), "CLIENT") != parent_id
            hot.call(pack("SET", f"{prefix}child", "1"), "SET")
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert hot.call(pack("CLIENT", "ID"), "CLIENT") == parent_id  # the parent's is untouched
    assert client.get(f"{prefix}child") == b"1"
    hot.close()


def test_the_assistant_rides_a_redis_restart(own_redis: OwnRedis, pg_database_url: str) -> None:
    """Messages before and after the assistant's Redis restarts are answered and stored once."""
    from bot.wiring import build_state

    _truncate_pg(pg_database_url)  # the session's database: no other test's campaigns
    backend = {
        "database_url": pg_database_url,
        "redis_url": own_redis.url,
        "redis_prefix": f"restart-{uuid.uuid4().hex[:6]}:",
    }
    state = build_state(make_settings(backend), migrate=True)
    try:

        def send(n: int) -> str:
            xml = text_xml(
                "u_restart", f"献一策：第{n}条建议，增设公交站台的遮雨棚", msg_id=900 + n
            )
            return state.processor.handle(to_incoming(parse_xml(xml.encode()))) or ""

        assert "提交成功" in send(1)
        own_redis.restart()  # the held connection's server is gone; its scripts with it
        assert "提交成功" in send(2)
        assert "提交成功" in send(2)  # WeChat's retry of it: its answer was kept after all
        assert "提交成功" in send(3)
        mine, total = state.suggestions.for_user("u_restart")
        assert total == 3 and len({s.ticket for s in mine}) == 3
    finally:
        state.close()


# --- QuietSet: the answer kept for WeChat's retries without waiting for Redis's reply ----------


def test_quiet_sets_store_what_ordinary_commands_then_read(real) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    keep = QuietSet(client, hot, prefix)
    for n in range(300):
        keep(f"{prefix}k{n}", f"答复{n}", 60)
        if n % 3 == 0:  # the quiet SET went out first on the held connection: PING waits for it
            assert hot.call(pack("PING"), "PING") == b"PONG"
            assert client.get(f"{prefix}k{n}") == f"答复{n}".encode()
    assert keep.quiet is True
    assert 0 < client.ttl(f"{prefix}k0") <= 60
    assert client.ttl(prefix + QuietSet.PROBE_KEY) > 0  # the probe wrote its own key only
    for conn in list(client.connection_pool._available_connections):
        assert not conn.can_read()  # nothing unread on any pooled connection
    hot.close()


def test_the_embedded_store_gets_a_plain_set() -> None:
    client = make_redis("")
    keep = QuietSet(client, None)
    keep("k", "v", 60)
    assert keep.quiet is False and client.get("k") == b"v"


def test_a_redis_refusing_client_reply_gets_a_plain_set(real, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client, prefix = real
    hot = HotRedis(client)
    hot.call(pack("PING"), "PING")
    first = hot._local.conn

    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise redis.ResponseError("unknown command 'CLIENT'")

    with monkeypatch.context() as m:
        m.setattr(redis.connection.AbstractConnection, "read_response", refuse)
        keep = QuietSet(client, hot, prefix)
        assert keep._probe() is False
    assert first._sock is None  # the probe's connection, out of step, was dropped
    keep.quiet = False
    keep(f"{prefix}plain", "v", 60)
    assert client.get(f"{prefix}plain") == b"v"
    assert hot.call(pack("PING"), "PING") == b"PONG"  # a fresh connection, in step
    hot.close()
