"""The resident's answer page (`/a/<token>`, linked from the template message) on a phone:
it fits a 375 px wide screen with a long answer and a long unbroken link in it, shows the
ticket, outcome and answer, and a tampered link shows the not-found text. A screenshot is saved
to tests/browser/artifacts/pages/ for people to look at."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By

from domain import workflow as wf
from services import suggestions as uc
from services.answer_links import AnswerLinks
from tests.browser import pages
from tests.browser.conftest import ARTIFACTS, Live, save_page
from tests.integration.console_helpers import new_suggestion, stores

pytestmark = pytest.mark.browser

PHONE = (375, 667)
ANSWER = (
    "感谢您的建议！经研究，区住建局已将老街口公交候车亭纳入今年的便民设施改造计划，"
    "预计10月底前完工。" * 4
    + "详情见https://example.gov.cn/" + "a-long-unbroken-path-" * 10
)


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_the_answer_page_fits_a_phone(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    ticket = new_suggestion(live.state, "openid-phone", "建议在老街口增设一处公交候车亭。", 1)
    workflow = stores(live.state)[0]
    boss = wf.Actor("boss", wf.ORGANISER)
    now = datetime.now(UTC)
    uc.accept(workflow, boss, ticket, now)
    uc.publish_answer(workflow, boss, ticket, ANSWER, wf.ADOPTED, now)
    links = AnswerLinks(live.state.settings.effective_secret_key())

    browser.set_window_size(*PHONE)
    browser.get(live.url("/a/" + links.token(ticket)))
    text = browser.find_element(By.TAG_NAME, "body").text
    save_page(browser, "6-answer-page-phone", ARTIFACTS / "pages", full=True)
    assert ticket in text and wf.ADOPTED in text and "公交候车亭纳入" in text
    assert "openid" not in browser.page_source
    document, window = pages.overflow(browser)
    assert document <= window, f"the answer page scrolls sideways on a phone: {document} > {window}"
    assert not pages.unreadable(browser)

    browser.get(live.url("/a/" + links.token(ticket)[:-3] + "xyz"))  # a tampered link
    assert "没有找到这条答复" in browser.find_element(By.TAG_NAME, "body").text
