"""The routing table: which words and which events go to which handler. Read it in one screen.

Order matters for text: an open conversation first (so "1" or "完成" mean what the
conversation asked), then exact commands, then prefixes, then schedule questions, then help.

Inside an open 献一策 conversation a text (or voice) message is, in this order:
  1. 取消 (or 退出, 算了…): ends the conversation, nothing stored (suggest.continue_flow);
  2. one of FLOW_COMMANDS (我的建议, 更多, 帮助…), a ticket lookup (查询 <编号>), or a short
     schedule question (is_read_only: 本周有什么到期, 现在是什么阶段…): answered as it would
     be outside, with one line saying the suggestion is still open, and never written down;
  3. anything else: what the conversation asked for (a choice, 完成/确认, or content).
So "献一策：…", "我要提建议" or "订阅提醒" typed mid-way are content. (帮助 is answered before the
conversation is read at all — STATELESS below — so over the webhook it gets the plain help,
whose last line says how to finish or leave.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from domain import intake
from domain.questions import READ_ONLY_INTENTS, Question, parse_question
from handlers import basic, offer, schedule, subscription, suggest
from handlers.ports import Opening, Services
from handlers.types import Incoming, Reply
from texts import chat as texts

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
    "SCAN": basic.welcome_back,  # a follower scanned a QR code
    "scancode_waitmsg": basic.scan_received,  # menu scan: WeChat shows our answer
    "TEMPLATESENDJOBFINISH": basic.template_report,  # a template send's final status
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

# Answered, not written down, while a suggestion is being written (see the module docstring).
FLOW_COMMANDS: dict[str, Handler] = {
    **{word: basic.help_reply for word in HELP_WORDS},
    "我的建议": suggest.my_suggestions,
    "查看建议": suggest.my_suggestions,
    "我的金点子": suggest.my_suggestions,
    # A long answer given mid-way ends with "回复“更多”继续查看": that reply is not content.
    "更多": basic.more,
    "下一页": basic.more,
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

# A question, not a remark: a sentence that mentions the schedule ("还应公开每周的到期任务清单")
# is parsed as a question too, but written inside a 献一策 conversation it is content.
ASKS = re.compile(r"[?？吗呢几啥哪]|什么|多少|是否|怎么|何时|多久|多长")
SHORT_QUESTION = 10  # characters: "科技局6月的任务", "本周到期" ask without a question word

# The lanes of a message (bot/inbound.py): a fixed answer (no state read, no claim); a
# read-only schedule question (the conversation read, no claim); everything else (claimed).
FIXED, READ_ONLY, STATEFUL = "fixed", "read_only", "stateful"
_TEXT_KINDS = ("text", "voice")


@dataclass(frozen=True, slots=True)
class Decision:
    """What a message is, decided once from its words before any state is read: its lane, and
    what the router then needs again (the matched command, the parsed question), so nothing is
    normalised, matched or parsed twice. `text` is the text it was decided on: the router
    reuses the decision only for that same text (a voice message's trailing "。" is dropped
    before routing, which may change what it matches)."""

    lane: str
    fixed: str | None = None  # FIXED: the answer
    text: str = ""
    word: str = ""  # normalize(text)
    command: Handler | None = None  # the whole-message command, submission or lookup
    question: Question | None = None  # the schedule question asked, when `parsed`
    parsed: bool = False


_OTHER = Decision(STATEFUL)  # events, images, links, …: no words to decide on


def classify(msg: Incoming) -> Decision:
    """The one classification of a message (see Decision)."""
    if msg.kind not in _TEXT_KINDS:
        return _OTHER
    text = msg.text
    word = normalize(text)
    if len(text) <= 12:
        fixed = STATELESS.get(word) or STATELESS.get(word.lower())
        if fixed is not None:  # every fixed word is a command too (route answers it so)
            return Decision(FIXED, fixed, text, word, _match_command(text, word))
    command = _match_command(text, word)
    if command is not None or not text or len(text) > 40:
        return Decision(STATEFUL, None, text, word, command)
    if len(text) > SHORT_QUESTION and not ASKS.search(text):
        return Decision(STATEFUL, None, text, word)
    question = parse_question(text)
    read_only = question is not None and question.intent in READ_ONLY_INTENTS
    return Decision(READ_ONLY if read_only else STATEFUL, None, text, word, None, question, True)


def stateless_reply(msg: Incoming) -> str | None:
    """The fixed answer to a message that needs no state, or None."""
    return classify(msg).fixed


def is_read_only(msg: Incoming) -> bool:
    """A schedule question: answering it again changes nothing (its pages are simply saved
    again), so WeChat's retries need no deduplication claim. Inside a 献一策 conversation it
    is answered too, never written down (_flow_command), so a retry cannot add it twice; a
    longer text without a question word is not one (it holds a claim, and may be content)."""
    return classify(msg).lane == READ_ONLY


def route(
    msg: Incoming,
    services: Services,
    opening: Opening | None = None,
    decision: Decision | None = None,
) -> Reply:
    """Answer one incoming message or event. `opening` is what the conversation store's
    begin() gave for this user, if the caller already asked (the webhook asks in the same
    round trip as its dedup claim); otherwise route asks. `decision` is classify(msg), if the
    caller already made it (the webhook does, to choose the lane)."""
    if msg.kind == "event":
        return EVENTS.get(msg.event, basic.silent)(msg, services)
    if msg.kind == "voice":
        if not msg.text.strip():
            return basic.voice_unreadable(msg, services)
        # The platform's recognition usually ends with "。": not part of what was said.
        msg = replace(msg, kind="text", text=msg.text.strip().rstrip("。"))
    elif msg.kind == "text" and msg.text != (stripped := msg.text.strip()):
        msg = replace(msg, text=stripped)
    if msg.kind == "text" and (decision is None or decision.text != msg.text):
        decision = classify(msg)
    if opening is None:
        opening = services.conversations.begin(msg.user)
    state = opening.state
    if state and state.get("flow") == suggest.FLOW and msg.kind in ("text", "image"):
        command = _flow_command(msg, decision) if msg.kind == "text" else None
        if command is None:
            return suggest.continue_flow(msg, state, services)
        line = texts.FLOW_STILL_OPEN.get(state.get("step", ""), texts.FLOW_STILL_OPEN["content"])
        reply = _with_notice(command(msg, services), line, before=False)
    else:
        if state and state.get("flow") == offer.FLOW:  # "submit this as a suggestion?" was asked
            answered = offer.answer(msg, state, services)
            if answered is not None:
                return answered
        reply = _route_stateless(msg, services, decision)
        if opening.expired:
            reply = _with_notice(reply, texts.EXPIRED, before=True)
    # The pages of this answer replace older ones; nothing to clear costs no round trip.
    if reply.more is not None and (reply.more or opening.has_pages):
        services.conversations.save_pages(msg.user, list(reply.more))
    return reply


def _with_notice(reply: Reply, notice: str, before: bool) -> Reply:
    """`reply` with a one-line notice before or after it, within one reply's size."""
    answer = reply.text
    if not answer:
        return reply
    combined = notice + "\n\n" + answer if before else answer + "\n\n" + notice
    if len(combined.encode("utf-8")) <= MAX_REPLY_BYTES:
        return Reply(combined, reply.more)
    # Too long together: the notice now, the answer as the next page.
    more = (answer, *(reply.more or ()))
    return Reply(notice + texts.MORE_FOOTER.format(remaining=len(more)), more)


