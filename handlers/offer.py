"""A long message nobody recognised may be an idea: ask once, store it exactly as sent on "是".

The router offers (`make`) when a text is not a command, not a schedule question and has at
least domain.intake.OFFER_MIN_CHARS meaningful characters: never the help list for what may be
a resident's idea. The question is kept as a small conversation state (30 minutes):
  {"flow": "offer", "text": the text as the router received it, "key": its dedup key}
The next message answers it (`answer`), whatever it is, and the offer is gone:
- "是" / "好" / "提交" / "确认" … submit the kept text through suggest.submit_one with the
  ORIGINAL message's dedup key as source key — the same rules as a one-message submission
  (length, same text today, hourly limit, choice of campaign);
- "不" / "算了" / "取消" … a one-line acknowledgement;
- anything else is routed as usual (a new long text makes a new offer).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from domain import intake
from handlers import suggest
from handlers.ports import Services
from handlers.types import Incoming, Reply
from texts import chat as texts

FLOW = "offer"
YES_WORDS = frozenset(
    "是 是的 好 好的 提交 提交吧 确认 确认提交 确定 对 对的 嗯 嗯嗯 可以 行 要 好的提交 "
    "yes y ok 1".split()
)
NO_WORDS = frozenset("不 不是 不用 不要 不了 否 算了 取消 不提交 不用了 no n 0".split())


def _word(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return text.rstrip("。.！!～~") if len(text) > 1 else text


def worth_offering(msg: Incoming) -> bool:
    return msg.kind == "text" and intake.worth_offering(msg.text)


def make(msg: Incoming, services: Services) -> Reply:
    """Ask whether the text of `msg` is a suggestion to submit."""
    state: dict[str, Any] = {"flow": FLOW, "text": msg.text, "key": msg.dedup_key}
    services.conversations.save(msg.user, state)
    return Reply(texts.OFFER_ASK)


def answer(msg: Incoming, state: dict[str, Any], services: Services) -> Reply | None:
    """The reply to an open offer; None: the offer is dropped and `msg` is routed as usual."""
    services.conversations.clear(msg.user)
    word = _word(msg.text) if msg.kind == "text" else ""
    if word in YES_WORDS and state.get("text"):
        original = replace(msg, dedup_key=state.get("key") or msg.dedup_key)
        return suggest.submit_one(original, str(state["text"]), services)
    if word in NO_WORDS:
        return Reply(texts.OFFER_DROPPED)
    return None
