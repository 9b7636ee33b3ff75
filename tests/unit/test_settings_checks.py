"""Settings that cannot be used are refused when read, naming the variable (never its secret)."""

from __future__ import annotations

import pytest

from config.settings import (
    Settings,
    SettingsError,
    check_database_url,
    hide_password,
    normalize_api_base,
)


@pytest.mark.parametrize("suffix", ["", "/", "/cgi-bin", "/cgi-bin/", "//cgi-bin//"])
def test_api_base_accepts_host_and_cgi_bin_forms(suffix):
    env = {"WECHAT_API_BASE_URL": "https://proxy.example.gov.cn:8443" + suffix}
    settings = Settings.from_env(env, dotenv=False)
    assert settings.wechat_api_base_url == "https://proxy.example.gov.cn:8443"
    env = {"WECOM_API_BASE_URL": "http://10.0.0.5/wx" + suffix}
    assert Settings.from_env(env, dotenv=False).wecom_api_base_url == "http://10.0.0.5/wx"


def test_api_base_defaults_and_refuses_non_http():
    settings = Settings.from_env({}, dotenv=False)
    assert settings.wechat_api_base_url == "https://api.weixin.qq.com"
    assert settings.wecom_api_base_url == "https://qyapi.weixin.qq.com"
    for bad in ("api.weixin.qq.com", "ftp://x", "https://"):
        with pytest.raises(SettingsError) as info:
            normalize_api_base("WECHAT_API_BASE_URL", bad)
        assert info.value.variable == "WECHAT_API_BASE_URL"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:pw@db/x", ["'mysql://' is not supported", "sqlite and postgresql"]),
        ("postgresql+asyncpg://u@db/x", ["not supported"]),
        ("notaurl", ["not a database URL"]),
        ("postgresql://u:topsecret@db:port/x", ["not a valid URL"]),
    ],
)
def test_database_url_is_refused_with_the_setting_named(url, words):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"DATABASE_URL": url}, dotenv=False)
    assert info.value.variable == "DATABASE_URL"
    assert "DATABASE_URL" in str(info.value) and all(w in str(info.value) for w in words)
    assert "topsecret" not in str(info.value) and "pw@" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["sqlite:///x.db", "postgresql://u:p@h:5432/d", "postgres://h/d", "postgresql+psycopg2://h/d"],
)
def test_supported_database_urls_pass(url):
    assert check_database_url(url) == url


def test_redis_url_and_aes_keys_are_checked():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"REDIS_URL": "localhost:6379"}, dotenv=False)
    assert info.value.variable == "REDIS_URL"
    secret_like = "s" * 42 + "!"
    for name, value, said in (
        ("WECHAT_AES_KEY", "a" * 42, "it has 42"),
        ("WECHAT_AES_KEY", secret_like, "a character other than those"),
        ("WECOM_AES_KEY", "b" * 44, "it has 44"),
    ):
        with pytest.raises(SettingsError) as info:
            Settings.from_env({name: value}, dotenv=False)
        assert info.value.variable == name and said in str(info.value)
        assert value not in str(info.value)  # the key is a secret
    assert Settings.from_env({"WECHAT_AES_KEY": "A+/" + "z" * 40}, dotenv=False).wechat_aes_key


def test_hide_password():
    assert hide_password("postgresql://bot:s3cr3t@db:5432/x") == "postgresql://bot:***@db:5432/x"
    assert hide_password("redis://:pw@r:6379/0") == "redis://:***@r:6379/0"
    assert hide_password("sqlite:///a.db") == "sqlite:///a.db"


def test_other_settings_errors_name_their_variable():
    for name, value in (("BOT_TIMEZONE", "Mars/Base"), ("BOT_REMINDER_TIME", "9点")):
        with pytest.raises(SettingsError) as info:
            Settings.from_env({name: value}, dotenv=False)
        assert info.value.variable == name


def test_scheduler_tuning_is_read_in_config_and_a_bad_value_falls_back_to_the_default():
    from config.settings import Settings, log_level, tls_ca_bundle

    env = {
        "BOT_SCHEDULER_TICK_SECONDS": "1",
        "BOT_SCHEDULER_LEASE_SECONDS": "abc",
        "BOT_NOTICE_CONCURRENCY": "-3",
    }
    s = Settings.from_env(env, dotenv=False)
    assert (s.scheduler_tick_seconds, s.scheduler_lease_seconds) == (1.0, 30.0)
    assert s.notice_concurrency == 16
    assert Settings.from_env({"BOT_NOTICE_CONCURRENCY": "4"}, dotenv=False).notice_concurrency == 4
    assert log_level({}) == "INFO" and log_level({"BOT_LOG_LEVEL": "debug"}) == "debug"
    assert tls_ca_bundle({"CURL_CA_BUNDLE": "/b"}) == "/b"
    assert tls_ca_bundle({"REQUESTS_CA_BUNDLE": "/a", "CURL_CA_BUNDLE": "/b"}) == "/a"
    assert tls_ca_bundle({}) == ""
