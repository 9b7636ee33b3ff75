"""The hot path's held connections (bot/store/hot_sql.py) on real PostgreSQL: one per thread,
kept between statements, replaced when the server drops one (that statement fails, the next
works), when idle past RECYCLE, and never shared with a forked child."""

from __future__ import annotations

import os
import threading

import psycopg2
import pytest

from bot.store import hot_sql
from bot.store.db import Database


@pytest.fixture
def db(pg_database_url):  # type: ignore[no-untyped-def]
    database = Database(pg_database_url, statement_timeout=1.5, connect_timeout=2)
    yield database
    database.dispose()


def _backend(db: Database) -> int:
    with db.hot.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return int(cur.fetchone()[0])


def test_a_thread_keeps_its_connection_and_threads_have_their_own(db):  # type: ignore[no-untyped-def]
    mine = _backend(db)
    assert _backend(db) == mine
    others: list[int] = []
    threads = [threading.Thread(target=lambda: others.append(_backend(db))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(others)) == 3 and mine not in others
    assert _backend(db) == mine


def test_a_connection_the_server_dropped_fails_one_statement_then_reconnects(db):  # type: ignore[no-untyped-def]
    pid = _backend(db)
    with db.engine.connect() as admin:
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        admin.commit()
    with pytest.raises(psycopg2.OperationalError), db.hot.cursor() as cur:
        cur.execute("SELECT 1")
    assert _backend(db) != pid  # a new connection, at once


def test_a_statement_error_keeps_the_connection(db):  # type: ignore[no-untyped-def]
    pid = _backend(db)
    with pytest.raises(psycopg2.errors.DivisionByZero), db.hot.cursor() as cur:
        cur.execute("SELECT 1 / 0")
    assert _backend(db) == pid  # autocommit: nothing to roll back, still usable


def test_prepare_runs_once_per_connection(db):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    db.hot.listeners.append(seen.append)
    prepare = ("hot_one", "PREPARE hot_one (int) AS SELECT $1 + 1")
    for n in (1, 2):
        with db.hot.cursor(prepare=prepare) as cur:
            cur.execute("EXECUTE hot_one (%s)", (n,))
            assert cur.fetchone()[0] == n + 1
    assert seen == ["EXECUTE hot_one (%s)"] * 2  # PREPARE went once, before the first


def test_an_idle_connection_is_replaced_after_recycle(db, monkeypatch):  # type: ignore[no-untyped-def]
    pid = _backend(db)
    monkeypatch.setattr(hot_sql, "RECYCLE", -1.0)
    assert _backend(db) != pid
    with db.engine.connect() as admin:  # the replaced one was closed, not leaked
        alive = admin.exec_driver_sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}")
        assert alive.scalar() == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_makes_its_own_connection(db):  # type: ignore[no-untyped-def]
    parent = _backend(db)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(write, str(_backend(db)).encode())
        finally:
            os._exit(0)
    os.close(write)
    got = int(os.read(read, 64).decode())
    os.waitpid(child, 0)
    assert got != parent
    assert _backend(db) == parent  # the parent's connection still works
