"""Parsers for what is due when ("下下周有什么到期", "局党组本周三之前要交啥"), how long until a
task ("离产学研对接截止还有几天", "智慧经济报告会过去几天了") and a unit's tasks ("宣传科还有什么
任务"): each takes normalised text and returns a Question or None. Standard library only."""

from __future__ import annotations

import re

from domain.question_periods import find_period
from domain.question_types import ASKING, SELF, UNIT_SUFFIX, WHOLE, Question, clean_unit

_STRONG_DUE = re.compile(r"到期|截止|要交|交什么|交啥|完成|任务|报送|上报|提交|交的|要报")
_WEAK_DUE = re.compile(
    r"工作|安排|事|活动|有什么|有啥|有哪|做什么|干什么|干啥|做啥|要做|要干|需要|计划|有没有"
)
# After a period, words about the calendar itself: "今天是几号", "这周还有几天".
_CALENDAR = re.compile(r"^(?:是|还有|有)?(?:几号|几月几[日号]|周几|几天|多少天|星期几|几点)")
_COUNTDOWN_EXPLICIT = re.compile(
    r"^离(.*?)(?:截止|到期|结束|完成|期限|开始)?(?:日期|时间)?还有几天"
)
_COUNTDOWN_TRAILING = re.compile(r"^(.*?)还有几天(?:截止|到期|结束|完成|开始)?(?:了|呢|啊|呀|吗)?$")
_COUNTDOWN_SINCE = re.compile(
    r"^(.+?)(?:已经)?(?:过去|过了|结束|截止|办完)(?:了)?几天(?:了|呢|啊)?$|^(.+?)是几天前"
)
_COUNTDOWN_WHEN = re.compile(
    r"^(.+?)(?:是|要|得|需要|在)?(?:什么时候|哪天|何时|几号|几月几日|几月几号)"
    r"(?:截止|到期|完成|要交|交|结束|开始|举办|召开|开|办)?(?:了|呢|啊|呀|吗)?$"
)
_COUNTDOWN_DEADLINE = re.compile(
    r"^(.*?)的?(?:截止时间|截止日期|截止期限|完成期限|完成时间|期限)(?:是)?"
    r"(?:哪天|什么时候|几号|多少|什么)?(?:了|呢|啊|呀|吗)?$"
)
_NEXT_PHASE = re.compile(r"下阶段|下步")
_UNIT_TASKS = (
    re.compile(
        r"^(.{1,15}?)(的?)(?:任务|工作|事项)(有哪些|有什么|是什么|有啥|是啥|)(?:呢|啊|吗)?$"
    ),
    re.compile(
        r"^(.{1,15}?)(?:负责|承担|牵头|分管)(?:什么|哪些|哪|啥)(?:任务|工作|事|事项)?(?:呢|啊)?$"
    ),
    re.compile(
        r"^(.{1,15}?)(?:有|要做|要干|需要做|该做|要完成|有没有)(?:什么|哪些|哪|啥)?(?:任务|工作|事|事项)"
        r"?(?:要做|要完成)?(?:呢|啊|吗)?$"
    ),
)
_REMAINING = re.compile(
    r"^(?:还有|剩下|剩余|还没到期的?|没到期的?|未到期的?)(?:几个|几项|多少个?|多少项|哪些|什么)?"
    r"(?:任务|工作|事项?)(?:没到期|没截止|未完成|没完成|要做|要交)?(?:了|呢|啊|吗)?$"
    r"|^还有几[个项](?:没到期|没截止|要交|要做)?(?:了|呢)?$"
)
# What a partly understood question must still ask about: something to do ("要开什么会").
_DOING = re.compile(r"要|有|做|干|开|办|交|报|忙|搞")
_I_AM = re.compile(r"^我们?(?:是|在)(.+?)的?$")


