"""The sign-in throttle behind a reverse proxy (BOT_TRUSTED_PROXIES): the client's address
comes from X-Forwarded-For only when a proxy is declared, so neither can one attacker lock
every user out through the proxy's address, nor can a forged header dodge the throttle."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import Settings, SettingsError
from services import accounts
from tests.e2e.test_console import people, sign_in  # noqa: F401 - the accounts fixture

WRONG = "not the password"


def _fail_from(client, address: str, times: int) -> list[int]:  # type: ignore[no-untyped-def]
    codes = []
    for n in range(times):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        codes.append(sign_in(client, f"nobody{n}", WRONG).status_code)
    return codes


@pytest.fixture
def proxied_client(people):  # type: ignore[no-untyped-def] # noqa: F811
    from bot.app import create_app

    people.settings = replace(people.settings, trusted_proxies=1)
    return create_app(state=people).test_client()


def test_behind_a_declared_proxy_each_client_address_is_throttled_alone(proxied_client):  # type: ignore[no-untyped-def]
    codes = _fail_from(proxied_client, "203.0.113.7", accounts.ADDRESS_FAILURES + 1)
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
    # another resident office behind the same proxy still signs in
    proxied_client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.20"
    assert sign_in(proxied_client, "rev").status_code == 302


def test_without_a_declared_proxy_a_forged_header_does_not_dodge_the_throttle(client, people):  # type: ignore[no-untyped-def] # noqa: F811
    codes = []
    for n in range(accounts.ADDRESS_FAILURES + 1):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"  # a new address each try
        codes.append(sign_in(client, f"nobody{n}", WRONG).status_code)
    assert codes[-1] == 429  # counted against the real peer address all the same


def test_a_bad_proxy_count_is_a_one_line_error() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"BOT_TRUSTED_PROXIES": "many"})
    assert "BOT_TRUSTED_PROXIES" in str(err.value) and "\n" not in str(err.value)
    assert Settings.from_env({"BOT_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
