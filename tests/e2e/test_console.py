"""The console over HTTP, on both stores: sign-in, CSRF, throttling, roles, escaping, audit,
and the whole review loop up to the resident's message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.store.models import AnswerOutboxRow
from domain import workflow as wf
from services import accounts
from tests.integration.console_helpers import NOW, new_suggestion, stores

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>建议增设社区食堂'
PASSWORDS = {
    "boss": "pw-boss-1234",
    "rev": "pw-rev-12345",
    "office": "pw-office-12",
    "tech": "pw-tech-1234",
}


@pytest.fixture
def people(state):  # type: ignore[no-untyped-def]
    _, accts, _, _ = stores(state)
    for login, role, unit in (
        ("boss", wf.ORGANISER, ""),
        ("rev", wf.REVIEWER, ""),
        ("office", wf.UNIT, "办公室"),
        ("tech", wf.UNIT, "科技科"),
    ):
        accounts.add_account(accts, "cli", login, role, unit, PASSWORDS[login], NOW)
    return state


def token(client, path: str = "/console/login") -> str:  # type: ignore[no-untyped-def]
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def sign_in(client, login: str, password: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/console/login",
        data={
            "csrf_token": token(client),
            "login": login,
            "password": password or PASSWORDS[login],
        },
    )


def post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": token(client, "/console/"), **data})


def test_pages_need_sign_in_and_carry_security_headers(client, people):  # type: ignore[no-untyped-def]
    assert client.get("/console/").status_code == 302
    page = client.get("/console/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp  # no script at all
    assert page.headers["X-Frame-Options"] == "DENY"
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie
    secure = client.get("/console/login", headers={"X-Forwarded-Proto": "https"})
    cookies = [c for c in secure.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies and "Secure" in cookies[0]
    with client.get("/console/static/console.css") as css:  # a file response: close it
        assert css.status_code == 200 and b"body" in css.data
        assert css.headers["X-Frame-Options"] == "DENY"
    assert client.get("/healthz").headers.get("X-Frame-Options") is None  # console pages only


def test_sign_in_needs_a_csrf_token_and_is_throttled(client, people):  # type: ignore[no-untyped-def]
    no_token = client.post("/console/login", data={"login": "rev", "password": PASSWORDS["rev"]})
    assert no_token.status_code == 400
    for _ in range(accounts.LOGIN_FAILURES):
        wrong = sign_in(client, "rev", "wrong password")
        assert wrong.status_code == 200 and "账号或密码不正确" in wrong.get_data(as_text=True)
    sixth = sign_in(client, "rev", "wrong password")
    assert sixth.status_code == 429 and "15分钟" in sixth.get_data(as_text=True)
    assert sign_in(client, "rev").status_code == 429  # even the right password, for a while
    audit = stores(people)[2].since(None)
    assert [e.action for e in audit].count("signin_failed") == accounts.LOGIN_FAILURES
    assert sign_in(client, "boss").status_code == 302  # another account is not blocked


def test_the_review_loop_by_role(client, people):  # type: ignore[no-untyped-def]
    wfs, _, audit, _ = stores(people)
    people.users.touch_many({"openid-resident": datetime.now(UTC) - timedelta(hours=1)})
    ticket = new_suggestion(people, "openid-resident", XSS, 1)
    other = new_suggestion(people, "openid-other", "建议开设夜间政务服务窗口。", 2)

    assert sign_in(client, "rev").status_code == 302
    inbox = client.get("/console/").get_data(as_text=True)
    assert ticket in inbox and "<script>" not in inbox and "&lt;script&gt;" in inbox
    assert "openid-resident" not in inbox and wfs.find(ticket).author in inbox  # type: ignore[union-attr]
    page = client.get(f"/console/s/{ticket}").get_data(as_text=True)
    assert "<script>" not in page and "<img src=x" not in page and "&lt;img" in page
    assert "openid-resident" not in page

    no_csrf = client.post(f"/console/s/{ticket}/accept")
    assert no_csrf.status_code == 400 and wfs.find(ticket).status == wf.PENDING  # type: ignore[union-attr]
    assert post(client, f"/console/s/{ticket}/accept").status_code == 303
    assert post(client, f"/console/s/{ticket}/assign", unit="办公室").status_code == 303
    assert post(client, f"/console/s/{other}/accept").status_code == 303
    assert post(client, f"/console/s/{other}/assign", unit="科技科").status_code == 303
    refused = post(client, f"/console/s/{other}/decline", reason="")
    assert refused.status_code == 303
    assert "不予受理需要填写理由" in client.get(f"/console/s/{other}").get_data(as_text=True)
    assert post(client, f"/console/s/{ticket}/nonsense").status_code == 404
    assert post(client, "/console/s/ZZZZZZ/accept").status_code == 404
    post(client, "/console/logout")
    assert client.get("/console/").status_code == 302

    assert sign_in(client, "office").status_code == 302
    inbox = client.get("/console/").get_data(as_text=True)
    assert ticket in inbox and other not in inbox
    assert client.get(f"/console/s/{other}").status_code == 404
    assert post(client, f"/console/s/{other}/draft", reply="越权").status_code == 404
    assert (
        post(client, f"/console/s/{ticket}/publish", reply="x", outcome="已采纳").status_code == 403
    )
    assert post(client, f"/console/s/{ticket}/accept").status_code == 403
    assert post(client, f"/console/s/{ticket}/draft", reply="拟采纳，明年试点。").status_code == 303
    page = client.get(f"/console/s/{ticket}").get_data(as_text=True)
    assert "拟采纳，明年试点。" in page and "发布答复" not in page
    post(client, "/console/logout")

    assert sign_in(client, "rev").status_code == 302
    published = post(
        client, f"/console/s/{ticket}/publish", reply="已采纳，明年试点。", outcome="已采纳"
    )
    assert published.status_code == 303
    case = wfs.find(ticket)
    assert case is not None and (case.status, case.outcome) == (wf.ANSWERED, wf.ADOPTED)
    assert wfs.delivery(ticket) == "sent"
    sent = [m for m in people.sender.sent if m["openid"] == "openid-resident"]
    assert len(sent) == 1 and ticket in sent[0]["text"] and "已采纳，明年试点。" in sent[0]["text"]
    assert (
        post(client, f"/console/s/{ticket}/publish", reply="再发", outcome="已采纳").status_code
        == 303
    )
    with people.db.session() as s:
        assert s.query(AnswerOutboxRow).count() == 1  # told once
    page = client.get(f"/console/s/{ticket}").get_data(as_text=True)
    assert "答复仅作记录" in page and "办结" in page  # no WECHAT_APPID in tests: recorded

    actions = [(e.actor, e.action, e.target) for e in audit.since(None)]
    for expected in (
        ("rev", "accept", ticket), ("rev", "assign", ticket), ("office", "draft", ticket),
        ("rev", "publish", ticket), ("rev", "signin", "address:127.0.0.1"),
        ("office", "signout", "address:127.0.0.1"),
    ):  # fmt: skip
        assert expected in actions


def test_filters_search_and_pages(client, people):  # type: ignore[no-untyped-def]
    tickets = [
        new_suggestion(people, f"u{n}", f"第{n}条建议：优化营商环境措施", n) for n in range(23)
    ]
    special = new_suggestion(people, "u99", "建议增设夜间公交线路", 99, campaign="other")
    assert sign_in(client, "boss").status_code == 302
    first = client.get("/console/").get_data(as_text=True)
    assert "共 24 条" in first and "第 1 / 2 页" in first
    second = client.get("/console/?page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and second.count("/console/s/") == 4
    found = client.get("/console/?q=夜间公交").get_data(as_text=True)
    assert special in found and tickets[0] not in found and "共 1 条" in found
    assert "共 1 条" in client.get("/console/?campaign=other").get_data(as_text=True)
    assert "共 0 条" in client.get("/console/?status=已答复").get_data(as_text=True)
    assert client.get("/console/?page=abc&status=<b>").status_code == 200


def test_idle_sessions_end_and_errors_stay_on_the_console(client, people, monkeypatch):  # type: ignore[no-untyped-def]
    from itsdangerous.timed import TimestampSigner

    assert sign_in(client, "rev").status_code == 302
    console = client.application.extensions["console"]

    def broken(query):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(console.workflow, "search", broken)
    page = client.get("/console/")
    assert page.status_code == 500 and "系统出了点问题" in page.get_data(as_text=True)
    assert "database went away" not in page.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/console/").status_code == 200
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 31 * 60)
    assert client.get("/console/").status_code == 302  # 30 idle minutes: signed out


def test_a_unit_account_without_a_unit_sees_nothing(client, people):  # type: ignore[no-untyped-def]
    from bot.store.console_repo import SqlAccountStore
    from services.ports import AuditEntry

    new_suggestion(people, "u1", "建议优化审批流程，减少材料。", 1)
    store = SqlAccountStore(people.db)
    entry = AuditEntry(NOW, "test", "account_add", "account:odd")
    store.add("odd", wf.UNIT, "", accounts.hash_password("pw-odd-12345"), NOW, entry)
    assert sign_in(client, "odd", "pw-odd-12345").status_code == 302
    assert "共 0 条" in client.get("/console/").get_data(as_text=True)


def test_accounts_and_audit_pages_are_the_organisers(client, people):  # type: ignore[no-untyped-def]
    for login in ("rev", "office"):
        assert sign_in(client, login).status_code == 302
        assert client.get("/console/accounts").status_code == 403
        assert client.get("/console/audit").status_code == 403
        created = post(
            client, "/console/accounts", login="sneaky", role="organiser", password="x" * 10
        )
        assert created.status_code == 403
        post(client, "/console/logout")
    assert stores(people)[1].get("sneaky") is None

    assert sign_in(client, "boss").status_code == 302
    page = client.get("/console/accounts").get_data(as_text=True)
    assert "office" in page and "办公室" in page and "pw-" not in page and "scrypt" not in page
    no_csrf = client.post(
        "/console/accounts", data={"login": "x1", "role": "reviewer", "password": "p" * 9}
    )
    assert no_csrf.status_code == 400
    post(client, "/console/units", name="财务科")  # a unit account's unit is a listed unit
    added = post(
        client,
        "/console/accounts",
        login="zhao",
        role="unit",
        unit="财务科",
        password="pw-zhao-123",
    )
    assert added.status_code == 303 and "账号已添加" in client.get("/console/accounts").get_data(
        as_text=True
    )
    post(client, "/console/accounts", login="zhao", role="reviewer", password="pw-zhao-123")
    assert "已存在" in client.get("/console/accounts").get_data(as_text=True)
    post(client, "/console/accounts", login="bad", role="unit", password="pw-bad-1234")
    assert "需要填写单位名称" in client.get("/console/accounts").get_data(as_text=True)
    post(client, "/console/accounts/boss/disable")
    assert "不能停用自己" in client.get("/console/accounts").get_data(as_text=True)
    assert post(client, "/console/accounts/zhao/disable").status_code == 303
    assert stores(people)[1].get("zhao").disabled  # type: ignore[union-attr]
    assert post(client, "/console/accounts/zhao/explode").status_code == 404

    audit = client.get("/console/audit").get_data(as_text=True)
    assert "添加账号" in audit and "account:zhao" in audit and "停用账号" in audit
    assert "登录失败" not in audit and "登录" in audit
    assert "暂无记录" in client.get("/console/audit?since=2999-01-01").get_data(as_text=True)
    assert client.get("/console/audit?since=garbage").status_code == 200

    # A disabled account is signed out at once, and cannot sign in again.
    other = client.application.test_client()
    assert sign_in(other, "tech").status_code == 302
    assert post(client, "/console/accounts/tech/disable").status_code == 303
    assert other.get("/console/").status_code == 302
    assert sign_in(other, "tech").status_code == 200


def test_a_published_answer_reaches_the_fake_wechat_once(backend):  # type: ignore[no-untyped-def]
    from bot.app import create_app
    from bot.wiring import build_state
    from tests.conftest import make_settings
    from tests.fakes.fake_wechat import FakeWeChat

    with FakeWeChat("wx_console", "console-secret") as fake:
        settings = make_settings(
            backend, wechat_appid="wx_console", wechat_secret="console-secret",
            wechat_api_base_url=fake.base_url,
        )  # fmt: skip
        state = build_state(settings, migrate=True)
        try:
            _, accts, _, _ = stores(state)
            accounts.add_account(accts, "cli", "rev", wf.REVIEWER, "", PASSWORDS["rev"], NOW)
            recent = datetime.now(UTC) - timedelta(hours=2)
            state.users.touch_many({"openid-in": recent, "openid-gone": recent})
            told = new_suggestion(state, "openid-in", "建议增加社区篮球场的开放时间。", 1)
            gone = new_suggestion(state, "openid-gone", "建议公园增设夜间照明设施。", 2)
            fake.reject_user("openid-gone", 43004)  # unfollowed
            client = create_app(state=state).test_client()
            assert sign_in(client, "rev").status_code == 302
            for ticket in (told, gone):
                post(client, f"/console/s/{ticket}/accept")
                reply = f"答复{ticket}：已采纳。"
                post(client, f"/console/s/{ticket}/publish", reply=reply, outcome="已采纳")
            sent = [s for s in fake.sent if s["openid"] == "openid-in"]
            assert len(sent) == 1 and f"答复{told}：已采纳。" in str(sent[0]["body"])
            assert not [s for s in fake.sent if s["openid"] == "openid-gone"]
            assert "已通过微信告知提交人" in client.get(f"/console/s/{told}").get_data(as_text=True)
            assert "发送失败" in client.get(f"/console/s/{gone}").get_data(as_text=True)
        finally:
            state.close()
