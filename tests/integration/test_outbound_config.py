"""Outbound configuration that cannot fail silently, over both stores, against the fake WeChat
API over real HTTP: every form of WECHAT_API_BASE_URL sends; a run of account-wide failures
logs one error line naming the setting; /healthz shows the last outbound result."""

from __future__ import annotations

import logging

import pytest

from bot.app import create_app
from bot.wechat_api import WeChatAPIError
from bot.wiring import build_state
from config.settings import Settings
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat
from tests.integration.test_delivery import ONE_PHASE, add_user, load, run_at, statuses

APPID, SECRET = "wx_config_appid", "config-secret-never-logged"
OPENID = "o_config_user_raw"


@pytest.fixture
def fake():
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def make_state(backend):
    states = []

    def make(base_url: str, **overrides):  # type: ignore[no-untyped-def]
        # Through Settings.from_env, as an operator sets it, then the test's stores.
        env = {"WECHAT_API_BASE_URL": base_url}
        read = Settings.from_env(env, dotenv=False)
        settings = make_settings(
            backend,
            wechat_appid=overrides.pop("appid", APPID),
            wechat_secret=overrides.pop("secret", SECRET),
            wechat_api_base_url=read.wechat_api_base_url,
            **overrides,
        )
        st = build_state(settings, migrate=True)
        states.append(st)
        return st

    yield make
    for st in states:
        st.close()


def _outbound_records(caplog, level):  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name == "bot.wechat_client" and r.levelno == level]


@pytest.mark.parametrize("suffix", ["", "/", "/cgi-bin", "/cgi-bin/"])
def test_a_send_works_with_each_form_of_the_base_url(make_state, fake, suffix):
    state = make_state(fake.base_url + suffix)
    state.sender.send_text(OPENID, "您好")
    (sent,) = fake.sent
    assert sent["path"] == "/cgi-bin/message/custom/send" and sent["openid"] == OPENID
    assert fake.fetches("/cgi-bin/stable_token") == 1


def test_a_wrong_base_url_is_one_error_line_naming_the_setting(make_state, fake, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.wechat_client")
    # A wrong path on WeChat's host: every call goes to /cgi-bin/v2/cgi-bin/... -> 40066.
    state = make_state(fake.base_url + "/cgi-bin/v2")
    for i in range(6):
        add_user(state, f"o_{i}", code="solo")
    load(state, ONE_PHASE)
    run_at(state, "2018-05-01 09:00")
    assert fake.sent == [] and statuses(state) == {"failed": 6}
    (error,) = _outbound_records(caplog, logging.ERROR)
    message = error.getMessage()
    assert "40066" in message and "WECHAT_API_BASE_URL" in message
    assert "6 calls" not in message and "1 call in a row" in message
    assert _outbound_records(caplog, logging.WARNING) == []  # no warning per send


@pytest.mark.parametrize(
    ("errcode", "setting"),
    [(40013, "WECHAT_APPID"), (48001, "account type"), (40164, "IP whitelist")],
)
def test_a_run_of_one_kind_logs_once_and_its_end_once(make_state, fake, caplog, errcode, setting):
    caplog.set_level(logging.INFO, logger="bot.wechat_client")
    state = make_state(fake.base_url)
    fake.fail_next(errcode, times=20, path_contains="/cgi-bin/")
    for _ in range(20):
        with pytest.raises(WeChatAPIError) as info:
            state.sender.send_text(OPENID, "x")
        assert getattr(info.value, "errcode", None) == errcode
    (error,) = _outbound_records(caplog, logging.ERROR)
    assert str(errcode) in error.getMessage() and setting in error.getMessage()
    assert _outbound_records(caplog, logging.WARNING) == []
    state.sender.send_text(OPENID, "恢复")
    recovered = [r.getMessage() for r in _outbound_records(caplog, logging.INFO)]
    assert any("succeed again (after 20 failures" in m for m in recovered)
    fake.fail_next(errcode, times=2, path_contains="/cgi-bin/")
    for _ in range(2):
        with pytest.raises(WeChatAPIError):
            state.sender.send_text(OPENID, "x")
    assert len(_outbound_records(caplog, logging.ERROR)) == 2  # a new run, one new line


def test_wrong_credentials_are_one_error_line(make_state, fake, caplog):
    caplog.set_level(logging.INFO, logger="bot.wechat_client")
    state = make_state(fake.base_url, secret="not-the-secret")
    for _ in range(5):
        with pytest.raises(WeChatAPIError):
            state.sender.send_text(OPENID, "x")
    (error,) = _outbound_records(caplog, logging.ERROR)
    assert "40125" in error.getMessage() and "WECHAT_SECRET" in error.getMessage()
    assert "not-the-secret" not in caplog.text


def test_a_recipients_own_error_stays_one_warning_per_send(make_state, fake, caplog):
    caplog.set_level(logging.INFO, logger="bot.wechat_client")
    state = make_state(fake.base_url)
    fake.reject_user(OPENID, 43004)
    for _ in range(3):
        with pytest.raises(WeChatAPIError):
            state.sender.send_text(OPENID, "x")
    warnings = _outbound_records(caplog, logging.WARNING)
    assert len(warnings) == 3 and all("43004" in w.getMessage() for w in warnings)
    assert _outbound_records(caplog, logging.ERROR) == []
    assert OPENID not in caplog.text


def test_healthz_shows_the_last_outbound_result(make_state, fake, backend):
    state = make_state(fake.base_url)
    client = create_app(state=state).test_client()
    assert client.get("/healthz").get_json()["outbound"] == "no call yet"
    state.sender.send_text(OPENID, "一")
    body = client.get("/healthz").get_json()
    assert body["outbound"]["ok"] is True and body["outbound"]["errcode"] is None
    assert body["outbound"]["at"].endswith("Z") and body["status"] == "ok"
    fake.fail_next(48001)
    with pytest.raises(WeChatAPIError):
        state.sender.send_text(OPENID, "二")
    response = client.get("/healthz")
    outbound = response.get_json()["outbound"]
    assert outbound["ok"] is False and outbound["errcode"] == 48001
    assert outbound["endpoint"] == "message/custom/send"
    assert response.status_code == 200  # replies do not depend on outbound: no 503
    if backend["name"] == "real":  # another process (the scheduler) sees it through Redis
        other = make_state(fake.base_url)
        assert create_app(state=other).test_client().get("/healthz").get_json()["outbound"] == {
            **outbound
        }


def test_healthz_without_credentials_says_sends_are_recorded(state):
    body = create_app(state=state).test_client().get("/healthz").get_json()
    assert "recorded, not sent" in body["outbound"]
