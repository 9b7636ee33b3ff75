"""Schedule questions in plain Chinese, read into an intent and slots: standard library only.

`parse_question` claims only what is clearly a question about the campaign schedule (or a
"which campaign / which unit am I" statement); everything else returns None so the router can
offer the text to other handlers (suggestions, commands).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

INTENTS = (
    "due_range",
    "current_phase",
    "next_phase",
    "unit_tasks",
    "countdown",
    "overdue",
    "timetable",
    "bind_unit",
    "switch_campaign",
)

MAX_QUESTION_CHARS = 40


@dataclass(frozen=True)
class Question:
    """What was asked. Slots not used by the intent stay None.

    - due_range: `range_kind` (see domain.calendar.RANGE_KINDS), `month` for "month";
      `unit` when the question names a unit ("局党组本周有什么任务").
    - unit_tasks: `unit` as said; None means "my own unit" ("我的任务").
    - countdown: `subject`, the words naming the task ("" = the next deadline).
    - bind_unit: `unit` (a unit or campaign name, resolved later); switch_campaign: `campaign`.
    """

    intent: str
    range_kind: str | None = None
    month: int | None = None
    unit: str | None = None
    subject: str | None = None
    campaign: str | None = None


_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十]{1,3})(?=月|日|号|天)")
_TRAILING = "。.？?！!~～、，,；; \t\r\n"
# Rewrites applied in this order (longer forms first): "这个星期" → "这周", "六月份" → "六月".
_SYNONYMS = tuple(
    tuple(pair.split("="))
    for pair in (
        "星期=周 礼拜=周 週=周 这一个=这 这个=这 这一=这 下一个=下 下个=下 下一=下 上一个=上 "
        "上个=上 上一=上 月份=月 截至=截止 距离=离 多少天=几天 哪一=哪 距=离 还剩=还有 "
        "剩下几天=还有几天"
    ).split()
)
_POLITE = re.compile(
    r"^(?:请问一下|请问|麻烦问一下|麻烦问下|问一下|问下|想问一下|想问下|我想问一下|我想问|我想知道"
    r"|你好|您好|小助手|助手|那么|那|另外|请|帮我查一下|帮我查下|帮我查|查一下|查下|帮我看看"
    r"|帮我看一下|帮我看下|看一下|看下|看看|告诉我)[,]?"
)
_NOT_OURS = re.compile(
    r"^(?:献一策|献策|我要提|我要献|我的建议|我的意见|查询|帮助|订阅|退订|关于|希望|我建议|我认为"
    r"|我觉得|我想(?!问|知道|了解|查)"
    r"|(?:建议|意见)(?!征集|收集|什么时候|哪天|的?截止))"
)
_SELF = {"我", "我们", "咱", "咱们", "俺", "我单位", "我们单位", "本单位", "我部门", "我们部门"}
_WHOLE = set(
    "活动 大讨论 本次活动 这次活动 这活动 整个活动 全部 所有 都 一共 总共 全局 整体 这次 本次 "
    "方案".split()
)
_UNIT_SUFFIX = re.compile(
    r"(?:镇|乡|街道|村|社区|局|办|委|组|部|室|处|科|中心|院|所|队|站|厅|司|"
    r"区|县|市|公司|机关|支部|党委|班子|人大|政协|法院|检察院|单位)$"
)

_TIME_WORDS = (
    (re.compile(r"今天|今日"), "today"),
    (re.compile(r"明天|明日"), "tomorrow"),
    (re.compile(r"(?:本|这)周"), "this_week"),
    (re.compile(r"(?<!下)下周"), "next_week"),
    (re.compile(r"(?<!上)上周"), "last_week"),
    (re.compile(r"(?:本|这|当)月"), "this_month"),
    (re.compile(r"(?<!下)下月"), "next_month"),
    (
        re.compile(r"最近|近期|近日|近几天|这几天|快要?到期|即将到期|马上到期|快截止|即将截止"),
        "upcoming",
    ),
)
_MONTH = re.compile(r"(?<!\d)(1[0-2]|[1-9])月(?![\d底末初中上下])")
_STRONG_DUE = re.compile(r"到期|截止|要交|交什么|交啥|完成|任务|deadline|ddl")
_WEAK_DUE = re.compile(
    r"工作|安排|事|活动|有什么|有啥|有哪|做什么|干什么|干啥|做啥|要做|要干|需要|计划"
)
_ASKING = re.compile(r"[?吗呢]|什么|哪|几|啥|怎么|多少|有没有")
_OVERDUE = re.compile(
    r"逾期|过期|超期|已经截止|已截止|过了截止|过了期限|没按时|未按时|超时|误期|延期"
)
_COUNTDOWN_EXPLICIT = re.compile(
    r"^离(.*?)(?:截止|到期|结束|完成|期限|开始)?(?:日期|时间)?还有几天"
)
_COUNTDOWN_TRAILING = re.compile(r"^(.*?)还有几天(?:截止|到期|结束|完成|开始)?(?:了|呢|啊|呀|吗)?$")
_COUNTDOWN_WHEN = re.compile(
    r"^(.+?)(?:是|要|得|需要|在)?(?:什么时候|啥时候|哪天|何时|几号|几月几日|几月几号)"
    r"(?:截止|到期|完成|要交|交|结束|开始|举办|召开|开|办)?(?:了|呢|啊|呀|吗)?$"
)
_COUNTDOWN_DEADLINE = re.compile(
    r"^(.*?)的?(?:截止时间|截止日期|截止期限|完成期限|完成时间|期限)(?:是)?"
    r"(?:哪天|什么时候|啥时候|几号|多少|什么)?(?:了|呢|啊|呀|吗)?$"
)
_SWITCH = re.compile(r"^(?:切换到|切换至|切换成|切换|换到|换成|切到|改成|改为|选择)[ ,]*(.*)$")
_BIND = (
    re.compile(r"^我(?:是|在|属于|来自)(.{1,15}?)的(?:人|同志|干部|工作人员|)$"),
    re.compile(r"^我们?(?:的)?(?:单位|部门)(?:是|在)(.{1,15})$"),
    re.compile(r"^我们?(?:是|在|属于|来自)(.{1,15})$"),
)
_NEXT_PHASE = re.compile(r"下阶段|下步")
_PHASE_LIST = re.compile(
    r"(?:有哪些|有哪|有几个|有几|分几个|分几|分哪|哪几个|所有|全部|各个|各|每个)阶段"
)
_CURRENT_PHASE = re.compile(
    r"(?:现在|当前|目前|眼下|现|本|这)阶段|(?:什么|哪个|哪|几|啥)阶段|到哪步|进行到哪|进展到哪|"
    r"^(?:现在|目前|当前)(?:该|要|应该|需要|有)?(?:做|干)?(?:什么|啥|哪些)(?:任务|工作|事)?$"
)
_TIMETABLE = re.compile(
    r"时间表|时间安排|进度表|进度安排|日程|全部任务|所有任务|任务清单|任务列表|任务表|"
    r"全部安排|整体安排|总体安排|活动安排|计划表|安排表|时间节点|全部的任务|所有的任务|完整安排"
)
_UNIT_TASKS = (
    re.compile(
        r"^(.{1,15}?)(的?)(?:任务|工作|事项)(有哪些|有什么|是什么|有啥|是啥|)(?:呢|啊|吗)?$"
    ),
    re.compile(
        r"^(.{1,15}?)(?:负责|承担|牵头|分管)(?:什么|哪些|哪|啥)(?:任务|工作|事|事项)?(?:呢|啊)?$"
    ),
    re.compile(
        r"^(.{1,15}?)(?:有|要做|要干|需要做|该做|要完成)(?:什么|哪些|哪|啥)(?:任务|工作|事|事项)?$"
    ),
)
_GENERIC_TASKS = re.compile(
    r"^(?:有|都有|要做|要完成|需要做|一共有|总共有)?(?:什么|哪些|哪|啥)(?:任务|工作|事)"
)
_I_AM = re.compile(r"^我们?(?:是|在)(.+?)的?$")


def normalize(text: str) -> str:
    """Full-width to half-width, no inner spaces, synonyms unified, Chinese month/day numerals
    as digits, trailing punctuation removed."""
    text = unicodedata.normalize("NFKC", text or "").strip().strip(_TRAILING)
    text = re.sub(r"\s+", "", text).replace("“", "").replace("”", "").replace('"', "")
    for old, new in _SYNONYMS:
        text = text.replace(old, new)
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(1))), text)
    return text.lower() if text.isascii() else text


def _cn_to_int(word: str) -> int:
    """一..九十九 written in Chinese numerals."""
    if "十" not in word:
        value = 0
        for char in word:
            value = value * 10 + _DIGITS[char]
        return value
    tens, _, ones = word.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _strip_polite(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _POLITE.sub("", text)
    return text


@lru_cache(maxsize=4096)
def parse_question(text: str) -> Question | None:
    """The schedule question `text` asks, or None when it is not one of ours.

    Pure and cached: the webhook asks it once to choose a lane and the router once to answer,
    and cadres ask the same few questions all day."""
    norm = normalize(text)
    if not norm or len(norm) > MAX_QUESTION_CHARS or ":" in norm or norm.isdigit():
        return None
    if _NOT_OURS.match(norm):
        return None
    norm = _strip_polite(norm)
    if not norm:
        return None
    for parser in _PARSERS:
        question = parser(norm)
        if question is not None:
            return question
    return None


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
        if index == 2 and not _UNIT_SUFFIX.search(unit):
            return None
        if len(unit) >= 2 and unit not in _SELF and not _ASKING.search(unit):
            return Question("bind_unit", unit=unit)
        return None
    return None


def _phase_or_countdown(subject: str) -> Question | None:
    if re.fullmatch(r"(?:现在|当前|目前|本|这|现)?阶段", subject):
        return Question("current_phase")
    if _NEXT_PHASE.fullmatch(subject):
        return Question("next_phase")
    found = _find_range(subject)
    if found and found[2] == 0 and found[3] == len(subject):
        return None  # "今天是几号", "这周还有几天": about the calendar, not a task
    return Question("countdown", subject=subject)


def _clean_subject(subject: str) -> str:
    subject = subject.removeprefix("离").removesuffix("的")
    subject = re.sub(r"的?(?:截止|完成)?(?:日期|时间|期限)$", "", subject)
    subject = re.sub(r"(?:截止|到期|结束|完成|开始)$", "", subject).removesuffix("的")
    return "" if subject in {"还", "最近", "下", "下任务", "最近任务", "任务"} else subject


def _parse_countdown_explicit(text: str) -> Question | None:
    match = _COUNTDOWN_EXPLICIT.match(text) or _COUNTDOWN_TRAILING.match(text)
    return _phase_or_countdown(_clean_subject(match.group(1))) if match else None


def _parse_countdown(text: str) -> Question | None:
    for pattern in (_COUNTDOWN_WHEN, _COUNTDOWN_DEADLINE):
        match = pattern.match(text)
        if match:
            return _phase_or_countdown(_clean_subject(match.group(1)))
    return None


def _parse_overdue(text: str) -> Question | None:
    if _OVERDUE.search(text) and len(text) <= 20:
        return Question("overdue")
    return None


def _parse_phase(text: str) -> Question | None:
    if "阶段" not in text and not (
        _ASKING.search(text) and (_NEXT_PHASE.search(text) or _CURRENT_PHASE.search(text))
    ):
        return None  # "下一步打算加强培训" is a plan, not a question
    if _PHASE_LIST.search(text):
        return Question("timetable")
    if _NEXT_PHASE.search(text):
        return Question("next_phase")
    if _CURRENT_PHASE.search(text):
        return Question("current_phase")
    return None


def _find_range(text: str) -> tuple[str, int | None, int, int] | None:
    """(range kind, month, start, end) of the first time phrase in `text`."""
    if "下下" in text or "上上" in text:
        return None
    found: list[tuple[int, int, str, int | None]] = []
    for pattern, kind in _TIME_WORDS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), match.end(), kind, None))
    month = _MONTH.search(text)
    if month:
        found.append((month.start(), month.end(), "month", int(month.group(1))))
    if not found:
        return None
    start, end, kind, number = min(found)
    return kind, number, start, end


def _parse_due_range(text: str) -> Question | None:
    found = _find_range(text)
    if not found:
        return None
    kind, month, start, end = found
    rest = text[end:]
    strong = _STRONG_DUE.search(rest) or (kind == "upcoming" and _STRONG_DUE.search(text))
    bare = rest.removeprefix("的").removeprefix("有").removeprefix("要")
    weak = _WEAK_DUE.search(rest) and (_ASKING.search(rest) or _WEAK_DUE.fullmatch(bare))
    if not (strong or weak or (rest in {"的", "呢"} and start == 0)):
        return None
    if "了" in rest and not _ASKING.search(text):
        return None  # "这个月的任务太重了": a remark, not a question
    prefix = text[:start].rstrip(",")
    i_am = _I_AM.match(prefix)
    prefix = (i_am.group(1) if i_am else prefix).removesuffix("在").removesuffix("的")
    unit = None if not prefix or prefix in _SELF or prefix in _WHOLE else prefix
    if unit is not None and (len(unit) > 12 or _ASKING.search(unit)):
        return None
    return Question("due_range", range_kind=kind, month=month, unit=unit)


def _parse_timetable(text: str) -> Question | None:
    if _TIMETABLE.search(text) or _GENERIC_TASKS.match(text):
        return Question("timetable")
    return None


def _parse_unit_tasks(text: str) -> Question | None:
    for index, pattern in enumerate(_UNIT_TASKS):
        match = pattern.match(text)
        if not match:
            continue
        unit = match.group(1).removesuffix("的")
        if unit in _SELF:
            return Question("unit_tasks", unit=None)
        if unit in _WHOLE:
            return Question("timetable")
        if len(unit) < 2 or _ASKING.search(unit) or "我" in unit:
            continue
        if index == 0 and not (match.group(2) or match.group(3) or _UNIT_SUFFIX.search(unit)):
            continue  # "努力工作" is prose; "局党组工作" or "X的任务" is a question
        return Question("unit_tasks", unit=unit)
    return None


_PARSERS = (
    _parse_switch,
    _parse_bind,
    _parse_countdown_explicit,
    _parse_overdue,
    _parse_phase,
    _parse_due_range,
    _parse_countdown,
    _parse_timetable,
    _parse_unit_tasks,
)
_SCHEDULE_HINTS = re.compile(r"任务|截止|到期|阶段|进度|时间表|日程|deadline|ddl")


def looks_like_schedule_question(text: str) -> bool:
    """True for short questions that mention the schedule but that `parse_question` could not
    read: worth answering with examples rather than passing on."""
    if parse_question(text) is not None:
        return False
    norm = normalize(text)
    if not norm or len(norm) > MAX_QUESTION_CHARS or _NOT_OURS.match(norm):
        return False
    raw = unicodedata.normalize("NFKC", text or "")
    return bool(_SCHEDULE_HINTS.search(norm) and (_ASKING.search(norm) or "?" in raw))
