"""Outbound WeChat official-account API: customer-service and template messages.

Design: we subclass ``wechatpy.client.WeChatClient`` only for its request machinery
(``post`` -> ``_request`` -> ``_handle_result``: URL joining, UTF-8 JSON bodies, errcode parsing)
and take everything else away from it, because wechatpy 1.8.18 gets the rest wrong for several
processes: ``auto_retry`` is off (its retry recurses without bound), every call carries our
timeout (its default is none), the base URL is configurable (its token URL is hard-coded), and
the access_token never comes from wechatpy's session: we pass it explicitly on every call.

The token lives in Redis under ``wechat:token:{appid}`` (TTL = expires_in - 300 s) and is fetched
with ``POST /cgi-bin/stable_token`` (no rotation) under a Redis lock with a double check, so N
threads or processes that meet an expired token cause exactly one fetch. A token error
(40001/40014/42001) triggers one refresh and one retry; a second one raises.

Errors surface as :class:`WeChatAPIError` with a ``kind`` the caller acts on: ``token``,
``retry_later`` or ``give_up``. Logs never carry the token, the secret or a raw openid.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests
from redis.exceptions import LockError, RedisError
from requests.adapters import HTTPAdapter
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot import wechat_media
from bot.outbound_status import OutboundMonitor
from config.settings import normalize_api_base, tls_ca_bundle

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
TRANSPORT_ERROR = -2  # our code for timeouts, connection errors, HTTP errors, garbage answers
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
RETRY_LATER_ERRORS = frozenset({45009, 45011, -1, TRANSPORT_ERROR})
TEMPLATE_FIELD_MAX = 20
_JSON = {"Content-Type": "application/json; charset=utf-8"}
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


def _install_log_redaction() -> None:
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


class _WeChatPyClient(WeChatClient):
    """wechatpy's client with our base URL, timeout and token store; never retries itself."""

    def __init__(self, appid: str, secret: str, base_url: str, timeout: float) -> None:
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = normalize_api_base("base_url", base_url) + "/cgi-bin/"
        self.tokens: TokenStore | None = None

    @property
    def access_token(self) -> str:
        """Used only if someone calls wechatpy's own API objects: the shared token."""
        if self.tokens is None:
            raise AttributeError("access_token")  # also keeps wechatpy's __new__ scan quiet
        return self.tokens.get()

    def fetch_access_token(self) -> dict[str, Any]:
        """wechatpy's hook, redirected to the shared store (never /cgi-bin/token)."""
        if self.tokens is None:
            raise RuntimeError("token store not attached")
        return {"access_token": self.tokens.refresh(failed=self.tokens.get())}


