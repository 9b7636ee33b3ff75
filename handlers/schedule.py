"""Schedule questions: "本周有什么到期", "现在是什么阶段", "局党组负责什么", "还有几天" …

Entry points for the router:
- `try_handle(msg, services)`: a Reply for a schedule question (text or voice), else None;
- `handle_menu(key, msg, services)`: the menu keys in MENU_KEYS;
- `not_understood(msg, services)`: the closest question forms, for messages nobody
  understood (the miss is kept: handlers/schedule_help.py); `examples_reply()`: the fixed
  list of examples (unknown menu keys).

Long answers are paged: the first page (with the "更多" footer) is the reply; the rest go in
`Reply.more`, which the router stores for "更多" (an empty tuple clears older pages).
"""

from __future__ import annotations

from domain.plan import Plan
from domain.questions import Question, looks_like_schedule_question, parse_question
from handlers import campaign_choice
from handlers import schedule_answers as answers
from handlers import schedule_phases as phases
from handlers.ports import CampaignInfo, Services
from handlers.schedule_format import best_matches, owner_units, paginate, with_more_footer
from handlers.schedule_help import not_understood, remember_miss
from handlers.types import Incoming, Reply
from texts import schedule as T

MENU_KEYS: dict[str, Question] = {
    "DUE_THIS_WEEK": Question("due_range", range_kind="this_week"),
    "CURRENT_PHASE": Question("current_phase"),
}
_TEXT_KINDS = ("text", "voice")


def try_handle(msg: Incoming, services: Services) -> Reply | None:
    """Answer `msg` if it is a schedule question (or a choice of campaign / unit); None lets
    the router offer it to other handlers. Schedule-like questions that cannot be read get the
    closest question forms (and are kept as misses)."""
    if msg.kind not in _TEXT_KINDS or not msg.text:
        return None
    return try_answer(parse_question(msg.text), msg, services)


def try_answer(question: Question | None, msg: Incoming, services: Services) -> Reply | None:
    """try_handle for a message whose text the caller has already parsed into `question`."""
    if msg.kind not in _TEXT_KINDS or not msg.text:
        return None
    if question is None:
        return not_understood(msg, services) if looks_like_schedule_question(msg.text) else None
    return answer(question, msg, services)


def handle_menu(key: str, msg: Incoming, services: Services) -> Reply:
    """Answer a menu click: "DUE_THIS_WEEK" or "CURRENT_PHASE" (anything else: the examples)."""
    question = MENU_KEYS.get(key)
    if question is None:
        return examples_reply()
    return answer(question, msg, services)


def examples_reply() -> Reply:
    """The "not understood" help: examples of what can be asked."""
    return Reply(T.EXAMPLES)


def answer(question: Question, msg: Incoming, services: Services) -> Reply:
    """Answer an already parsed question for the user of `msg`."""
    if question.intent == "switch_campaign":
        return _paged(_switch(question.campaign or "", msg.user, services))
    if question.intent == "bind_unit":
        return _paged(_bind(question.unit or "", msg.user, services))
    said = msg.text if msg.kind in _TEXT_KINDS else ""
    choice = campaign_choice.choose(msg.user, services, said)
    if choice.plan is None:
        return _paged(_choose_pages(list(choice.candidates)))
    plan = choice.plan
    pages, missed = _about_plan(question, plan, msg.user, services)
    if missed:  # answered in part, or what it names is not in the plan: worth a look
        remember_miss(msg, services, pages[0], missed, plan.code)
    return _paged(pages)


def _paged(pages: list[str]) -> Reply:
    """The first page as the reply; the rest for "更多" (an empty rest clears older pages)."""
    rest = tuple(pages[1:])
    return Reply(with_more_footer(pages[0], len(rest)), more=rest)


def _user_plan(user: str, services: Services) -> Plan | None:
    """The user's campaign when it is clear without their words (handlers/campaign_choice.py)."""
    return campaign_choice.choose(user, services).plan


def _choose_pages(active: list[CampaignInfo], header: str = T.CHOOSE_HEADER) -> list[str]:
    if not active:
        return [T.NO_CAMPAIGN]
    lines = [T.CAMPAIGN_LINE.format(name=c.name) for c in active]
    lines.append(T.CHOOSE_FOOTER.format(example=active[0].name))
    return paginate(header, lines)


