"""A WeChat server simulator for tests and benchmarks: builds the callbacks WeChat sends
(plain, compatible and safe mode, signed as WeChat signs them) and reads the answers back,
verifying the signature of encrypted answers."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from defusedxml.ElementTree import fromstring

from bot.wechat_protocol import Cipher

_ids = itertools.count(int(time.time() * 1000) % 10**12)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def text_xml(user: str, content: str, msg_id: int | None = None, to: str = "gh_test") -> str:
    msg_id = next(_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def voice_xml(user: str, recognition: str, msg_id: int | None = None) -> str:
    msg_id = next(_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{user}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>voice</MsgType>"
        f"<MediaId>media{msg_id}</MediaId><Format>amr</Format>"
        f"<Recognition>{escape(recognition)}</Recognition><MsgId>{msg_id}</MsgId></xml>"
    )


def image_xml(user: str, msg_id: int | None = None) -> str:
    msg_id = next(_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{user}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>image</MsgType>"
        f"<PicUrl>http://mmbiz.example/{msg_id}.jpg</PicUrl><MediaId>img{msg_id}</MediaId>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(user: str, event: str, key: str = "", create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{user}</FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType>event</MsgType><Event>{event}</Event><EventKey>{key}</EventKey></xml>"
    )


@dataclass
class Answer:
    status: int
    body: bytes
    text: str | None = None  # the Content of a text answer, decrypted if need be
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class WeChatSim:
    """Signs callbacks with `token` (and encrypts them when `aes_key` is set)."""

    token: str = "testtoken"
    aes_key: str = ""
    appid: str = "wx_test_app"
    mode: str = "plain"  # plain | compat | safe

    def query(self, extra: dict[str, str] | None = None, encrypt_text: str = "") -> dict[str, str]:
        ts, nonce = str(int(time.time())), str(next(_ids))
        q = {
            "timestamp": ts,
            "nonce": nonce,
            "signature": sign(self.token, ts, nonce),
            "openid": "o_sim",
        }
        if self.mode != "plain":
            q["encrypt_type"] = "aes"
            q["msg_signature"] = sign(self.token, ts, nonce, encrypt_text)
        q.update(extra or {})
        return q

    def envelope(self, xml: str) -> tuple[str, bytes]:
        """(query string, body) for one callback carrying `xml`."""
        if self.mode == "plain":
            return urlencode(self.query()), xml.encode()
        cipher = Cipher(self.token, self.aes_key, self.appid)
        encrypted = cipher.encrypt(xml, "0")
        enc = fromstring(encrypted).find("Encrypt").text  # type: ignore[union-attr]
        q = self.query(encrypt_text=enc)
        if self.mode == "safe":
            body = (
                f"<xml><ToUserName>gh_test</ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
            )
        else:
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
        return urlencode(q), body.encode()

    def read(self, status: int, body: bytes, nonce: str = "", timestamp: str = "") -> Answer:
        """Parse an answer; encrypted answers are verified and decrypted."""
        if status != 200 or body in (b"success", b""):
            return Answer(status, body)
        root = fromstring(body)
        fields = {c.tag: (c.text or "") for c in root}
        if "Encrypt" in fields:
            expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "answer signature does not verify"
            cipher = Cipher(self.token, self.aes_key, self.appid)
            plain = cipher.decrypt(
                fields["Encrypt"], fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
            fields = {c.tag: (c.text or "") for c in fromstring(plain)}
        return Answer(status, body, fields.get("Content"), fields)

    def post(self, client, xml: str) -> Answer:  # type: ignore[no-untyped-def]
        """POST through a Flask test client."""
        qs, body = self.envelope(xml)
        resp = client.post("/wechat?" + qs, data=body, content_type="text/xml")
        return self.read(resp.status_code, resp.data)
