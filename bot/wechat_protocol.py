"""The official account's callback protocol: signatures, safe XML, AES, and rendering replies.

Knows nothing of Flask. Every failure is one of three exceptions the webhook maps to 4xx:
BadSignature (403), BadMessage (400), and the caller's own size check (413).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat

from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

from handlers.types import Incoming

MAX_BODY = 64 * 1024


class BadSignature(Exception):
    """The request was not signed with our token."""


class BadMessage(Exception):
    """The body is not a message we can read (malformed, hostile, or undecryptable)."""


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    """Raise BadSignature unless signature = sha1(sorted(token, timestamp, nonce))."""
    expected = sha1_signature(token, timestamp, nonce)
    if not hmac.compare_digest(expected, (signature or "").lower()):
        raise BadSignature()


class _Refused(Exception):
    """A DTD, an entity declaration or an external reference: refused, as defusedxml does."""


def _refuse(*args: object) -> None:
    raise _Refused()


def _refuse_external(*args: object) -> int:
    raise _Refused()


class _Fields:
    """expat handlers building parse_xml's dict: each child of the root by tag, each grandchild
    as "child.grandchild", an element's text being what precedes its first sub-element (as
    ElementTree's `.text`), stripped. Deeper elements are read and ignored."""

    __slots__ = ("fields", "stack")

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        # One frame per open element: [key, text parts] for children and grandchildren (parts
        # None once a sub-element began or for the root and deeper levels).
        self.stack: list[list[Any]] = []

    def start(self, tag: str, attrs: object) -> None:
        stack = self.stack
        depth = len(stack)
        if depth == 0:
            if tag != "xml":
                raise BadMessage("root element is not <xml>")
            stack.append([None, None])
            return
        parent = stack[-1]
        if parent[1] is not None:  # the parent's text ends where its first sub-element begins
            self.fields[parent[0]] = "".join(parent[1]).strip()
            parent[1] = None
        if depth == 1:
            self.fields[tag] = ""
            stack.append([tag, []])
        elif depth == 2:
            key = f"{parent[0]}.{tag}"
            self.fields[key] = ""
            stack.append([key, []])
        else:
            stack.append([None, None])

    def end(self, tag: str) -> None:
        key, parts = self.stack.pop()
        if parts is not None:
            self.fields[key] = "".join(parts).strip()

    def text(self, data: str) -> None:
        parts = self.stack[-1][1] if self.stack else None
        if parts is not None:
            parts.append(data)


def parse_xml(body: bytes) -> dict[str, str]:
    """The children of <xml> as a flat dict. DTDs, entities and external references refused.

    On expat directly, with defusedxml's refusals (forbid_dtd, forbid_entities,
    forbid_external): ElementTree's tree and defusedxml's wrapper cost ~3/4 of a callback's
    parsing (issue 12); tests/unit/test_protocol.py holds it to the ElementTree reading."""
    handler = _Fields()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse_external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    try:
        parser.Parse(body, True)
    except _Refused as exc:
        raise BadMessage("unreadable XML: a DTD or entity") from exc
    except (expat.ExpatError, ValueError) as exc:
        raise BadMessage(f"unreadable XML: {type(exc).__name__}") from exc
    return handler.fields


class Cipher:
    """WeChat's AES scheme (WXBizMsgCrypt) for one account, via wechatpy's PrpCrypto."""

    def __init__(self, token: str, aes_key: str, appid: str) -> None:
        import base64

        self.token = token
        self.appid = appid
        self.key = base64.b64decode(aes_key + "=")
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")

    def decrypt(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        expected = sha1_signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected, (msg_signature or "").lower()):
            raise BadSignature()
        try:
            plain = PrpCrypto(self.key).decrypt(encrypt, self.appid)
        except InvalidAppIdException as exc:
            raise BadMessage("encrypted for another appid") from exc
        except (ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
            raise BadMessage("cannot decrypt") from exc
        return plain if isinstance(plain, bytes) else plain.encode("utf-8")

    def encrypt(self, xml: str, nonce: str, timestamp: str | None = None) -> str:
        timestamp = timestamp or str(int(time.time()))
        encrypt = PrpCrypto(self.key).encrypt(xml, self.appid)
        encrypt = encrypt.decode() if isinstance(encrypt, bytes) else encrypt
        signature = sha1_signature(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


def to_incoming(fields: dict[str, str], channel: str = "wechat") -> Incoming:
    """Our channel-neutral message from WeChat's fields. Raises BadMessage if it lacks a sender."""
    user = fields.get("FromUserName", "")
    msg_type = fields.get("MsgType", "").lower()
    if not user or not msg_type:
        raise BadMessage("no FromUserName or MsgType")
    created = fields.get("CreateTime", "")
    msg_id = fields.get("MsgId", "") or fields.get("MsgID", "")
    try:
        received = datetime.fromtimestamp(int(created), UTC) if created else datetime.now(UTC)
    except (ValueError, OverflowError, OSError):
        received = datetime.now(UTC)
    if msg_type == "event":
        # WeChat's rule is FromUserName+CreateTime; the event and its key are added so two
        # different menu clicks within one second are not taken for retries of each other.
        dedup = f"ev:{user}:{created}:{fields.get('Event', '')}:{fields.get('EventKey', '')}"
        if msg_id:  # TEMPLATESENDJOBFINISH: two reports to one user in one second both count
            dedup += f":{msg_id}"
    else:
        # Per sender: MsgIds are not unique across users (WxJava #333 saw two users' messages
        # share one under load), so the sender is part of the key.
        dedup = f"{user}:{msg_id}" if msg_id else f"ev:{user}:{created}:{msg_type}"
    text = fields.get("Content", "")
    if msg_type == "voice":
        text = fields.get("Recognition", "")
    return Incoming(
        channel=channel,
        user=user,
        kind=msg_type,
        text=text,
        event=fields.get("Event", ""),
        event_key=fields.get("EventKey", ""),
        media_id=fields.get("MediaId", ""),
        pic_url=fields.get("PicUrl", ""),
        msg_id=msg_id,
        dedup_key=dedup,
        received_at=received,
        details=fields if msg_type == "event" else {},
    )


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text(to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    """A passive text reply."""
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(content)}</Content></xml>"
    )
