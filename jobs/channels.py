"""Channels: the ways a notice reaches a person. jobs/deliver.py fans out over them and never
needs to know which one it talks to. The official account's channel lives with the WeChat
client (bot/notice_channel.py); a WeCom app channel is added beside it, and the wiring hands
them in (jobs/ports.py `JobsDeps.channels`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, with what a channel needs to decide how."""

    openid: str
    last_inbound_at: datetime | None = None


@dataclass(frozen=True)
class Message:
    """A notice as a channel sends it."""

    notice_id: int
    kind: str
    title: str
    text: str
    fields: dict[str, str]


class Undeliverable(Exception):
    """The channel cannot reach this recipient at all (no API call was made)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChannelError(Exception):
    """A failed send: ``kind`` is "retry_later" or "give_up"."""

    def __init__(self, errcode: int, kind: str, reason: str) -> None:
        super().__init__(f"{errcode}: {reason}")
        self.errcode, self.kind, self.reason = errcode, kind, reason


class Channel(Protocol):
    """A way to reach users; ``name`` matches ``users.channel``. A WeCom app channel ("wecom")
    implements this and is handed in by the wiring as ``AppState.notice_channels``."""

    name: str

    def send(self, recipient: Recipient, message: Message) -> str | None:
        """Send or raise Undeliverable / ChannelError; returns the platform's message id when
        it gives one (kept on the delivery row). A channel that only records what it would
        send says so with a true ``records_only`` attribute (its deliveries are "recorded")."""
        ...
