"""Checks and parsers for single settings: each bad value is one line naming the variable (and
never echoing a secret), raised as SettingsError when the settings are read (config/settings.py)."""

from __future__ import annotations

import re
from datetime import date, time


class SettingsError(ValueError):
    """A variable has a value we cannot use; the message names the variable (`variable`)."""

    def __init__(self, message: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable or message.split("=", 1)[0].split()[0]


# --- URLs: checked here so that a bad one is one line at start, never a traceback later --------

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
REDIS_SCHEMES = ("redis", "rediss", "unix")


def hide_password(url: str) -> str:
    """`scheme://user:***@host/...`: safe to print."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, at, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{head}://{user}{':***' if ':' in userinfo else ''}{at}{host}"


def normalize_api_base(name: str, value: str) -> str:
    """The API's root: `https://host`, `https://host/`, `https://host/cgi-bin` and
    `https://host/cgi-bin/` all mean the same (wechatpy's own form ends in /cgi-bin/; the
    client appends `/cgi-bin/...` itself, so keeping it made every call go to
    /cgi-bin/cgi-bin/ and fail with 40066)."""
    url = value.strip().rstrip("/")
    while url.endswith("/cgi-bin"):
        url = url[: -len("/cgi-bin")].rstrip("/")
    scheme, sep, host = url.partition("://")
    if scheme not in ("http", "https") or not sep or not host or " " in host:
        raise SettingsError(
            f"{name}={value!r}: expected an http(s) address such as https://api.weixin.qq.com",
            name,
        )
    return url


def check_database_url(url: str) -> str:
    """`url` if SQLAlchemy can use it with the drivers we ship (SQLite, PostgreSQL/psycopg2)."""
    scheme, sep, _ = url.partition("://")
    dialect, _, driver = scheme.partition("+")
    shown = hide_password(url)
    if not sep:
        raise SettingsError(
            f"DATABASE_URL={shown!r} is not a database URL: use postgresql://user:password@"
            "host:5432/dbname, or unset it for the SQLite file under instance/",
            "DATABASE_URL",
        )
    if dialect not in DATABASE_SCHEMES or (
        driver and driver != ("pysqlite" if dialect == "sqlite" else "psycopg2")
    ):
        raise SettingsError(
            f"DATABASE_URL: '{scheme}://' is not supported; we support sqlite and postgresql "
            "(postgresql://user:password@host:5432/dbname)",
            "DATABASE_URL",
        )
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(
            f"DATABASE_URL={shown!r}: not a valid URL ({exc})", "DATABASE_URL"
        ) from None
    return url


def check_public_url(url: str) -> str:
    """BOT_PUBLIC_URL: an http(s) address without a query, or "" (unset)."""
    if not url:
        return ""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not sep or not host or any(c in url for c in " ?#"):
        raise SettingsError(
            f"BOT_PUBLIC_URL={url!r}: expected the service's public address, such as "
            "https://dtl.example.gov.cn",
            "BOT_PUBLIC_URL",
        )
    return url.rstrip("/")


def check_redis_url(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in REDIS_SCHEMES:
        raise SettingsError(
            f"REDIS_URL={hide_password(url)!r}: expected redis://host:6379/0 (or rediss://, "
            "unix://); unset it for the embedded store (single process only)",
            "REDIS_URL",
        )
    return url


_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")


def check_aes_key(name: str, value: str) -> None:
    """An EncodingAESKey is 43 base64 characters (32 bytes); never echo it (it is a secret)."""
    if value and not _AES_KEY.fullmatch(value):
        problem = (
            f"it has {len(value)}" if len(value) != 43 else "it has a character other than those"
        )
        raise SettingsError(
            f"{name} must be the 43-character EncodingAESKey (letters, digits, + and /); "
            + problem,
            name,
        )


def parse_hhmm(name: str, value: str) -> time:
    try:
        hh, mm = value.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected HH:MM") from exc


def parse_days(name: str, value: str) -> tuple[int, ...]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected numbers separated by commas") from exc
    if not days or any(d < 0 or d > 60 for d in days):
        raise SettingsError(f"{name}={value!r}: days must be between 0 and 60")
    return tuple(days)


def parse_answer_days(name: str, value: str) -> int:
    try:
        days = int(value.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected a whole number of days") from exc
    if not 1 <= days <= 365:
        raise SettingsError(f"{name}={value!r}: days must be between 1 and 365")
    return days


def parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected YYYY-MM-DD") from exc


def parse_seconds(name: str, value: str, default: float, least: float = 0.0) -> float:
    """A number of seconds (decimals allowed), at least `least`; `default` when empty."""
    if not value.strip():
        return default
    try:
        seconds = float(value)
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected a number of seconds") from exc
    if not least <= seconds <= 600:
        raise SettingsError(f"{name}={value!r}: expected seconds between {least:g} and 600")
    return seconds


def parse_proxies(name: str, value: str) -> int:
    """How many reverse proxies stand in front of the app (0-5): their X-Forwarded-For and
    X-Forwarded-Proto are then believed, and no others (a client could forge them)."""
    text = value.strip() or "0"
    if not text.isdigit() or int(text) > 5:
        raise SettingsError(f"{name}={value!r}: expected the number of proxies in front, 0 to 5")
    return int(text)
