"""The outbound WeChat client against the fake WeChat API over real HTTP.

Every test that touches the token store runs twice: on fakeredis (the embedded store) and on
the real Redis at 127.0.0.1:6379 (TEST_REDIS_URL), this run's keys only.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import fakeredis
import pytest
import redis
from redis.backoff import NoBackoff
from redis.exceptions import LockNotOwnedError
from redis.retry import Retry

from bot.wechat_api import (
    DEFAULT_BASE_URL,
    RecordingSender,
    WeChatAPIError,
    default_pseudonym,
    error_kind,
)
from bot.wechat_client import WeChatSender, build_sender
from tests.conftest import delete_prefixed
from tests.fakes.fake_wechat import FakeWeChat

# One appid per run: its token keys (wechat:token:<appid>) are this run's own on a shared Redis.
APPID = f"wx_test_{uuid.uuid4().hex[:10]}"
SECRET = "s3cret-value-never-logged"
OPENID = "oUSER_raw_openid_0001"
TOKEN_KEY = f"wechat:token:{APPID}"
REAL_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["fakeredis", "redis"])
def store(request):
    """The shared token store: the embedded fakeredis, then the real Redis (this run's keys)."""
    if request.param == "fakeredis":
        client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        yield client
        client.close()
        return
    client = redis.Redis.from_url(REAL_REDIS_URL, socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"real Redis unreachable at {REAL_REDIS_URL}: {exc}")
        pytest.skip(f"real Redis unreachable at {REAL_REDIS_URL}")
    delete_prefixed(client, f"*{APPID}")
    yield client
    delete_prefixed(client, f"*{APPID}")
    client.close()


@pytest.fixture
def fake():
    """A running fake WeChat API for APPID/SECRET."""
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def make_sender(fake, store):
    """Build WeChatSenders pointed at the fake and sharing `store`; closed afterwards."""
    senders: list[WeChatSender] = []

    def make(**kwargs) -> WeChatSender:
        kwargs.setdefault("base_url", fake.base_url)
        sender = WeChatSender(kwargs.pop("appid", APPID), kwargs.pop("secret", SECRET), store,
                              **kwargs)  # fmt: skip
        senders.append(sender)
        return sender

    yield make
    for sender in senders:
        sender.close()


def test_first_send_fetches_one_token_and_later_sends_reuse_it(fake, store, make_sender):
    sender = make_sender()
    for i in range(3):
        sender.send_text(OPENID, f"第{i}条")
    assert fake.fetches("/cgi-bin/stable_token") == 1
    assert fake.token_fetches == 1
    tokens = {s["token"] for s in fake.sent}
    assert len(tokens) == 1
    assert store.get(TOKEN_KEY).decode() == tokens.pop()
    assert 6800 < store.ttl(TOKEN_KEY) <= 6900  # expires_in 7200 - 300
    assert fake.sent[0]["body"] == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "第0条"},
    }


def test_token_error_refreshes_once_and_the_send_succeeds(fake, make_sender):
    sender = make_sender()
    sender.send_text(OPENID, "first")
    fake.fail_next(40001)
    sender.send_text(OPENID, "second")
    assert fake.token_fetches == 2
    assert [c["errcode"] for c in fake.calls] == [0, 40001, 0]
    assert [s["body"]["text"]["content"] for s in fake.sent] == ["first", "second"]


