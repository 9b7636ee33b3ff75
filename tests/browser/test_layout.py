"""Each main console page fits a 1366x768 laptop: no sideways scrolling, with long and
unbroken text in the data. A screenshot of each page is saved to tests/browser/artifacts/pages/
for people to look at.

The markup and stylesheet are the same whatever the store, so this runs on the embedded one
only; the loop (test_review_loop.py) covers both stores."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from domain import workflow as wf
from services import accounts
from tests.browser import pages
from tests.browser.conftest import ARTIFACTS, HEIGHT, WIDTH, Live, save_page
from tests.integration.console_helpers import NOW, new_suggestion, stores

pytestmark = pytest.mark.browser

PASSWORD = "pw-boss-1234"
LONG = (
    "建议在老城区增设共享充电桩，方便居民夜间给电动车充电，同时加强消防安全管理。" * 8
    + "详见https://example.gov.cn/"
    + "very-long-path-segment-" * 12
    + "end"
)
UNBROKEN = "充电桩" * 60
LINK = "https://example.gov.cn/" + "a-pasted-link-without-any-break-" * 6
UNIT = "老城区街道办事处综合行政执法队"


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_main_pages_fit_a_laptop_screen(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    accts = stores(live.state)[1]
    accounts.add_account(accts, "cli", "boss", wf.ORGANISER, "", PASSWORD, NOW)
    accounts.add_account(accts, "cli", "office", wf.UNIT, UNIT, "pw-office-12", NOW)
    for n in range(4, 25):  # a full first page and a second one
        new_suggestion(live.state, f"openid-{n}", f"第{n}条：建议优化社区服务流程，减少跑腿。", n)
    new_suggestion(live.state, "openid-unbroken", UNBROKEN, 2)
    new_suggestion(live.state, "openid-link", LINK, 3)
    ticket = new_suggestion(live.state, "openid-long", LONG, 1)  # the newest: on the first page

    shown: dict[str, tuple[int, int]] = {}

    def check(name: str) -> None:
        assert browser.execute_script("return [window.innerWidth]")[0] == WIDTH
        save_page(browser, name, ARTIFACTS / "pages", full=True)
        shown[name] = pages.overflow(browser)
        assert not pages.unreadable(browser), (name, pages.unreadable(browser))

    browser.get(live.url("/console/login"))
    check("1-sign-in")
    pages.sign_in(browser, live.base_url, "boss", PASSWORD)
    check("2-inbox")
    assert ticket in pages.inbox_tickets(browser)
    pages.open_case(browser, ticket)
    pages.act(browser, ticket, wf.ACCEPT)
    pages.act(browser, ticket, wf.ASSIGN, unit=UNIT)
    assert browser.find_elements(By.CSS_SELECTOR, f'form[action$="/{ticket}/publish"]')
    check("3-detail")
    pages.follow(browser, "操作记录")
    check("4-audit")
    pages.follow(browser, "账号管理")
    check("5-accounts")

    wide = {name: widths for name, widths in shown.items() if widths[0] > widths[1]}
    assert not wide, f"pages scroll sideways at {WIDTH}x{HEIGHT} (document, window): {wide}"
