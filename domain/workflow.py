"""The suggestion workflow (INTERFACES.md "Suggestion workflow"): statuses, outcomes, who may do
what. Pure rules, standard library only: the use cases in services/ ask `decide` before they
record anything, and the console asks `allowed_actions` which buttons to show.

    待审核 → 已受理 (or 不予受理, with a reason) → 已交办 (to a unit) → 已答复 → 已办结

Decisions worth knowing:
- A unit account never changes a status: it drafts the answer; a reviewer (or organiser)
  edits and publishes it. A unit sees only suggestions assigned to its own unit.
- A reviewer may also assign: handing an idea to the unit that owns it is part of review.
- Declining is possible until an answer is published (a duplicate found late); assigning
  again re-routes to another unit; publishing needs the answer text and an outcome, and
  happens once (the resident is told once).
- 回访: once the answer has reached the resident (已答复 or 已办结) they may rate it once
  (`rate`): 满意 / 基本满意 close an answered idea (已办结); 不满意 reopens it for review
  (已受理), so a reviewer can answer again (a new answer may be rated again).
- The words are public (chat, exports and the command line show them): never rename them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

# Statuses, in order.
PENDING = "待审核"
ACCEPTED = "已受理"
DECLINED = "不予受理"
ASSIGNED = "已交办"
ANSWERED = "已答复"
CLOSED = "已办结"
STATUSES = (PENDING, ACCEPTED, DECLINED, ASSIGNED, ANSWERED, CLOSED)

# Outcomes, set with an answer.
ADOPTED = "已采纳"
PARTLY_ADOPTED = "部分采纳"
NOT_ADOPTED = "未采纳"
FOR_REFERENCE = "留作参考"
OUTCOMES = (ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED, FOR_REFERENCE)

# Roles of console accounts.
ORGANISER = "organiser"
REVIEWER = "reviewer"
UNIT = "unit"
ROLES = (ORGANISER, REVIEWER, UNIT)

# Actions on a suggestion.
ACCEPT = "accept"
DECLINE = "decline"
ASSIGN = "assign"
DRAFT = "draft"
PUBLISH = "publish"
CLOSE = "close"
ACTIONS = (ACCEPT, DECLINE, ASSIGN, DRAFT, PUBLISH, CLOSE)
# The resident's own action (回访), never a console button; audited with actor RESIDENT.
RATE = "rate"
RESIDENT = "resident"

# Satisfaction (回访), and the replies that give it.
SATISFIED = "满意"
FAIRLY_SATISFIED = "基本满意"
DISSATISFIED = "不满意"
SATISFACTIONS = (SATISFIED, FAIRLY_SATISFIED, DISSATISFIED)
RATING_REPLIES = {
    "1": SATISFIED, SATISFIED: SATISFIED, "2": FAIRLY_SATISFIED,
    FAIRLY_SATISFIED: FAIRLY_SATISFIED, "3": DISSATISFIED, DISSATISFIED: DISSATISFIED,
}  # fmt: skip
# How long after the answer reached them a resident's bare "1"/"2"/"3" is taken as a rating.
RATING_WINDOW = timedelta(days=7)

# Which statuses an action starts from, and the status it leaves (None: unchanged).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    ACCEPT: (frozenset({PENDING}), ACCEPTED),
    DECLINE: (frozenset({PENDING, ACCEPTED, ASSIGNED}), DECLINED),
    ASSIGN: (frozenset({ACCEPTED, ASSIGNED}), ASSIGNED),
    DRAFT: (frozenset({ACCEPTED, ASSIGNED}), None),
    PUBLISH: (frozenset({ACCEPTED, ASSIGNED}), ANSWERED),
    CLOSE: (frozenset({ANSWERED}), CLOSED),
    RATE: (frozenset({ANSWERED, CLOSED}), None),  # the rating decides (see `rate`)
}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    ORGANISER: frozenset(ACTIONS),
    REVIEWER: frozenset(ACTIONS),
    UNIT: frozenset({DRAFT}),
}

ACTION_NAMES = {
    ACCEPT: "受理",
    DECLINE: "不予受理",
    ASSIGN: "交办",
    DRAFT: "起草答复",
    PUBLISH: "发布答复",
    CLOSE: "办结",
    RATE: "回访评价",
}

MAX_REASON = 500
MAX_REPLY = 2000
MAX_UNIT = 200

# Why an action was refused (console pages and the command line show these).
NOT_VISIBLE = "not_visible"
FORBIDDEN = "forbidden"
WRONG_STATUS = "wrong_status"
REASON_REQUIRED = "reason_required"
UNIT_REQUIRED = "unit_required"
REPLY_REQUIRED = "reply_required"
BAD_OUTCOME = "bad_outcome"
TOO_LONG = "too_long"
UNKNOWN_ACTION = "unknown_action"

MESSAGES = {
    NOT_VISIBLE: "没有找到这条建议。",
    FORBIDDEN: "您的账号没有这项操作的权限。",
    WRONG_STATUS: "这条建议当前为“{status}”，不能{action}。",
    REASON_REQUIRED: "不予受理需要填写理由。",
    UNIT_REQUIRED: "请填写承办单位。",
    REPLY_REQUIRED: "请填写答复内容。",
    BAD_OUTCOME: "请选择办理结果：已采纳、部分采纳、未采纳或留作参考。",
    TOO_LONG: "内容过长，请精简后再提交。",
    UNKNOWN_ACTION: "无法识别的操作。",
}


class WorkflowError(Exception):
    """An action the rules refuse; `code` says why, `str()` says it in Chinese."""

    def __init__(self, code: str, **fields: str) -> None:
        self.code = code
        super().__init__(MESSAGES[code].format(**fields))


@dataclass(frozen=True)
class Actor:
    """Who acts: a console account (or the command line acting as one)."""

    login: str
    role: str
    unit: str = ""


@dataclass(frozen=True)
class Change:
    """What an allowed action does: the new status and the fields to record."""

    action: str
    before: str
    after: str
    fields: dict[str, str]


def can_see(actor: Actor, suggestion_unit: str | None) -> bool:
    """Organisers and reviewers see everything; a unit only what is assigned to it."""
    if actor.role in (ORGANISER, REVIEWER):
        return True
    return actor.role == UNIT and bool(actor.unit) and suggestion_unit == actor.unit


def can_administer(actor: Actor) -> bool:
    """Accounts and the audit log are the organisers' alone."""
    return actor.role == ORGANISER