def parse_due_range(text: str) -> Question | None:
    """Tasks due in a period, optionally of one unit; what follows the period must ask about
    deadlines or work (else None), or be a short question: then the period is answered and
    the rest named as not understood."""
    found = find_period(text)
    if found is None:
        return _parse_remaining(text)
    rest = text[found.end :]
    if _CALENDAR.match(rest):
        return None
    kind = found.slots["range_kind"]
    strong = _STRONG_DUE.search(rest) or (kind == "upcoming" and _STRONG_DUE.search(text))
    bare = rest.removeprefix("的").removeprefix("有").removeprefix("要")
    weak = _WEAK_DUE.search(rest) and (ASKING.search(rest) or _WEAK_DUE.fullmatch(bare))
    note = None
    if not (strong or weak or (rest in {"的", "呢"} and found.start == 0)):
        if not (
            found.start == 0 and ASKING.search(rest) and _DOING.search(rest) and len(rest) <= 10
        ):
            return None
        note = rest  # "本周要开什么会": the period is clear, the rest is not
    if "了" in rest and not ASKING.search(text):
        return None  # "这个月的任务太重了": a remark, not a question
    prefix = text[: found.start].rstrip(",")
    i_am = _I_AM.match(prefix)
    prefix = clean_unit((i_am.group(1) if i_am else prefix).removesuffix("在"))
    unit = None if not prefix or prefix in SELF or prefix in WHOLE else prefix
    if unit is not None and (len(unit) > 12 or ASKING.search(unit)):
        return None
    slots = dict(found.slots)
    return Question("due_range", unit=unit, note=note, **slots)  # type: ignore[arg-type]


def _parse_remaining(text: str) -> Question | None:
    if _REMAINING.match(text):
        return Question("due_range", range_kind="remaining")
    return None


def phase_or_countdown(subject: str, aspect: str | None = None) -> Question | None:
    if re.fullmatch(r"(?:现在|当前|目前|本|这|现)?阶段", subject):
        return Question("current_phase")
    if _NEXT_PHASE.fullmatch(subject):
        return Question("next_phase")
    found = find_period(subject)
    if (
        found
        and found.start == 0
        and found.end == len(subject)
        and found.slots["range_kind"] != "day"
    ):
        return None  # "今天是几号", "这周还有几天": about the calendar, not a task
    return Question("countdown", subject=subject, aspect=aspect)


def _clean_subject(subject: str) -> str:
    subject = subject.removeprefix("离").removesuffix("的")
    subject = re.sub(r"的?(?:截止|完成)?(?:日期|时间|期限)$", "", subject)
    subject = re.sub(r"(?:截止|到期|结束|完成|开始)$", "", subject).removesuffix("的")
    subject = subject.removesuffix("是").removesuffix("已经").removesuffix("的")
    return "" if subject in {"还", "最近", "下", "下任务", "最近任务", "任务"} else subject


def parse_countdown_explicit(text: str) -> Question | None:
    match = _COUNTDOWN_EXPLICIT.match(text) or _COUNTDOWN_TRAILING.match(text)
    if match:
        return phase_or_countdown(_clean_subject(match.group(1)))
    since = _COUNTDOWN_SINCE.match(text)
    if since:
        subject = _clean_subject(since.group(1) or since.group(2) or "")
        return phase_or_countdown(subject, "since") if subject else None
    return None


def parse_countdown(text: str) -> Question | None:
    for pattern in (_COUNTDOWN_WHEN, _COUNTDOWN_DEADLINE):
        match = pattern.match(text)
        if match:
            return phase_or_countdown(_clean_subject(match.group(1)))
    return None


def parse_unit_tasks(text: str) -> Question | None:
    for index, pattern in enumerate(_UNIT_TASKS):
        match = pattern.match(text)
        if not match:
            continue
        unit = clean_unit(match.group(1))
        if unit in SELF:
            return Question("unit_tasks", unit=None)
        if unit in WHOLE:
            return Question("timetable")
        if len(unit) < 2 or ASKING.search(unit) or "我" in unit:
            continue
        if index == 0 and not (match.group(2) or match.group(3) or UNIT_SUFFIX.search(unit)):
            continue  # "努力工作" is prose; "局党组工作" or "X的任务" is a question
        if index == 2 and not UNIT_SUFFIX.search(unit) and not re.search(r"[什哪啥]", text):
            continue
        return Question("unit_tasks", unit=unit)
    return None
