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

import logging
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot import wechat_media
from bot.outbound_status import OutboundMonitor
from bot.wechat_api import (
    DEFAULT_BASE_URL,
    TOKEN_ERRORS,
    TRANSPORT_ERROR,
    OutboundSender,
    RecordingSender,
    TokenStore,
    WeChatAPIError,
    default_pseudonym,
    install_log_redaction,
    redact,
    template_data,
)
from config.settings import normalize_api_base, tls_ca_bundle

logger = logging.getLogger(__name__)

_JSON = {"Content-Type": "application/json; charset=utf-8"}


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
        install_log_redaction()
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
