"""Questions about one phase ("第三阶段什么时候开始", "调研阶段还有几天", "还有几天到实践转化
阶段") or about the campaign as a whole ("活动什么时候结束", "一共几天", "还剩几天"), read from
normalised text: standard library only.

A phase is referred to as `phase` = "#3" (the third, in date order), "#-1" (the last), or
the words before 阶段 ("调研", "实践转化"), matched loosely against the plan's names later.
`aspect` says what is asked: start, end, until (days to its start), since (days since its
start), left (days to its end), length, or info (dates, summary and tasks).
"""

from __future__ import annotations

import re

from domain.question_text import cn_to_int

_ORDINAL = re.compile(r"(?:^|第)([1-9一二三四五六七八九])个?阶段")
_LAST = re.compile(r"最后(?:一个|1个)?阶段|最末阶段|收尾阶段")
_FIRST = re.compile(r"首个阶段|头一个阶段|开头的?阶段")
_NAMED = re.compile(r"([\u4e00-\u9fff、，,]{2,14}?)阶段")
# Words before 阶段 that ask or point ("哪个阶段", "分几个阶段", "现在阶段") rather than name one.
_NOT_A_NAME = re.compile(
    r"哪|什么|啥|几|现在|当前|目前|眼下|所有|全部|每个|各个|(?:这|本|下|上|个|现|有|是|了|在|到|离|各|分|共)$"
)
_ASPECTS = (
    (
        "until",
        re.compile(r"还有几天到|还有几天才?(?:开始|进入)|几天后(?:开始|进入)|还要几天|离.*开始"),
    ),
    ("since", re.compile(r"过去几天|开始几天|进行了?几天|已经几天|过了几天|开始了?多少天|第几天")),
    ("left", re.compile(r"还有几天|离.*结束|几天结束|剩几天")),
    ("length", re.compile(r"一共几天|总共几天|共几天|持续几天|几天时间|要搞几天|为期几天|有几天")),
    (
        "start",
        re.compile(
            r"(?:什么时候|哪天|几号|何时|几月几[日号])(?:开始|启动|进入)|开始时间|开始日期|"
            r"从(?:什么时候|哪天)|开始了?(?:吗|没|没有)|起止"
        ),
    ),
    (
        "end",
        re.compile(
            r"(?:什么时候|哪天|几号|何时|几月几[日号])(?:结束|截止|完)|结束时间|结束日期|"
            r"到什么时候|到哪天|到几[号月]|持续到|截止|结束了?(?:吗|没|没有)"
        ),
    ),
    ("info", re.compile(r"什么|哪些|啥|干嘛|怎么|任务|内容|重点|安排|是|吗|呢|做|多会")),
)
_CAMPAIGN = re.compile(
    r"^(?:离|距离?)?(?:本次|这次|整个|整次|全部|咱们|我们的?|这个|本)?(?:活动|大讨论)(?:整体|全程|总体)?(?:的)?"
    r"|^(?:一共|总共|全程)(?=几天)"
)
_NOT_CAMPAIGN = re.compile(r"阶段|任务|方案|建议|意见|报名|材料|报告|会")


def _aspect(text: str) -> str | None:
    for name, pattern in _ASPECTS:
        if pattern.search(text):
            return name
    return None


def phase_ref(text: str) -> tuple[str, int, int] | None:
    """The phase `text` refers to ("#3", "#-1", or name words) and where the reference stands."""
    for pattern, ref in ((_ORDINAL, None), (_LAST, "#-1"), (_FIRST, "#1")):
        match = pattern.search(text)
        if match:
            return ref or f"#{cn_to_int(match.group(1))}", match.start(), match.end()
    for match in _NAMED.finditer(text):
        words = re.sub(r"^(?:离|距|到|进入|在|是|从|的)+", "", match.group(1)).rstrip("的")
        words = re.sub(
            r"^.*(?:还有\d*天到|几天到|还要几天到|是不是|是否|是|什么时候(?:进入|到|开始))",
            "",
            words,
        )
        if len(words) >= 2 and not _NOT_A_NAME.search(words):
            return words, match.end() - len(words) - 2, match.end()
    return None


def parse_phase_info(text: str) -> dict[str, str] | None:
    """{"phase", "aspect"} for a question about one particular phase, else None."""
    found = phase_ref(text)
    if found is None:
        return None
    ref, start, end = found
    rest = text[:start] + "|" + text[end:]
    if re.match(r"^(?:现在|目前|当前)(?:是不是|是否|是|在|处于)", text):
        return {"phase": ref, "aspect": "current"}
    aspect = _aspect(rest)
    if aspect is None:
        if text[end:] or (start > 0 and not ref.startswith("#")):
            return None  # "调研阶段工作扎实" is a remark; a bare "第三阶段" is a question
        aspect = "info"
    return {"phase": ref, "aspect": aspect}


def parse_campaign_span(text: str) -> str | None:
    """The aspect asked of the whole campaign ("活动什么时候结束" → "end"), else None."""
    match = _CAMPAIGN.match(text)
    if not match:
        return None
    rest = text if text.startswith(("一共", "总共", "全程")) else text[match.end() :]
    if _NOT_CAMPAIGN.search(rest) or len(rest) > 14:
        return None
    aspect = _aspect(rest)
    return aspect if aspect in ("start", "end", "left", "since", "length", "until") else None
