"""Channels: the ways a notice reaches a person. jobs/deliver.py fans out over them and never
needs to know which one it talks to; a WeCom app channel is added beside these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.store.delivery_reports import QUOTA_REASON, CustomerServiceQuota
from bot.wechat_client import TRANSPORT_ERROR, OutboundSender, RecordingSender, WeChatAPIError

WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # customer-service window, with a margin


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
    implements this and is handed in by the wiring as ``state.extras["notice_channels"]``."""

    name: str

    def send(self, recipient: Recipient, message: Message) -> str | None:
        """Send or raise Undeliverable / ChannelError; returns the platform's message id when
        it gives one (kept on the delivery row). A channel that only records what it would
        send says so with a true ``records_only`` attribute (its deliveries are "recorded")."""
        ...


class OfficialAccountChannel:
    """The official account: a template message when a template is configured, else a
    customer-service message while the user's 48-hour window is open and WeChat's 5 messages
    per window are not used up (`quota`), else undeliverable (window closed) or failed with
    errcode 45047 and a "quota" reason (not attempted)."""

    name = "wechat"

    def __init__(
        self,
        sender: OutboundSender,
        template_id: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        quota: CustomerServiceQuota | None = None,
    ) -> None:
        """`clock` is the real time (the window is WeChat's, never a rehearsal's)."""
        self.sender, self.template_id, self.clock = sender, template_id, clock
        self.quota = quota
        self.records_only = isinstance(sender, RecordingSender)

    def send(self, recipient: Recipient, message: Message) -> str | None:
        """One message to one user; the template send's msgid, if WeChat gave one."""
        if self.template_id:
            return self._call(self.sender.send_template, self.template_id, recipient, message)
        if not (recipient.last_inbound_at and self.clock() - recipient.last_inbound_at < WINDOW):
            raise Undeliverable("48-hour window closed and no WECHAT_TEMPLATE_ID")
        if self.quota is not None and not self.quota.take(recipient.openid):
            raise ChannelError(45047, "give_up", QUOTA_REASON)
        try:
            return self._call(self.sender.send_text, None, recipient, message)
        except ChannelError as exc:
            if self.quota is not None and exc.errcode != TRANSPORT_ERROR:
                self.quota.give_back(recipient.openid)  # refused: WeChat did not count it
            raise

    def _call(
        self, send: Callable[..., object], template_id: str | None, r: Recipient, m: Message
    ) -> str | None:
        try:
            if template_id is None:
                result = send(r.openid, m.text)
            else:
                result = send(r.openid, template_id, m.fields)
        except WeChatAPIError as exc:
            kind = "give_up" if exc.kind == "give_up" else "retry_later"
            raise ChannelError(exc.errcode, kind, exc.errmsg[:150]) from None
        return None if result is None else str(result)