def _about_plan(
    question: Question, plan: Plan, user: str, services: Services
) -> tuple[list[str], str | None]:
    """The pages answering `question`, and the kind of miss when it was not fully answered
    ("partial", "not_found"), else None."""
    today = services.clock.today()
    intent = question.intent
    if intent == "due_range":
        units: list[str] = []
        if question.unit:
            units = answers.resolve_units(plan, question.unit)
            if not units and not _names_campaign(question.unit, plan):
                return answers.due_range_unit_unknown(plan, question, today), "not_found"
        return answers.due_range(plan, question, today, units), _partial(question)
    if intent == "phase_info":
        found = phases.find_phase(plan, question.phase or "#1") if plan.phases else None
        return phases.phase_info(plan, question, today), None if found else "not_found"
    if intent == "campaign_span":
        return phases.campaign_span(plan, question, today), None
    if intent == "current_phase":
        return phases.current_phase(plan, today), None
    if intent == "next_phase":
        return phases.next_phase(plan, today), None
    if intent == "countdown":
        pages = answers.countdown(plan, question.subject or "", today)
        no_match = T.COUNTDOWN_NO_MATCH.format(subject=question.subject)
        return pages, "not_found" if pages[0] == no_match else None
    if intent == "overdue":
        return answers.overdue(plan, today), None
    if intent == "unit_tasks":
        return _unit_tasks(question.unit, plan, user, services)
    return answers.timetable(plan, today), None


def _partial(question: Question) -> str | None:
    return "partial" if question.note else None


def _names_campaign(said: str, plan: Plan) -> bool:
    """True when `said` names the campaign itself ("科技局" for 市科技局解放思想大讨论)."""
    return bool(best_matches(said, [plan.name], fuzzy=False)) or said.lower() == plan.code.lower()


def _unit_tasks(
    said: str | None, plan: Plan, user: str, services: Services
) -> tuple[list[str], str | None]:
    today = services.clock.today()
    if said is None:  # "我的任务": the unit the user told us
        said = services.users.profile(user).unit
        if not said:
            known = owner_units(plan)
            if not known:
                return [T.UNIT_NO_OWNERS], None
            return [T.UNIT_NOT_BOUND.format(example=known[0])], None
    units = answers.resolve_units(plan, said)
    if units:
        return answers.unit_tasks(plan, units, today), None
    if _names_campaign(said, plan):
        return answers.timetable(plan, today), None
    for info in services.campaigns.active():
        other = services.campaigns.plan(info.code)
        if other is not None and other.code != plan.code and _names_campaign(said, other):
            return answers.timetable(other, today), None
    return answers.unit_not_found(plan, said), "not_found"


def _find_campaigns(text: str, active: list[CampaignInfo], *, fuzzy: bool) -> list[CampaignInfo]:
    wanted = text.strip().lower()
    by_code = [c for c in active if c.code.lower() == wanted]
    if by_code:
        return by_code
    return [active[i] for i in best_matches(text, [c.name for c in active], fuzzy=fuzzy)]


def _switch(text: str, user: str, services: Services) -> list[str]:
    active = services.campaigns.active()
    if not active or not text:
        return _choose_pages(active)
    found = _find_campaigns(text, active, fuzzy=True)
    if len(found) == 1:
        services.users.set_campaign(user, found[0].code)
        return [T.SWITCHED.format(name=found[0].name)]
    if found:
        return _choose_pages(found, T.SWITCH_AMBIGUOUS.format(text=text))
    return _choose_pages(active, T.SWITCH_NOT_FOUND.format(text=text))


def _bind(said: str, user: str, services: Services) -> list[str]:
    """ "我是X的": X names a campaign (bind it), or an owner unit (bind its campaign and unit)."""
    active = services.campaigns.active()
    if not active:
        return [T.NO_CAMPAIGN]
    campaigns = _find_campaigns(said, active, fuzzy=False)
    if len(campaigns) == 1:
        services.users.set_campaign(user, campaigns[0].code)
        return [T.BOUND_CAMPAIGN.format(name=campaigns[0].name)]
    current = _user_plan(user, services)
    plans = [current] if current is not None else []
    plans += [
        p
        for p in (services.campaigns.plan(c.code) for c in active)
        if p is not None and (current is None or p.code != current.code)
    ]
    hits = [(plan, units) for plan in plans if (units := answers.resolve_units(plan, said))]
    if hits and (len(hits) == 1 or hits[0][0] is current):
        plan, units = hits[0]
        services.users.set_campaign(user, plan.code)
        services.users.set_unit(user, plan.code, units[0])
        return [T.BOUND_UNIT.format(unit=units[0], name=plan.name)]
    if hits or campaigns:
        codes = {plan.code for plan, _ in hits} | {c.code for c in campaigns}
        return _choose_pages(
            [c for c in active if c.code in codes], T.BIND_AMBIGUOUS.format(text=said)
        )
    if current is not None and owner_units(current):
        known = owner_units(current)
        hint = T.BIND_UNITS_HINT.format(units=T.UNIT_SEPARATOR.join(known), example=known[0])
        return paginate(f"{T.BIND_NOT_FOUND.format(unit=said)}\n{hint}", [])
    return _choose_pages(active, T.BIND_NOT_FOUND.format(unit=said) + T.CHOOSE_HEADER)
