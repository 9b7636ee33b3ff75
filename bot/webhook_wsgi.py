"""/wechat without Flask's per-request machinery (issue 12).

A WeChat callback is machine to machine: no session, no sign-in, no CSRF, no templates. Flask
still did all of its per-request work for it — a request context, URL matching, opening and
saving a session, the sign-in extension's after-request hook, a Response object — which cost
more CPU than the whole of a fixed answer (帮助) did (bench/README.md, "Where the time goes").
This WSGI layer in front of the Flask app sends GET and POST /wechat straight to
bot.webhook.respond(), the same function the Flask view calls, and everything else (the
console, /healthz, HEAD and OPTIONS /wechat) to Flask unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from bot.app_state import AppState
from bot.webhook import respond

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PATH = "/wechat"
_STATUS = {code: f"{code} {reason}" for code, reason in HTTP_STATUS_CODES.items()}
_TYPES = {  # as Flask's Response would say them
    "text/plain": "text/plain; charset=utf-8",
    "application/xml": "application/xml; charset=utf-8",
}


def query_args(query: str) -> dict[str, str]:
    """The query string's names and values, the first value of a repeated name (as Flask's
    request.args.get gives), undecodable bytes replaced."""
    args: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        args.setdefault(name, value)
    return args


class WebhookFastPath:
    """WSGI middleware: GET/POST `PATH` answered by bot.webhook.respond, the rest by `app`."""

    def __init__(self, app: WSGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "POST"):
            return self.app(environ, start_response)
        try:
            status, mimetype, text = respond(
                self.state,
                method,
                query_args(environ.get("QUERY_STRING", "")),
                get_content_length(environ),
                get_input_stream(environ).read,
            )
        except Exception:  # as the Flask app's error handler (bot/app.py): logged, "success"
            # Never a 500 to WeChat: after its retries it shows the user "该公众号暂时无法提供服务".
            log.exception("Exception on %s [%s]", PATH, method)
            status, mimetype, text = 200, "text/plain", "success"
        body = text.encode("utf-8")
        start_response(
            _STATUS.get(status, f"{status} UNKNOWN"),
            [("Content-Type", _TYPES.get(mimetype, mimetype)), ("Content-Length", str(len(body)))],
        )
        return [body]
