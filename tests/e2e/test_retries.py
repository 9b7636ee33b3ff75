"""WeChat's retries over real HTTP: three copies of one message, at once, make one record."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from bot.store.models import SuggestionRow
from tests.wechat_sim import WeChatSim, text_xml


class Server:
    """The app on a real threaded HTTP server on loopback."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.thread.join(5)


def _slow(store, seconds):  # type: ignore[no-untyped-def]
    original = store.submit

    def submit(*args):  # type: ignore[no-untyped-def]
        time.sleep(seconds)
        return original(*args)

    return submit


def test_three_concurrent_copies_make_one_suggestion(app, state, monkeypatch):
    # The store is slowed so copies 2 and 3 arrive while copy 1 is still being handled.
    monkeypatch.setattr(state.suggestions, "submit", _slow(state.suggestions, 0.5))
    server = Server(app)
    try:
        sim = WeChatSim()
        qs, body = sim.envelope(
            text_xml("u_retry", "献一策：建议公交站台加装遮阳棚和座椅", msg_id=880001)
        )
        url = f"{server.url}/wechat?{qs}"
        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(requests.post, url, data=body, timeout=10) for _ in range(3)]
            answers = [sim.read(f.result().status_code, f.result().content) for f in futures]
        assert all(a.status == 200 for a in answers)
        texts = {a.text for a in answers}
        assert len(texts) == 1 and "提交成功" in next(iter(texts))
        with state.db.session() as s:
            assert s.scalar(select(func.count()).select_from(SuggestionRow)) == 1
        # A late fourth copy (WeChat's third retry) gets the same answer too.
        late = requests.post(url, data=body, timeout=10)
        assert sim.read(late.status_code, late.content).text == next(iter(texts))
    finally:
        server.close()


def test_database_constraint_stands_behind_redis(state):
    """Even with the Redis dedup key gone, a replayed message stores no second record."""
    from bot.wechat_protocol import parse_xml, to_incoming

    msg = to_incoming(
        parse_xml(text_xml("u_db", "献一策：建议图书馆延长周末开放时间", msg_id=990001).encode())
    )
    first = state.processor.handle(msg)
    state.kv.delete(f"{state.settings.redis_prefix}dedup:wechat:{msg.dedup_key}")
    second = state.processor.handle(msg)
    assert "提交成功" in first
    assert second == first  # the same answer: the stored record found by its source key
    with state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SuggestionRow)) == 1


def test_slow_work_answers_success_then_sends_by_customer_service(app, state, monkeypatch):
    monkeypatch.setattr(state.suggestions, "submit", _slow(state.suggestions, 0.6))
    monkeypatch.setattr(state.processor, "budget", 0.2)
    client = app.test_client()
    sim = WeChatSim()
    qs, body = sim.envelope(text_xml("u_slow", "献一策：建议河道两侧增设夜间照明设施"))
    started = time.monotonic()
    resp = client.post("/wechat?" + qs, data=body)
    assert resp.data == b"success" and time.monotonic() - started < 0.5
    retry = client.post("/wechat?" + qs, data=body)  # WeChat's retry: still `success`
    assert retry.data == b"success"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not state.sender.sent:
        time.sleep(0.05)
    assert len(state.sender.sent) == 1
    assert "提交成功" in str(state.sender.sent[0])
    with state.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SuggestionRow)) == 1
    # The answer went out as a customer-service message: a later retry must not repeat it.
    time.sleep(0.1)
    assert client.post("/wechat?" + qs, data=body).data == b"success"
    assert len(state.sender.sent) == 1


def test_the_answer_arrives_even_when_it_cannot_be_kept_for_retries(app, state, monkeypatch):
    """A Redis failure while keeping the answer for WeChat's retries costs the retries their
    copy, not the user their answer."""
    import redis

    keep = state.kv.set

    def set_but_not_answers(key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = str(value).startswith('{"t"')
        if str(key).startswith(state.settings.redis_prefix + "dedup:") and answer:
            raise redis.ConnectionError("Redis went away")
        return keep(key, value, *args, **kwargs)

    monkeypatch.setattr(state.kv, "set", set_but_not_answers)
    sim = WeChatSim()
    answer = sim.post(app.test_client(), text_xml("u_keep", "献一策：建议社区食堂延长晚间供餐时间"))
    assert answer.status == 200 and "提交成功" in answer.text


def _answers_to_retries_hang(state, monkeypatch, seconds: float) -> None:  # type: ignore[no-untyped-def]
    keep = state.kv.set

    def slow_set(key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = str(value).startswith('{"t"')
        if str(key).startswith(state.settings.redis_prefix + "dedup:") and answer:
            time.sleep(seconds)  # a Redis that has stopped answering, until the socket timeout
        return keep(key, value, *args, **kwargs)

    monkeypatch.setattr(state.kv, "set", slow_set)


def test_a_hung_redis_while_keeping_the_answer_does_not_hold_the_reply(app, state, monkeypatch):
    """The handler has finished, but keeping its answer for the retries hangs past the budget:
    the request answers with it after a short wait, and no late message repeats it."""
    _answers_to_retries_hang(state, monkeypatch, 1.5)
    monkeypatch.setattr(state.processor, "budget", 0.2)
    sim = WeChatSim()
    started = time.monotonic()
    answer = sim.post(app.test_client(), text_xml("u_hang", "献一策：建议公园夜间增设照明和巡逻"))
    assert answer.status == 200 and "提交成功" in answer.text
    assert time.monotonic() - started < 1.2  # budget 0.2 s + the 0.5 s wait for the lock
    time.sleep(1.6)  # the hung write has finished: nothing more goes out
    assert state.sender.sent == []


def test_an_unmarked_deferral_still_sends_the_answer_later(app, state, monkeypatch):
    """Redis fails just when the request marks its message as answered later: the answer still
    goes out by customer-service message."""
    import redis

    monkeypatch.setattr(state.suggestions, "submit", _slow(state.suggestions, 0.6))
    monkeypatch.setattr(state.processor, "budget", 0.2)
    keep = state.kv.set

    def no_deferral_mark(key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        if value == "deferred":
            raise redis.ConnectionError("Redis went away")
        return keep(key, value, *args, **kwargs)

    monkeypatch.setattr(state.kv, "set", no_deferral_mark)
    sim = WeChatSim()
    qs, body = sim.envelope(text_xml("u_unmarked", "献一策：建议在菜市场增设公共洗手池"))
    assert app.test_client().post("/wechat?" + qs, data=body).data == b"success"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not state.sender.sent:
        time.sleep(0.05)
    assert len(state.sender.sent) == 1 and "提交成功" in str(state.sender.sent[0])


def test_answers_within_budget_under_parallel_load(app, state):
    server = Server(app)
    try:
        sim = WeChatSim()

        def one(i: int) -> tuple[int, float]:
            qs, body = sim.envelope(
                text_xml(f"load{i % 8}", f"献一策：第{i}条建议，关于改善社区环境")
            )
            t = time.monotonic()
            r = requests.post(f"{server.url}/wechat?{qs}", data=body, timeout=10)
            return r.status_code, time.monotonic() - t

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(40)))
        assert all(code == 200 for code, _ in results)
        assert max(t for _, t in results) < 4.5
        with state.db.session() as s:
            assert s.scalar(select(func.count()).select_from(SuggestionRow)) == 40
    finally:
        server.close()
