"""The console's units page, answer templates and bulk actions over HTTP, on both stores:
roles, CSRF, escaping, audit, and a bulk publish reaching the fake WeChat API over HTTP."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import create_app
from bot.store.units_repo import SqlTemplateStore
from bot.wiring import build_state
from domain import workflow as wf
from services import accounts
from services import suggestions as uc
from tests.conftest import make_settings
from tests.e2e.test_console import PASSWORDS, post, sign_in, token
from tests.fakes.fake_wechat import FakeWeChat
from tests.integration.console_helpers import NOW, new_suggestion, stores

EVIL = "<script>alert(1)</script>科"
REV = wf.Actor("rev", wf.REVIEWER)


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with FakeWeChat("wx_console", "console-secret") as server:
        yield server


@pytest.fixture
def wired(backend, fake):  # type: ignore[no-untyped-def]
    """A state whose outbound client talks to the fake WeChat API, and its app's client."""
    settings = make_settings(
        backend,
        wechat_appid=fake.appid,
        wechat_secret=fake.secret,
        wechat_api_base_url=fake.base_url,
    )
    state = build_state(settings, migrate=True)
    _, accts, _, _ = stores(state)
    for login, role, unit in (
        ("boss", wf.ORGANISER, ""),
        ("rev", wf.REVIEWER, ""),
        ("office", wf.UNIT, "办公室"),
        ("tech", wf.UNIT, "科技科"),
    ):
        accounts.add_account(accts, "cli", login, role, unit, PASSWORDS[login], NOW)
    yield state, create_app(state=state).test_client()
    state.close()


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)  # type: ignore[no-any-return]


def test_units_page_is_the_organisers_and_a_rename_follows_through(wired):  # type: ignore[no-untyped-def]
    state, client = wired
    wfs, accts, audit, _ = stores(state)
    ticket = new_suggestion(state, "openid-a", "建议增设社区图书角。", 1)
    for login in ("rev", "office"):
        assert sign_in(client, login).status_code == 302
        assert client.get("/console/units").status_code == 403
        assert post(client, "/console/units", name="偷偷加的").status_code == 403
        post(client, "/console/logout")

    assert sign_in(client, "boss").status_code == 302
    page = text(client.get("/console/units"))
    assert "办公室" in page and "科技科" in page  # seeded from the unit accounts
    assert client.post("/console/units", data={"name": "无令牌"}).status_code == 400
    assert post(client, "/console/units", name=EVIL).status_code == 303
    page = text(client.get("/console/units"))
    assert "<script>alert(1)" not in page and html.escape(EVIL) in page
    assert "<script>alert(1)" not in text(client.get("/console/accounts"))
    inbox = text(client.get("/console/"))  # the bulk form's and the filter's unit lists
    assert "<script>alert(1)" not in inbox and inbox.count(html.escape(EVIL)) >= 2

    uc.accept(wfs, REV, ticket, NOW)
    assert post(client, f"/console/s/{ticket}/assign", unit="不在名单").status_code == 303
    assert "不在单位名单中" in text(client.get(f"/console/s/{ticket}"))
    assert wfs.find(ticket).status == wf.ACCEPTED  # type: ignore[union-attr]
    assert post(client, f"/console/s/{ticket}/assign", unit="办公室").status_code == 303
    renamed = post(client, "/console/units/rename", old="办公室", new="党政办公室")
    assert renamed.status_code == 303
    assert "1 条建议、1 个账号" in text(client.get("/console/units"))
    assert wfs.find(ticket).unit == "党政办公室"  # type: ignore[union-attr]
    assert accts.get("office").unit == "党政办公室"  # type: ignore[union-attr]
    detail = text(client.get(f"/console/s/{ticket}"))
    assert "单位更名" in detail and "承办单位：党政办公室" in detail
    assert post(client, "/console/units/retire", name="科技科").status_code == 303
    assigned = text(client.get(f"/console/s/{ticket}"))
    assert 'value="科技科"' not in assigned and 'value="党政办公室"' in assigned
    log = text(client.get("/console/audit"))
    for words in ("添加单位", "单位更名", "停用单位", "unit:办公室"):
        assert words in log
    post(client, "/console/logout")

    # The renamed unit's account still sees its idea; the other unit's does not.
    assert sign_in(client, "office").status_code == 302
    assert ticket in text(client.get("/console/"))
    post(client, "/console/logout")
    assert sign_in(client, "tech").status_code == 302
    assert ticket not in text(client.get("/console/"))
    assert client.get(f"/console/s/{ticket}").status_code == 404