def test_expired_token_under_concurrency_causes_exactly_one_fetch(fake, make_sender):
    senders = [make_sender(), make_sender()]  # two "processes" sharing one Redis
    senders[0].send_text(OPENID, "warm up")
    fake.expire_tokens()
    fake.latency = 0.05  # keep the 20 failing sends in flight together
    before = fake.token_fetches
    barrier = threading.Barrier(20)

    def send(i: int) -> None:
        barrier.wait(timeout=5)
        senders[i % 2].send_text(f"oUSER{i:02d}", f"通知{i}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        for future in [pool.submit(send, i) for i in range(20)]:
            future.result(timeout=30)
    assert fake.token_fetches - before == 1
    delivered = [s for s in fake.sent if s["openid"] != OPENID]
    assert sorted(s["openid"] for s in delivered) == [f"oUSER{i:02d}" for i in range(20)]
    assert len({s["token"] for s in delivered}) == 1


def test_persistent_token_error_retries_once_then_raises(fake, make_sender):
    sender = make_sender()
    sender.send_text(OPENID, "ok")
    fake.fail_next(40001, times=5)
    with pytest.raises(WeChatAPIError) as info:
        sender.send_text(OPENID, "never")
    assert (info.value.errcode, info.value.kind) == (40001, "token")
    assert [c["errcode"] for c in fake.calls] == [0, 40001, 40001]  # one retry only
    assert fake.token_fetches == 2


@pytest.mark.parametrize("errcode", [45009, 45011, -1])
def test_quota_and_busy_errors_are_retry_later(fake, make_sender, errcode):
    fake.fail_next(errcode)
    with pytest.raises(WeChatAPIError) as info:
        make_sender().send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (errcode, "retry_later")
    assert fake.sent == []


def test_http_5xx_is_retry_later(fake, make_sender):
    fake.http_error_next(502)
    with pytest.raises(WeChatAPIError) as info:
        make_sender().send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (-2, "retry_later")
    assert "502" in info.value.errmsg


def test_timeout_is_retry_later(fake, make_sender):
    sender = make_sender(timeout=0.5)
    sender.send_text(OPENID, "warm up")
    fake.hang_next(3)
    with pytest.raises(WeChatAPIError) as info:
        sender.send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (-2, "retry_later")
    assert "timeout" in info.value.errmsg


def test_connection_refused_is_retry_later(store):
    closed = FakeWeChat(APPID, SECRET).start()
    base_url = closed.base_url
    closed.stop()
    with WeChatSender(APPID, SECRET, store, base_url=base_url, timeout=1) as sender:
        with pytest.raises(WeChatAPIError) as info:
            sender.send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (-2, "retry_later")
    assert "access_token=" not in info.value.errmsg or "access_token=***" in info.value.errmsg


@pytest.mark.parametrize("errcode", [43004, 43101, 45015, 45047])
def test_user_side_errors_are_give_up(fake, make_sender, errcode):
    fake.fail_next(errcode)
    with pytest.raises(WeChatAPIError) as info:
        make_sender().send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (errcode, "give_up")


def test_rejected_user_gives_up_and_others_still_get_messages(fake, make_sender):
    fake.reject_user(OPENID, 43004)
    sender = make_sender()
    with pytest.raises(WeChatAPIError) as info:
        sender.send_text(OPENID, "x")
    assert info.value.kind == "give_up"
    sender.send_text("oOTHER", "y")
    assert [s["openid"] for s in fake.sent] == ["oOTHER"]


def test_bad_credentials_give_up(fake, make_sender):
    with pytest.raises(WeChatAPIError) as info:
        make_sender(secret="wrong").send_text(OPENID, "x")
    assert (info.value.errcode, info.value.kind) == (40125, "give_up")
    with pytest.raises(WeChatAPIError) as info:
        make_sender(appid="wx_other").send_text(OPENID, "x")
    assert info.value.errcode == 40013


def test_template_builds_wechat_data_and_url(fake, make_sender):
    make_sender().send_template(
        OPENID, "TPL1", {"thing1": "宣传发动阶段", "time2": "2018-05-25"}, url="https://e.x/1"
    )
    (sent,) = fake.sent
    assert sent["path"] == "/cgi-bin/message/template/send"
    assert sent["body"] == {
        "touser": OPENID,
        "template_id": "TPL1",
        "url": "https://e.x/1",
        "data": {"thing1": {"value": "宣传发动阶段"}, "time2": {"value": "2018-05-25"}},
    }


@pytest.mark.parametrize("value", ["二" * 21, "two\nlines"])
def test_bad_template_field_gives_up_without_any_http(fake, make_sender, value):
    with pytest.raises(WeChatAPIError) as info:
        make_sender().send_template(OPENID, "TPL1", {"keyword1": value})
    assert (info.value.errcode, info.value.kind) == (47003, "give_up")
    assert fake.calls == [] and fake.token_fetches == 0


def test_subscribe_message(fake, make_sender):
    make_sender().send_subscribe(OPENID, "SUB1", {"thing1": "提交建议"}, page="index")
    (sent,) = fake.sent
    assert sent["path"] == "/cgi-bin/message/subscribe/bizsend"
    assert sent["body"]["data"] == {"thing1": {"value": "提交建议"}}


def test_base_url_is_honoured(fake, store, make_sender):
    with FakeWeChat(APPID, SECRET) as other:
        make_sender(base_url=other.base_url + "/").send_text(OPENID, "via other")
        assert len(other.sent) == 1 and other.token_fetches == 1
    assert fake.sent == [] and fake.token_fetches == 0
    store.delete(TOKEN_KEY)
    with pytest.raises(WeChatAPIError) as info:  # {base}/cgi-bin/...: a prefix is kept
        make_sender(base_url=fake.base_url + "/gateway").send_text(OPENID, "x")
    assert info.value.errcode == -2 and "404" in info.value.errmsg


def test_no_token_secret_or_openid_in_debug_logs(fake, store, make_sender, caplog):
    caplog.set_level(logging.DEBUG)
    sender = make_sender(timeout=0.5)
    sender.send_text(OPENID, "one")
    fake.fail_next(40001)
    sender.send_text(OPENID, "two")
    fake.expire_tokens()
    sender.send_template(OPENID, "TPL1", {"k": "v"})
    fake.hang_next(3)
    with pytest.raises(WeChatAPIError):
        sender.send_text(OPENID, "three")
    tokens = {s["token"] for s in fake.sent} | {store.get(TOKEN_KEY).decode()}
    assert len(tokens) >= 2
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "access_token=***" in text  # urllib3's request lines were captured, redacted
    for secret in [*tokens, SECRET, OPENID]:
        assert secret not in text
    assert default_pseudonym(OPENID) in text


def test_recording_sender_records_and_logs_only_a_pseudonym(caplog):
    caplog.set_level(logging.DEBUG)
    sender = RecordingSender()
    sender.send_text(OPENID, "你好")
    sender.send_template(OPENID, "TPL1", {"thing1": "x"}, url=None)
    assert [(s["kind"], s["openid"]) for s in sender.sent] == [
        ("text", OPENID),
        ("template", OPENID),
    ]
    assert sender.sent[0]["text"] == "你好"
    assert len([r for r in caplog.records if r.levelno == logging.INFO]) == 2
    assert OPENID not in caplog.text
    assert default_pseudonym(OPENID) in caplog.text
    with pytest.raises(WeChatAPIError):
        sender.send_template(OPENID, "TPL1", {"thing1": "长" * 21})


def test_build_sender_chooses_by_credentials(store):
    assert isinstance(build_sender(None, None, store), RecordingSender)
    assert isinstance(build_sender("wx", "", store), RecordingSender)
    with build_sender("wx", "s", store, base_url=None) as sender:
        assert isinstance(sender, WeChatSender)
        assert sender.client.API_BASE_URL == DEFAULT_BASE_URL + "/cgi-bin/"
        assert sender.timeout == 5.0


def test_error_kinds():
    assert [error_kind(c) for c in (40001, 40014, 42001)] == ["token"] * 3
    assert [error_kind(c) for c in (45009, 45011, -1, -2)] == ["retry_later"] * 4
    assert [error_kind(c) for c in (43004, 43101, 45015, 45047, 47003, 40003)] == ["give_up"] * 6


def test_a_second_sender_uses_the_token_already_in_redis(fake, make_sender):
    make_sender().send_text(OPENID, "a")
    make_sender().send_text(OPENID, "b")
    assert fake.token_fetches == 1
    assert fake.sent[0]["token"] == fake.sent[1]["token"]


def test_token_lock_release_leaves_a_foreign_lock_alone(store):
    # redis-py's Lua-released lock, on both stores (the embedded one runs Lua through lupa).
    lock = store.lock("wechat:test-lock", timeout=5)
    assert lock.acquire(blocking=False)
    store.set("wechat:test-lock", "someone-else")  # ours expired, another process took it
    with pytest.raises(LockNotOwnedError):
        lock.release()
    assert store.get("wechat:test-lock") == b"someone-else"
    assert lock.acquire(blocking=False) is False
    store.delete("wechat:test-lock")
    with lock:
        assert store.exists("wechat:test-lock")
    assert not store.exists("wechat:test-lock")


def test_unreachable_redis_is_retry_later(fake):
    dead = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    with WeChatSender(APPID, SECRET, dead, base_url=fake.base_url) as sender:
        with pytest.raises(WeChatAPIError) as info:
            sender.send_text(OPENID, "x")
    dead.close()
    assert (info.value.errcode, info.value.kind) == (-2, "retry_later")
    assert fake.calls == []


def test_proxy_settings_are_read_once_from_the_environment(monkeypatch):
    """HTTPS_PROXY / NO_PROXY still apply (government networks often need a proxy), but the
    environment is read when the sender is built, not on every call."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = fakeredis.FakeRedis()
    sender = WeChatSender(APPID, SECRET, client, base_url="https://api.example.cn")
    session = sender.client._http
    assert session.trust_env is False
    assert session.proxies.get("https") == "http://proxy.example:3128"
    monkeypatch.setenv("NO_PROXY", "api.example.cn")
    direct = WeChatSender(APPID, SECRET, client, base_url="https://api.example.cn")
    assert "https" not in direct.client._http.proxies
