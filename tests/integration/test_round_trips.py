"""The hot path's storage calls, on both stores: SuggestionStore.submit (one statement on
PostgreSQL), the claim folded into the conversation read, the batched "last seen" record, and
how many round trips a message costs."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.seen import SeenRecorder
from bot.store.campaigns_repo import save_plan
from bot.store.kv import RedisConversationStore
from bot.store.models import SuggestionRow, UserRow
from bot.wechat_protocol import parse_xml, to_incoming
from domain.plan import DateSpan, Phase, Plan
from handlers.ports import NewSuggestion, Opening
from tests.wechat_sim import text_xml

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SPAN = DateSpan(date(2026, 1, 1), date(2026, 12, 31), "全年")


def _new(key: str, content: str = "建议在社区增设便民充电桩", user: str = "u1", at=T0):  # type: ignore[no-untyped-def]
    return NewSuggestion(
        user=user,
        channel="wechat",
        campaign_code="kjj-2018",
        topic="其他",
        content=content,
        source_key=key,
        created_at=at,
    )


def _submit(state, new, per_hour=10):  # type: ignore[no-untyped-def]
    return state.suggestions.submit(
        new, new.created_at - timedelta(hours=1), new.created_at - timedelta(hours=10), per_hour
    )


def _rows(state) -> int:  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(SuggestionRow)) or 0)


# --- SuggestionStore.submit --------------------------------------------------------------------


def test_submit_stores_and_a_retry_gets_the_same_record(state):
    first = _submit(state, _new("msg:1"))
    assert first.record is not None and first.same_today is None and first.this_hour == 0
    again = _submit(state, _new("msg:1"))
    assert again.record == first.record  # the retried message's own record, not a refusal
    assert _rows(state) == 1
    assert state.suggestions.by_source("msg:1") == first.record
    assert state.suggestions.by_source("msg:2") is None


def test_submit_refuses_the_same_text_today_with_the_first_ticket(state):
    first = _submit(state, _new("msg:1", "建议：夜间开放学校操场！"))
    later = _submit(state, _new("msg:2", "建议 夜间开放学校操场", at=T0 + timedelta(hours=2)))
    assert later.record is None and later.same_today == first.record.ticket
    other_user = _submit(state, _new("msg:3", "建议：夜间开放学校操场！", user="u2"))
    assert other_user.record is not None
    assert _rows(state) == 2


def test_submit_refuses_over_the_hourly_limit(state):
    for i in range(3):
        made = _submit(state, _new(f"msg:{i}", f"第{i}条建议：增设公共座椅", at=T0), per_hour=3)
        assert made.record is not None and made.this_hour == i
    over = _submit(state, _new("msg:9", "第9条建议：增设公共座椅", at=T0), per_hour=3)
    assert over.record is None and over.same_today is None and over.this_hour == 3
    an_hour_on = T0 + timedelta(hours=1, minutes=1)
    assert _submit(state, _new("msg:10", "第10条：增设座椅", at=an_hour_on), 3).record is not None


def test_concurrent_copies_of_one_message_store_once(state):
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _submit(state, _new("msg:race")), range(4)))
    tickets = {r.record.ticket for r in results if r.record is not None}
    assert len(tickets) == 1 and all(r.record is not None for r in results)
    assert _rows(state) == 1


def test_a_taken_ticket_draws_another(state, monkeypatch):
    from domain import suggestion as rules

    first = _submit(state, _new("msg:1"))
    draws = iter([first.record.ticket, first.record.ticket, "ZZZZ22"])
    monkeypatch.setattr(rules, "new_ticket", lambda: next(draws))
    second = _submit(state, _new("msg:2", "另一条建议：增加公交班次"))
    assert second.record is not None and second.record.ticket == "ZZZZ22"


# --- the claim and the conversation in one round trip ------------------------------------------


def test_claim_and_begin(state):
    conversations = state.services.conversations
    assert isinstance(conversations, RedisConversationStore)
    key = state.settings.redis_prefix + "dedup:test:1"
    claim = (key, "pending", 60)
    assert conversations.claim_and_begin("u1", claim) == (True, Opening())
    assert state.kv.get(key) == b"pending" and 0 < state.kv.ttl(key) <= 60
    conversations.save("u1", {"flow": "suggest", "step": "content"})
    conversations.save_pages("u1", ["第二页"])
    taken, _ = conversations.claim_and_begin("u1", claim)
    assert taken is False
    claimed, opening = conversations.claim_and_begin(
        "u1", (state.settings.redis_prefix + "dedup:test:2", "pending", 60)
    )
    assert claimed and opening == Opening({"flow": "suggest", "step": "content"}, False, True)


def test_an_expired_conversation_is_reported_to_the_copy_holding_the_claim(state):
    conversations = state.services.conversations
    conversations.save("u1", {"flow": "suggest", "step": "content"})
    prefix = state.settings.redis_prefix
    state.kv.delete(prefix + "conv:state:u1")  # the state expired; the marker outlives it
    taken = conversations.claim_and_begin("u1", (prefix + "dedup:x", "pending", 60))
    assert taken == (True, Opening(None, True, False))
    retry = conversations.claim_and_begin("u1", (prefix + "dedup:x", "pending", 60))
    assert retry == (False, Opening(None, False, False))
    assert conversations.begin("u1") == Opening()  # reported once


# --- "last seen", batched ------------------------------------------------------------------------


def _last_seen(state, user: str):  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        row = s.get(UserRow, user)
        return None if row is None else (row.last_inbound_at, row.following)


def test_touch_many_keeps_the_later_time_and_inserts_new_users(state):
    state.users.touch_many({"u1": T0, "u2": T0})
    state.users.touch_many({"u1": T0 - timedelta(minutes=5), "u3": T0})
    assert _last_seen(state, "u1") == (T0, True)
    assert _last_seen(state, "u3") == (T0, True)
    state.users.touch_many({"u1": T0 + timedelta(minutes=5)})
    assert _last_seen(state, "u1") == (T0 + timedelta(minutes=5), True)


def test_a_message_queued_before_an_unfollow_does_not_undo_it(state):
    state.users.touch_many({"u1": T0})
    before = datetime.now(UTC)
    state.users.set_following("u1", False)
    state.users.touch_many({"u1": before})  # written a moment after the unfollow
    assert _last_seen(state, "u1") == (before, False)
    state.users.touch_many({"u1": datetime.now(UTC) + timedelta(seconds=1)})  # wrote again
    assert _last_seen(state, "u1")[1] is True


class _CountingUsers:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[dict[str, datetime]] = []
        self.fail = fail
        self.called = threading.Event()

    def touch_many(self, seen: dict[str, datetime]) -> None:
        self.called.set()
        if self.fail:
            raise ConnectionError("database down")
        self.batches.append(dict(seen))


def test_seen_recorder_batches_and_skips_recent_users():
    users = _CountingUsers()
    recorder = SeenRecorder(users, lambda: T0, every=600, flush_every=60)
    for user in ("a", "b", "a", "c", "b"):
        recorder.note(user)
    recorder.close()
    assert users.batches == [{"a": T0, "b": T0, "c": T0}]  # one write, each user once
    recorder.note("a")  # within `every` of the last time: not again
    assert recorder.flush() and users.batches == [{"a": T0, "b": T0, "c": T0}]


def test_seen_recorder_flushes_in_the_background():
    users = _CountingUsers()
    recorder = SeenRecorder(users, lambda: T0, flush_every=0.05)
    recorder.note("a")
    assert users.called.wait(5)
    recorder.close()
    assert users.batches == [{"a": T0}]


def test_seen_recorder_keeps_the_news_when_the_database_refuses():
    users = _CountingUsers(fail=True)
    recorder = SeenRecorder(users, lambda: T0, flush_every=60)
    recorder.note("a")
    assert recorder.flush() is False
    users.fail = False
    assert recorder.flush() is True and users.batches == [{"a": T0}]
    recorder.close()


def test_a_webhook_message_is_recorded_as_seen(state):
    msg = to_incoming(parse_xml(text_xml("u_seen", "帮助").encode()))
    assert "我可以帮您" in (state.processor.handle(msg) or "")
    state.seen.flush()
    last, following = _last_seen(state, "u_seen")
    assert following and abs(last - datetime.now(UTC)) < timedelta(minutes=1)


# --- round trips per message ---------------------------------------------------------------------


@pytest.fixture
def counted(state, monkeypatch):  # type: ignore[no-untyped-def]
    """Counts Redis round trips (a pipeline is one) and SQL statements of the handlers."""
    from sqlalchemy import event

    counts = {"redis": 0, "sql": 0}
    kv_type = type(state.kv)
    pipe_type = type(state.kv.pipeline())
    original_execute_command = kv_type.execute_command
    original_pipeline_execute = pipe_type.execute

    def execute_command(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts["redis"] += 1
        return original_execute_command(self, *args, **kwargs)

    def pipeline_execute(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts["redis"] += 1
        return original_pipeline_execute(self, *args, **kwargs)

    monkeypatch.setattr(kv_type, "execute_command", execute_command)
    monkeypatch.setattr(pipe_type, "execute", pipeline_execute)

    def on_sql(*args):  # type: ignore[no-untyped-def]
        counts["sql"] += 1

    # no timed re-check:
    monkeypatch.setattr("bot.store.campaigns_repo.REVISION_CHECK_EVERY", 3600.0)
    save_plan(state.db, Plan("kjj", "科技局大讨论", 2018, phases=(Phase("学习调研阶段", SPAN),)))
    state.campaigns.invalidate()
    state.campaigns.active()  # the plan cache is warm, as in steady traffic
    state.seen.note("u_count")  # already recorded as seen: a message costs nothing there
    state.seen.flush()
    state.suggestions.submit(_new("warm-up", "预热：建立连接池"), T0, T0, 10)  # opens the pool
    state.services.conversations.begin("u_warm")  # the claim script is loaded (once per Redis)
    state.processor.keep(state.settings.redis_prefix + "warm", "{}", 60)  # QuietSet's probe (once)
    state.services.resident.may_have_waiting("u_warm")  # users with waiting answers (per 10 s)
    engines = [state.db.engine]
    with state.db.autocommit() as conn:
        engines.append(conn.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_sql)
    pg = state.db.engine.dialect.name == "postgresql"
    if pg:  # the submission's own statement, on its held connection (bot/store/hot_sql.py)
        state.db.hot.listeners.append(on_sql)

    def on_redis(name: str) -> None:
        counts["redis"] += 1

    hot = state.services.conversations.hot  # the claim on its held connection (hot_redis.py)
    if hot is not None:
        hot.listeners.append(on_redis)
    counts.update(redis=0, sql=0)
    yield counts
    for engine in engines:
        event.remove(engine, "before_cursor_execute", on_sql)
    if pg:
        state.db.hot.listeners.remove(on_sql)
    if hot is not None:
        hot.listeners.remove(on_redis)


def _handle(state, text: str, msg_id: int) -> str:  # type: ignore[no-untyped-def]
    msg = to_incoming(parse_xml(text_xml("u_count", text, msg_id=msg_id).encode()))
    return state.processor.handle(msg) or ""


def test_round_trips_per_message(state, counted):
    assert "我可以帮您" in _handle(state, "帮助", 1)
    assert counted == {"redis": 0, "sql": 0}  # a fixed answer touches nothing
    answer = _handle(state, "献一策：建议在地铁站增设自行车停放点", 2)
    assert "提交成功" in answer
    # claim + conversation (one script), the answer kept for retries; one SQL statement
    # on PostgreSQL (checks and insert together), the checks and the insert apart elsewhere.
    # On a real Redis the answer is kept without waiting for the reply (QuietSet): not a
    # round trip, but the answer is there for the retries all the same.
    sql = 1 if state.db.engine.dialect.name == "postgresql" else 3
    # (SQLite: the handler runs in the budgeted pool, which keeps the answer with a plain SET.)
    quiet = state.processor.keep.quiet is True
    assert quiet is (state.settings.redis_url != "" and sql == 1)
    assert counted == {"redis": 1 if quiet else 2, "sql": sql}
    # Read on another connection than the one the quiet SET went out on: Redis may read this
    # GET first (microseconds apart; a WeChat retry comes seconds later), so look again briefly.
    key = f"{state.settings.redis_prefix}dedup:wechat:u_count:2"
    kept = state.kv.get(key)
    for _ in range(100):
        if kept != b"pending":
            break
        time.sleep(0.01)
        kept = state.kv.get(key)
    assert kept is not None and "提交成功" in kept.decode()
    counted.update(redis=0, sql=0)
    assert "学习调研阶段" in _handle(state, "现在是什么阶段", 3)
    # the conversation only: no claim, no pages to clear, the plan from the process's cache
    assert counted == {"redis": 1, "sql": 0}
