"""A fake WeChat official-account API speaking the real JSON over real HTTP on loopback.

Tests start it, point the outbound client at ``base_url`` and then inspect what it received
(``sent``, ``calls``, ``token_fetches``) or make it misbehave (``fail_next``, ``expire_tokens``,
``http_error_next``, ``hang_next``, ``reject_user``, ``latency``). Token semantics follow WeChat:
``/cgi-bin/token`` issues a new token and retires the previous one after ``grace`` seconds
(WeChat: 300 s, here 0 by default so rotation is observable); ``/cgi-bin/stable_token`` returns
the current stable token while it is valid unless ``force_refresh`` is set.

Standalone: ``python -m tests.fakes.fake_wechat --port 0 --latency-ms 20`` prints its base URL
on the first stdout line and serves until killed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

MESSAGE_PATHS = {
    "/cgi-bin/message/custom/send",
    "/cgi-bin/message/template/send",
    "/cgi-bin/message/subscribe/bizsend",
}
TOKEN_PATHS = {"/cgi-bin/token", "/cgi-bin/stable_token"}
MEDIA_PATH = "/cgi-bin/media/get"  # temporary media (photos): see add_media
TEMPLATE_FIELD_MAX = 20
_MORE = "could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r"


def _rid() -> str:
    return f"rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"


def _error(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{errmsg} {_rid()}"}


@dataclass
class _Fault:
    """One queued misbehaviour: a WeChat error, an HTTP status or a hang."""

    kind: str  # "errcode" | "http" | "hang"
    value: float
    times: int
    path_contains: str | None


@dataclass
class _Token:
    value: str
    expires_at: float
    retired_at: float | None = None  # rotation: invalid (40001) from this moment
    expired: bool = False  # expire_tokens(): 42001


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not log request lines (they carry the access token).

    HTTP/1.1, so connections stay open between calls as api.weixin.qq.com keeps them (the
    client's pooled session reuses them); werkzeug's default is HTTP/1.0, one connection
    per call."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip werkzeug's access log."""


