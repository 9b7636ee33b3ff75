"""`python -m bot doctor` against the fake WeChat API over HTTP, on both stores."""

from __future__ import annotations

import io
import socket

import pytest

from bot.doctor import run_doctor
from tests.e2e.test_cli import run
from tests.fakes.fake_wechat import FakeWeChat

APPID, SECRET = "wx_doctor_appid", "doctor-secret-never-shown"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture
def fake():
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def good_env(backend, fake, tmp_path):  # type: ignore[no-untyped-def]
    """A complete, correct configuration for this store (its database migrated)."""
    env = {
        "DATABASE_URL": backend["database_url"],
        "REDIS_URL": backend["redis_url"],
        "BOT_REDIS_PREFIX": backend["redis_prefix"],
        "WECHAT_TOKEN": "operator-token",
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_TEMPLATE_ID": "TPL-notice-1",
        "WECHAT_API_BASE_URL": fake.base_url,
    }
    if backend["name"] == "embedded":
        assert run(tmp_path, "db", "upgrade", env=env).returncode == 0
    return env


def doctor(env: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Exit code and {item: line} of an in-process run."""
    out = io.StringIO()
    code = run_doctor(out, dict(env))
    lines = out.getvalue().splitlines()
    assert lines and all(line[0] in "✓!✗–" for line in lines[:-1]), lines
    return code, {line.split("：", 1)[0][2:]: line for line in lines[:-1]}


def test_a_good_configuration_passes_over_http(good_env, fake, backend, tmp_path):
    code, items = doctor(good_env)
    assert code == 0, items
    assert items["数据库"].startswith("✓") and "最新" in items["数据库"]
    assert items["微信接口"].startswith("✓") and fake.fetches("/cgi-bin/stable_token") == 1
    for item in ("WECHAT_TOKEN", "WECHAT_AES_KEY", "公众号凭据", "模板消息", "时区", "演练日期"):
        assert items[item].startswith("✓"), items[item]
    redis_mark = "!" if backend["name"] == "embedded" else "✓"
    assert items["Redis"].startswith(redis_mark)
    result = run(tmp_path, "doctor", env=good_env)  # the real command, as an operator runs it
    assert result.returncode == 0 and "全部正常" in result.stdout, result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("suffix", ["/", "/cgi-bin", "/cgi-bin/"])
def test_the_cgi_bin_form_of_the_base_url_passes(good_env, fake, suffix):
    code, items = doctor({**good_env, "WECHAT_API_BASE_URL": fake.base_url + suffix})
    assert code == 0 and items["微信接口"].startswith("✓")


@pytest.mark.parametrize(
    ("change", "errcode", "names"),
    [
        ({"WECHAT_APPID": "wx_wrong"}, 40013, "WECHAT_APPID"),
        ({"WECHAT_SECRET": "wrong-secret"}, 40125, "WECHAT_SECRET"),
        ({"WECHAT_API_BASE_URL": "{base}/cgi-bin/v2"}, 40066, "WECHAT_API_BASE_URL"),
    ],
)
def test_bad_credentials_or_url_name_the_setting(good_env, fake, change, errcode, names):
    env = {**good_env, **{k: v.format(base=fake.base_url) for k, v in change.items()}}
    code, items = doctor(env)
    assert code == 2
    line = items["微信接口"]
    assert line.startswith("✗") and f"errcode {errcode}" in line and names in line
    assert items["数据库"].startswith("✓")  # everything else is still checked


def test_ip_whitelist_refusal_is_explained(good_env, fake):
    fake.fail_next(40164, path_contains="stable_token")
    code, items = doctor(good_env)
    assert code == 2 and "40164" in items["微信接口"] and "白名单" in items["微信接口"]


def test_unreachable_api_is_one_line(good_env):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, items = doctor({**good_env, "WECHAT_API_BASE_URL": f"http://127.0.0.1:{port}"})
    assert code == 2 and items["微信接口"].startswith("✗ 微信接口：连不上")


def test_unreachable_database_and_redis(good_env, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **good_env,
        "DATABASE_URL": f"postgresql://bot:pw@127.0.0.1:{port}/bot",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
    }
    code, items = doctor(env)
    assert code == 2
    assert items["数据库"].startswith("✗") and "DATABASE_URL" in items["数据库"]
    assert "pw@" not in items["数据库"]
    assert items["活动计划"].startswith("–")
    assert items["Redis"].startswith("✗") and "REDIS_URL" in items["Redis"]
    assert items["微信接口"].startswith("✓")  # the rest is still checked
    result = run(tmp_path, "doctor", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "✗ 数据库" in result.stdout


def test_unmigrated_database_says_db_upgrade(good_env, tmp_path):
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    env = {**good_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    code, items = doctor(env)
    assert code == 2 and "db upgrade" in items["数据库"] and "空库" in items["数据库"]
    missing = {**good_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    assert "db upgrade" in doctor(missing)[1]["数据库"]
    assert not (tmp_path / "none.sqlite3").exists()  # the check creates nothing


def test_every_bad_setting_is_its_own_line_and_the_rest_still_checked(good_env):
    env = {
        **good_env,
        "WECHAT_AES_KEY": "short",
        "BOT_TIMEZONE": "Mars/Olympus",
        "WECHAT_TOKEN": "",
        "BOT_TODAY": "2018-06-04",
        "WECHAT_TEMPLATE_ID": "",
    }
    code, items = doctor(env)
    assert code == 2
    assert items["配置 WECHAT_AES_KEY"].startswith("✗") and "43" in items["配置 WECHAT_AES_KEY"]
    assert items["配置 BOT_TIMEZONE"].startswith("✗")
    assert items["WECHAT_TOKEN"].startswith("✗") and "dev-token" in items["WECHAT_TOKEN"]
    assert items["演练日期"].startswith("!") and "2018-06-04" in items["演练日期"]
    assert items["模板消息"].startswith("!")
    assert items["微信接口"].startswith("✓") and items["数据库"].startswith("✓")


def test_missing_credentials_fail_without_a_call(good_env, fake):
    code, items = doctor({**good_env, "WECHAT_APPID": "", "WECHAT_SECRET": ""})
    assert code == 2 and "WECHAT_APPID 和 WECHAT_SECRET" in items["公众号凭据"]
    assert items["微信接口"].startswith("–") and fake.token_fetches == 0
