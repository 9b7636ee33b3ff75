"""The official account's callback at /wechat: verify → decrypt → dedup → parse → dispatch →
render → encrypt. A thin view: everything it decides is in bot.wechat_protocol and bot.inbound.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, current_app, request

from bot import wechat_protocol as proto
from bot.app_state import AppState

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


@bp.route("/wechat", methods=["GET", "POST"])
def wechat() -> Response:
    """The Flask view. GET and POST normally reach respond() through WebhookFastPath
    (bot/webhook_wsgi.py) without Flask's request machinery; this view serves them when the
    app is used without it."""
    state: AppState = current_app.extensions["bot"]
    status, mimetype, body = respond(
        state, request.method, request.args, request.content_length, request.stream.read
    )
    return Response(body, status=status, mimetype=mimetype)


Answer = tuple[int, str, str]  # (HTTP status, mimetype, body)


def _text(body: str, status: int = 200) -> Answer:
    return status, "text/plain", body


def respond(
    state: AppState,
    method: str,
    args: Mapping[str, str],
    content_length: int | None,
    read: Callable[[int], bytes],
) -> Answer:
    """One callback, whatever serves it: `args` is the query string (first value of each
    name), `content_length` the declared body size if any, `read(n)` reads the body."""
    settings = state.settings
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    encrypted = args.get("encrypt_type", "raw").lower() == "aes"
    # Plain and compatible mode sign the query with `signature`; safe mode may carry only
    # `msg_signature` (over the Encrypt text, checked when decrypting). One of them must verify.
    verified = False
    try:
        if "signature" in args or method == "GET" or not encrypted:
            proto.check_signature(
                settings.wechat_token, args.get("signature", ""), timestamp, nonce
            )
            verified = True
    except proto.BadSignature:
        log.warning("/wechat: bad signature")
        return _text("forbidden", 403)
    if method == "GET":
        return _text(args.get("echostr", ""))

    if content_length is not None and content_length > proto.MAX_BODY:
        return _text("payload too large", 413)
    body = read(proto.MAX_BODY + 1)  # raw body, whatever the Content-Type
    if len(body) > proto.MAX_BODY:
        return _text("payload too large", 413)

    try:
        fields = proto.parse_xml(body)
        if encrypted and "Encrypt" in fields and state.cipher is not None:
            plain = state.cipher.decrypt(
                fields["Encrypt"], args.get("msg_signature", ""), timestamp, nonce
            )
            fields = proto.parse_xml(plain)
            verified = True
        else:
            if encrypted and state.cipher is None:
                log.error("/wechat: encrypted message but WECHAT_AES_KEY is unset")
            encrypted = False  # compatible mode read from its plain copy, answered plain
        if not verified:
            raise proto.BadSignature()
        msg = proto.to_incoming(fields, channel="wechat")
    except proto.BadSignature:
        log.warning("/wechat: bad msg_signature")
        return _text("forbidden", 403)
    except proto.BadMessage as exc:
        log.warning("/wechat: bad message: %s", exc)
        return _text("bad request", 400)

    answer = state.processor.handle(msg)
    if not answer:
        return _text("success")
    xml = proto.render_text(msg.user, fields.get("ToUserName", ""), answer)
    if encrypted and state.cipher is not None:
        xml = state.cipher.encrypt(xml, nonce or secrets.token_hex(8), timestamp or None)
    return 200, "application/xml", xml
