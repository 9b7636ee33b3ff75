"""Which campaign a message is about, so that "切换到…" is asked only when it is truly ambiguous.

The rule, in order (the first that settles it wins):
1. With one campaign loaded, that one (nothing is read: the hot path of most installs).
2. A schedule question that names a campaign or its organisation is answered for it. A campaign
   is named by its code, its full name, the distinctive part of its name ("市科技局", "科技局"
   for 市科技局解放思想大讨论; "区人大", "人大" for 区人大机关…; "孟河镇", "孟河"), or an owner
   unit that appears in that plan only ("局活动办"). When several are named, the rest of the
   rule chooses among them.
3. The user's chosen campaign ("切换到…", or "我是XX的" which stores it), if still loaded.
4. The user's bound unit, if it is an owner in exactly one (running) campaign.
5. The only *running* campaign: today (services.clock.today(), which follows the rehearsal
   date) within the span of its phases.
Otherwise the choice is ambiguous, and the user is asked ("切换到…") among the running
campaigns (all of them when none is running; only the named ones when the question named
several).

Suggestions use steps 1, 3, 4 and 5 only: a resident's idea that mentions 人大 is not thereby
addressed to the 人大 campaign.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.plan import Plan
from handlers.ports import CampaignInfo, Services
from handlers.schedule_format import owner_units

# Words every campaign name shares, removed to find its distinctive part.
_GENERIC = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|解放思想|大讨论|讨论|活动|专题|\d{4}年?")
_ADMIN_PREFIX = ("省", "市", "区", "县")
_ORG_SUFFIX = ("机关", "镇", "乡", "街道")
# The organisation at the head of a name: up to its first unit word.
_ORG_HEAD = re.compile(r"^.+?(?:机关|街道|社区|局|镇|乡|委|厅|办|院|所|中心|公司)")
_NOISE = re.compile(r"[\s“”\"'‘’「」『』《》()（）·,，。、:：;；!！?？~～]+")


def _fold(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Choice:
    """The campaign chosen (`plan`), or the campaigns to ask the user to choose among."""

    plan: Plan | None
    candidates: tuple[CampaignInfo, ...] = ()


def name_aliases(plan: Plan) -> tuple[str, ...]:
    """The ways a message may name the campaign itself, folded, longest first."""
    aliases = {_fold(plan.name), plan.code.lower()}
    core = _fold(_GENERIC.sub("", unicodedata.normalize("NFKC", plan.name)))
    forms = {core}
    org = _ORG_HEAD.match(core)  # "孟河镇" of 孟河镇学先进明思路凝共识
    if org:
        forms.add(org.group(0))
    for prefix in _ADMIN_PREFIX:
        if core.startswith(prefix):
            forms.add(core[len(prefix) :])
    for form in list(forms):
        for suffix in _ORG_SUFFIX:
            if form.endswith(suffix):
                forms.add(form[: -len(suffix)])
    aliases |= {f for f in forms if len(f) >= 2}
    return tuple(sorted((a for a in aliases if a), key=len, reverse=True))


# Every word that names a campaign, and the lengths of those words: a message is checked by
# looking up each of its substrings of those lengths (50 campaigns may have thousands of
# owners; a question is short).
_MAX_SCAN = 200  # characters of a message searched for names (questions are short)
_Index = tuple[dict[str, set[str]], tuple[int, ...]]
_INDEX_CACHE: dict[tuple[int, ...], tuple[list[Plan], _Index]] = {}


def _index(plans: list[Plan]) -> _Index:
    """Folded word → campaign codes, for every alias and every owner unit found in one plan
    only. Cached per set of plan objects (plans are immutable; a reload makes new ones)."""
    key = tuple(id(p) for p in plans)
    cached = _INDEX_CACHE.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], plans, strict=True)):
        return cached[1]
    words: dict[str, set[str]] = {}
    owners: dict[str, set[str]] = {}
    for plan in plans:
        for alias in name_aliases(plan):
            words.setdefault(alias, set()).add(plan.code)
        for unit in owner_units(plan):
            owners.setdefault(_fold(unit), set()).add(plan.code)
    for unit, codes in owners.items():
        if len(codes) == 1:
            words.setdefault(unit, set()).update(codes)
    words = {w: codes for w, codes in words.items() if len(w) >= 2}
    index = (words, tuple(sorted({len(w) for w in words})))
    if len(_INDEX_CACHE) > 64:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[key] = (list(plans), index)
    return index


def named_in(text: str, plans: list[Plan]) -> list[Plan]:
    """The campaigns `text` names (see the module docstring), in the order of `plans`."""
    folded = _fold(text)[:_MAX_SCAN]
    if not folded:
        return []
    words, lengths = _index(plans)
    codes: set[str] = set()
    for size in lengths:
        for start in range(len(folded) - size + 1):
            codes |= words.get(folded[start : start + size], set())
    return [p for p in plans if p.code in codes]


def is_running(plan: Plan, today: date) -> bool:
    """Today falls within the span of the plan's phases."""
    if not plan.phases:
        return False
    start = min(p.span.start for p in plan.phases)
    end = max(p.span.end for p in plan.phases)
    return start <= today <= end


def _loaded(services: Services) -> tuple[list[CampaignInfo], list[Plan]]:
    infos = services.campaigns.active()
    plans = [p for p in (services.campaigns.plan(c.code) for c in infos) if p is not None]
    return infos, plans


def _narrow(user: str, plans: list[Plan], services: Services) -> list[Plan]:
    """Steps 3–5 among `plans`: what is left (one plan when it is settled)."""
    profile = services.users.profile(user)
    if profile.campaign_code:
        for plan in plans:
            if plan.code == profile.campaign_code:
                return [plan]
    today = services.clock.today()
    running = [p for p in plans if is_running(p, today)]
    if profile.unit:
        unit = _fold(profile.unit)
        owning = [p for p in plans if unit in {_fold(u) for u in owner_units(p)}]
        owning_running = [p for p in owning if p in running]
        for group in (owning, owning_running):
            if len(group) == 1:
                return group
    return running or plans


def choose(user: str, services: Services, text: str = "") -> Choice:
    """The campaign a schedule question (`text`) or a suggestion (no text) is about."""
    infos, plans = _loaded(services)
    if len(plans) == 1:
        return Choice(plans[0])
    if not plans:
        return Choice(None, tuple(infos))
    named = named_in(text, plans) if text else []
    if len(named) == 1:
        return Choice(named[0])
    left = _narrow(user, named or plans, services)
    if len(left) == 1:
        return Choice(left[0])
    codes = {p.code for p in left}
    return Choice(None, tuple(c for c in infos if c.code in codes))


def suggestion_options(services: Services) -> list[CampaignInfo]:
    """The campaigns a suggestion may be filed under when the user must choose: the running
    ones, or every loaded one when none is running. The same list numbers the question and
    reads the answer."""
    infos, plans = _loaded(services)
    today = services.clock.today()
    running = {p.code for p in plans if is_running(p, today)}
    return [c for c in infos if c.code in running] or infos
