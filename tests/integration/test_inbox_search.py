"""The inbox's filters, search, sort and pages, and the detail page's related ideas, through
the use cases on both stores; on PostgreSQL, the plans use the search indexes."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.store.inbox_repo import SqlInbox
from bot.store.models import SuggestionRow
from bot.store.workflow_repo import SqlWorkflowStore
from domain import inbox
from domain import workflow as wf
from services import inbox as related
from services import suggestions as uc
from services.ports import CaseQuery
from tests.integration.inbox_helpers import seed

REV = wf.Actor("rev", wf.REVIEWER)
OFFICE = wf.Actor("office", wf.UNIT, "办公室")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def seeded(state):  # type: ignore[no-untyped-def]
    return SqlWorkflowStore(state.db), seed(state)


def found(store, actor=REV, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    cases, total = uc.list_cases(store, actor, CaseQuery(per_page=50, **filters))
    assert total == len(cases)
    return [c.ticket for c in cases]


def names(t: dict[str, str], *keys: str) -> list[str]:
    return [t[k] for k in keys]


def test_every_filter(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    everything = names(t, "more", "copy", "bus", "canteen", "xss", "forms")  # newest first
    assert found(store) == everything
    assert found(store, campaign="other") == names(t, "bus")
    assert found(store, topic="优化创新生态") == names(t, "forms")
    assert found(store, status=wf.ASSIGNED) == names(t, "bus", "xss")
    assert found(store, outcome=wf.ADOPTED) == names(t, "copy")
    assert found(store, unit="办公室") == names(t, "copy", "xss")
    author = store.find(t["canteen"]).author
    assert found(store, author=author) == names(t, "more", "canteen", "forms")
    assert found(store, has_photos=True) == names(t, "more", "xss")
    assert found(store, has_photos=False) == names(t, "copy", "bus", "canteen", "forms")
    assert found(store, status=wf.ASSIGNED, unit="办公室", text="食堂") == names(t, "xss")


def test_dates_are_days_in_the_campaign_time_zone(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    # `more` was sent 2026-12-01 17:00 UTC: 2 December in Shanghai.
    low, high = inbox.day_range(date(2026, 12, 2), date(2026, 12, 2), SHANGHAI)
    assert found(store, created_from=low, created_to=high) == names(t, "more")
    low, high = inbox.day_range(date(2026, 12, 1), date(2026, 12, 1), SHANGHAI)
    assert found(store, created_from=low, created_to=high) == []
    low, _ = inbox.day_range(date(2026, 11, 25), None, SHANGHAI)
    assert found(store, created_from=low) == names(t, "more", "copy", "bus")
    _, high = inbox.day_range(None, date(2026, 11, 15), SHANGHAI)
    assert found(store, created_to=high) == names(t, "xss", "forms")


def test_search_chinese_substrings(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    assert found(store, text="食堂") == names(t, "more", "copy", "canteen", "xss")  # 2 chars
    assert found(store, text="老年食堂") == names(t, "more", "copy", "canteen")  # 4 chars
    assert found(store, text="夜间公交") == names(t, "bus")
    assert found(store, text="价格要实惠") == names(t, "more")
    assert found(store, text="公") == names(t, "bus")  # 1 character: a plain scan
    assert found(store, text="食 堂") == []
    assert found(store, text="100%_") == names(t, "forms")  # wildcards are literal
    assert found(store, text="0%_") == names(t, "forms")
    assert found(store, text="1%") == []
    assert found(store, text="%") == names(t, "forms")
    assert found(store, text=t["bus"].lower()) == names(t, "bus")  # a ticket
    assert found(store, text="<script>") == names(t, "xss")
    assert found(store, text="图书馆") == []


def test_sort_and_pages(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    assert found(store, sort=inbox.OLDEST) == names(t, "forms", "xss", "canteen", "bus", "copy",
                                                    "more")  # fmt: skip
    by_status = found(store, sort=inbox.BY_STATUS)
    assert by_status == names(t, "canteen", "more", "forms", "bus", "xss", "copy")
    pages = [uc.list_cases(store, REV, CaseQuery(page=n, per_page=4)) for n in (1, 2, 3)]
    assert [total for _, total in pages] == [6, 6, 6]
    assert [c.ticket for c in pages[0][0] + pages[1][0]] == found(store)
    assert pages[2][0] == []
    oldest = uc.list_cases(store, REV, CaseQuery(page=2, per_page=4, sort=inbox.OLDEST))[0]
    assert [c.ticket for c in oldest] == names(t, "copy", "more")


def test_a_unit_sees_only_its_own(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    assert found(store, OFFICE) == names(t, "copy", "xss")
    assert found(store, OFFICE, unit="科技科") == []  # its own only, whatever it asks
    assert found(store, OFFICE, text="公交") == []
    assert found(store, wf.Actor("odd", wf.UNIT, "")) == []


def test_related_ideas(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    canteen = store.find(t["canteen"])
    seen = related.related(store.inbox, REV, canteen)
    assert [c.ticket for c in seen.others] == names(t, "more", "forms")
    assert seen.others_total == 2
    similar = [(s.case.ticket, s.same) for s in seen.similar]
    assert similar[0] == (t["copy"], True)  # the same text, punctuation aside
    assert (t["more"], False) in similar  # nearly the same: a phrase added
    assert t["bus"] not in [ticket for ticket, _ in similar]
    assert all(0.5 <= s.score <= 1 for s in seen.similar)
    # A unit account sees related ideas of its own unit only.
    copy = store.find(t["copy"])
    mine = related.related(store.inbox, OFFICE, copy)
    assert mine.others == [] and mine.others_total == 0
    assert [s.case.ticket for s in mine.similar] == []  # canteen and more are not its unit's
    office_view = related.related(store.inbox, OFFICE, store.find(t["xss"]))
    assert t["copy"] not in [s.case.ticket for s in office_view.similar]


def test_photos_have_a_placeholder_until_fetched(seeded):  # type: ignore[no-untyped-def]
    store, t = seeded
    more = store.find(t["more"])
    shown = related.photos(store.inbox, more)
    assert [(p.position, p.status) for p in shown] == [(1, "pending"), (2, "pending")]
    assert related.photo(store.inbox, more, 1) is None
    assert related.photos(store.inbox, store.find(t["bus"])) == []


def test_units_from_the_index(seeded):  # type: ignore[no-untyped-def]
    store, _ = seeded
    assert store.units() == ["办公室", "科技科"]


def _plan(state, text: str) -> str:  # type: ignore[no-untyped-def]
    inbox_store = SqlInbox(state.db)
    stmt = select(func.count()).select_from(SuggestionRow)
    stmt = stmt.where(*inbox_store.conditions(CaseQuery(text=text)))
    compiled = stmt.compile(dialect=state.db.engine.dialect)
    with state.db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a six-row table would be scanned
        rows = conn.exec_driver_sql("EXPLAIN " + compiled.string, compiled.params).all()
        conn.rollback()
    return "\n".join(r[0] for r in rows)


def test_postgresql_searches_use_the_indexes(backend, state):  # type: ignore[no-untyped-def]
    if backend["name"] != "real":
        pytest.skip("PostgreSQL's plans")
    seed(state)
    with state.db.engine.connect() as conn:
        ctype = conn.exec_driver_sql("SHOW lc_ctype").scalar()
        trigrams = conn.exec_driver_sql("SELECT show_trgm('社区食堂')").scalar()
    assert SqlInbox(state.db).has_trgm()
    assert "ix_suggestion_search_bigrams" in _plan(state, "食堂")
    if ctype in ("C", "POSIX"):  # pg_trgm sees no letters in Chinese there: bigrams only
        assert trigrams == []
        return
    assert len(trigrams) == 5  # "  社", " 社区", "社区食", "区食堂", "食堂 "
    assert "ix_suggestion_search_trgm" in _plan(state, "老年食堂")
    assert "ix_suggestion_search_trgm" in _plan(state, "社区食")


def test_without_pg_trgm_the_bigram_index_serves_every_search(backend, state, caplog):  # type: ignore[no-untyped-def]
    t = seed(state)
    store = SqlWorkflowStore(state.db)
    with_trgm = {q: found(store, text=q) for q in ("食堂", "老年食堂", "价格要实惠", "公")}
    canteen = store.find(t["canteen"])
    similar = [s.case.ticket for s in related.related(store.inbox, REV, canteen).similar]
    store.inbox._trgm = None
    store.inbox.pg = False if backend["name"] == "embedded" else store.inbox.pg
    if backend["name"] == "real":
        with state.db.engine.connect() as conn:  # as if the extension were not there
            conn.exec_driver_sql("DROP INDEX ix_suggestion_search_trgm")
            conn.exec_driver_sql("DROP EXTENSION pg_trgm")
            conn.commit()
        try:
            assert not store.inbox.has_trgm() and "pg_trgm is not installed" in caplog.text
            assert {q: found(store, text=q) for q in with_trgm} == with_trgm
            assert "ix_suggestion_search_bigrams" in _plan(state, "老年食堂")
            fallback = related.related(store.inbox, REV, canteen).similar
            assert [s.case.ticket for s in fallback] == similar
        finally:
            with state.db.engine.connect() as conn:
                conn.exec_driver_sql("CREATE EXTENSION pg_trgm")
                conn.exec_driver_sql(
                    "CREATE INDEX ix_suggestion_search_trgm ON suggestion_search "
                    "USING gin (content gin_trgm_ops)"
                )
                conn.commit()
    else:
        assert not store.inbox.has_trgm()
        assert {q: found(store, text=q) for q in with_trgm} == with_trgm


def test_under_a_c_ctype_pg_trgm_is_blind_and_bigrams_serve(backend, caplog):  # type: ignore[no-untyped-def]
    """A database created with LC_CTYPE C: pg_trgm takes no trigram from Chinese text, so the
    store stops relying on it (and says so); searches of any length use the bigram index."""
    if backend["name"] != "real":
        pytest.skip("PostgreSQL's locales")
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from bot.store.db import Database
    from tests.conftest import PG_ADMIN_URL

    name = f"bot_test_c_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'"
        )
    db = Database(make_url(PG_ADMIN_URL).set(database=name).render_as_string(False))
    try:
        db.upgrade()
        store = SqlInbox(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW lc_ctype").scalar() == "C"
        assert not store.has_trgm() and "pg_trgm sees no letters" in caplog.text
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO suggestions (ticket, campaign_code, topic, content, content_hash, "
                "status, created_at, channel, user_openid, author, source_key, attachments) "
                "VALUES ('K3Q9A7', 'c', '', '建议在社区增设老年食堂', 'h', '待审核', now(), "
                "'wechat', 'o', 'a', 'k', '[]')"
            )
        for query in ("食堂", "老年食堂"):
            assert [c.ticket for c in store.search(CaseQuery(text=query))[0]] == ["K3Q9A7"]
            stmt = select(func.count()).select_from(SuggestionRow)
            compiled = stmt.where(*store.conditions(CaseQuery(text=query))).compile(
                dialect=db.engine.dialect
            )
            with db.engine.connect() as conn:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = conn.exec_driver_sql("EXPLAIN " + compiled.string, compiled.params).all()
            assert "ix_suggestion_search_bigrams" in "\n".join(r[0] for r in plan)
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
