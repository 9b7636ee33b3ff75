"""Baseline (c): the thinnest Flask + wechatpy echo, served by gunicorn as `bench.echo_flask:app`.

check_signature → parse_message → create_reply(text). The token comes from WECHAT_TOKEN.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from wechatpy import create_reply, parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

TOKEN = os.environ.get("WECHAT_TOKEN", "bench-token")
app = Flask(__name__)


def refused_or_verified() -> Response | None:
    """The URL check and the signature: a response to give now, or None for a signed POST.
    Shared with baseline (d), bench/echo_storage.py."""
    args = request.args
    try:
        check_signature(TOKEN, args.get("signature", ""), args.get("timestamp", ""),
                        args.get("nonce", ""))
    except InvalidSignatureException:
        return Response("forbidden", status=403)
    if request.method == "GET":
        return Response(args.get("echostr", ""), mimetype="text/plain")
    return None


@app.route("/wechat", methods=["GET", "POST"])
def wechat() -> Response:
    early = refused_or_verified()
    if early is not None:
        return early
    msg = parse_message(request.get_data())
    text = msg.content if msg.type == "text" else "success"
    return Response(create_reply(text, msg).render(), mimetype="application/xml")
