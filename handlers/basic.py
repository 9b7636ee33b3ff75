"""Help, welcome, follow/unfollow, pages, and what to say to messages we do not handle."""

from __future__ import annotations

from handlers.ports import Services
from handlers.types import Incoming, Reply
from texts import chat as texts


def help_reply(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.HELP)


def welcome(msg: Incoming, services: Services) -> Reply:
    """A follow (or a re-follow): remember it, and say briefly what the assistant can do.

    Following does not subscribe anyone to reminders; that takes "订阅提醒".
    """
    services.users.set_following(msg.user, True)
    return Reply(texts.WELCOME)


def welcome_back(msg: Incoming, services: Services) -> Reply:
    """SCAN: someone who already follows scanned one of our QR codes. A short greeting, not
    the first-follow welcome (a newcomer scanning one comes as `subscribe`)."""
    services.users.set_following(msg.user, True)
    return Reply(texts.WELCOME_BACK)


def scan_received(msg: Incoming, services: Services) -> Reply:
    """scancode_waitmsg: a menu scan whose result WeChat hands to us and shows our answer."""
    result = " ".join(msg.details.get("ScanCodeInfo.ScanResult", "").split())
    if not result:
        return Reply(texts.SCAN_EMPTY)
    if len(result) > texts.SCAN_RESULT_MAX:
        result = result[: texts.SCAN_RESULT_MAX - 1] + "…"
    return Reply(texts.SCAN_RECEIVED.format(result=result))


def template_report(msg: Incoming, services: Services) -> Reply:
    """TEMPLATESENDJOBFINISH: WeChat's report on a template send. Nobody to answer."""
    if services.reports is not None:
        status = msg.details.get("Status", "")
        services.reports.template_finished(msg.msg_id or msg.details.get("MsgID", ""), status)
    return Reply.silent()


def farewell(msg: Incoming, services: Services) -> Reply:
    """An unfollow: every push to this user stops at once. WeChat shows no reply."""
    services.users.set_following(msg.user, False)
    services.conversations.clear(msg.user)
    return Reply.silent()


def more(msg: Incoming, services: Services) -> Reply:
    page = services.conversations.next_page(msg.user)
    if page is None:
        return Reply(texts.MORE_NONE)
    text, remaining = page
    if remaining:
        text += texts.MORE_FOOTER.format(remaining=remaining)
    return Reply(text)


def voice_unreadable(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.VOICE_UNREADABLE)


def image(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.IMAGE_ACK)


def link(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.LINK_ACK)


def silent(msg: Incoming, services: Services) -> Reply:
    return Reply.silent()


def unknown(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.UNKNOWN_MESSAGE)