def test_templates_fill_the_answer_box_without_script(wired):  # type: ignore[no-untyped-def]
    state, client = wired
    wfs, _, audit, _ = stores(state)
    ticket = new_suggestion(state, "openid-b", "建议延长政务大厅午间服务。", 2)
    uc.accept(wfs, REV, ticket, NOW)
    uc.assign(wfs, REV, ticket, "办公室", NOW)

    assert sign_in(client, "office").status_code == 302
    assert client.get("/console/templates").status_code == 403
    assert post(client, "/console/templates", name="x", text="y").status_code == 403
    post(client, "/console/logout")

    assert sign_in(client, "rev").status_code == 302
    no_csrf = client.post("/console/templates", data={"name": "无令牌", "text": "内容"})
    assert no_csrf.status_code == 400
    added = post(
        client,
        "/console/templates",
        name=EVIL,
        text="您的建议（{编号}）已由{单位}办理。<b>谢</b>",
    )
    assert added.status_code == 303
    post(client, "/console/templates", name="别的活动", text="别处的答复", campaign="other")
    page = text(client.get("/console/templates"))
    assert "模板已保存" in page and "<script>alert(1)" not in page and html.escape(EVIL) in page
    ours, theirs = SqlTemplateStore(state.db).all()

    detail = text(client.get(f"/console/s/{ticket}"))
    assert html.escape(EVIL) in detail and "别的活动" not in detail and "<script>" not in detail
    filled = text(client.get(f"/console/s/{ticket}?template={ours.id}"))
    answer = re.search(r'<textarea name="reply"[^>]*>([^<]*)</textarea>', filled)
    assert answer is not None
    assert html.unescape(answer.group(1)) == f"您的建议（{ticket}）已由办公室办理。<b>谢</b>"
    assert "&lt;b&gt;谢" in filled and "尚未保存" in filled
    assert wfs.find(ticket).reply_draft is None  # type: ignore[union-attr]  # nothing saved
    assert "不适用" in text(client.get(f"/console/s/{ticket}?template={theirs.id}"))
    assert client.get(f"/console/s/{ticket}?template=abc").status_code == 200

    assert (
        post(client, f"/console/templates/{ours.id}", name="新名", text="改过了").status_code == 303
    )
    assert SqlTemplateStore(state.db).get(ours.id).text == "改过了"  # type: ignore[union-attr]
    assert post(client, f"/console/templates/{theirs.id}/delete").status_code == 303
    assert len(SqlTemplateStore(state.db).all()) == 1
    actions = {(e.actor, e.action) for e in audit.since(None)}
    assert {
        ("rev", "template_add"),
        ("rev", "template_edit"),
        ("rev", "template_delete"),
    } <= actions


def test_bulk_actions_on_a_selection(wired, fake):  # type: ignore[no-untyped-def]
    state, client = wired
    wfs, _, audit, _ = stores(state)
    state.users.touch_many(
        {f"openid-{n}": datetime.now(UTC) - timedelta(hours=1) for n in range(4)}
    )
    a, b, c, d = (
        new_suggestion(state, f"openid-{n}", f"建议{n}：增设便民座椅", n) for n in range(4)
    )

    # A unit account has no bulk form, cannot post one, and sees only its own ideas.
    assert sign_in(client, "office").status_code == 302
    inbox = text(client.get("/console/"))
    assert 'id="bulk"' not in inbox and 'form="bulk"' not in inbox and a not in inbox
    assert post(client, "/console/bulk", action="accept", ticket=a).status_code == 403
    assert wfs.find(a).status == wf.PENDING  # type: ignore[union-attr]
    post(client, "/console/logout")

    assert sign_in(client, "rev").status_code == 302
    inbox = text(client.get("/console/?status=待审核"))
    assert 'id="bulk"' in inbox and inbox.count('form="bulk"') >= 4
    assert f'value="{a}" form="bulk"' in inbox
    no_csrf = client.post("/console/bulk", data={"action": "accept", "ticket": [a, b]})
    assert no_csrf.status_code == 400 and wfs.find(a).status == wf.PENDING  # type: ignore[union-attr]

    def bulk(**data):  # type: ignore[no-untyped-def]
        return client.post("/console/bulk", data={"csrf_token": token(client, "/console/"), **data})

    uc.accept(wfs, REV, c, NOW)
    done = bulk(action="accept", ticket=[a, b, c, "ZZZZ"], back_status="待审核")
    assert done.status_code == 303 and done.headers["Location"].endswith(
        "/console/?status=%E5%BE%85%E5%AE%A1%E6%A0%B8"
    )
    message = text(client.get("/console/"))
    assert "已处理 2 条，2 条未处理" in message and c in message and "ZZZZ" in message
    assert [wfs.find(t).status for t in (a, b)] == [wf.ACCEPTED, wf.ACCEPTED]  # type: ignore[union-attr]

    assert bulk(action="assign", ticket=[a, b], unit="不在名单").status_code == 303
    assert "不在单位名单中" in text(client.get("/console/"))
    assert bulk(action="assign", ticket=[a, b, c, d], unit="办公室").status_code == 303
    assert "已处理 3 条，1 条未处理" in text(client.get("/console/"))  # d is pending
    assert {wfs.find(t).unit for t in (a, b, c)} == {"办公室"}  # type: ignore[union-attr]
    assert bulk(action="decline", ticket=[a]).status_code == 400
    assert bulk(action="accept").status_code == 303
    assert "请先勾选" in text(client.get("/console/"))
    post(client, "/console/logout")

    assert sign_in(client, "office").status_code == 302
    for ticket in (a, b):
        post(client, f"/console/s/{ticket}/draft", reply=f"{ticket} 已安排座椅，月底完成。")
    post(client, "/console/logout")

    assert sign_in(client, "rev").status_code == 302
    assert bulk(action="publish", ticket=[a, b, c], outcome="乱填").status_code == 303
    assert "请选择办理结果" in text(client.get("/console/"))
    assert bulk(action="publish", ticket=[a, b, c], outcome=wf.ADOPTED).status_code == 303
    message = text(client.get("/console/"))
    assert "已处理 2 条，1 条未处理" in message and "还没有答复草稿" in message
    for ticket in (a, b):
        case = wfs.find(ticket)
        assert case is not None and (case.status, case.outcome) == (wf.ANSWERED, wf.ADOPTED)
        assert wfs.delivery(ticket) == "sent"
    sent = {m["openid"]: m for m in fake.sent}
    assert set(sent) == {"openid-0", "openid-1"}
    assert a in str(sent["openid-0"]["body"]) and "月底完成" in str(sent["openid-0"]["body"])
    assert bulk(action="publish", ticket=[a], outcome=wf.ADOPTED).status_code == 303
    assert len(fake.sent) == 2  # published once, told once
    published = [e.target for e in audit.since(None) if e.action == "publish"]
    assert sorted(published) == sorted([a, b])
