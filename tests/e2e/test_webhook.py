"""The /wechat callback over HTTP (Flask's test client), signed and encrypted as WeChat does."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.store.models import SuggestionRow, UserRow
from tests.conftest import make_settings
from tests.wechat_sim import WeChatSim, event_xml, image_xml, sign, text_xml, voice_xml

OFFICIAL = {
    "token": "spamtest",
    "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "appid": "wx2c2769f8efd9abc2",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "encrypt": (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8"
        "PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332j"
        "isa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgav"
        "jIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6Oewpus"
        "jZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
    ),
}


def count(state, model=SuggestionRow) -> int:  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


# --- verification and refusals -------------------------------------------------------------


def test_url_verification_answers_echostr(client):
    q = {"timestamp": "1", "nonce": "2", "echostr": "hello123"}
    q["signature"] = sign("testtoken", "1", "2")
    resp = client.get("/wechat", query_string=q)
    assert resp.status_code == 200 and resp.data == b"hello123"


def test_url_verification_wrong_signature_403(client):
    resp = client.get(
        "/wechat",
        query_string={"timestamp": "1", "nonce": "2", "echostr": "x", "signature": "0" * 40},
    )
    assert resp.status_code == 403
    assert b"x" not in resp.data


def test_post_wrong_signature_403_and_nothing_stored(client, state):
    sim = WeChatSim()
    qs, body = sim.envelope(text_xml("u1", "献一策：建议多建设几处口袋公园"))
    resp = client.post("/wechat?" + qs.replace("signature=", "signature=0"), data=body)
    assert resp.status_code == 403
    assert count(state) == 0


def test_help_text_in_plain_mode(client):
    answer = WeChatSim().post(client, text_xml("u1", "帮助"))
    assert answer.status == 200
    assert "献一策" in answer.text
    assert answer.fields["ToUserName"] == "u1" and answer.fields["FromUserName"] == "gh_test"


def test_body_read_raw_whatever_the_content_type(client):
    sim = WeChatSim()
    qs, body = sim.envelope(text_xml("u1", "帮助"))
    resp = client.post("/wechat?" + qs, data=body, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200 and "献一策".encode() in resp.data


HOSTILE = {
    "malformed": b"<xml><ToUserName>gh</ToUserName><MsgType>text",
    "truncated": text_xml("u1", "帮助").encode()[:-9],
    "not xml": b'{"MsgType": "text"}',
    "empty": b"",
    "xxe": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<xml><FromUserName>u1</FromUserName><MsgType>text</MsgType>"
        b"<Content>&e;</Content><MsgId>1</MsgId></xml>"
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<xml><FromUserName>u1</FromUserName><MsgType>text</MsgType>"
        b"<Content>&lol3;</Content><MsgId>2</MsgId></xml>"
    ),
    "no sender": b"<xml><MsgType>text</MsgType><Content>hi</Content><MsgId>3</MsgId></xml>",
    "wrong root": b"<foo><FromUserName>u1</FromUserName><MsgType>text</MsgType></foo>",
}


def test_hostile_bodies_get_400_and_expand_nothing(client, state):
    sim = WeChatSim()
    for name, body in HOSTILE.items():
        qs, _ = sim.envelope("<xml/>")
        resp = client.post("/wechat?" + qs, data=body, content_type="text/xml")
        assert resp.status_code == 400, name
        assert b"lol" not in resp.data and b"root:" not in resp.data, name
    assert count(state) == 0


def test_oversized_bodies_get_413(client):
    sim = WeChatSim()
    qs, _ = sim.envelope("<xml/>")
    big = b"<xml><Content>" + b"a" * (10 * 1024 * 1024) + b"</Content></xml>"
    assert client.post("/wechat?" + qs, data=big).status_code == 413
    just_over = b"<xml>" + b" " * (64 * 1024) + b"</xml>"
    assert client.post("/wechat?" + qs, data=just_over).status_code == 413


def test_unknown_types_get_a_polite_answer(client):
    sim = WeChatSim()
    xml = text_xml("u1", "x").replace(
        "<MsgType><![CDATA[text]]></MsgType>", "<MsgType><![CDATA[location]]></MsgType>"
    )
    answer = sim.post(client, xml)
    assert answer.status == 200 and "看不懂" in answer.text
    answer = sim.post(client, event_xml("u1", "TEMPLATESENDJOBFINISH"))
    assert answer.status == 200 and answer.body == b"success"
    answer = sim.post(client, text_xml("u1", "今天天气怎么样"))
    assert answer.status == 200 and answer.text  # examples of what can be asked


def test_voice_and_image(client):
    sim = WeChatSim()
    assert "献一策" in sim.post(client, voice_xml("u1", "帮助。")).text
    assert "没能识别" in sim.post(client, voice_xml("u1", "")).text
    assert "图片已收到" in sim.post(client, image_xml("u1")).text


def test_follow_welcomes_and_unfollow_stops_pushes(client, state):
    sim = WeChatSim()
    answer = sim.post(client, event_xml("u9", "subscribe", "qrscene_123"))
    assert "欢迎" in answer.text
    state.users.set_subscribed("u9", True)
    answer = sim.post(client, event_xml("u9", "unsubscribe"))
    assert answer.body == b"success"
    with state.db.session() as s:
        row = s.get(UserRow, "u9")
        assert row is not None and row.following is False and row.subscribed is False


def test_menu_keys(client):
    sim = WeChatSim()
    assert "献一策" in sim.post(client, event_xml("u1", "CLICK", "HELP")).text
    assert "还没有提交" in sim.post(client, event_xml("u1", "CLICK", "MY_SUGGESTIONS")).text
    assert "写下您的建议" in sim.post(client, event_xml("u2", "CLICK", "SUGGEST")).text
    assert sim.post(client, event_xml("u1", "VIEW", "https://example.invalid")).body == b"success"


def test_retry_of_an_event_gets_one_handling(client, state):
    sim = WeChatSim()
    xml = event_xml("u5", "subscribe", create_time=1700000000)
    first = sim.post(client, xml)
    again = sim.post(client, xml)
    assert first.text == again.text


# --- safe and compatible mode ----------------------------------------------------------------


def test_official_safe_mode_vector_is_accepted(backend):
    from bot.app import create_app
    from bot.wiring import build_state

    settings = make_settings(
        backend,
        wechat_token=OFFICIAL["token"],
        wechat_aes_key=OFFICIAL["aes_key"],
        wechat_appid=OFFICIAL["appid"],
    )
    state = build_state(settings, migrate=True)
    try:
        client = create_app(state=state).test_client()
        body = (
            f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<Encrypt><![CDATA[{OFFICIAL['encrypt']}]]></Encrypt></xml>"
        )
        q = {
            "timestamp": OFFICIAL["timestamp"],
            "nonce": OFFICIAL["nonce"],
            "msg_signature": OFFICIAL["msg_signature"],
            "encrypt_type": "aes",
        }
        resp = client.post("/wechat", query_string=q, data=body, content_type="text/xml")
        assert resp.status_code == 200
        sim = WeChatSim(
            token=OFFICIAL["token"],
            aes_key=OFFICIAL["aes_key"],
            appid=OFFICIAL["appid"],
            mode="safe",
        )
        answer = sim.read(resp.status_code, resp.data)
        assert answer.fields["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
        assert answer.fields["FromUserName"] == "gh_10f6c3c3ac5a"
        assert answer.text  # "abcdteT" is not understood: the answer lists what can be asked
        bad = dict(q, msg_signature="0" * 40)
        resp = client.post("/wechat", query_string=bad, data=body, content_type="text/xml")
        assert resp.status_code == 403
    finally:
        state.close()


def _aes_client(backend, mode):  # type: ignore[no-untyped-def]
    from bot.app import create_app
    from bot.wiring import build_state

    settings = make_settings(
        backend, wechat_aes_key=OFFICIAL["aes_key"], wechat_appid="wx_test_app"
    )
    state = build_state(settings, migrate=True)
    sim = WeChatSim(aes_key=OFFICIAL["aes_key"], appid="wx_test_app", mode=mode)
    return state, create_app(state=state).test_client(), sim


def test_safe_mode_conversation_answers_encrypted(backend):
    state, client, sim = _aes_client(backend, "safe")
    try:
        answer = sim.post(client, text_xml("u7", "献一策：建议在社区设立共享工具屋，方便邻里借用"))
        assert b"<Encrypt>" in answer.body and "提交成功" in answer.text
        ticket = answer.text.split("编号：")[1].split()[0]
        answer = sim.post(client, text_xml("u7", "我的建议"))
        assert b"<Encrypt>" in answer.body and ticket in answer.text
        answer = sim.post(client, text_xml("u7", f"查询 {ticket}"))
        assert "待审核" in answer.text
    finally:
        state.close()


def test_compatible_mode_is_accepted(backend):
    state, client, sim = _aes_client(backend, "compat")
    try:
        answer = sim.post(client, text_xml("u8", "帮助"))
        assert answer.status == 200 and "献一策" in answer.text
    finally:
        state.close()


# --- schedule questions through /wechat with a loaded plan -----------------------------------


def test_schedule_questions_with_the_kjj_plan(backend):
    from pathlib import Path

    from bot.app import create_app
    from bot.planfile import load_plan
    from bot.store.campaigns_repo import save_plan
    from bot.wiring import build_state

    plan_file = Path(__file__).resolve().parents[2] / "config" / "plans" / "kjj-2018.yaml"
    state = build_state(make_settings(backend, today=date(2018, 6, 4)), migrate=True)
    try:
        save_plan(state.db, load_plan(plan_file))
        state.campaigns.invalidate()
        client = create_app(state=state).test_client()
        sim = WeChatSim()
        week = sim.post(client, text_xml("cadre", "本周有什么到期")).text
        assert "共2项" in week and "产学研精准对接" in week and "集中学习会" in week
        assert week.count("6月10日（6月10前）") == 2  # the date with the plan's own wording
        assert "学习调研阶段" in sim.post(client, voice_xml("cadre", "现在是什么阶段。")).text
        menu = sim.post(client, event_xml("cadre", "CLICK", "DUE_THIS_WEEK")).text
        assert menu == week
        health = client.get("/healthz").get_json()
        assert health["rehearsal_date"] == "2018-06-04" and health["database"] == "ok"
    finally:
        state.close()
