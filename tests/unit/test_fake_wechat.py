"""The fake WeChat API itself: token semantics, error injection, the standalone runner."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fakes.fake_wechat import FakeWeChat

APPID, SECRET = "wx_unit", "unit_secret"
CREDS = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
TEXT = {"touser": "oA", "msgtype": "text", "text": {"content": "hi"}}


@pytest.fixture
def fake():
    """A running fake for APPID/SECRET."""
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def http():
    """A requests session, closed afterwards."""
    with requests.Session() as session:
        yield session


def normal_token(http, fake) -> str:
    return http.get(f"{fake.base_url}/cgi-bin/token", params=CREDS, timeout=5).json()[
        "access_token"
    ]


def stable_token(http, fake, force: bool = False) -> dict:
    body = {**CREDS, "force_refresh": force}
    return http.post(f"{fake.base_url}/cgi-bin/stable_token", json=body, timeout=5).json()


def send(http, fake, token: str, path: str = "custom/send", body=None, **kwargs) -> dict:
    url = f"{fake.base_url}/cgi-bin/message/{path}"
    return http.post(url, params={"access_token": token}, json=body or TEXT, **kwargs).json()


def test_token_rotation_invalidates_the_previous_one(fake, http):
    first = normal_token(http, fake)
    second = normal_token(http, fake)
    assert first != second and fake.fetches("/cgi-bin/token") == 2
    answer = send(http, fake, first)
    assert answer["errcode"] == 40001
    assert answer["errmsg"].startswith("invalid credential, access_token is invalid or not latest")
    assert "rid: " in answer["errmsg"]
    assert send(http, fake, second) == {"errcode": 0, "errmsg": "ok"}


def test_grace_keeps_the_previous_token_valid(http):
    with FakeWeChat(APPID, SECRET, grace=60) as fake:
        first = normal_token(http, fake)
        normal_token(http, fake)
        assert send(http, fake, first)["errcode"] == 0


def test_stable_token_is_stable_unless_forced(fake, http):
    first = stable_token(http, fake)
    assert first["expires_in"] == 7200
    assert stable_token(http, fake)["access_token"] == first["access_token"]
    forced = stable_token(http, fake, force=True)["access_token"]
    assert forced != first["access_token"]
    assert send(http, fake, first["access_token"])["errcode"] == 40001
    assert fake.token_fetches == 3


def test_bad_credentials(fake, http):
    url = f"{fake.base_url}/cgi-bin/stable_token"
    bad_appid = http.post(url, json={**CREDS, "appid": "wx_no"}, timeout=5).json()
    bad_secret = http.post(url, json={**CREDS, "secret": "no"}, timeout=5).json()
    assert (bad_appid["errcode"], bad_secret["errcode"]) == (40013, 40125)
    assert bad_appid["errmsg"].startswith("invalid appid")
    assert fake.token_fetches == 0


def test_expire_tokens_and_unknown_or_missing_token(fake, http):
    token = stable_token(http, fake)["access_token"]
    fake.expire_tokens()
    assert send(http, fake, token)["errcode"] == 42001
    assert send(http, fake, "nonsense")["errcode"] == 40001
    assert send(http, fake, "")["errcode"] == 41001
    assert stable_token(http, fake)["access_token"] != token  # expired: a new one


def test_template_limits_and_msgid(fake, http):
    token = stable_token(http, fake)["access_token"]
    body = {"touser": "oA", "template_id": "T", "data": {"keyword1": {"value": "x" * 21}}}
    answer = send(http, fake, token, "template/send", body)
    assert answer["errcode"] == 47003
    assert answer["errmsg"].startswith("argument invalid! data.keyword1.value invalid")
    body["data"]["keyword1"]["value"] = "x" * 20
    assert send(http, fake, token, "template/send", body)["msgid"] > 0
    (record,) = fake.sent
    assert (record["openid"], record["token"]) == ("oA", token)


def test_fault_injection(fake, http):
    token = stable_token(http, fake)["access_token"]
    fake.fail_next(45009, times=2, path_contains="template")
    fake.reject_user("oBlocked", 43004)
    assert send(http, fake, token)["errcode"] == 0  # not a template call
    tpl = {"touser": "oA", "template_id": "T", "data": {}}
    assert [send(http, fake, token, "template/send", tpl)["errcode"] for _ in range(3)] == [
        45009,
        45009,
        0,
    ]
    assert send(http, fake, token, body={**TEXT, "touser": "oBlocked"})["errcode"] == 43004
    fake.http_error_next(502)
    response = http.post(f"{fake.base_url}/cgi-bin/message/custom/send", json=TEXT, timeout=5)
    assert response.status_code == 502
    assert [c["errcode"] for c in fake.calls] == [0, 45009, 45009, 0, 43004, 502]


def test_latency_and_hang(fake, http):
    token = stable_token(http, fake)["access_token"]
    fake.latency = 0.2
    started = time.monotonic()
    send(http, fake, token)
    assert time.monotonic() - started >= 0.2
    fake.latency = 0
    fake.hang_next(5)
    with pytest.raises(requests.Timeout):
        send(http, fake, token, timeout=0.3)


def test_standalone_runner_prints_its_base_url():
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "tests.fakes.fake_wechat", "--port", "0", "--latency-ms", "20"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            answer = requests.post(
                f"{base_url}/cgi-bin/stable_token",
                json={**CREDS, "appid": "wx_fake_appid", "secret": "fake_secret"},
                timeout=5,
            ).json()
            assert answer["expires_in"] == 7200
        finally:
            process.terminate()
            process.wait(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
