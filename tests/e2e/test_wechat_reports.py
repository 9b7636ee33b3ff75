"""What WeChat reports back, over the webhook (signed, and encrypted in safe mode) on both stores,
with notices sent through the real outbound client to the fake WeChat API over HTTP:
TEMPLATESENDJOBFINISH, the customer-service quota, SCAN and scancode_waitmsg."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.store.delivery_reports import CustomerServiceQuota
from bot.store.models import DeliveryRow, UserRow
from bot.wiring import build_state
from domain.plan import Phase, Plan
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat
from tests.integration import test_delivery as kit
from tests.wechat_sim import WeChatSim, event_xml, text_xml
from texts import chat as texts

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx_test_app"  # the callback's appid (safe mode) is also the API's
SECRET = "reports-secret"


@pytest.fixture
def fake():
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def make_state(backend, fake):
    states = []

    def make(**overrides):
        settings = make_settings(
            backend,
            wechat_appid=APPID,
            wechat_secret=SECRET,
            wechat_api_base_url=fake.base_url,
            wechat_aes_key=AES_KEY,
            **overrides,
        )
        states.append(build_state(settings, migrate=True))
        return states[-1]

    yield make
    for st in states:
        st.close()


def phases(count: int, day: str = "2018-05-01") -> Plan:
    """`count` phases starting the same day: `count` notices due at one moment."""
    return Plan(
        code="six",
        name="六个阶段",
        year=2018,
        phases=tuple(Phase(f"第{i}阶段", kit.span(day, "2018-06-30")) for i in range(count)),
    )


def template_finish_xml(user: str, msgid: str, status: str, created: int = 0) -> str:
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{user}</FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType>event</MsgType>"
        f"<Event>TEMPLATESENDJOBFINISH</Event><MsgID>{msgid}</MsgID>"
        f"<Status>{status}</Status></xml>"
    )


def scancode_xml(user: str, result: str, later: int = 0) -> str:
    # Events dedup by sender, CreateTime, event and key: `later` seconds make a new scan.
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{user}</FromUserName>"
        f"<CreateTime>{int(time.time()) + later}</CreateTime><MsgType>event</MsgType>"
        "<Event>scancode_waitmsg</Event><EventKey>SCAN_MENU</EventKey>"
        f"<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>{result}</ScanResult>"
        f"</ScanCodeInfo></xml>"
    )


def delivery(state, openid: str) -> DeliveryRow:  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        row = s.scalars(select(DeliveryRow).where(DeliveryRow.openid == openid)).one()
        s.expunge(row)
        return row


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_template_send_job_finish_failure_marks_the_delivery_failed(make_state, fake, mode):
    state = make_state(wechat_template_id="TPL_notice")
    for openid in ("o_blocked", "o_fine", "o_busy"):
        kit.add_user(state, openid, code="six", window=False)
    kit.load(state, phases(1))
    kit.run_at(state, "2018-05-01 09:00")
    msgids = {s["openid"]: s["msgid"] for s in fake.sent}
    assert all(msgids.values())
    assert {o: delivery(state, o).msgid for o in msgids} == {o: str(m) for o, m in msgids.items()}
    client, sim = (
        create_app(state=state).test_client(),
        WeChatSim(aes_key=AES_KEY, appid=APPID, mode=mode),
    )
    reports = [
        ("o_blocked", "failed:user block"),
        ("o_fine", "success"),
        ("o_busy", "failed: system failed"),
    ]
    for openid, status in reports:
        answer = sim.post(client, template_finish_xml(openid, str(msgids[openid]), status))
        assert answer.status == 200 and answer.text is None  # WeChat expects no message
    blocked, fine, busy = (delivery(state, o) for o, _ in reports)
    assert (blocked.status, blocked.reason) == ("failed", "WeChat reported failed:user block")
    assert fine.status == "sent"
    assert (busy.status, busy.reason) == ("failed", "WeChat reported failed: system failed")
    unknown = sim.post(client, template_finish_xml("o_fine", "999999999", "failed:user block"))
    assert unknown.status == 200 and delivery(state, "o_fine").status == "sent"
    # Two notices to one user, reported in the same second: both reports count.
    kit.add_user(state, "o_twice", code="six", window=False)
    kit.load(state, phases(2, "2018-05-02"))
    kit.run_at(state, "2018-05-02 09:00")
    twice = [str(s["msgid"]) for s in fake.sent if s["openid"] == "o_twice"]
    assert len(twice) == 2  # today's two phase starts (yesterday's was done before they came)
    same_second = int(time.time())
    for msgid in twice:
        sim.post(client, template_finish_xml("o_twice", msgid, "failed:user block", same_second))
    with state.db.session() as s:
        failed = s.scalars(
            select(DeliveryRow.msgid).where(
                DeliveryRow.openid == "o_twice", DeliveryRow.status == "failed"
            )
        ).all()
    assert sorted(failed) == sorted(twice)


def test_customer_service_quota_five_per_message_then_reset_by_a_new_message(make_state, fake):
    state = make_state()  # no template: notices go as customer-service messages
    kit.add_user(state, "o_a", code="six")  # wrote to us an hour ago
    kit.load(state, phases(6))
    ctx = kit.delivery_context(state, "test-runner")
    ctx.concurrency = 3  # concurrent sends must not exceed the quota either
    report = kit.run_at(state, "2018-05-01 09:00", ctx=ctx)
    assert report.total()["sent"] == 5 and report.total()["failed:45047"] == 1
    assert len(fake.calls) == 5  # the sixth was never attempted
    (refused,) = [r for r in kit.rows(state) if r.status == "failed"]
    assert refused.reason.startswith("quota:")
    assert CustomerServiceQuota(state.db).used("o_a") == 5
    # The user writes again: a new window, a new count.
    client, sim = create_app(state=state).test_client(), WeChatSim(aes_key=AES_KEY, appid=APPID)
    assert "献一策" in sim.post(client, text_xml("o_a", "帮助")).text
    state.seen.flush()
    kit.load(state, phases(7))  # one more phase, starting the next day
    with state.db.session() as s:
        s.execute(
            kit.NoticeRow.__table__.update()
            .where(kit.NoticeRow.title.contains("第6阶段"))
            .values(due_at=kit.at("2018-05-02 09:00"))
        )
    report = kit.run_at(state, "2018-05-02 09:00")
    assert report.total() == {"sent": 1} and len(fake.sent) == 6
    assert CustomerServiceQuota(state.db).used("o_a") == 1


def test_a_refused_send_gives_its_quota_back(make_state, fake):
    state = make_state()
    kit.add_user(state, "o_gone", code="six")
    kit.load(state, phases(1))
    fake.reject_user("o_gone", 43004)
    kit.run_at(state, "2018-05-01 09:00")
    assert delivery(state, "o_gone").errcode == 43004
    assert CustomerServiceQuota(state.db).used("o_gone") == 0


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_scan_by_a_follower_is_welcomed_back(make_state, mode):
    state = make_state()
    client, sim = (
        create_app(state=state).test_client(),
        WeChatSim(aes_key=AES_KEY, appid=APPID, mode=mode),
    )
    first = sim.post(client, event_xml("o_scan", "subscribe", "qrscene_7"))
    assert first.text == texts.WELCOME
    state.users.set_following("o_scan", False)  # e.g. an unfollow we missed
    again = sim.post(client, event_xml("o_scan", "SCAN", "7"))
    assert again.text == texts.WELCOME_BACK and "欢迎回来" in again.text
    with state.db.session() as s:
        assert s.scalar(select(UserRow.following).where(UserRow.openid == "o_scan")) is True


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_scancode_waitmsg_says_what_was_scanned(make_state, mode):
    state = make_state()
    client, sim = (
        create_app(state=state).test_client(),
        WeChatSim(aes_key=AES_KEY, appid=APPID, mode=mode),
    )
    answer = sim.post(client, scancode_xml("o_menu", "https://example.cn/d?id=42&amp;x=1"))
    assert answer.text is not None
    assert "https://example.cn/d?id=42&x=1" in answer.text and "已收到" in answer.text
    long = sim.post(client, scancode_xml("o_menu", "码" * 500, later=1))
    assert long.text is not None and "…" in long.text and long.text.count("码") == 99
    empty = sim.post(client, scancode_xml("o_menu", "", later=2))
    assert empty.text == texts.SCAN_EMPTY
