"""What a person does in the console, as Selenium steps. Selectors lean on what other work is
least likely to change: form field names, form action URLs, link targets, data-ticket on
inbox rows (falling back to the row that shows the ticket), and the texts in
texts/console.py."""

from __future__ import annotations

import re
from typing import Any

from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 10  # seconds for a page to arrive after a click
TICKET_LINK = re.compile(r"/console/s/([A-Za-z0-9]+)/?$")


def path_of(driver: Any) -> str:
    """The current URL's path, without query."""
    url: str = driver.current_url
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def click_to_next_page(driver: Any, element: WebElement) -> None:
    """Click, then wait until another document has replaced this one and finished loading.
    (The old document is marked; watching an old element go stale races with chromedriver.)"""
    driver.execute_script("window.__leaving = true;")
    element.click()

    def arrived(d: Any) -> bool:
        try:
            return bool(
                d.execute_script("return !window.__leaving && document.readyState === 'complete'")
            )
        except WebDriverException:  # between two documents
            return False

    WebDriverWait(driver, WAIT).until(arrived)


def submit(driver: Any, form: WebElement) -> None:
    """Click the form's submit button and wait for the next page."""
    button = form.find_element(
        By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]"
    )
    click_to_next_page(driver, button)


def fill(form: WebElement, name: str, value: str) -> None:
    """Type into a field, or choose an option, whatever kind of field `name` is now."""
    field = form.find_element(By.NAME, name)
    if field.tag_name == "select":
        Select(field).select_by_value(value)
        return
    field.clear()
    field.send_keys(value)


def action_form(driver: Any, url_end: str) -> WebElement:
    """The form posting to a URL ending with `url_end` (e.g. /console/s/ABC123/accept)."""
    return driver.find_element(By.CSS_SELECTOR, f'form[action$="{url_end}"]')


def sign_in(driver: Any, base_url: str, login: str, password: str) -> None:
    driver.get(base_url + "/console/login")
    form = action_form(driver, "/console/login")
    fill(form, "login", login)
    fill(form, "password", password)
    submit(driver, form)


def sign_out(driver: Any) -> None:
    submit(driver, action_form(driver, "/console/logout"))


def filter_inbox(driver: Any, **fields: str) -> None:
    """Set the inbox's filter fields (campaign, status, unit, q) and apply them."""
    form = driver.find_element(By.NAME, "q").find_element(By.XPATH, "ancestor::form")
    for name, value in fields.items():
        fill(form, name, value)
    submit(driver, form)


def inbox_tickets(driver: Any) -> list[str]:
    """The tickets the inbox lists, in order (rows with data-ticket, else detail links)."""
    found: list[str] = []
    for row in driver.find_elements(By.CSS_SELECTOR, "[data-ticket]"):
        ticket = str(row.get_attribute("data-ticket"))
        if ticket not in found:
            found.append(ticket)
    if found:
        return found
    for link in driver.find_elements(By.CSS_SELECTOR, 'main a[href*="/console/s/"]'):
        match = TICKET_LINK.search(str(link.get_attribute("href")))
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def inbox_row(driver: Any, ticket: str) -> WebElement:
    try:
        return driver.find_element(By.CSS_SELECTOR, f'[data-ticket="{ticket}"]')
    except NoSuchElementException:
        return driver.find_element(By.XPATH, f'//tr[.//*[normalize-space()="{ticket}"]]')


def open_case(driver: Any, ticket: str) -> None:
    """Follow the inbox row's link to the suggestion's page."""
    row = inbox_row(driver, ticket)
    link = row.find_element(By.CSS_SELECTOR, f'a[href*="/console/s/{ticket}"]')
    click_to_next_page(driver, link)


def act(driver: Any, ticket: str, action: str, **fields: str) -> None:
    """Fill and send one action form on a suggestion's page (accept, assign, draft, ...)."""
    form = action_form(driver, f"/console/s/{ticket}/{action}")
    for name, value in fields.items():
        fill(form, name, value)
    submit(driver, form)


def follow(driver: Any, link_text: str) -> None:
    click_to_next_page(driver, driver.find_element(By.LINK_TEXT, link_text))


def text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def overflow(driver: Any) -> tuple[int, int]:
    """(document width, viewport width): the page scrolls sideways when the first is larger."""
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    return int(widths[0]), int(widths[1])


_UNREADABLE = """
const solid = (c) => c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c);
const backdrop = (el) => {
  for (; el; el = el.parentElement) {
    const c = getComputedStyle(el).backgroundColor;
    if (solid(c)) return c;
  }
  return 'rgb(255, 255, 255)';
};
return [...document.querySelectorAll('a, button, input[type=submit]')]
  .filter((e) => e.getClientRects().length && (e.textContent || e.value || '').trim())
  .filter((e) => getComputedStyle(e).color === backdrop(e))
  .map((e) => (e.textContent || e.value).trim());
"""


def unreadable(driver: Any) -> list[str]:
    """Links and buttons whose text has the very colour of what is behind it."""
    return [str(t) for t in driver.execute_script(_UNREADABLE)]