class FakeWeChat:
    """Threaded fake of ``api.weixin.qq.com`` for one official account."""

    def __init__(
        self,
        appid: str = "wx_fake_appid",
        secret: str = "fake_secret",
        *,
        latency: float = 0.0,
        grace: float = 0.0,
        token_ttl: int = 7200,
    ) -> None:
        """Configure credentials, per-send latency, rotation grace and token lifetime."""
        self.appid, self.secret = appid, secret
        self.latency, self.grace, self.token_ttl = latency, grace, token_ttl
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._tokens: dict[str, _Token] = {}
        self._current_normal: str | None = None
        self._current_stable: str | None = None
        self._faults: list[_Fault] = []
        self._rejected: dict[str, int] = {}
        self._sent: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        self._fetches: dict[str, int] = {path: 0 for path in TOKEN_PATHS}
        self._msgid = 1000
        self._media: dict[str, tuple[bytes, str]] = {}  # media/get: id -> (body, content type)
        self._media_calls: list[dict[str, Any]] = []
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeWeChat:
        """Start serving on 127.0.0.1 (``port`` 0 = ephemeral) in a daemon thread."""
        self._stopping.clear()
        self._server = make_server(
            "127.0.0.1", port, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-wechat", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests still hanging are released and answered with -1."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeWeChat:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the client appends ``/cgi-bin/...``."""
        if self._server is None:
            raise RuntimeError("FakeWeChat is not running")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- controls --------------------------------------------------------------------------
    def expire_tokens(self) -> None:
        """Make every token issued so far answer 42001 (access_token expired)."""
        with self._lock:
            for token in self._tokens.values():
                token.expired = True

    def fail_next(self, errcode: int, times: int = 1, path_contains: str | None = None) -> None:
        """Answer the next ``times`` matching calls (default: message sends) with ``errcode``."""
        self._queue(_Fault("errcode", errcode, times, path_contains))

    def http_error_next(
        self, status: int = 502, times: int = 1, path_contains: str | None = None
    ) -> None:
        """Answer the next ``times`` matching calls with a bare HTTP ``status``."""
        self._queue(_Fault("http", status, times, path_contains))

    def hang_next(self, seconds: float, times: int = 1, path_contains: str | None = None) -> None:
        """Delay the next ``times`` matching calls by ``seconds`` before handling them."""
        self._queue(_Fault("hang", seconds, times, path_contains))

    def reject_user(self, openid: str, errcode: int = 43004) -> None:
        """Answer every send to ``openid`` with ``errcode`` (e.g. 43004 not following)."""
        with self._lock:
            self._rejected[openid] = errcode

    def add_media(self, media_id: str, body: bytes, content_type: str = "image/jpeg") -> None:
        """Serve ``body`` for ``media_id`` on media/get (an unknown id answers 40007)."""
        with self._lock:
            self._media[media_id] = (body, content_type)

    def drop_media(self, media_id: str) -> None:
        """Forget a media id, as WeChat does after 3 days (media/get then answers 40007)."""
        with self._lock:
            self._media.pop(media_id, None)

    # -- observations ----------------------------------------------------------------------
    @property
    def media_calls(self) -> list[dict[str, Any]]:
        """Every media/get request: media_id, errcode (0 = served; or the HTTP status), time."""
        with self._lock:
            return list(self._media_calls)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Accepted sends: path, openid, touser, body, token, time, msgid (template sends)."""
        with self._lock:
            return list(self._sent)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Every message-endpoint request, accepted or not: path, errcode (or HTTP status)."""
        with self._lock:
            return list(self._calls)

    @property
    def token_fetches(self) -> int:
        """Successful token fetches over both token endpoints."""
        with self._lock:
            return sum(self._fetches.values())

    def fetches(self, path: str) -> int:
        """Successful fetches on one token endpoint, e.g. ``/cgi-bin/stable_token``."""
        with self._lock:
            return self._fetches[path]

    # -- internals -------------------------------------------------------------------------
    def _queue(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                hit = (
                    path in MESSAGE_PATHS
                    if fault.path_contains is None
                    else (fault.path_contains in path)
                )
                if hit:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        status, payload = self._dispatch(request)
        if payload is None:
            response = Response(f"HTTP {status}", status=status, mimetype="text/plain")
        elif "_binary" in payload:  # media/get served a file
            body_bytes, content_type = payload["_binary"]
            response = Response(body_bytes, status=200, content_type=content_type)
        else:
            body = json.dumps(payload, ensure_ascii=False)
            # media/get answers its errors as text/plain, like WeChat does.
            mimetype = "text/plain" if request.path == MEDIA_PATH else "application/json"
            response = Response(body, status=200, mimetype=mimetype)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> tuple[int, dict[str, Any] | None]:
        path = request.path
        if path not in TOKEN_PATHS and path not in MESSAGE_PATHS and path != MEDIA_PATH:
            # WeChat answers an unknown /cgi-bin/ path (e.g. /cgi-bin/cgi-bin/...) with 40066.
            return (
                (200, _error(40066, "invalid url")) if path.startswith("/cgi-bin/") else (404, None)
            )
        if path in MESSAGE_PATHS and self.latency > 0:
            time.sleep(self.latency)
        fault = self._take_fault(path)
        while fault is not None and fault.kind == "hang":
            if self._stopping.wait(fault.value):
                return 200, _error(-1, "system error")
            fault = self._take_fault(path)
        if fault is not None and fault.kind == "http":
            result: tuple[int, dict[str, Any] | None] = (int(fault.value), None)
        elif fault is not None:
            result = 200, _error(int(fault.value), "injected error")
        else:
            result = 200, self._handle(request, path)
        if path in MESSAGE_PATHS:
            code = result[1].get("errcode", 0) if result[1] is not None else result[0]
            with self._lock:
                self._calls.append({"path": path, "errcode": code, "time": time.time()})
        if path == MEDIA_PATH:
            code = result[1].get("errcode", 0) if result[1] is not None else result[0]
            call = {"media_id": request.args.get("media_id", ""), "errcode": code}
            with self._lock:
                self._media_calls.append({**call, "time": time.time()})
        return result

    def _handle(self, request: Request, path: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if request.method == "POST":
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                return _error(47001, "data format error")
            if not isinstance(body, dict):
                return _error(47001, "data format error")
        if path == "/cgi-bin/token":
            return self._issue_token(request.args.to_dict(), stable=False)
        if path == "/cgi-bin/stable_token":
            return self._issue_token(body, stable=True)
        if path == MEDIA_PATH:
            return self._media_get(request.args.get("access_token", ""), request.args)
        return self._send(path, request.args.get("access_token", ""), body)

    def _issue_token(self, params: dict[str, Any], stable: bool) -> dict[str, Any]:
        if params.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if params.get("appid") != self.appid:
            return _error(40013, "invalid appid")
        if params.get("secret") != self.secret:
            return _error(40125, "invalid appsecret, view more at http://t.cn/RAEkdVq")
        now = time.time()
        with self._lock:
            current = self._current_stable if stable else self._current_normal
            old = self._tokens.get(current) if current else None
            force = bool(params.get("force_refresh")) or not stable
            if old is not None and not force and self._valid(old, now):
                self._fetches["/cgi-bin/stable_token"] += 1
                return {"access_token": old.value, "expires_in": int(old.expires_at - now)}
            if old is not None and old.retired_at is None:
                old.retired_at = now + self.grace
            token = _Token(secrets.token_urlsafe(48), now + self.token_ttl)
            self._tokens[token.value] = token
            if stable:
                self._current_stable = token.value
            else:
                self._current_normal = token.value
            self._fetches["/cgi-bin/stable_token" if stable else "/cgi-bin/token"] += 1
        return {"access_token": token.value, "expires_in": self.token_ttl}

    @staticmethod
    def _valid(token: _Token, now: float) -> bool:
        retired = token.retired_at is not None and now >= token.retired_at
        return not token.expired and not retired and now < token.expires_at

    def _token_error(self, access_token: str) -> dict[str, Any] | None:
        """The platform's answer to a missing, rotated or expired token; None if it is valid."""
        now = time.time()
        with self._lock:
            token = self._tokens.get(access_token)
        if not access_token:
            return _error(41001, "access_token missing")
        if token is None or (token.retired_at is not None and now >= token.retired_at):
            return _error(
                40001, f"invalid credential, access_token is invalid or not latest, {_MORE}"
            )
        if token.expired or now >= token.expires_at:
            return _error(42001, f"access_token expired, {_MORE}")
        return None

    def _media_get(self, access_token: str, args: Any) -> dict[str, Any]:
        """media/get: the file (as ``{"_binary": (body, type)}``, rendered by _wsgi) or 40007.
        WeChat answers errors as JSON with a text/plain type; the client must not care."""
        denied = self._token_error(access_token)
        if denied is not None:
            return denied
        with self._lock:
            found = self._media.get(str(args.get("media_id", "")))
        if found is None:
            return _error(40007, "invalid media_id")
        return {"_binary": found}

    def _send(self, path: str, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        with self._lock:
            token = self._tokens.get(access_token)
            rejected = self._rejected.get(str(body.get("touser", "")))
        if not access_token:
            return _error(41001, "access_token missing")
        if token is None or (token.retired_at is not None and now >= token.retired_at):
            return _error(
                40001, f"invalid credential, access_token is invalid or not latest, {_MORE}"
            )
        if token.expired or now >= token.expires_at:
            return _error(42001, f"access_token expired, {_MORE}")
        openid = body.get("touser")
        if not isinstance(openid, str) or not openid:
            return _error(40003, "invalid openid")
        if rejected is not None:
            return _error(rejected, "rejected user")
        result: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/message/template/send":
            for key, field in (body.get("data") or {}).items():
                value = field.get("value") if isinstance(field, dict) else None
                if not isinstance(value, str) or len(value) > TEMPLATE_FIELD_MAX or "\n" in value:
                    return _error(47003, f"argument invalid! data.{key}.value invalid")
        with self._lock:
            if path == "/cgi-bin/message/template/send":
                self._msgid += 1
                result["msgid"] = self._msgid
            self._sent.append(
                {
                    "path": path,
                    "openid": openid,
                    "touser": openid,
                    "body": body,
                    "token": access_token,
                    "time": now,
                    "msgid": result.get("msgid"),  # template sends: what WeChat reports later
                }
            )
        return result


def main(argv: list[str] | None = None) -> None:
    """Run the fake standalone until killed; the first stdout line is its base URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--grace", type=float, default=0.0)
    parser.add_argument("--appid", default="wx_fake_appid")
    parser.add_argument("--secret", default="fake_secret")
    args = parser.parse_args(argv)
    fake = FakeWeChat(args.appid, args.secret, latency=args.latency_ms / 1000, grace=args.grace)
    fake.start(args.port)
    print(fake.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
