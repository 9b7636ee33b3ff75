"""GET/POST /wechat are answered in front of Flask (bot/webhook_wsgi.py): the same answers,
status codes and headers as the Flask view gives, and everything else still reaches Flask."""

from __future__ import annotations

import pytest

from bot.webhook_wsgi import WebhookFastPath, query_args
from tests.wechat_sim import WeChatSim, sign, text_xml


@pytest.fixture
def flask_only(app):  # type: ignore[no-untyped-def]
    """The same app with the fast path taken out: requests go through the Flask view."""
    assert isinstance(app.wsgi_app, WebhookFastPath)
    fast = app.wsgi_app
    app.wsgi_app = fast.app
    yield app.test_client()
    app.wsgi_app = fast


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert (a.status_code, a.headers["Content-Type"]) == (b.status_code, b.headers["Content-Type"])
    assert a.headers["Content-Length"] == str(len(a.data))


def test_answers_as_the_flask_view_does(app, client, flask_only):
    sim = WeChatSim()
    for text in ("帮助", "本周有什么到期", "献一策：建议在菜市场增设公共洗手池"):
        qs, body = sim.envelope(text_xml("u_fast", text))
        fast = client.post("/wechat?" + qs, data=body)
        slow = flask_only.post("/wechat?" + qs, data=body)  # a retry: the same answer
        _same(fast, slow)
        read = [sim.read(r.status_code, r.data).text for r in (fast, slow)]
        assert read[0] and read[0] == read[1]
    q = {"timestamp": "1", "nonce": "2", "echostr": "hi", "signature": sign("testtoken", "1", "2")}
    for c in (client, flask_only):
        resp = c.get("/wechat", query_string=q)
        assert resp.data == b"hi" and resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    bad = dict(q, signature="0" * 40)
    _same(client.get("/wechat", query_string=bad), flask_only.get("/wechat", query_string=bad))
    assert client.get("/wechat", query_string=bad).status_code == 403
    qs, _ = sim.envelope(text_xml("u_fast", "帮助"))
    big = b"<xml>" + b"x" * 70_000 + b"</xml>"
    _same(client.post("/wechat?" + qs, data=big), flask_only.post("/wechat?" + qs, data=big))
    broken = b"<xml"
    _same(client.post("/wechat?" + qs, data=broken), flask_only.post("/wechat?" + qs, data=broken))


def test_other_paths_and_methods_still_reach_flask(client):
    assert client.get("/healthz").status_code in (200, 503)
    assert client.head("/wechat").status_code in (200, 403)  # Flask answers HEAD for the view
    assert client.post("/wechat/").status_code == 404
    assert client.get("/console/login").status_code == 200


def test_an_unexpected_failure_is_answered_as_the_flask_app_does(client, state, monkeypatch):
    def broken(msg):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(state.processor, "handle", broken)
    qs, body = WeChatSim().envelope(text_xml("u_fast", "本周有什么到期"))
    resp = client.post("/wechat?" + qs, data=body)
    assert resp.status_code == 200 and resp.data == b"success"  # never a 500, never a trace


def test_query_args_take_the_first_value():
    assert query_args("a=1&b=&a=2&c=%E4%BD%A0") == {"a": "1", "b": "", "c": "你"}
