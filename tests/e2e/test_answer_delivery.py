"""The answer reaches the resident exactly once (issue 10 point 5), on both stores, sent through
the real outbound client to the fake WeChat API over HTTP: a customer-service message inside
the 48-hour window (counted against the quota), a template message outside it linking to the
signed answer page (fetched over HTTP; a tampered token is 404), or told in the reply to the
user's next message (once, even for two messages at once); token and quota errors."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from werkzeug.serving import make_server

from bot.app import create_app
from bot.store.delivery_reports import CustomerServiceQuota
from bot.wiring import build_state
from domain import workflow as wf
from services import answers
from services import suggestions as uc
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat
from tests.integration.console_helpers import new_suggestion, stores
from tests.wechat_sim import WeChatSim, text_xml

APPID, SECRET = "wx_answers_app", "answers-secret"
PUBLIC = "https://dtl.example.gov.cn"
REV = wf.Actor("rev", wf.REVIEWER)
ANSWER = "已采纳，明年在镇区增设公共充电桩 <b>20</b> 个。"
CS_PATH, TPL_PATH = "/cgi-bin/message/custom/send", "/cgi-bin/message/template/send"


@pytest.fixture
def fake():
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def make_state(backend, fake):
    states = []

    def make(**overrides):
        settings = make_settings(
            backend, wechat_appid=APPID, wechat_secret=SECRET, wechat_api_base_url=fake.base_url,
            secret_key="answer-page-test-key", **overrides,
        )  # fmt: skip
        states.append(build_state(settings, migrate=True))
        return states[-1]

    yield make
    for st in states:
        st.close()


def publish(state, openid: str, n: int, content: str = "建议在镇区增设公共充电桩。") -> str:  # type: ignore[no-untyped-def]
    wfs = stores(state)[0]
    ticket = new_suggestion(state, openid, content, n)
    uc.answer(wfs, REV, ticket, ANSWER, datetime.now(UTC), outcome=wf.ADOPTED)
    return ticket


def deliver(state):  # type: ignore[no-untyped-def]
    channels = answers.channels_for(state.sender, state.settings)
    return answers.deliver_due(stores(state)[3], channels, datetime.now(UTC))


def wrote(state, openid: str, hours_ago: float = 1) -> None:  # type: ignore[no-untyped-def]
    state.users.touch_many({openid: datetime.now(UTC) - timedelta(hours=hours_ago)})


def detail(state, ticket: str):  # type: ignore[no-untyped-def]
    return stores(state)[0].delivery_detail(ticket)


def test_inside_the_window_a_customer_service_message_once(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state(wechat_template_id="TPL_answer")  # a template is not needed in the window
    wrote(state, "o_alice")
    ticket = publish(state, "o_alice", 1)
    assert deliver(state)["sent"] == 1
    assert deliver(state)["sent"] == 0 and deliver(state)["waiting"] == 0
    sent = [s for s in fake.sent if s["openid"] == "o_alice"]
    assert [s["path"] for s in sent] == [CS_PATH]
    text = sent[0]["body"]["text"]["content"]
    assert text.startswith("您的建议有了答复") and ticket in text and ANSWER in text
    assert "回复 1 满意、2 基本满意、3 不满意" in text
    d = detail(state, ticket)
    assert (d.status, d.via, d.attempts) == ("sent", "cs", 1)
    assert CustomerServiceQuota(state.db).used("o_alice") == 1


class Served:
    """The app over real HTTP on a free loopback port."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def test_outside_the_window_a_template_links_to_the_signed_page(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state(wechat_template_id="TPL_answer", public_url=PUBLIC)
    other = new_suggestion(state, "o_bob", "另一条建议：不应出现在答复页面上。", 2)
    ticket = publish(state, "o_bob", 3, content="建议在 <i>镇区</i> 增设充电桩。")
    assert deliver(state)["sent"] == 1
    (sent,) = [s for s in fake.sent if s["openid"] == "o_bob"]
    assert sent["path"] == TPL_PATH and sent["body"]["template_id"] == "TPL_answer"
    values = [f["value"] for f in sent["body"]["data"].values()]
    assert all(len(v) <= 20 and "\n" not in v for v in values)
    assert any(ticket in v for v in values) and any(wf.ANSWERED in v for v in values)
    url = sent["body"]["url"]
    assert url.startswith(PUBLIC + "/a/") and ticket not in url.removeprefix(PUBLIC)
    d = detail(state, ticket)
    assert (d.status, d.via) == ("sent", "template")

    served = Served(create_app(state=state))
    try:
        page = requests.get(served.base + url.removeprefix(PUBLIC), timeout=10)
        assert page.status_code == 200
        html = page.text
        assert 'name="viewport"' in html and ticket in html and wf.ANSWERED in html
        assert wf.ADOPTED in html and "&lt;b&gt;20&lt;/b&gt;" in html and "<b>20</b>" not in html
        author = stores(state)[0].find(ticket).author
        for secret in ("o_bob", author, other, "不应出现", "镇区</i>"):
            assert secret not in html
        assert "no-referrer" in page.headers["Referrer-Policy"]
        token = url.rsplit("/", 1)[1]
        tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        for bad in (tampered, "x" + token, "K3Q9A7", "."):
            assert requests.get(f"{served.base}/a/{bad}", timeout=10).status_code == 404
        css = requests.get(served.base + "/a/static/answer.css", timeout=10)
        assert css.status_code == 200 and "max-width: 400px" in css.text
    finally:
        served.close()