def _flow_command(msg: Incoming, decision: Decision | None = None) -> Handler | None:
    """What a text inside an open 献一策 conversation is, if not for the conversation."""
    if decision is None or decision.text != msg.text:
        decision = classify(msg)
    text = decision.word
    command = FLOW_COMMANDS.get(text) or FLOW_COMMANDS.get(text.lower())
    if command:
        return command
    lookup = LOOKUP.match(text)
    if lookup:
        ticket = lookup.group("ticket")
        return lambda m, s: suggest.lookup(m, ticket, s)
    if decision.lane == READ_ONLY:  # answered afresh for a retry: never content (no claim)
        question = decision.question
        return lambda m, s: schedule.try_answer(question, m, s) or schedule.examples_reply()
    return None


def _command(msg: Incoming) -> Handler | None:
    """The whole-message command, one-message submission or ticket lookup that `msg` is, if
    any: these come before schedule questions (is_read_only asks the same)."""
    return _match_command(msg.text, normalize(msg.text))


def _match_command(text: str, word: str) -> Handler | None:
    """_command for `text` and its normalize()d `word`."""
    command = COMMANDS.get(word) or COMMANDS.get(word.lower())
    if command:
        return command
    offered = intake.recognise(text)  # "献一策 …", "我有个金点子：…", "【建议】…"
    if offered is not None:
        if not offered.body:  # the opening alone ("我有个金点子"): the guided conversation
            return suggest.start
        body = offered.body
        return lambda m, s: suggest.submit_one(m, body, s)
    lookup = LOOKUP.match(word)
    if lookup:
        ticket = lookup.group("ticket")
        return lambda m, s: suggest.lookup(m, ticket, s)
    return None


def _route_stateless(msg: Incoming, services: Services, decision: Decision | None = None) -> Reply:
    if msg.kind != "text":
        return BY_KIND.get(msg.kind, basic.unknown)(msg, services)
    if decision is None or decision.text != msg.text:
        decision = classify(msg)
    if decision.command is not None:
        return decision.command(msg, services)
    if decision.parsed:
        answer = schedule.try_answer(decision.question, msg, services)
    else:
        answer = schedule.try_handle(msg, services)
    if answer is not None:
        return answer
    if offer.worth_offering(msg):  # may be an idea: ask once, never answer it with help
        return offer.make(msg, services)
    return schedule.not_understood(msg, services)
