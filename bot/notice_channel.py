"""The official account as a notice channel (jobs/channels.py `Channel`): template messages,
or customer-service messages inside the user's 48-hour window and WeChat's quota."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.store.delivery_reports import QUOTA_REASON, CustomerServiceQuota
from bot.wechat_api import TRANSPORT_ERROR, OutboundSender, RecordingSender, WeChatAPIError
from jobs.channels import ChannelError, Message, Recipient, Undeliverable

WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # customer-service window, with a margin


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
