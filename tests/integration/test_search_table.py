"""The search table on PostgreSQL (migration 0013, bot/store/search_table.py): a submission does
not write it; a search fills it first, so what was submitted is found at once; a suggestion
whose id the margin does not reach is found by the full pass; concurrent searches and
submissions lose nothing."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import search_table
from bot.store.workflow_repo import SqlWorkflowStore
from domain import workflow as wf
from handlers.ports import NewSuggestion
from services import suggestions as uc
from services.ports import CaseQuery

REV = wf.Actor("rev", wf.REVIEWER)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


# PostgreSQL only: the backend fixture's "real" parameter alone (SQLite has no search table).
pytestmark = pytest.mark.parametrize("backend", ["real"], indirect=True)


@pytest.fixture
def pg_state(backend, state):  # type: ignore[no-untyped-def]
    assert backend["name"] == "real"
    return state


def _new(n: int, content: str, user: str = "openid-s") -> NewSuggestion:
    return NewSuggestion(
        user=user, channel="wechat", campaign_code="kjj-2018", topic="民生服务",
        content=content, source_key=f"search-table:{n}:{content}", created_at=NOW,
    )  # fmt: skip


def _rows(state) -> int:  # type: ignore[no-untyped-def]
    with state.db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM suggestion_search").scalar() or 0)


def _found(store, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    cases, _ = uc.list_cases(store, REV, CaseQuery(text=text, per_page=200))
    return [c.ticket for c in cases]


def test_a_submission_writes_no_search_index_and_is_found_at_once(pg_state):  # type: ignore[no-untyped-def]
    store = SqlWorkflowStore(pg_state.db)
    first = pg_state.suggestions.submit(_new(1, "建议在社区增设老年食堂"), NOW - timedelta(hours=1),
                                        NOW - timedelta(days=1), 10)  # fmt: skip
    assert _rows(pg_state) == 0  # the submission wrote suggestions only
    assert _found(store, "食堂") == [first.record.ticket]
    assert _rows(pg_state) == 1
    second = pg_state.suggestions.submit(_new(2, "建议增设夜间公交线路"), NOW - timedelta(hours=1),
                                         NOW - timedelta(days=1), 10)  # fmt: skip
    assert _rows(pg_state) == 1
    assert _found(store, "公交线路") == [second.record.ticket]  # the margin pass
    assert _found(store, "建议") == [second.record.ticket, first.record.ticket]  # newest first


def test_an_id_below_the_margin_is_found_by_the_full_pass(pg_state, monkeypatch):  # type: ignore[no-untyped-def]
    """A suggestion that took its id long before it committed (a long import transaction).
    The full pass is per process and database, not per store (the console builds its stores
    per request): a new store does not make one."""
    monkeypatch.setattr(search_table, "MARGIN", 5)
    store = SqlWorkflowStore(pg_state.db)
    tickets = [pg_state.suggestions.create(_new(n, f"建议{n}号：修缮老旧小区"))[0].ticket
               for n in range(10)]  # fmt: skip
    assert len(_found(store, "小区")) == 10
    with pg_state.db.engine.begin() as conn:  # as if it had taken id 1 and committed only now
        conn.exec_driver_sql(
            "DELETE FROM suggestion_search WHERE suggestion_id = "
            "(SELECT min(suggestion_id) FROM suggestion_search)"
        )
    assert len(_found(store, "小区")) == 9  # the margin pass does not reach it
    assert len(_found(SqlWorkflowStore(pg_state.db), "小区")) == 9  # nor a new store's
    search_table.FULL_AT[pg_state.db.url] = time.monotonic() - search_table.FULL_EVERY
    assert sorted(_found(store, "小区")) == sorted(tickets)
    assert _rows(pg_state) == 10


def test_a_backlog_is_copied_in_chunks_within_the_timeout(pg_state, monkeypatch):  # type: ignore[no-untyped-def]
    """More missing rows than one statement copies (after a quiet weekend, an import): several
    statements, each committed; the search still finds every one."""
    monkeypatch.setattr(search_table, "CHUNK", 3)
    store = SqlWorkflowStore(pg_state.db)
    _found(store, "没有")  # the table is up to date (and empty)
    tickets = [pg_state.suggestions.create(_new(n, f"第{n}条：增设共享单车停放点"))[0].ticket
               for n in range(10)]  # fmt: skip
    assert store.inbox.search_table.catch_up() == 10
    assert sorted(_found(store, "单车")) == sorted(tickets)
    assert store.inbox.search_table.catch_up() == 0


def test_concurrent_searches_and_submissions_lose_nothing(pg_state):  # type: ignore[no-untyped-def]
    stores = [SqlWorkflowStore(pg_state.db) for _ in range(3)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def search(store) -> None:  # type: ignore[no-untyped-def]
        try:
            while not stop.is_set():
                _found(store, "路灯")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=search, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    submitted = []
    try:
        for n in range(60):
            new = _new(n, f"第{n}条：建议在主干道加装路灯", user=f"openid-{n % 7}")
            submitted.append(pg_state.suggestions.create(new)[0].ticket)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert errors == []
    assert sorted(_found(stores[0], "路灯")) == sorted(submitted)
    assert _rows(pg_state) == 60
