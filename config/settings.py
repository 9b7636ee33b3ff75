"""Settings read from the environment (and a `.env` file in the working folder).

Nothing here connects to anything: `Settings.from_env()` only reads and validates values, so
importing this module is free and tests can build a `Settings` by hand.
See ../shared/INTERFACES.md for the public list of variables.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com"
INSTANCE_DIR = Path("instance")


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


def _check_aes_key(name: str, value: str) -> None:
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


def _parse_hhmm(name: str, value: str) -> time:
    try:
        hh, mm = value.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected HH:MM") from exc


def _parse_days(name: str, value: str) -> tuple[int, ...]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected numbers separated by commas") from exc
    if not days or any(d < 0 or d > 60 for d in days):
        raise SettingsError(f"{name}={value!r}: days must be between 0 and 60")
    return tuple(days)


def _parse_answer_days(name: str, value: str) -> int:
    try:
        days = int(value.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected a whole number of days") from exc
    if not 1 <= days <= 365:
        raise SettingsError(f"{name}={value!r}: days must be between 1 and 365")
    return days


def _parse_seconds(name: str, value: str, default: float, least: float = 0.0) -> float:
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


def _parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}={value!r}: expected YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the assistant can be told from outside."""

    wechat_token: str = "dev-token"
    wechat_token_is_default: bool = True
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_template_id: str = ""
    wechat_api_base_url: str = DEFAULT_API_BASE
    wecom_api_base_url: str = DEFAULT_WECOM_API_BASE
    wecom_corp_id: str = ""
    wecom_agent_id: str = ""
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    database_url: str = ""
    redis_url: str = ""
    # Prepended to every Redis key: several installs (or test runs) can share one Redis.
    redis_prefix: str = ""
    timezone: str = "Asia/Shanghai"
    reminder_time: time = time(9, 0)
    reminder_days: tuple[int, ...] = (3, 1, 0)
    today: date | None = None
    # Key for the stable pseudonym of a user (keyed hash of the openid). Defaults to a key kept
    # in instance/ so pseudonyms stay stable across restarts of an embedded install.
    pseudonym_key: str = ""
    # --- photos kept for good (bot/photo_fetcher.py) ---
    # Where photos sent with a suggestion are downloaded to (BOT_MEDIA_DIR); "" = instance/media.
    media_dir: str = ""
    # --- end photos ---
    # Signs the console's session cookies (BOT_SECRET_KEY); default: a key kept in instance/.
    secret_key: str = ""
    # --- statistics (services/stats.py): the time an answer is due (BOT_ANSWER_DAYS) ---
    # Calendar days, weekends and holidays included, counted from the moment the idea was
    # sent: the 12345 hotlines' "15 个工作日" would need a holiday calendar we do not have, and
    # a calendar-day limit is the stricter one, so nothing late is ever hidden. An idea is
    # overdue when it is still unanswered after this many days (declined ones excepted), or
    # when its answer came later than that.
    answer_days: int = 15
    # The public address of this service (BOT_PUBLIC_URL, e.g. https://dtl.example.gov.cn):
    # template messages link to the answer page under it; unset, they carry no link.
    public_url: str = ""
    # Timeouts of every round trip (s): PostgreSQL statement (0 = none) and connect, Redis.
    # Bounded, a handler cannot stall past the webhook's budget (bot/inbound.py).
    db_statement_timeout: float = 1.5
    db_connect_timeout: int = 2
    redis_timeout: float = 1.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def outbound_enabled(self) -> bool:
        return bool(self.wechat_appid and self.wechat_secret)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(INSTANCE_DIR / 'bot.sqlite3').resolve()}"

    @property
    def effective_media_dir(self) -> Path:
        """The photo folder, absolute (resolved against the working folder at start)."""
        return Path(self.media_dir or INSTANCE_DIR / "media").expanduser().resolve()

    def effective_secret_key(self) -> str:
        """BOT_SECRET_KEY, or the key kept in instance/ (created on first use)."""
        return self.secret_key or instance_secret("console.key")

    def with_(self, **changes: object) -> Settings:
        """A copy with some values changed (tests and `chat --today`)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
        """Read settings from `env` (default: os.environ, after loading ./.env if present)."""
        if env is None:
            if dotenv:
                from dotenv import load_dotenv

                load_dotenv(Path.cwd() / ".env", override=False)
            env = os.environ

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        tz = get("BOT_TIMEZONE", "Asia/Shanghai")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"BOT_TIMEZONE={tz!r}: unknown time zone") from exc
        aes = get("WECHAT_AES_KEY")
        for name in ("WECHAT_AES_KEY", "WECOM_AES_KEY"):
            _check_aes_key(name, get(name))
        database_url, redis_url = get("DATABASE_URL"), get("REDIS_URL")
        token = get("WECHAT_TOKEN")
        today = get("BOT_TODAY")
        return cls(
            wechat_token=token or "dev-token",
            wechat_token_is_default=not token,
            wechat_appid=get("WECHAT_APPID"),
            wechat_secret=get("WECHAT_SECRET"),
            wechat_aes_key=aes,
            wechat_template_id=get("WECHAT_TEMPLATE_ID"),
            wechat_api_base_url=normalize_api_base(
                "WECHAT_API_BASE_URL", get("WECHAT_API_BASE_URL") or DEFAULT_API_BASE
            ),
            wecom_api_base_url=normalize_api_base(
                "WECOM_API_BASE_URL", get("WECOM_API_BASE_URL") or DEFAULT_WECOM_API_BASE
            ),
            wecom_corp_id=get("WECOM_CORP_ID"),
            wecom_agent_id=get("WECOM_AGENT_ID"),
            wecom_secret=get("WECOM_SECRET"),
            wecom_token=get("WECOM_TOKEN"),
            wecom_aes_key=get("WECOM_AES_KEY"),
            database_url=check_database_url(database_url) if database_url else "",
            redis_url=check_redis_url(redis_url) if redis_url else "",
            redis_prefix=get("BOT_REDIS_PREFIX"),
            timezone=tz,
            reminder_time=_parse_hhmm("BOT_REMINDER_TIME", get("BOT_REMINDER_TIME", "09:00")),
            reminder_days=_parse_days("BOT_REMINDER_DAYS", get("BOT_REMINDER_DAYS", "3,1,0")),
            today=_parse_date("BOT_TODAY", today) if today else None,
            pseudonym_key=get("BOT_PSEUDONYM_KEY"),
            media_dir=get("BOT_MEDIA_DIR"),  # photos kept for good
            secret_key=get("BOT_SECRET_KEY"),
            answer_days=_parse_answer_days("BOT_ANSWER_DAYS", get("BOT_ANSWER_DAYS", "15")),
            public_url=check_public_url(get("BOT_PUBLIC_URL")),
            db_statement_timeout=_parse_seconds(
                "BOT_DB_STATEMENT_TIMEOUT", get("BOT_DB_STATEMENT_TIMEOUT"), 1.5
            ),
            db_connect_timeout=int(
                _parse_seconds("BOT_DB_CONNECT_TIMEOUT", get("BOT_DB_CONNECT_TIMEOUT"), 2, 1)
            ),
            redis_timeout=_parse_seconds("BOT_REDIS_TIMEOUT", get("BOT_REDIS_TIMEOUT"), 1.0, 0.05),
        )


def instance_secret(name: str) -> str:
    """A random secret kept in instance/<name> (created on first use) for embedded installs."""
    path = INSTANCE_DIR / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value, encoding="utf-8")
    return value
