"""The routing table: which words and which events go to which handler. Read it in one screen.

Order matters for text: an open conversation first (so "1" or "完成" mean what the
conversation asked), then exact commands, then prefixes, then schedule questions, then help.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from domain.questions import READ_ONLY_INTENTS, parse_question
from handlers import basic, schedule, subscription, suggest, texts
from handlers.ports import Opening, Services
from handlers.types import Incoming, Reply

Handler = Callable[[Incoming, Services], Reply]
MAX_REPLY_BYTES = 2048  # WeCom's documented text limit; we keep every reply within it

# Menu keys configured in the WeChat console (README lists them).
MENU: dict[str, Handler] = {
    "SUGGEST": suggest.start,
    "MY_SUGGESTIONS": suggest.my_suggestions,
    "HELP": basic.help_reply,
    "DUE_THIS_WEEK": lambda m, s: schedule.handle_menu("DUE_THIS_WEEK", m, s),
    "CURRENT_PHASE": lambda m, s: schedule.handle_menu("CURRENT_PHASE", m, s),
    "SUBSCRIBE": subscription.subscribe,
}

EVENTS: dict[str, Handler] = {
    "subscribe": basic.welcome,
    "unsubscribe": basic.farewell,
    "CLICK": lambda m, s: MENU.get(m.event_key, basic.help_reply)(m, s),
    "VIEW": basic.silent,  # the user is opening a page; nothing to say
    "SCAN": basic.welcome,
}

# Whole-message commands (after normalisation).
HELP_WORDS = ("帮助", "help", "?", "菜单", "你好", "您好")
COMMANDS: dict[str, Handler] = {
    **{word: basic.help_reply for word in HELP_WORDS},
    "更多": basic.more,
    "下一页": basic.more,
    "我的建议": suggest.my_suggestions,
    "查看建议": suggest.my_suggestions,
    "我的金点子": suggest.my_suggestions,
    "取消": suggest.cancel,
    **{word: suggest.start for word in suggest.START_WORDS},
    "订阅提醒": subscription.subscribe,
    "订阅": subscription.subscribe,
    "退订提醒": subscription.unsubscribe,
    "退订": subscription.unsubscribe,
    "取消订阅": subscription.unsubscribe,
    "我的订阅": subscription.my_subscription,
}

LOOKUP = re.compile(r"^(?:查询|查|查询建议|进度)\s*[:：]?\s*(?P<ticket>[0-9A-Za-z ]{1,20})$")

BY_KIND: dict[str, Handler] = {
    "image": basic.image,
    "link": basic.link,
}


def normalize(text: str) -> str:
    """For matching commands only: full-width to half-width, trimmed, final "。！？" dropped.
    Handlers get the user's own text (trimmed), so a suggestion keeps its Chinese punctuation."""
    text = unicodedata.normalize("NFKC", text).strip()
    return text.rstrip("。.！!？?") if len(text) > 1 else text


# Answers that depend on nothing but the words: given at once, before deduplication and the
# conversation lookup (a retry gets the same answer anyway). "帮助" in the middle of a 献一策
# conversation therefore gives help and leaves the conversation open, which is what a user
# asking for help there wants.
STATELESS: dict[str, str] = {word: texts.HELP for word in HELP_WORDS}


def stateless_reply(msg: Incoming) -> str | None:
    """The fixed answer to a message that needs no state, or None."""
    if msg.kind not in ("text", "voice") or len(msg.text) > 12:
        return None
    word = normalize(msg.text)
    return STATELESS.get(word) or STATELESS.get(word.lower())


def is_read_only(msg: Incoming) -> bool:
    """A schedule question: answering it again changes nothing (its pages are simply saved
    again), so WeChat's retries need no deduplication claim. Should the user be writing a
    suggestion, the text is content, and adding the same message twice is ignored there."""
    if msg.kind not in ("text", "voice") or not msg.text or len(msg.text) > 40:
        return False
    if _command(msg) is not None:
        return False
    question = parse_question(msg.text)
    return question is not None and question.intent in READ_ONLY_INTENTS


def route(msg: Incoming, services: Services, opening: Opening | None = None) -> Reply:
    """Answer one incoming message or event. `opening` is what the conversation store's
    begin() gave for this user, if the caller already asked (the webhook asks in the same
    round trip as its dedup claim); otherwise route asks."""
    if msg.kind == "event":
        return EVENTS.get(msg.event, basic.silent)(msg, services)
    if msg.kind == "voice":
        if not msg.text.strip():
            return basic.voice_unreadable(msg, services)
        # The platform's recognition usually ends with "。": not part of what was said.
        msg = replace(msg, kind="text", text=msg.text.strip().rstrip("。"))
    if msg.kind == "text":
        msg = replace(msg, text=msg.text.strip())
    if opening is None:
        opening = services.conversations.begin(msg.user)
    state = opening.state
    if state and state.get("flow") == suggest.FLOW and msg.kind in ("text", "image"):
        return suggest.continue_flow(msg, state, services)
    reply = _route_stateless(msg, services)
    if opening.expired and reply.text:
        answer = reply.text
        combined = texts.EXPIRED + "\n\n" + answer
        if len(combined.encode("utf-8")) <= MAX_REPLY_BYTES:
            reply = Reply(combined, reply.more)
        else:  # too long together: the notice now, the answer as the next page
            more = (answer, *(reply.more or ()))
            reply = Reply(texts.EXPIRED + texts.MORE_FOOTER.format(remaining=len(more)), more)
    # The pages of this answer replace older ones; nothing to clear costs no round trip.
    if reply.more is not None and (reply.more or opening.has_pages):
        services.conversations.save_pages(msg.user, list(reply.more))
    return reply


def _command(msg: Incoming) -> Handler | None:
    """The whole-message command, one-message submission or ticket lookup that `msg` is, if
    any: these come before schedule questions (is_read_only asks the same)."""
    text = normalize(msg.text)
    command = COMMANDS.get(text) or COMMANDS.get(text.lower())
    if command:
        return command
    one = suggest.ONE_MESSAGE.match(msg.text)
    if one:
        body = one.group("body")
        return lambda m, s: suggest.submit_one(m, body, s)
    lookup = LOOKUP.match(text)
    if lookup:
        ticket = lookup.group("ticket")
        return lambda m, s: suggest.lookup(m, ticket, s)
    return None


def _route_stateless(msg: Incoming, services: Services) -> Reply:
    if msg.kind != "text":
        return BY_KIND.get(msg.kind, basic.unknown)(msg, services)
    command = _command(msg)
    if command is not None:
        return command(msg, services)
    answer = schedule.try_handle(msg, services)
    if answer is not None:
        return answer
    return schedule.not_understood(msg, services)
