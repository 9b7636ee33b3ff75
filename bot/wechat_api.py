"""What every call to the WeChat API shares: error codes and their kinds, WeChatAPIError,
log redaction, template data, the access token shared through Redis (`TokenStore`), the
`OutboundSender` protocol and the `RecordingSender` used without credentials. Split out of
bot/wechat_client.py (the real sender), which re-exports these names."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from redis.exceptions import LockError, RedisError

logger = logging.getLogger("bot.wechat_client")  # one logger for the whole outbound client
DEFAULT_BASE_URL = "https://api.weixin.qq.com"
TRANSPORT_ERROR = -2  # our code for timeouts, connection errors, HTTP errors, garbage answers
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
RETRY_LATER_ERRORS = frozenset({45009, 45011, -1, TRANSPORT_ERROR})
TEMPLATE_FIELD_MAX = 20
_SECRET_IN_TEXT = re.compile(r"(access_token|secret)=[^&\s'\"]+")


def error_kind(errcode: int) -> str:
    """Classify a WeChat errcode: ``token``, ``retry_later`` or ``give_up``."""
    if errcode in TOKEN_ERRORS:
        return "token"
    return "retry_later" if errcode in RETRY_LATER_ERRORS else "give_up"


class WeChatAPIError(Exception):
    """A failed WeChat API call; ``kind`` says whether to retry later or give up."""

    def __init__(self, errcode: int, errmsg: str, kind: str | None = None) -> None:
        """Keep the errcode and message; ``kind`` defaults to :func:`error_kind`."""
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.kind = kind or error_kind(errcode)


def default_pseudonym(openid: str) -> str:
    """A short stable pseudonym for logs: ``u-`` and 10 hex digits of sha256(openid)."""
    return "u-" + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


def redact(text: str) -> str:
    """Hide ``access_token=...`` and ``secret=...`` values in a URL or message."""
    return _SECRET_IN_TEXT.sub(r"\1=***", text)


class _RedactFilter(logging.Filter):
    """urllib3 logs request lines at DEBUG, query string (and so the token) included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message or "secret=" in message:
            record.msg, record.args = redact(message), ()
        return True


def install_log_redaction() -> None:
    """Attach the redacting filter to urllib3's logger once per process."""
    pool_logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactFilter) for f in pool_logger.filters):
        pool_logger.addFilter(_RedactFilter())


def template_data(data: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Build WeChat's ``{"key": {"value": v}}``; a field over 20 characters or with a line
    break raises WeChatAPIError(47003) kind ``give_up`` (WeChat's rule since 2023-05)."""
    fields = {}
    for key, value in data.items():
        if not isinstance(value, str) or len(value) > TEMPLATE_FIELD_MAX or "\n" in value:
            raise WeChatAPIError(
                47003, f"argument invalid! data.{key}.value invalid (max 20 chars, one line)"
            )
        fields[key] = {"value": value}
    return fields


class TokenStore:
    """One access_token per appid shared through Redis, refreshed under a Redis lock."""

    def __init__(
        self,
        redis_client: Any,
        appid: str,
        fetch: Callable[[], tuple[str, int]],
        lock_timeout: float = 15.0,
        key_prefix: str = "",
    ) -> None:
        """``fetch`` asks WeChat for a token and returns ``(token, expires_in)``."""
        self._redis, self._fetch, self._lock_timeout = redis_client, fetch, lock_timeout
        self.key = f"{key_prefix}wechat:token:{appid}"
        self.lock_key = f"{key_prefix}wechat:token-lock:{appid}"

    def get(self) -> str:
        """The shared token, fetched first if Redis has none."""
        return self._read() or self.refresh(failed=None)

    def refresh(self, failed: str | None) -> str:
        """Replace ``failed`` (None: no token yet). Double check under the lock: if another
        thread or process already stored a different token, use it instead of fetching."""
        lock = self._redis.lock(
            self.lock_key,
            timeout=self._lock_timeout,
            blocking_timeout=self._lock_timeout,
        )
        try:
            with lock:
                current = self._read()
                if current and current != failed:
                    return current
                token, expires_in = self._fetch()
                ttl = max(expires_in - 300, expires_in // 2, 1)
                self._redis.set(self.key, token, ex=ttl)
                logger.info("fetched a new access_token for %s (ttl %ss)", self.key, ttl)
                return token
        except LockError as exc:
            current = self._read()
            if current and current != failed:
                return current
            raise WeChatAPIError(TRANSPORT_ERROR, f"token lock: {exc}") from None
        except RedisError as exc:
            raise WeChatAPIError(TRANSPORT_ERROR, f"token store: {type(exc).__name__}") from None

    def _read(self) -> str | None:
        try:
            value = self._redis.get(self.key)
        except RedisError as exc:
            raise WeChatAPIError(TRANSPORT_ERROR, f"token store: {type(exc).__name__}") from None
        return value.decode() if isinstance(value, bytes) else value


class OutboundSender(Protocol):
    """What handlers and jobs need to reach a user outside the passive reply."""

    def send_text(self, openid: str, text: str) -> None:
        """Send a customer-service text message."""
        ...

    def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> int | str | None:
        """Send a template message built from plain field values; WeChat's msgid, if any."""
        ...


class RecordingSender:
    """Records what would have been sent (WECHAT_APPID/SECRET unset); sends nothing."""

    def __init__(self, pseudonym: Callable[[str], str] | None = None) -> None:
        """``sent`` holds one dict per send: kind, openid, time and the message fields."""
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._pseudonym = pseudonym or default_pseudonym

    def send_text(self, openid: str, text: str) -> None:
        """Record a customer-service text."""
        self._record("text", openid, text=text)

    def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> None:
        """Record a template message (validated like the real sender)."""
        template_data(data)
        self._record("template", openid, template_id=template_id, data=dict(data), url=url)

    def send_subscribe(
        self, openid: str, template_id: str, data: dict[str, str], page: str | None = None
    ) -> None:
        """Record a subscription message."""
        self._record("subscribe", openid, template_id=template_id, data=dict(data), page=page)

    def _record(self, kind: str, openid: str, **fields: Any) -> None:
        with self._lock:
            self.sent.append({"kind": kind, "openid": openid, "time": time.time(), **fields})
        logger.info("recorded %s message for %s (outbound API not configured)", kind,
                    self._pseudonym(openid))  # fmt: skip
