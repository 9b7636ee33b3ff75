"""Browser tests: Debian's headless Chromium, driven by Selenium, against the real app served
over HTTP on a free loopback port, wired to a test store and to the fake WeChat API.

Nothing is ever downloaded: Selenium Manager is switched off (SE_OFFLINE) and is handed the
paths of Debian's chromium and chromedriver. Without them the tests skip on a workstation
and FAIL under CI (env CI set), as the Redis/PostgreSQL tests do (tests/conftest.py).

On a failure the page in the browser is saved (screenshot + HTML) to tests/browser/artifacts/.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, make_settings

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1366, 768
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
APPID, SECRET = "wx_browser", "browser-secret"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WIDTH},{HEIGHT}",
    "--lang=zh-CN",
)


def _missing_browser(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI requires the browser tests to run - {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver, or a skip (a failure under CI) saying why not."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            _missing_browser(f"{path} not found: apt-get install {package}")
    try:
        import selenium  # noqa: F401
    except ImportError as exc:
        _missing_browser(f"selenium not installed ({exc}): pip install -r requirements-dev.txt")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def browser(browser_paths: tuple[str, str]) -> Iterator[Any]:
    """A fresh headless Chromium (own profile folder) at 1366x768."""
    os.environ["SE_OFFLINE"] = "1"  # Selenium Manager must never fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths
    profile = tempfile.mkdtemp(prefix="bot-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    except Exception as exc:  # noqa: BLE001 - any start failure is "no usable browser"
        shutil.rmtree(profile, ignore_errors=True)
        _missing_browser(f"headless Chromium did not start: {type(exc).__name__}: {exc}")
    driver.set_window_size(WIDTH, HEIGHT)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def save_page(driver: Any, name: str, folder: Path = ARTIFACTS, full: bool = False) -> Path:
    """Screenshot (what the window shows) and HTML of the browser's current page; with `full`,
    also NAME-full.png of the whole page, top to bottom. The first PNG's path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
    png = folder / f"{stem}.png"
    driver.save_screenshot(str(png))
    (folder / f"{stem}.html").write_text(driver.page_source, encoding="utf-8")
    if full:
        width, height = driver.execute_script(
            "const e = document.documentElement;"
            "return [Math.max(e.scrollWidth, window.innerWidth), e.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1}
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
        )
        (folder / f"{stem}-full.png").write_bytes(base64.b64decode(shot["data"]))
    return png


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """When a browser test fails, keep what the browser showed."""
    report = yield
    driver = getattr(item, "funcargs", {}).get("browser")
    if report.failed and report.when == "call" and driver is not None:
        try:
            png = save_page(driver, f"FAILED-{item.name}")
            report.sections.append(("browser", f"page saved: {png} (and .html)"))
        except Exception as exc:  # noqa: BLE001 - a dead browser must not hide the failure
            report.sections.append(("browser", f"could not save the page: {exc}"))
    return report


@dataclass
class Live:
    """The app served over HTTP, its state and the fake WeChat API it sends to."""

    base_url: str
    state: Any  # bot.app_state.AppState
    fake: Any  # tests.fakes.fake_wechat.FakeWeChat

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def live(backend: dict[str, str]) -> Iterator[Live]:
    """`python -m bot serve`'s app on a free port, on one store, sending to the fake WeChat."""
    from werkzeug.serving import make_server

    from bot.app import create_app
    from bot.wiring import build_state
    from tests.fakes.fake_wechat import FakeWeChat

    with FakeWeChat(APPID, SECRET) as fake:
        settings = make_settings(
            backend,
            wechat_appid=APPID,
            wechat_secret=SECRET,
            wechat_api_base_url=fake.base_url,
            secret_key="browser-tests-secret",
        )
        state = build_state(settings, migrate=True)
        server = make_server("127.0.0.1", 0, create_app(state=state), threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="console", daemon=True)
        thread.start()
        try:
            yield Live(f"http://127.0.0.1:{server.server_port}", state, fake)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            state.close()
