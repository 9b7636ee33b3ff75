"""Help, welcome, follow/unfollow, pages, and what to say to messages we do not handle."""

from __future__ import annotations

from handlers import texts
from handlers.ports import Services
from handlers.types import Incoming, Reply


def help_reply(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.HELP)


def welcome(msg: Incoming, services: Services) -> Reply:
    """A follow (or a re-follow): remember it, and say briefly what the assistant can do.

    Following does not subscribe anyone to reminders; that takes "订阅提醒".
    """
    services.users.set_following(msg.user, True)
    return Reply(texts.WELCOME)


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
