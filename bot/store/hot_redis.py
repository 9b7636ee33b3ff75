"""The two Redis commands every message makes, on a connection each thread holds (issue 12).

Every message but a fixed answer runs the begin script (its dedup claim and conversation, one
EVALSHA: bot/store/kv.py), and a stored answer is kept for WeChat's retries (QuietSet, below).
Through redis-py's client each command cost ~120-150 µs of CPU on top of the socket: the
pool's checkout with its `can_read` probe and check-in, the observability hooks, the retry
wrapper's closures and a general-purpose packer that encodes every argument through an
Encoder (bench/README.md, "Third round: the Redis client"). Here the
command's bytes are packed directly (RESP: an array of bulk strings) and written on a
connection the thread holds, made by the client's own connection class with the client's
own keyword arguments — the same host, database, password, socket timeouts, health check
interval, RESP version and retry policy — and the reply is read by redis-py's own parser.

- Before each use the held socket is polled (no wait): anything readable on a connection that
  has no reply owed means the server closed it (Redis restarted, a client timeout, a
  CLIENT KILL), and it is replaced before the command is sent, as redis-py's pool does on
  checkout (its `can_read` check). So a Redis restarted between two messages costs the next
  message a reconnect, not an apology. Failures during a command follow the client's own
  retry policy (`conn.retry`; none by default: the message fails and WeChat's retry tries
  again, bounded by the socket timeout).
- A script that Redis no longer knows (restarted, SCRIPT FLUSH) is loaded and run again, as
  redis-py's Script does.
- A connection idle longer than the client's health_check_interval is PINGed before use
  (redis-py's own check, on send).
- Never used across a fork: a child makes its own and leaves its parent's socket alone.
- `listeners` see each command that waits for a reply (the round-trip tests count them).
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable, Sequence
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from bot.store.kv import io_bound

Arg = str | bytes | int


def pack(*args: Arg) -> bytes:
    """One command as Redis's protocol has it: an array of bulk strings (UTF-8 text, integers
    in decimal). Only what the hot path sends: str, bytes and int."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            data = arg.encode("utf-8")
        elif isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, int):
            data = b"%d" % arg
        else:
            raise TypeError(f"cannot send {type(arg).__name__} to Redis on the hot path")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _readable(sock: Any) -> bool:
    """Whether the socket has something to read (or EOF) right now: poll, no wait."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


_SKIP = pack("CLIENT", "REPLY", "SKIP")


class HotRedis:
    """One held redis-py connection per thread for the hot path's commands (see the module)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []  # every connection made, for close()
        self.listeners: list[Callable[[str], None]] = []

    def _connection(self) -> Any:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            sock = getattr(conn, "_sock", None)  # None until connected, and after a disconnect
            if sock is not None and _readable(sock):
                conn.disconnect()  # closed by the server (EOF) or out of step: start afresh
            return conn
        pool = self.client.connection_pool  # first use in this thread, or a forked child
        conn = pool.connection_class(**pool.connection_kwargs)
        local.conn, local.pid = conn, os.getpid()
        with self._lock:
            self._all.append(conn)
        return conn

    def call(self, packed: bytes, name: str, reply: bool = True) -> Any:
        """Send one or more packed commands in one write; with `reply`, read one reply (an
        error reply is raised, as redis-py raises it)."""
        conn = self._connection()
        if reply:
            for listener in self.listeners:
                listener(name)

        def send() -> Any:
            conn.send_packed_command([packed])  # connects first if needed
            return conn.read_response() if reply else None

        return conn.retry.call_with_retry(send, lambda error: conn.disconnect())

    def evalsha(self, script: Script, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        packed = pack("EVALSHA", script.sha, len(keys), *keys, *args)
        try:
            return self.call(packed, "EVALSHA")
        except NoScriptError:
            script.sha = self.client.script_load(script.script)
            return self.call(packed, "EVALSHA")

    def drop(self) -> None:
        """Close this thread's connection (left out of step); the next call makes a new one."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.disconnect()

    def close(self) -> None:
        with self._lock:
            held, self._all = self._all, []
        for conn in held:
            if getattr(conn, "pid", os.getpid()) == os.getpid():
                conn.disconnect()


def hot_redis(client: redis.Redis) -> HotRedis | None:
    """A HotRedis for a client with a socket; None for the embedded store (nothing to save)."""
    return HotRedis(client) if io_bound(client) > 0 else None


class QuietSet:
    """`SET key value EX ttl` without waiting for Redis's reply: `CLIENT REPLY SKIP` and the
    SET go out in one write on the thread's held connection and nothing comes back (the next
    command on it reads the next reply, which is its own). For keeping an answer for WeChat's
    retries after it is decided: the request answers the resident without a round trip more
    (issue 12: ~5% of a submission's rate at the bench's load). It was best effort before too
    (a failed SET was only logged); now a failure that Redis reports is not seen, one of the
    socket is.

    Probed on first use (a managed Redis may refuse CLIENT commands): CLIENT REPLY SKIP, a SET
    of a probe key, then PING; the first reply must be PONG, or the connection, out of step,
    is dropped. Otherwise, and without a HotRedis (the embedded store), a plain SET."""

    PROBE_KEY = "quiet-set-probe"

    def __init__(self, client: redis.Redis, hot: HotRedis | None, prefix: str = "") -> None:
        self.client = client
        self.hot = hot
        self.probe_key = prefix + self.PROBE_KEY
        self.quiet: bool | None = None if hot is not None else False  # decided by the probe

    def __call__(self, key: str, value: str, ttl: int) -> None:
        if self.quiet is None:
            self.quiet = self._probe()
        if self.quiet and self.hot is not None:
            self.hot.call(_SKIP + pack("SET", key, value, "EX", ttl), "SET", reply=False)
        else:
            self.client.set(key, value, ex=ttl)

    def _probe(self) -> bool:
        assert self.hot is not None
        probe = _SKIP + pack("SET", self.probe_key, "1", "EX", 60) + pack("PING")
        try:
            reply = self.hot.call(probe, "PING")
        except redis.ResponseError:  # CLIENT refused: its error came first, two replies wait
            reply = None
        except redis.RedisError:
            return False
        if reply != b"PONG":
            self.hot.drop()
        return reply == b"PONG"