def allowed_actions(actor: Actor, status: str, suggestion_unit: str | None) -> list[str]:
    """The actions this actor may take on a suggestion now, in workflow order."""
    if not can_see(actor, suggestion_unit):
        return []
    permitted = ROLE_ACTIONS.get(actor.role, frozenset())
    return [a for a in ACTIONS if a in permitted and status in TRANSITIONS[a][0]]


def decide(
    actor: Actor,
    action: str,
    status: str,
    suggestion_unit: str | None,
    *,
    reason: str = "",
    unit: str = "",
    reply: str = "",
    outcome: str = "",
) -> Change:
    """Check an action against the rules; the Change to record, or WorkflowError."""
    if action not in TRANSITIONS:
        raise WorkflowError(UNKNOWN_ACTION)
    if not can_see(actor, suggestion_unit):
        raise WorkflowError(NOT_VISIBLE)
    if action not in ROLE_ACTIONS.get(actor.role, frozenset()):
        raise WorkflowError(FORBIDDEN)
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise WorkflowError(WRONG_STATUS, status=status, action=ACTION_NAMES[action])
    fields: dict[str, str] = {}
    if action == DECLINE:
        fields["decline_reason"] = _required(reason, REASON_REQUIRED, MAX_REASON)
    elif action == ASSIGN:
        fields["unit"] = _required(unit, UNIT_REQUIRED, MAX_UNIT)
    elif action == DRAFT:
        fields["reply_draft"] = _required(reply, REPLY_REQUIRED, MAX_REPLY)
    elif action == PUBLISH:
        fields["reply"] = _required(reply, REPLY_REQUIRED, MAX_REPLY)
        if outcome not in OUTCOMES:
            raise WorkflowError(BAD_OUTCOME)
        fields["outcome"] = outcome
    return Change(action=action, before=status, after=target or status, fields=fields)


def _required(text: str, missing: str, limit: int) -> str:
    value = (text or "").strip()
    if not value:
        raise WorkflowError(missing)
    if len(value) > limit:
        raise WorkflowError(TOO_LONG)
    return value


def parse_rating(text: str) -> str | None:
    """The satisfaction a reply gives ("1", "２", "满意。" …), or None."""
    word = unicodedata.normalize("NFKC", text or "").strip().rstrip("。.！!")
    return RATING_REPLIES.get(word)


def rate(status: str, satisfaction: str, already: str | None) -> Change:
    """A resident's rating of the answer (回访): the Change to record, or WorkflowError.
    满意 / 基本满意 close an answered idea; 不满意 sends it back to review (已受理)."""
    if satisfaction not in SATISFACTIONS:
        raise WorkflowError(UNKNOWN_ACTION)
    if status not in TRANSITIONS[RATE][0] or already:
        raise WorkflowError(WRONG_STATUS, status=status, action=ACTION_NAMES[RATE])
    if satisfaction == DISSATISFIED:
        after = ACCEPTED
    else:
        after = CLOSED if status == ANSWERED else status
    return Change(action=RATE, before=status, after=after, fields={"satisfaction": satisfaction})
