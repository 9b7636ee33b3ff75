"""献一策: one-message submissions and the guided conversation, and looking suggestions up.

Conversation state (a small dict kept 30 minutes by the ConversationStore):
  {"flow": "suggest", "step": "campaign"|"topic"|"content"|"confirm",
   "campaign": code, "topic": str, "parts": [str], "attachments": [str],
   "oneshot_key": source key of a one-message submission waiting only for its campaign}

"parts" and "attachments" (media ids) are only ever appended to with ConversationStore.append,
one atomic operation per message, never written back with the rest of the state: WeChat sends
each photo of a multi-select as its own message milliseconds apart, and a read-modify-write of
the whole state lost parts of such bursts. Each reply counts from the list the append returned.
A photo is kept at any step of the flow; nothing a resident sends in it is dropped.

A suggestion's source key is `<channel>:<FromUserName>:<MsgId>` (source_key below): unique per
sender, since WeChat's MsgIds are not unique across users.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from domain import suggestion as rules
from handlers import campaign_choice
from handlers import suggest_store as store
from handlers.ports import CampaignInfo, Services
from handlers.suggest_lookup import lookup, my_suggestions, preview  # noqa: F401 - the router's
from handlers.types import Incoming, Reply
from texts import chat as texts

FLOW = "suggest"
START_WORDS = {
    "我要提建议",
    "提建议",
    "献一策",
    "我要献策",
    "金点子",
    "建言献策",
    "我为发展献一策",
    "我的富民金点子",
    "我要建言",
}
DONE_WORDS = {"完成", "提交", "写完了", "好了", "结束"}
CONFIRM_WORDS = {"确认", "确定", "是", "提交", "好", "好的", "对", "1"}
REWRITE_WORDS = {"修改", "重写", "重新填写"}
CANCEL_WORDS = {"取消", "退出", "不提了", "算了"}
EARLY_CONTENT_CHARS = 8  # a reply this long where a choice was asked is content (_keep_early)


def _word(text: str) -> str:
    """A reply compared against control words ("完成", "1", "确认"): width-folded, trimmed."""
    text = unicodedata.normalize("NFKC", text).strip()
    return text.rstrip("。.！!") if len(text) > 1 else text


def source_key(msg: Incoming) -> str:
    """The key a suggestion from `msg` is stored under (unique in the database)."""
    return f"{msg.channel}:{msg.dedup_key}" if msg.dedup_key else ""


NO_LISTS: dict[str, list[str]] = {"parts": [], "attachments": []}


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


def _campaign_for(user: str, services: Services) -> tuple[CampaignInfo | None, list[CampaignInfo]]:
    """The user's campaign if it is clear (the only one, chosen before, the bound unit's, or
    the only running one: handlers/campaign_choice.py), and the ones to choose among."""
    options = campaign_choice.suggestion_options(services)
    plan = campaign_choice.choose(user, services).plan
    if plan is not None:
        for c in services.campaigns.active():
            if c.code == plan.code:
                return c, options
    return None, options


# --- entry points ---------------------------------------------------------------------------


def start(msg: Incoming, services: Services) -> Reply:
    """Begin the guided conversation ("我要提建议" or the SUGGEST menu key)."""
    campaign, campaigns = _campaign_for(msg.user, services)
    state: dict[str, Any] = {"flow": FLOW}
    if campaign is None and campaigns:
        state["step"] = "campaign"
        services.conversations.save(msg.user, state, NO_LISTS)
        return Reply(texts.CHOOSE_CAMPAIGN.format(options=_numbered([c.name for c in campaigns])))
    return _after_campaign(msg, services, state, campaign, NO_LISTS)


def submit_one(msg: Incoming, body: str, services: Services) -> Reply:
    """A whole suggestion in one message ("献一策：……")."""
    content = rules.clean_content(body)
    if not content:
        return Reply(texts.ONE_MESSAGE_HINT)
    campaign, campaigns = _campaign_for(msg.user, services)
    if campaign is None and campaigns:
        refusal = store.refusal(msg.user, content, services)  # before asking which campaign
        if refusal:
            return refusal
        state = {"flow": FLOW, "step": "campaign", "oneshot_key": source_key(msg)}
        services.conversations.save(msg.user, state, {"parts": [content], "attachments": []})
        return Reply(texts.CHOOSE_CAMPAIGN.format(options=_numbered([c.name for c in campaigns])))
    return store.store(
        msg,
        services,
        campaign.code if campaign else "",
        texts.OTHER_TOPIC,
        content,
        [],
        source_key(msg),
    )


def continue_flow(msg: Incoming, state: dict[str, Any], services: Services) -> Reply:
    """The next message of a guided conversation in progress."""
    text = _word(msg.text)
    if text in CANCEL_WORDS:
        services.conversations.clear(msg.user)
        return Reply(texts.CANCELLED)
    step = state.get("step")
    if msg.kind == "image":
        return _attach(msg, state, services)
    if step == "campaign":
        return _on_campaign(msg, state, services, text)
    if step == "topic":
        return _on_topic(msg, state, services, text)
    if step == "content":
        return _on_content(msg, state, services, text)
    return _on_confirm(msg, state, services, text)


def cancel(msg: Incoming, services: Services) -> Reply:
    return Reply(texts.NOTHING_TO_CANCEL)


# --- the steps ------------------------------------------------------------------------------


def _after_campaign(
    msg: Incoming,
    services: Services,
    state: dict[str, Any],
    campaign: CampaignInfo | None,
    lists: dict[str, list[str]] | None = None,
) -> Reply:
    state["campaign"] = campaign.code if campaign else ""
    if state.get("oneshot_key"):
        services.conversations.clear(msg.user)
        return store.store(
            msg,
            services,
            state["campaign"],
            texts.OTHER_TOPIC,
            "\n".join(state.get("parts", [])),
            state.get("attachments", []),
            state["oneshot_key"],
        )
    if campaign and campaign.topics:
        state["step"] = "topic"
        services.conversations.save(msg.user, state, lists)
        return Reply(texts.CHOOSE_TOPIC.format(options=_numbered(list(campaign.topics))))
    state["step"], state["topic"] = "content", texts.OTHER_TOPIC
    services.conversations.save(msg.user, state, lists)
    return Reply(texts.WRITE_CONTENT)


def _keep_early(
    msg: Incoming, state: dict[str, Any], services: Services, text: str, options: list[str]
) -> str:
    """A long reply at a choice step is the idea itself, written before (or in the same burst
    as) the choice: kept as content, never dropped. What to say about it ("" if not kept)."""
    if len(text) < EARLY_CONTENT_CHARS or any(text in option for option in options):
        return ""  # a choice typed by (part of) its name is not content
    parts = services.conversations.append(msg.user, "parts", msg.text.strip())
    if not parts:
        return ""
    state["parts"] = parts  # a one-message submission waiting for its campaign stores them
    return texts.KEPT_EARLY.format(chars=len("\n".join(parts)))


def _on_campaign(msg: Incoming, state: dict[str, Any], services: Services, text: str) -> Reply:
    campaigns = campaign_choice.suggestion_options(services)
    names = [c.name for c in campaigns]
    kept = _keep_early(msg, state, services, text, names)
    choice = _pick(text, names)
    if choice is None:
        ask = texts.CHOOSE_CAMPAIGN if kept else texts.CHOOSE_CAMPAIGN_AGAIN
        return Reply(kept + ask.format(options=_numbered(names)))
    reply = _after_campaign(msg, services, state, campaigns[choice])
    return Reply(kept + (reply.text or "")) if kept and not state.get("oneshot_key") else reply


def _on_topic(msg: Incoming, state: dict[str, Any], services: Services, text: str) -> Reply:
    topics = _topics_of(state.get("campaign", ""), services)
    if text in ("0", "０", texts.OTHER_TOPIC):
        topic = texts.OTHER_TOPIC
    else:
        kept = _keep_early(msg, state, services, text, topics)
        choice = _pick(text, topics)
        if choice is None:
            ask = texts.CHOOSE_TOPIC if kept else texts.CHOOSE_TOPIC_AGAIN
            return Reply(kept + ask.format(options=_numbered(topics)))
        topic = topics[choice]
        if kept:
            state["step"], state["topic"] = "content", topic
            services.conversations.save(msg.user, state)
            return Reply(kept + texts.WRITE_MORE_TOPIC.format(topic=topic))
    state["step"], state["topic"] = "content", topic
    services.conversations.save(msg.user, state)
    return Reply(texts.WRITE_CONTENT_TOPIC.format(topic=topic))


def _on_content(msg: Incoming, state: dict[str, Any], services: Services, text: str) -> Reply:
    if text in DONE_WORDS:
        content = rules.clean_content("\n".join(state.get("parts", [])))
        if not content:
            return Reply(texts.CONTENT_EMPTY)
        refusal = store.refusal(msg.user, content, services)
        if refusal:
            if store.too_short(content, services):
                return refusal  # let them add more; the conversation stays open
            services.conversations.clear(msg.user)
            return refusal
        state["step"] = "confirm"
        services.conversations.save(msg.user, state)
        photos = state.get("attachments", [])
        extra = texts.CONFIRM_ATTACHMENTS.format(count=len(photos)) if photos else ""
        return Reply(
            texts.CONFIRM.format(
                topic=state.get("topic", texts.OTHER_TOPIC),
                preview=preview(content, 100),
                chars=len(content),
                attachments=extra,
            )
        )
    # A retried copy of this message never gets here: every message that can become content
    # holds its dedup claim (router.is_read_only questions are answered, not written down).
    parts: list[str] | None = state.get("parts", [])
    if msg.text.strip():
        parts = services.conversations.append(msg.user, "parts", msg.text.strip())
        if parts is None:  # the flow ended (submitted, cancelled) while this was on its way
            return Reply(texts.FLOW_ENDED)
    return Reply(texts.CONTENT_RECEIVED.format(chars=len("\n".join(parts or []))))


def _on_confirm(msg: Incoming, state: dict[str, Any], services: Services, text: str) -> Reply:
    if text in REWRITE_WORDS:
        state["step"] = "content"
        services.conversations.save(msg.user, state, NO_LISTS)
        return Reply(texts.REWRITE)
    if text not in CONFIRM_WORDS:
        return Reply(texts.CONFIRM_AGAIN)
    services.conversations.clear(msg.user)
    content = rules.clean_content("\n".join(state.get("parts", [])))
    return store.store(
        msg,
        services,
        state.get("campaign", ""),
        state.get("topic", texts.OTHER_TOPIC),
        content,
        state.get("attachments", []),
        source_key(msg),
    )


def _attach(msg: Incoming, state: dict[str, Any], services: Services) -> Reply:
    """Keep the photo whatever the step: it was sent for this suggestion."""
    media = msg.media_id or msg.pic_url
    if not media:
        return Reply(texts.IMAGE_ACK)
    photos = services.conversations.append(msg.user, "attachments", media)
    if photos is None:  # the flow ended (submitted, cancelled) while this was on its way
        return Reply(texts.FLOW_ENDED)
    step = str(state.get("step", ""))
    reply = {"content": texts.IMAGE_ATTACHED, "confirm": texts.IMAGE_ATTACHED_CONFIRM}
    return Reply(reply.get(step, texts.IMAGE_ATTACHED_EARLY).format(count=len(photos)))


# --- choosing ------------------------------------------------------------------------------


def _topics_of(code: str, services: Services) -> list[str]:
    for c in services.campaigns.active():
        if c.code == code:
            return list(c.topics)
    return []


def _pick(text: str, options: list[str]) -> int | None:
    """Index of the option the user chose by number or by (part of) its name."""
    text = text.strip().rstrip("。.")
    if text.isdigit():
        n = int(text)
        return n - 1 if 1 <= n <= len(options) else None
    matches = [i for i, name in enumerate(options) if text and (text in name or name in text)]
    return matches[0] if len(matches) == 1 else None
