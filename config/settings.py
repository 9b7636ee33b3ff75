"""Settings read from the environment (and a `.env` file in the working folder).

Nothing here connects to anything: `Settings.from_env()` only reads and validates values, so
importing this module is free and tests can build a `Settings` by hand.
See ../shared/INTERFACES.md for the public list of variables.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.checks import (  # noqa: F401 - re-exported: config.settings.SettingsError etc.
    DATABASE_SCHEMES,
    REDIS_SCHEMES,
    SettingsError,
    check_aes_key,
    check_database_url,
    check_public_url,
    check_redis_url,
    hide_password,
    normalize_api_base,
    parse_answer_days,
    parse_date,
    parse_days,
    parse_hhmm,
    parse_proxies,
    parse_seconds,
)

log = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_WECOM_API_BASE = "https://qyapi.weixin.qq.com"
INSTANCE_DIR = Path("instance")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    """A tuning number: a bad or non-positive value is warned about and the default used
    (these are for operators and tests, and must never stop a start)."""
    try:
        value = float(env.get(name, "").strip() or default)
    except ValueError:
        log.warning("%s is not a number; using %s", name, default)
        return default
    return value if value > 0 else default


def environment(dotenv: bool = True) -> Mapping[str, str]:
    """The process environment, after loading ./.env into it (existing variables win)."""
    if dotenv:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
    return os.environ


def log_level(env: Mapping[str, str] | None = None) -> str:
    """BOT_LOG_LEVEL (default INFO); read before the other settings, for logging's setup."""
    return (os.environ if env is None else env).get("BOT_LOG_LEVEL", "INFO")


def tls_ca_bundle(env: Mapping[str, str] | None = None) -> str:
    """The CA bundle requests would use (REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE), or ""."""
    env = os.environ if env is None else env
    return env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or ""


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
    # --- scheduler tuning, for operators and tests (jobs/runner.py) ---
    scheduler_tick_seconds: float = 30.0  # BOT_SCHEDULER_TICK_SECONDS
    scheduler_lease_seconds: float = 30.0  # BOT_SCHEDULER_LEASE_SECONDS
    notice_concurrency: int = 16  # BOT_NOTICE_CONCURRENCY: sends in flight per fan-out
    # Timeouts of every round trip (s): PostgreSQL statement (0 = none) and connect, Redis.
    # Bounded, a handler cannot stall past the webhook's budget (bot/inbound.py).
    db_statement_timeout: float = 1.5
    db_connect_timeout: int = 2
    redis_timeout: float = 1.0
    # Reverse proxies in front (BOT_TRUSTED_PROXIES, e.g. 1 behind Nginx): the console's sign-in
    # throttle then counts the client's address from X-Forwarded-For, not the proxy's, which
    # would otherwise lock everyone out together. 0: the header is ignored (it can be forged).
    trusted_proxies: int = 0

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
            env = environment(dotenv)

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        tz = get("BOT_TIMEZONE", "Asia/Shanghai")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"BOT_TIMEZONE={tz!r}: unknown time zone") from exc
        aes = get("WECHAT_AES_KEY")
        for name in ("WECHAT_AES_KEY", "WECOM_AES_KEY"):
            check_aes_key(name, get(name))
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
            reminder_time=parse_hhmm("BOT_REMINDER_TIME", get("BOT_REMINDER_TIME", "09:00")),
            reminder_days=parse_days("BOT_REMINDER_DAYS", get("BOT_REMINDER_DAYS", "3,1,0")),
            today=parse_date("BOT_TODAY", today) if today else None,
            pseudonym_key=get("BOT_PSEUDONYM_KEY"),
            media_dir=get("BOT_MEDIA_DIR"),  # photos kept for good
            secret_key=get("BOT_SECRET_KEY"),
            answer_days=parse_answer_days("BOT_ANSWER_DAYS", get("BOT_ANSWER_DAYS", "15")),
            public_url=check_public_url(get("BOT_PUBLIC_URL")),
            scheduler_tick_seconds=_positive(env, "BOT_SCHEDULER_TICK_SECONDS", 30.0),
            scheduler_lease_seconds=_positive(env, "BOT_SCHEDULER_LEASE_SECONDS", 30.0),
            notice_concurrency=int(_positive(env, "BOT_NOTICE_CONCURRENCY", 16)),
            db_statement_timeout=parse_seconds(
                "BOT_DB_STATEMENT_TIMEOUT", get("BOT_DB_STATEMENT_TIMEOUT"), 1.5
            ),
            db_connect_timeout=int(
                parse_seconds("BOT_DB_CONNECT_TIMEOUT", get("BOT_DB_CONNECT_TIMEOUT"), 2, 1)
            ),
            redis_timeout=parse_seconds("BOT_REDIS_TIMEOUT", get("BOT_REDIS_TIMEOUT"), 1.0, 0.05),
            trusted_proxies=parse_proxies("BOT_TRUSTED_PROXIES", get("BOT_TRUSTED_PROXIES")),
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
