"""A copy of a message whose first copy's process died holding the claim (a gunicorn worker
killed mid-handler: OOM killer, a deploy's SIGKILL, a crash).

The first copy claimed `dedup:…` as `pending` and never answered; WeChat, having no answer,
retries. A retry that finds the claim still `pending` a second past the 4-second budget (when a
living first copy has answered or deferred) takes it over and runs the handler: the resident
gets a ticket, and the database's unique source key keeps a suggestion the dead copy had
already stored from being stored twice. Before this, such a message was lost: every retry
waited on the dead copy's claim and answered `success` (nothing) for an hour.

In process on both stores, and over HTTP with a real gunicorn worker SIGKILLed while its
handler waits on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest

from bot.inbound import DEDUP_TTL, PENDING, STALE_AFTER
from bot.wechat_protocol import parse_xml, to_incoming
from tests.conftest import _truncate_pg, delete_prefixed, free_port, new_redis_prefix
from tests.wechat_sim import sign, text_xml

REPO = Path(__file__).resolve().parents[2]
TEXT = "献一策：建议在社区增设夜间照明，方便老人晚上出行"


def _msg(msg_id: int, user: str = "u_dead"):  # type: ignore[no-untyped-def]
    return to_incoming(parse_xml(text_xml(user, TEXT, msg_id=msg_id).encode()))


def _abandon(state, key: str) -> None:  # type: ignore[no-untyped-def]
    """The claim as a copy that died long enough ago leaves it: `pending`, set 6 s ago."""
    state.kv.set(key, PENDING, ex=DEDUP_TTL - int(state.processor.budget + STALE_AFTER + 1))


def _rows(state, user: str) -> list[str]:  # type: ignore[no-untyped-def]
    records, _ = state.suggestions.for_user(user)
    return [r.ticket for r in records]


def test_a_claim_its_holder_abandoned_is_taken_over(state):  # type: ignore[no-untyped-def]
    key = f"{state.settings.redis_prefix}dedup:wechat:u_dead:71"
    _abandon(state, key)  # the first copy died before storing anything
    answer = state.processor.handle(_msg(71)) or ""
    assert "提交成功" in answer
    assert len(_rows(state, "u_dead")) == 1
    kept = state.kv.get(key)
    assert kept is not None and "提交成功" in kept.decode()  # later retries get the same answer
    assert state.processor.handle(_msg(71)) == answer


def test_a_dead_copy_s_stored_suggestion_is_found_not_stored_again(state):  # type: ignore[no-untyped-def]
    first = state.processor.handle(_msg(72)) or ""
    (ticket,) = _rows(state, "u_dead")
    assert ticket in first
    # As if the first copy died after its commit, before its answer was kept for the retries.
    _abandon(state, f"{state.settings.redis_prefix}dedup:wechat:u_dead:72")
    again = state.processor.handle(_msg(72)) or ""
    assert ticket in again and _rows(state, "u_dead") == [ticket]


def test_a_living_first_copy_s_claim_is_not_taken(state):  # type: ignore[no-untyped-def]
    key = f"{state.settings.redis_prefix}dedup:wechat:u_dead:73"
    state.kv.set(key, PENDING, ex=DEDUP_TTL)  # claimed just now: the first copy is working
    state.processor.budget = 0.3  # the retry gives up waiting after this
    assert state.processor.handle(_msg(73)) is None  # `success`: WeChat asks again later
    assert _rows(state, "u_dead") == [] and state.kv.get(key) == PENDING.encode()


# --- a real worker, killed -------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _post(port: int, body: bytes, timeout: float = 10.0) -> str:
    query = f"signature={sign('testtoken', '1', 'n')}&timestamp=1&nonce=n"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/wechat?{query}", data=body, headers={"Content-Type": "text/xml"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return str(resp.read().decode("utf-8"))


def _wait(check, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def real_backend(pg_database_url, real_redis_url):  # type: ignore[no-untyped-def]
    """PostgreSQL and Redis only: the embedded store dies with its process, claim and all."""
    import redis

    _truncate_pg(pg_database_url)  # the session's database: no other test's campaigns
    prefix = new_redis_prefix()
    yield {"database_url": pg_database_url, "redis_url": real_redis_url, "redis_prefix": prefix}
    client = redis.Redis.from_url(real_redis_url)
    delete_prefixed(client, prefix)
    client.close()


def test_a_gunicorn_worker_killed_mid_handler_loses_no_message(real_backend):  # type: ignore[no-untyped-def]
    backend = real_backend
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "BOT_"))}
    env.update(
        WECHAT_TOKEN="testtoken",
        DATABASE_URL=backend["database_url"],
        REDIS_URL=backend["redis_url"],
        BOT_REDIS_PREFIX=backend["redis_prefix"],
        BOT_PSEUDONYM_KEY="test-pseudonym-key",
        WECHAT_APPID="",
        WECHAT_SECRET="",
        WECHAT_AES_KEY="",
        PYTHONPATH=str(REPO),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "bot.wsgi:app"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    dsn = backend["database_url"].replace("postgresql+psycopg2://", "postgresql://")
    lock = psycopg2.connect(dsn)
    try:
        _wait(lambda: _reachable(port), 30, "gunicorn to listen")
        (worker,) = _wait(lambda: _children(server.pid), 10, "the worker")
        body = text_xml("u_killed", TEXT, msg_id=4242).encode()
        # The worker's submission will wait on this lock (inside its statement timeout).
        with lock.cursor() as cur:
            cur.execute("LOCK TABLE suggestions IN ACCESS EXCLUSIVE MODE")
        first = threading.Thread(target=lambda: _swallow(lambda: _post(port, body)), daemon=True)
        first.start()
        _wait(lambda: _waiting_on_lock(dsn), 10, "the handler to block in PostgreSQL")
        os.kill(worker, signal.SIGKILL)
        claimed_at = time.monotonic()
        lock.rollback()  # the dead worker's statement went with its connection
        _wait(lambda: [p for p in _children(server.pid) if p != worker], 30, "a new worker")
        _wait(lambda: _reachable(port), 30, "the new worker")
        time.sleep(max(0.0, 4.0 + STALE_AFTER - (time.monotonic() - claimed_at)))
        retry = _post(port, body)  # WeChat's retry of the message that got no answer
        assert "提交成功" in retry
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT ticket FROM suggestions WHERE user_openid = 'u_killed'")
            tickets = [row[0] for row in cur.fetchall()]
        assert len(tickets) == 1 and tickets[0] in retry
        assert _post(port, body) == retry  # a later retry: the kept answer
    finally:
        lock.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _swallow(call) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except OSError:  # the killed worker's connection: reset, no answer (WeChat then retries)
        pass


def _reachable(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _waiting_on_lock(dsn: str) -> bool:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        row = cur.fetchone()
    conn.close()
    return bool(row and row[0] > 0)
