"""The whole loop in a real browser, on both stores: a resident's idea arrives over /wechat;
the reviewer filters, opens, accepts and assigns it; the unit drafts; the reviewer publishes;
the resident's message reaches the fake WeChat API once; the audit page shows every step."""

from __future__ import annotations

import time

import pytest
import requests
from selenium.webdriver.common.by import By

from domain import workflow as wf
from services import accounts
from tests.browser import pages
from tests.browser.conftest import Live
from tests.integration.console_helpers import NOW, stores
from tests.wechat_sim import WeChatSim, text_xml
from texts import console as texts

pytestmark = pytest.mark.browser

PASSWORDS = {"boss": "pw-boss-1234", "rev": "pw-rev-12345", "office": "pw-office-12"}
RESIDENT, NEIGHBOUR = "openid-browser-resident", "openid-browser-neighbour"
IDEA = "建议在老城区增设共享充电桩，方便居民夜间给电动车充电"
OTHER = "建议延长社区图书馆周末开放时间"
DRAFT = "拟采纳，明年一季度在老城区试点建设充电桩。"
ANSWER = "您的建议已采纳：明年一季度在老城区试点建设共享充电桩，感谢您的参与！"


def submit_idea(live: Live, openid: str, content: str) -> str:
    """A resident sends 献一策 to the official account: WeChat POSTs the signed XML; the ticket."""
    sim = WeChatSim()
    query, body = sim.envelope(text_xml(openid, f"献一策：{content}"))
    resp = requests.post(
        live.url("/wechat?" + query), data=body, headers={"Content-Type": "text/xml"}, timeout=10
    )
    answer = sim.read(resp.status_code, resp.content)
    assert answer.status == 200 and answer.text and "编号：" in answer.text, answer
    return answer.text.split("编号：")[1].split()[0].strip("，。")


def add_people(live: Live) -> None:
    accts = stores(live.state)[1]
    for login, role, unit in (
        ("boss", wf.ORGANISER, ""),
        ("rev", wf.REVIEWER, ""),
        ("office", wf.UNIT, "办公室"),
    ):
        accounts.add_account(accts, "cli", login, role, unit, PASSWORDS[login], NOW)


def sent_to(live: Live, openid: str, wait: float = 10.0) -> list[dict[str, object]]:
    """The fake WeChat's accepted sends to `openid`, once at least one arrived (or `wait`)."""
    deadline = time.monotonic() + wait
    while True:
        sent = [s for s in live.fake.sent if s["openid"] == openid]
        if sent or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def test_the_review_loop_in_a_browser(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    ticket = submit_idea(live, RESIDENT, IDEA)
    other = submit_idea(live, NEIGHBOUR, OTHER)
    add_people(live)
    b = browser

    # The reviewer signs in, filters the inbox to pending ideas mentioning 充电桩, opens it.
    pages.sign_in(b, live.base_url, "rev", PASSWORDS["rev"])
    assert pages.path_of(b) == "/console/"
    assert set(pages.inbox_tickets(b)) >= {ticket, other}
    pages.filter_inbox(b, status=wf.PENDING, q="充电桩")
    assert pages.inbox_tickets(b) == [ticket]
    assert RESIDENT not in b.page_source  # pseudonyms only
    pages.open_case(b, ticket)
    assert pages.path_of(b) == f"/console/s/{ticket}" and IDEA in pages.text(b)

    # Accept, then assign to 办公室.
    pages.act(b, ticket, wf.ACCEPT)
    assert texts.DONE[wf.ACCEPT] in pages.text(b) and wf.ACCEPTED in pages.text(b)
    pages.act(b, ticket, wf.ASSIGN, unit="办公室")
    assert texts.DONE[wf.ASSIGN] in pages.text(b) and "办公室" in pages.text(b)
    pages.sign_out(b)
    assert pages.path_of(b) == "/console/login"

    # The unit sees only its idea and drafts the answer; it cannot publish.
    pages.sign_in(b, live.base_url, "office", PASSWORDS["office"])
    assert pages.inbox_tickets(b) == [ticket]
    pages.open_case(b, ticket)
    assert not b.find_elements(By.CSS_SELECTOR, f'form[action$="/{ticket}/publish"]')
    pages.act(b, ticket, wf.DRAFT, reply=DRAFT)
    assert texts.DONE[wf.DRAFT] in pages.text(b) and DRAFT in pages.text(b)
    pages.sign_out(b)

    # The reviewer edits the draft, chooses an outcome and publishes.
    pages.sign_in(b, live.base_url, "rev", PASSWORDS["rev"])
    b.get(live.url(f"/console/s/{ticket}"))
    form = pages.action_form(b, f"/console/s/{ticket}/publish")
    assert form.find_element(By.NAME, "reply").get_attribute("value") == DRAFT
    pages.act(b, ticket, wf.PUBLISH, reply=ANSWER, outcome=wf.ADOPTED)
    page = pages.text(b)
    assert texts.DONE[wf.PUBLISH] in page and wf.ANSWERED in page and wf.ADOPTED in page

    # The resident's message reached WeChat, once, with the ticket and the answer.
    sent = sent_to(live, RESIDENT)
    assert len(sent) == 1, live.fake.sent
    assert sent[0]["path"] == "/cgi-bin/message/custom/send"
    body = str(sent[0]["body"])
    assert ticket in body and ANSWER in body
    assert not [s for s in live.fake.sent if s["openid"] == NEIGHBOUR]
    b.refresh()
    assert texts.DELIVERY["sent"] in pages.text(b)
    pages.sign_out(b)

    # The organiser reads every step on the audit page.
    pages.sign_in(b, live.base_url, "boss", PASSWORDS["boss"])
    pages.follow(b, "操作记录")
    assert pages.path_of(b) == "/console/audit"
    rows = [line for line in pages.text(b).splitlines() if ticket in line]
    for actor, action in (
        ("rev", wf.ACCEPT), ("rev", wf.ASSIGN), ("office", wf.DRAFT), ("rev", wf.PUBLISH),
    ):  # fmt: skip
        name = wf.ACTION_NAMES[action]
        assert any(actor in r and name in r for r in rows), (actor, name, rows)
    signins = [r for r in pages.text(b).splitlines() if texts.AUDIT_ACTIONS["signin"] in r]
    assert any("office" in r for r in signins) and any("rev" in r for r in signins)
    assert len(sent_to(live, RESIDENT, wait=0)) == 1  # nothing more went out meanwhile
