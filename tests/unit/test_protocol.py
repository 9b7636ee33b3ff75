"""The callback protocol pieces, without HTTP: signatures, safe XML, AES round trips."""

from __future__ import annotations

import pytest

from bot import wechat_protocol as proto
from tests.wechat_sim import event_xml, image_xml, sign, text_xml, voice_xml

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def test_signature_accepts_only_the_right_one():
    good = sign("tok", "123", "456")
    proto.check_signature("tok", good, "123", "456")
    proto.check_signature("tok", good.upper(), "123", "456")
    for bad in ("", "0" * 40, good[:-1], sign("tok2", "123", "456")):
        with pytest.raises(proto.BadSignature):
            proto.check_signature("tok", bad, "123", "456")


def test_parse_text_voice_and_event():
    msg = proto.to_incoming(proto.parse_xml(text_xml("u1", "你好", msg_id=42).encode()))
    assert (msg.kind, msg.text, msg.user, msg.dedup_key) == ("text", "你好", "u1", "u1:42")
    voice = proto.to_incoming(proto.parse_xml(voice_xml("u1", "我要提建议。", 43).encode()))
    assert voice.kind == "voice" and voice.text == "我要提建议。"
    ev = proto.to_incoming(proto.parse_xml(event_xml("u1", "CLICK", "HELP", 1700000000).encode()))
    assert ev.kind == "event" and ev.event_key == "HELP"
    assert ev.dedup_key == "ev:u1:1700000000:CLICK:HELP"  # FromUserName + CreateTime (+ event)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<xml>",
        b"not xml",
        b"<xml><a></b></xml>",
        b'<!DOCTYPE x [<!ENTITY e "boom">]><xml><Content>&e;</Content></xml>',
        b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><xml/>',
        b"<root><FromUserName>u</FromUserName></root>",
    ],
)
def test_hostile_or_broken_xml_is_refused(body):
    with pytest.raises(proto.BadMessage):
        proto.parse_xml(body)


def test_message_without_sender_is_refused():
    with pytest.raises(proto.BadMessage):
        proto.to_incoming({"MsgType": "text", "Content": "x"})


def test_cipher_round_trip_and_tamper():
    cipher = proto.Cipher("tok", AES_KEY, "wxappid")
    wrapped = cipher.encrypt("<xml><Content>你好</Content></xml>", "nonce1", "1700000000")
    fields = proto.parse_xml(wrapped.encode())
    plain = cipher.decrypt(fields["Encrypt"], fields["MsgSignature"], "1700000000", "nonce1")
    assert "你好" in plain.decode()
    with pytest.raises(proto.BadSignature):
        cipher.decrypt(fields["Encrypt"], "0" * 40, "1700000000", "nonce1")
    other = proto.Cipher("tok", AES_KEY, "wxother")
    with pytest.raises(proto.BadMessage):
        other.decrypt(fields["Encrypt"], fields["MsgSignature"], "1700000000", "nonce1")


def test_reply_escapes_cdata_end():
    xml = proto.render_text("u1", "gh", "a]]>b", now=1)
    assert proto.parse_xml(xml.encode())["Content"] == "a]]>b"


def _element_tree_reading(body: bytes) -> dict[str, str]:
    """parse_xml as it was on defusedxml's ElementTree, the reference for the expat reader."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    assert root.tag == "xml"
    fields = {}
    for child in root:
        fields[child.tag] = (child.text or "").strip()
        for grandchild in child:
            fields[f"{child.tag}.{grandchild.tag}"] = (grandchild.text or "").strip()
    return fields


@pytest.mark.parametrize(
    "body",
    [
        text_xml("u1", "献一策：建议在地铁站增设自行车停放点", msg_id=7).encode(),
        text_xml("u1", "a ]]]]><![CDATA[> b & <c>", msg_id=8).encode(),  # CDATA split at "]]>"
        voice_xml("u1", "我要提建议。", 43).encode(),
        image_xml("u1", 44).encode(),
        event_xml("u1", "CLICK", "HELP", 1700000000).encode(),
        b"<xml><ToUserName>gh</ToUserName><Event>scancode_push</Event><ScanCodeInfo>"
        b"<ScanType>qrcode</ScanType><ScanResult>JY123</ScanResult></ScanCodeInfo></xml>",
        b"<xml><A> head <B>b<C>deep</C>tail</B> mid <D/></A><E>x &amp; y &#20320;</E></xml>",
        b"<xml><A>1</A><B/><A>2</A><F attr='1'>  spaced\n </F></xml>",
        '<?xml version="1.0" encoding="utf-8"?><xml><Content>中文</Content></xml>'.encode(),
        b"<xml/>",
    ],
)
def test_the_expat_reader_reads_as_element_tree_did(body):
    assert proto.parse_xml(body) == _element_tree_reading(body)
    assert list(proto.parse_xml(body)) == list(_element_tree_reading(body))  # same order


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',  # billion laughs
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><C>&xxe;</C></xml>',
        b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]><xml/>',
        b"<xml><Content>&undefined;</Content></xml>",
        b"<xml><A>1</A></xml><xml/>",
        b"<x:xml xmlns:x='urn:x'><A>1</A></x:xml>",
        # WeChat sends UTF-8; neither reader takes a multi-byte legacy encoding
        '<?xml version="1.0" encoding="gbk"?><xml><Content>中文</Content></xml>'.encode("gbk"),
    ],
)
def test_the_expat_reader_refuses_what_defusedxml_refused(body):
    with pytest.raises(proto.BadMessage):
        proto.parse_xml(body)
