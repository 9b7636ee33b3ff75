"""Schedule questions in plain Chinese, read into an intent and slots: standard library only.

`parse_question` claims only what is clearly a question about the campaign schedule (or a
"which campaign / which unit am I" statement); everything else returns None so the router can
offer the text to other handlers (suggestions, commands).

The parser is split along its seams: domain.question_text (surface: full-width, voice
output, numbers as words, colloquial words), domain.question_periods (the period a question
names), domain.question_phases (one phase, the whole campaign), domain.question_dues (due
dates, countdowns, a unit's tasks); this module holds the order they are tried in. The
phrasing corpus in tests/data/questions/ measures it (`python -m bench.question_corpus`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from domain.question_dues import (
    parse_countdown,
    parse_countdown_explicit,
    parse_due_range,
    parse_unit_tasks,
)
from domain.question_phases import parse_campaign_span, parse_phase_info
from domain.question_text import normalize, strip_polite
from domain.question_types import (
    ASKING,
    INTENTS,
    READ_ONLY_INTENTS,
    SELF,
    UNIT_SUFFIX,
    Question,
)

__all__ = [
    "INTENTS",
    "READ_ONLY_INTENTS",
    "MAX_QUESTION_CHARS",
    "Question",
    "looks_like_schedule_question",
    "normalize",
    "parse_question",
]

MAX_QUESTION_CHARS = 40

_NOT_OURS = re.compile(
    r"^(?:献一策|献策|我要提|我要献|我的建议|我的意见|查询|帮助|订阅|退订|关于|希望|我建议|我认为"
    r"|我觉得|我想(?!问|知道|了解|查)"
    r"|(?:建议|意见)(?!征集|收集|什么时候|哪天|的?截止))"
)
# An idea, however it starts: long enough to be one and worded like one ("应该增设…").
_IDEA_WORDS = re.compile(r"建议|希望|增设|应该|应当|呼吁|提议|加强|加快|加大|完善|设立|开设|增加")
_IDEA_MIN_CHARS = 12
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_SWITCH = re.compile(r"^(?:切换到|切换至|切换成|切换|换到|换成|切到|改成|改为|选择)[ ,]*(.*)$")
_BIND = (
    re.compile(r"^我(?:是|在|属于|来自)(.{1,15}?)的(?:人|同志|干部|工作人员|)$"),
    re.compile(r"^我们?(?:的)?(?:单位|部门)(?:是|在)(.{1,15})$"),
    re.compile(r"^我们?(?:是|在|属于|来自)(.{1,15})$"),
)
_OVERDUE = re.compile(
    r"逾期|过期|超期|已经截止|已截止|过了截止|过了期限|没按时|未按时|超时|误期|延期|没交的|拖期"
)
_NEXT_PHASE = re.compile(r"下阶段|下步")
_PHASE_LIST = re.compile(
    r"(?:有哪些|有哪|有几个|有几|分几个|分几|分哪|哪几个|所有|全部|各个|各|每个)阶段"
)
_CURRENT_PHASE = re.compile(
    r"(?:现在|当前|目前|眼下|现|本|这)阶段|(?:什么|哪个|哪|几|啥)阶段|到哪步|进行到哪|进展到哪|"
    r"(?:进度|进展)(?:怎么样|如何)|"
    r"^(?:现在|目前|当前)(?:该|要|应该|需要|有)?(?:做|干)?(?:什么|啥|哪些)(?:任务|工作|事)?$"
)
_TIMETABLE = re.compile(
    r"时间表|时间安排|进度表|进度安排|日程|全部任务|所有任务|任务清单|任务列表|任务表|"
    r"全部安排|整体安排|总体安排|活动安排|计划表|安排表|时间节点|全部的任务|所有的任务|完整安排"
)
_GENERIC_TASKS = re.compile(
    r"^(?:有|都有|要做|要完成|需要做|一共有|总共有)?(?:什么|哪些|哪|啥)(?:任务|工作|事)"
)
_DUE_SOON = re.compile(
    r"^(?:有)?(?:什么|啥|哪些)?(?:要交|该交|要报|要上报)(?:什么|啥|哪些|的)?(?:了|呢|吗)?$"
)
_SCHEDULE_HINTS = re.compile(r"任务|截止|到期|阶段|进度|时间表|日程|活动|交")


@lru_cache(maxsize=4096)
def parse_question(text: str) -> Question | None:
    """The schedule question `text` asks, or None when it is not one of ours.

    Pure and cached: the webhook asks it once to choose a lane and the router once to answer,
    and cadres ask the same few questions all day."""
    norm = normalize(text)
    if not norm or len(norm) > MAX_QUESTION_CHARS or ":" in norm or norm.isdigit():
        return None
    if _NOT_OURS.match(norm) or _is_idea(norm):
        return None
    norm = strip_polite(norm)
    if not norm:
        return None
    for parser in _PARSERS:
        question = parser(norm)
        if question is not None:
            return question
    return None


def _is_idea(text: str) -> bool:
    return bool(
        len(_MEANINGFUL.findall(text)) >= _IDEA_MIN_CHARS
        and _IDEA_WORDS.search(text)
        and not re.search(r"截止|到期|什么时候", text)
    )


def _parse_switch(text: str) -> Question | None:
    match = _SWITCH.match(text)
    if not match:
        return None
    campaign = match.group(1).removeprefix("活动").strip(" ,")
    return Question("switch_campaign", campaign=campaign)


def _parse_bind(text: str) -> Question | None:
    for index, pattern in enumerate(_BIND):
        match = pattern.match(text)
        if not match:
            continue
        unit = match.group(1).removesuffix("的")
        # "我是X的" is explicit; a bare "我在X" must at least look like a unit's name.
        if index == 2 and not UNIT_SUFFIX.search(unit):
            return None
        if len(unit) >= 2 and unit not in SELF and not ASKING.search(unit):
            return Question("bind_unit", unit=unit)
        return None
    return None


def _parse_campaign(text: str) -> Question | None:
    aspect = parse_campaign_span(text)
    return Question("campaign_span", aspect=aspect) if aspect else None


def _parse_phase_info(text: str) -> Question | None:
    found = parse_phase_info(text)
    if found is None:
        return None
    return Question("phase_info", phase=found["phase"], aspect=found["aspect"])


def _parse_overdue(text: str) -> Question | None:
    if _OVERDUE.search(text) and len(text) <= 20:
        return Question("overdue")
    return None


def _parse_phase(text: str) -> Question | None:
    if "阶段" not in text and not (
        ASKING.search(text) and (_NEXT_PHASE.search(text) or _CURRENT_PHASE.search(text))
    ):
        return None  # "下一步打算加强培训" is a plan, not a question
    if _PHASE_LIST.search(text):
        return Question("timetable")
    if _NEXT_PHASE.search(text):
        return Question("next_phase")
    if _CURRENT_PHASE.search(text):
        return Question("current_phase")
    return None


def _parse_timetable(text: str) -> Question | None:
    if _TIMETABLE.search(text) or _GENERIC_TASKS.match(text):
        return Question("timetable")
    if _DUE_SOON.match(text):
        return Question("due_range", range_kind="upcoming")
    return None


_PARSERS: tuple[Callable[[str], Question | None], ...] = (
    _parse_switch,
    _parse_bind,
    _parse_campaign,
    _parse_phase_info,
    parse_countdown_explicit,
    _parse_overdue,
    _parse_phase,
    parse_due_range,
    parse_countdown,
    _parse_timetable,
    parse_unit_tasks,
)


def looks_like_schedule_question(text: str) -> bool:
    """True for short questions that mention the schedule but that `parse_question` could not
    read: worth answering with the closest question forms rather than passing on."""
    if parse_question(text) is not None:
        return False
    norm = normalize(text)
    if not norm or len(norm) > MAX_QUESTION_CHARS or _NOT_OURS.match(norm) or _is_idea(norm):
        return False
    raw = unicodedata.normalize("NFKC", text or "")
    return bool(_SCHEDULE_HINTS.search(norm) and (ASKING.search(norm) or "?" in raw))
