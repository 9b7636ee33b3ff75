"""The official account's callback protocol: signatures, safe XML, AES, and rendering replies.

Knows nothing of Flask. Every failure is one of three exceptions the webhook maps to 4xx:
BadSignature (403), BadMessage (400), and the caller's own size check (413).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
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


def parse_xml(body: bytes) -> dict[str, str]:
    """The children of <xml> as a flat dict. DTDs, entities and external references refused."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise BadMessage(f"unreadable XML: {type(exc).__name__}") from exc
    if not isinstance(root, Element) or root.tag != "xml":
        raise BadMessage("root element is not <xml>")
    fields = {}
    for child in root:
        fields[child.tag] = (child.text or "").strip()
        for grandchild in child:  # e.g. ScanCodeInfo/ScanResult -> "ScanCodeInfo.ScanResult"
            fields[f"{child.tag}.{grandchild.tag}"] = (grandchild.text or "").strip()
    return fields


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