class WeChatSender:
    """Sends through the real WeChat API (or any server at ``base_url``)."""

    def __init__(
        self,
        appid: str,
        secret: str,
        redis_client: Any,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 5.0,
        pseudonym: Callable[[str], str] | None = None,
        key_prefix: str = "",
    ) -> None:
        """One pooled HTTP session per sender; the token is shared through ``redis_client``."""
        _install_log_redaction()
        self.appid, self.timeout = appid, timeout
        self._secret = secret
        self._pseudonym = pseudonym or default_pseudonym
        self.client = _WeChatPyClient(appid, secret, base_url, timeout)
        self.client._http.close()
        self.client._http = session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # The environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) is read once here, not
        # scanned again on every call: with 10,000 pushes that scan was a tenth of the CPU.
        session.proxies = requests.utils.get_environ_proxies(base_url)
        bundle = tls_ca_bundle()
        if bundle:
            session.verify = bundle
        session.trust_env = False
        self.tokens = TokenStore(
            redis_client, appid, self._fetch_token, 2 * timeout + 5, key_prefix
        )
        self.client.tokens = self.tokens
        # The last result for /healthz, and one error line per run of account-wide failures.
        self.monitor = OutboundMonitor(
            redis_client, key_prefix, self.client.API_BASE_URL.removesuffix("/cgi-bin/")
        )

    def send_text(self, openid: str, text: str) -> None:
        """Customer-service text (only inside the user's 48-hour window)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        self._call("message/custom/send", body, openid)

    def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> int | str | None:
        """Template message from plain values; bad fields raise before any HTTP call.
        Returns WeChat's msgid (its TEMPLATESENDJOBFINISH report names it)."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": template_data(data),
        }
        if url:
            body["url"] = url
        msgid: int | str | None = self._call("message/template/send", body, openid).get("msgid")
        return msgid

    def send_subscribe(
        self, openid: str, template_id: str, data: dict[str, str], page: str | None = None
    ) -> None:
        """Subscription message (``message/subscribe/bizsend``); needs the user's consent."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: {"value": v} for k, v in data.items()},
        }
        if page:
            body["page"] = page
        self._call("message/subscribe/bizsend", body, openid)

    # --- media/get: photos kept for good (bot/photo_fetcher.py) ---------------------------
    def get_media(
        self, media_id: str, max_bytes: int = wechat_media.MAX_MEDIA_BYTES
    ) -> tuple[bytes, str]:
        """Download a temporary media file: ``(bytes, content type)``. The same session,
        timeout and token as the sends; a token error refreshes once and retries once;
        anything else raises WeChatAPIError (40007: the id is unknown or its 3 days are over)."""
        try:
            token = self.tokens.get()
            try:
                return self._get_media(media_id, token, max_bytes)
            except WeChatAPIError as exc:
                if exc.errcode not in TOKEN_ERRORS:
                    raise
                logger.info("media/get: token rejected (%s), refreshing", exc.errcode)
            return self._get_media(media_id, self.tokens.refresh(failed=token), max_bytes)
        except WeChatAPIError as exc:
            logger.warning(
                "media/get failed: errcode=%s kind=%s errmsg=%s", exc.errcode, exc.kind, exc.errmsg
            )
            raise

    def _get_media(self, media_id: str, token: str, max_bytes: int) -> tuple[bytes, str]:
        url = self.client.API_BASE_URL + "media/get"
        params = {"access_token": token, "media_id": media_id}
        try:
            return wechat_media.download(self.client._http, url, params, self.timeout, max_bytes)
        except wechat_media.MediaFailure as exc:
            raise WeChatAPIError(exc.errcode, exc.errmsg, exc.kind) from None

    # --- end media/get ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self.client._http.close()

    def __enter__(self) -> WeChatSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, endpoint: str, body: dict[str, Any], openid: str) -> dict[str, Any]:
        """POST with the shared token; on a token error refresh once and retry once."""
        who = self._pseudonym(openid)
        try:
            token = self.tokens.get()
            try:
                result = self._post(endpoint, body, token)
            except WeChatAPIError as exc:
                if exc.errcode not in TOKEN_ERRORS:
                    raise
                logger.info("%s to %s: token rejected (%s), refreshing", endpoint, who, exc.errcode)
                result = self._post(endpoint, body, self.tokens.refresh(failed=token))
        except WeChatAPIError as exc:
            self.monitor.failed(endpoint, exc.errcode, exc.errmsg, who)
            raise
        self.monitor.ok(endpoint)
        return result

    def _post(self, endpoint: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        """One HTTP call through wechatpy's machinery, every failure as WeChatAPIError."""
        params = {"access_token": token} if token is not None else None
        try:
            result = self.client.post(endpoint, params=params, data=body, headers=_JSON)
        except WeChatClientException as exc:
            if exc.errcode is not None:
                raise WeChatAPIError(int(exc.errcode), str(exc.errmsg)) from None
            status = getattr(exc.response, "status_code", 0)
            kind = "retry_later" if status >= 500 or status in (0, 429) else "give_up"
            raise WeChatAPIError(TRANSPORT_ERROR, f"HTTP {status} from {endpoint}", kind) from None
        except requests.Timeout:
            msg = f"timeout after {self.timeout}s calling {endpoint}"
            raise WeChatAPIError(TRANSPORT_ERROR, msg) from None
        except requests.RequestException as exc:
            msg = f"{type(exc).__name__} calling {endpoint}: {redact(str(exc))}"
            raise WeChatAPIError(TRANSPORT_ERROR, msg) from None
        if not isinstance(result, dict):
            raise WeChatAPIError(TRANSPORT_ERROR, f"non-JSON answer from {endpoint}")
        return result

    def _fetch_token(self) -> tuple[str, int]:
        """``POST /cgi-bin/stable_token`` in normal mode (does not rotate the token)."""
        body = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self._secret,
            "force_refresh": False,
        }
        result = self._post("stable_token", body, token=None)
        if not result.get("access_token"):
            raise WeChatAPIError(TRANSPORT_ERROR, "stable_token answer without access_token")
        return str(result["access_token"]), int(result.get("expires_in", 7200))


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


def build_sender(
    appid: str | None,
    secret: str | None,
    redis_client: Any,
    base_url: str | None = None,
    timeout: float | None = None,
    pseudonym: Callable[[str], str] | None = None,
    key_prefix: str = "",
) -> OutboundSender:
    """A WeChatSender when both credentials are set, else a RecordingSender."""
    if not (appid and secret):
        return RecordingSender(pseudonym)
    return WeChatSender(
        appid,
        secret,
        redis_client,
        base_url or DEFAULT_BASE_URL,
        timeout or 5.0,
        pseudonym,
        key_prefix,
    )
