"""Settings read from the environment (and a `.env` file in the working folder).

Nothing here connects to anything: `Settings.from_env()` only reads and validates values, so
importing this module is free and tests can build a `Settings` by hand.
See ../shared/INTERFACES.md for the public list of variables.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE = "https://api.weixin.qq.com"
INSTANCE_DIR = Path("instance")


class SettingsError(ValueError):
    """A variable has a value we cannot use; the message names the variable."""


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
    # Signs the console's session cookies (BOT_SECRET_KEY); default: a key kept in instance/.
    secret_key: str = ""

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
        if aes and len(aes) != 43:
            raise SettingsError("WECHAT_AES_KEY must be 43 characters (the EncodingAESKey)")
        token = get("WECHAT_TOKEN")
        today = get("BOT_TODAY")
        return cls(
            wechat_token=token or "dev-token",
            wechat_token_is_default=not token,
            wechat_appid=get("WECHAT_APPID"),
            wechat_secret=get("WECHAT_SECRET"),
            wechat_aes_key=aes,
            wechat_template_id=get("WECHAT_TEMPLATE_ID"),
            wechat_api_base_url=get("WECHAT_API_BASE_URL", DEFAULT_API_BASE).rstrip("/"),
            wecom_corp_id=get("WECOM_CORP_ID"),
            wecom_agent_id=get("WECOM_AGENT_ID"),
            wecom_secret=get("WECOM_SECRET"),
            wecom_token=get("WECOM_TOKEN"),
            wecom_aes_key=get("WECOM_AES_KEY"),
            database_url=get("DATABASE_URL"),
            redis_url=get("REDIS_URL"),
            redis_prefix=get("BOT_REDIS_PREFIX"),
            timezone=tz,
            reminder_time=_parse_hhmm("BOT_REMINDER_TIME", get("BOT_REMINDER_TIME", "09:00")),
            reminder_days=_parse_days("BOT_REMINDER_DAYS", get("BOT_REMINDER_DAYS", "3,1,0")),
            today=_parse_date("BOT_TODAY", today) if today else None,
            pseudonym_key=get("BOT_PSEUDONYM_KEY"),
            secret_key=get("BOT_SECRET_KEY"),
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
