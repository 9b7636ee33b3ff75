"""Every round trip of a handler is bounded (issue 12): PostgreSQL's statement and connect
timeouts and Redis's socket timeouts are really set from the settings, a statement that runs
past its timeout is cancelled, and the processor runs a handler in the request thread only
when those bounds fit in its budget (otherwise in its pool, answering a stall later)."""

from __future__ import annotations

import math
import time

import pytest
from sqlalchemy import text

from bot.store.db import Database
from bot.store.kv import io_bound as redis_io_bound
from bot.store.kv import make_redis
from bot.wechat_protocol import parse_xml, to_incoming
from config.settings import Settings, SettingsError
from tests.conftest import make_settings
from tests.wechat_sim import text_xml
from texts import chat as texts


def test_settings_read_the_timeouts():
    default = Settings.from_env({}, dotenv=False)
    assert (default.db_statement_timeout, default.db_connect_timeout) == (1.5, 2)
    assert default.redis_timeout == 1.0
    env = {
        "BOT_DB_STATEMENT_TIMEOUT": "0.75",
        "BOT_DB_CONNECT_TIMEOUT": "3",
        "BOT_REDIS_TIMEOUT": "0.5",
    }
    custom = Settings.from_env(env, dotenv=False)
    assert (custom.db_statement_timeout, custom.db_connect_timeout) == (0.75, 3)
    assert custom.redis_timeout == 0.5
    off = Settings.from_env({"BOT_DB_STATEMENT_TIMEOUT": "0"}, dotenv=False)
    assert off.db_statement_timeout == 0
    for name, value in (("BOT_REDIS_TIMEOUT", "soon"), ("BOT_DB_STATEMENT_TIMEOUT", "-1")):
        with pytest.raises(SettingsError) as err:
            Settings.from_env({name: value}, dotenv=False)
        assert err.value.variable == name


def test_the_redis_client_carries_its_timeouts(real_redis_url):
    client = make_redis(real_redis_url, 0.25)
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 0.25 and kwargs["socket_connect_timeout"] == 0.25
    assert redis_io_bound(client) == 0.5
    assert redis_io_bound(make_redis("")) == 0.0  # in process: nothing to wait on


def test_postgres_statements_are_cancelled_at_the_timeout(pg_database_url):
    db = Database(pg_database_url, statement_timeout=0.3, connect_timeout=2)
    try:
        assert db.io_bound == pytest.approx(2.3)
        with db.session() as s:
            assert s.execute(text("SHOW statement_timeout")).scalar() == "300ms"
        with db.autocommit() as conn:  # the hot path's engine too
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "300ms"
            started = time.monotonic()
            with pytest.raises(Exception, match="statement timeout"):
                conn.exec_driver_sql("SELECT pg_sleep(3)")
            assert time.monotonic() - started < 2
        with db.hot.cursor() as cur:  # the submission's held connection (hot_sql.py) too
            cur.execute("SHOW statement_timeout")
            assert cur.fetchone()[0] == "300ms"
            assert cur.connection.get_dsn_parameters()["tcp_user_timeout"] == "300"
        started = time.monotonic()
        with pytest.raises(Exception, match="statement timeout"), db.hot.cursor() as cur:
            cur.execute("SELECT pg_sleep(3)")
        assert time.monotonic() - started < 2
        with db.hot.cursor() as cur:  # the cancelled statement's connection was replaced
            cur.execute("SELECT 1")
            assert cur.fetchone()[0] == 1
    finally:
        db.dispose()
    assert Database(pg_database_url).io_bound == math.inf  # no statement timeout: unbounded


def test_sqlite_is_not_bounded(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}", statement_timeout=1.0)
    assert db.io_bound == math.inf


def _message(user: str, content: str, msg_id: int):  # type: ignore[no-untyped-def]
    return to_incoming(parse_xml(text_xml(user, content, msg_id=msg_id).encode()))


@pytest.mark.parametrize("backend", ["real"], indirect=True)
def test_bounded_handlers_run_in_the_request_thread(backend):
    from bot.wiring import build_state

    state = build_state(make_settings(backend), migrate=True)
    try:
        processor = state.processor
        assert processor.io_bound == 3.5  # statement 1.5 + connect 2 (Redis: 1 + 1)
        assert processor.inline_ok(processor.classify(_message("u1", "本周有什么到期", 1)))

        def no_pool(*args):  # type: ignore[no-untyped-def]
            raise AssertionError("handed to the pool")

        processor.pool.submit = no_pool  # type: ignore[method-assign]
        answer = processor.handle(_message("u_inline", "献一策：建议增设社区阅览室", 2))
        assert answer is not None and "提交成功" in answer
    finally:
        state.close()


@pytest.mark.parametrize("backend", ["real"], indirect=True)
def test_a_statement_past_its_timeout_fails_the_message_and_frees_its_claim(backend):
    from bot.wiring import build_state

    state = build_state(make_settings(backend, db_statement_timeout=0.3), migrate=True)
    try:
        assert state.processor.inline_ok(state.processor.classify(_message("u", "献一策", 1)))

        def stuck_submit(*args):  # type: ignore[no-untyped-def]
            with state.db.autocommit() as conn:  # a statement that would run for 5 s
                conn.exec_driver_sql("SELECT pg_sleep(5)")

        state.suggestions.submit = stuck_submit  # type: ignore[method-assign]
        msg = _message("u_stuck", "献一策：建议延长图书馆开放时间", 3)
        started = time.monotonic()
        assert state.processor.handle(msg) == texts.SERVICE_ERROR
        assert time.monotonic() - started < 2  # cancelled at 0.3 s, not after 5
        key = f"{state.settings.redis_prefix}dedup:wechat:{msg.dedup_key}"
        assert state.kv.get(key) is None  # WeChat's retry may try again
    finally:
        state.close()


@pytest.mark.parametrize("backend", ["embedded", "real"], indirect=True)
def test_unbounded_round_trips_keep_the_budgeted_pool(backend):
    """SQLite (a writer waits for the file lock), or PostgreSQL without a statement timeout:
    a handler could stall, so it runs in the pool and a stall is answered later."""
    from bot.wiring import build_state

    state = build_state(make_settings(backend, db_statement_timeout=0), migrate=True)
    try:
        processor = state.processor
        assert processor.io_bound == math.inf
        assert not processor.inline_ok(processor.classify(_message("u", "本周有什么到期", 1)))
        answer = processor.handle(_message("u_pool", "献一策：建议增设社区阅览室", 2))
        assert answer is not None and "提交成功" in answer
    finally:
        state.close()
