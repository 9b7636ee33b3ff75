"""The message values handlers work with: our own small dataclasses, not wechatpy's classes.

Every channel (official account, WeCom, terminal chat) turns what it receives into an
`Incoming`, and renders the `Reply` a handler returns in its own format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Incoming:
    """One message or event from a user, channel-neutral."""

    channel: str  # "wechat", "wecom" or "chat"
    user: str  # the channel's user id (openid); never logged raw
    kind: str  # "text", "voice", "image", "event", or the raw type for anything else
    text: str = ""  # text content, or the platform's speech recognition for voice
    event: str = ""  # for kind == "event": "subscribe", "unsubscribe", "CLICK", "VIEW", ...
    event_key: str = ""
    media_id: str = ""
    pic_url: str = ""
    msg_id: str = ""
    # Unique per message within the channel: FromUserName:MsgId for a message (MsgIds are not
    # unique across users), FromUserName+CreateTime (+event, key) for an event.
    dedup_key: str = ""
    received_at: datetime | None = None
    # The event's other fields (Status, ScanCodeInfo.ScanResult, ...), as WeChat sent them.
    details: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Reply:
    """What the assistant answers. `text=None` means answer nothing (WeChat's `success`)."""

    text: str | None
    # Further pages of this answer, fetched with "更多". None: the reply leaves the user's
    # waiting pages alone; a tuple (even empty) replaces them. The router stores them.
    more: tuple[str, ...] | None = None

    @classmethod
    def silent(cls) -> Reply:
        return cls(None)
