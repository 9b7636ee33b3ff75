"""Sign-in in a real browser, on both stores: a signed-out visit lands on the sign-in page, and
repeated wrong passwords end on the 429 page (the throttle lives in Redis or fakeredis)."""

from __future__ import annotations

import re

import pytest
import requests
from selenium.webdriver.common.by import By

from domain import workflow as wf
from services import accounts
from tests.browser import pages
from tests.browser.conftest import Live
from tests.integration.console_helpers import NOW, stores
from texts import console as texts

pytestmark = pytest.mark.browser

PASSWORD = "pw-rev-12345"


def test_signed_out_visits_land_on_the_sign_in_page(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    accounts.add_account(stores(live.state)[1], "cli", "rev", wf.REVIEWER, "", PASSWORD, NOW)
    for path in ("/console/", "/console/audit", "/console/s/ABC123"):
        browser.get(live.url(path))
        assert pages.path_of(browser) == "/console/login", path
        assert browser.find_elements(By.CSS_SELECTOR, 'input[name="password"]')
    pages.sign_in(browser, live.base_url, "rev", PASSWORD)
    assert pages.path_of(browser) == "/console/"
    pages.sign_out(browser)
    browser.get(live.url("/console/"))
    assert pages.path_of(browser) == "/console/login"


def test_wrong_passwords_end_on_the_429_page(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    accounts.add_account(stores(live.state)[1], "cli", "rev", wf.REVIEWER, "", PASSWORD, NOW)
    for _ in range(accounts.LOGIN_FAILURES):
        pages.sign_in(browser, live.base_url, "rev", "not-the-password")
        assert texts.SIGNIN_FAILED in pages.text(browser)
    pages.sign_in(browser, live.base_url, "rev", "not-the-password")
    assert texts.SIGNIN_THROTTLED in pages.text(browser)
    pages.sign_in(browser, live.base_url, "rev", PASSWORD)  # even the right one, for a while
    assert texts.SIGNIN_THROTTLED in pages.text(browser)
    assert pages.path_of(browser) == "/console/login"

    # What the browser showed was a 429 (a browser does not expose the status; ask over HTTP).
    with requests.Session() as http:
        form = http.get(live.url("/console/login"), timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        data = {"csrf_token": token.group(1), "login": "rev", "password": PASSWORD}
        resp = http.post(live.url("/console/login"), data=data, timeout=10)
    assert resp.status_code == 429 and texts.SIGNIN_THROTTLED in resp.text