def test_without_a_public_url_the_template_has_no_link(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state(wechat_template_id="TPL_answer")
    publish(state, "o_carl", 4)
    assert deliver(state)["sent"] == 1
    (sent,) = [s for s in fake.sent if s["openid"] == "o_carl"]
    assert sent["path"] == TPL_PATH and "url" not in sent["body"]


def test_waiting_is_told_once_in_the_reply_to_the_next_message(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state()
    ticket = publish(state, "o_dora", 5)
    assert deliver(state)["waiting"] == 1 and fake.sent == []
    d = detail(state, ticket)
    assert (d.status, d.errcode) == ("waiting", None)
    client, sim = create_app(state=state).test_client(), WeChatSim()
    first = sim.post(client, text_xml("o_dora", "你好呀在吗"))
    assert first.text is not None and first.text.startswith("您的建议有了答复：")
    assert ticket in first.text and ANSWER in first.text and wf.ADOPTED in first.text
    d = detail(state, ticket)
    assert (d.status, d.via) == ("sent", "reply")
    second = sim.post(client, text_xml("o_dora", "你好呀在吗"))
    assert second.text is not None and "您的建议有了答复" not in second.text
    state.seen.flush()
    wrote(state, "o_dora", hours_ago=0)
    assert deliver(state)["sent"] == 0 and fake.sent == []  # never a second telling


def test_two_messages_at_once_are_told_once(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state()
    ticket = publish(state, "o_emma", 6)
    assert deliver(state)["waiting"] == 1
    app, sim = create_app(state=state), WeChatSim()
    barrier, replies = threading.Barrier(2), []

    def send(text: str) -> None:
        client = app.test_client()
        barrier.wait()
        replies.append(sim.post(client, text_xml("o_emma", text)).text or "")

    threads = [threading.Thread(target=send, args=(t,)) for t in ("在吗你好", "请问一下")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(replies) == 2
    assert sum(r.count("您的建议有了答复") for r in replies) == 1
    assert detail(state, ticket).via == "reply"


def test_quota_used_up_waits_or_goes_by_template(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state()
    wrote(state, "o_fay")
    quota = CustomerServiceQuota(state.db)
    for _ in range(5):
        assert quota.take("o_fay")
    ticket = publish(state, "o_fay", 7)
    assert deliver(state)["waiting"] == 1 and fake.sent == []
    d = detail(state, ticket)
    assert (d.status, d.errcode) == ("waiting", 45047)

    templated = make_state(wechat_template_id="TPL_answer", public_url=PUBLIC)
    wrote(templated, "o_gus")
    for _ in range(5):
        assert CustomerServiceQuota(templated.db).take("o_gus")
    other = publish(templated, "o_gus", 8)
    assert deliver(templated)["sent"] == 1
    assert [s["path"] for s in fake.sent if s["openid"] == "o_gus"] == [TPL_PATH]
    assert detail(templated, other).via == "template"


def test_window_closed_by_wechat_falls_back_and_a_final_error_is_failed(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state()
    wrote(state, "o_hal")
    fake.fail_next(45015, path_contains="custom/send")
    ticket = publish(state, "o_hal", 9)
    assert deliver(state)["waiting"] == 1
    assert CustomerServiceQuota(state.db).used("o_hal") == 0  # refused: given back
    assert detail(state, ticket).errcode == 45015
    fake.reject_user("o_ivy", 43004)
    wrote(state, "o_ivy")
    lost = publish(state, "o_ivy", 10)
    assert deliver(state)["failed"] == 1
    d = detail(state, lost)
    assert (d.status, d.errcode, d.attempts) == ("failed", 43004, 1)
    assert deliver(state)["failed"] == 0  # final: never retried blindly


def test_expired_token_is_refreshed_and_a_refused_one_retried_later(make_state, fake):  # type: ignore[no-untyped-def]
    state = make_state()
    wrote(state, "o_jo")
    publish(state, "o_jo", 11)
    assert deliver(state)["sent"] == 1
    fetched = fake.token_fetches
    fake.expire_tokens()  # 42001: refreshed once, sent once
    wrote(state, "o_kim")
    publish(state, "o_kim", 12)
    assert deliver(state)["sent"] == 1 and fake.token_fetches == fetched + 1
    assert [s["openid"] for s in fake.sent].count("o_kim") == 1
    # Refused even after the refresh: queued again, sent by the next round.
    fake.fail_next(40001, times=2, path_contains="custom/send")
    wrote(state, "o_lu")
    ticket = publish(state, "o_lu", 13)
    assert deliver(state)["retry"] == 1
    d = detail(state, ticket)
    assert (d.status, d.errcode, d.attempts) == ("queued", 40001, 1)
    assert deliver(state)["sent"] == 1
    d = detail(state, ticket)
    assert (d.status, d.via, d.attempts) == ("sent", "cs", 2)
    assert [s["openid"] for s in fake.sent].count("o_lu") == 1


def test_a_template_reported_failed_is_told_with_the_next_message(make_state, fake):  # type: ignore[no-untyped-def]
    from tests.e2e.test_wechat_reports import template_finish_xml

    state = make_state(wechat_template_id="TPL_answer", public_url=PUBLIC)
    ticket = publish(state, "o_max", 14)
    assert deliver(state)["sent"] == 1
    (sent,) = [s for s in fake.sent if s["openid"] == "o_max"]
    assert detail(state, ticket).via == "template"
    client, sim = create_app(state=state).test_client(), WeChatSim()
    report = sim.post(client, template_finish_xml("o_max", str(sent["msgid"]), "failed:user block"))
    assert report.status == 200 and report.text is None
    d = detail(state, ticket)
    assert (d.status, d.via, d.reason) == ("waiting", None, "WeChat reported failed:user block")
    told = sim.post(client, text_xml("o_max", "在吗你好"))
    assert told.text is not None and told.text.startswith("您的建议有了答复")
    assert detail(state, ticket).via == "reply"
