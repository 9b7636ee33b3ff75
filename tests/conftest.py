"""Shared fixtures. One suite runs over both stores:

- "embedded": SQLite in a temp folder + the in-process store (fakeredis);
- "real": PostgreSQL + Redis at their default local ports (override with TEST_DATABASE_ADMIN_URL
  and TEST_REDIS_URL). When they cannot be reached the "real" tests skip on a workstation and
  FAIL in CI (env CI set), so CI cannot pass without having run them.

Tests share this machine with other runs: each run creates its own PostgreSQL database (dropped
at the end) and uses its own Redis key prefix (BOT_REDIS_PREFIX, one per test), deleting only
its own keys. Nothing here ever FLUSHes a Redis database.
"""

from __future__ import annotations

import itertools
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "TEST_DATABASE_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = bool(os.environ.get("CI"))
RUN_ID = uuid.uuid4().hex[:10]
_prefixes = itertools.count()


def new_redis_prefix() -> str:
    """A Redis key prefix no other run and no other test uses."""
    return f"bot-test:{RUN_ID}:{next(_prefixes)}:"


def delete_prefixed(client: redis_lib.Redis, prefix: str) -> None:
    """Delete this test's keys, and only them."""
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now (for a server a test starts itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unavailable(what: str, exc: BaseException) -> None:
    message = f"{what} not reachable: {type(exc).__name__}: {exc}"
    if IN_CI:
        pytest.fail("CI requires it - " + message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_redis_url() -> str:
    try:
        client = redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis_lib.RedisError as exc:
        unavailable("Redis at " + REDIS_URL, exc)
    return REDIS_URL


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"bot_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        unavailable("PostgreSQL at " + PG_ADMIN_URL, exc)
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    from bot.store.db import Database

    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    from bot.store.models import Base

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["embedded", "real"])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """(database_url, redis_url) for one store: parametrizes every test that uses it."""
    if request.param == "embedded":
        yield {
            "name": "embedded",
            "database_url": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
            "redis_url": "",
            "redis_prefix": "",
        }
        return
    pg = request.getfixturevalue("pg_database_url")
    rurl = request.getfixturevalue("real_redis_url")
    _truncate_pg(pg)
    prefix = new_redis_prefix()
    client = redis_lib.Redis.from_url(rurl)
    yield {"name": "real", "database_url": pg, "redis_url": rurl, "redis_prefix": prefix}
    delete_prefixed(client, prefix)
    client.close()


def make_settings(backend: dict[str, str], **overrides: object) -> Settings:
    base = Settings(
        wechat_token="testtoken",
        wechat_token_is_default=False,
        database_url=backend["database_url"],
        redis_url=backend["redis_url"],
        redis_prefix=backend.get("redis_prefix", ""),
        pseudonym_key="test-pseudonym-key",
    )
    return base.with_(**overrides) if overrides else base


@pytest.fixture
def settings(backend: dict[str, str]) -> Settings:
    return make_settings(backend)


@pytest.fixture
def state(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.wiring import build_state

    st = build_state(settings, migrate=True)
    yield st
    st.close()


@pytest.fixture
def app(state):  # type: ignore[no-untyped-def]
    from bot.app import create_app

    return create_app(state=state)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()
