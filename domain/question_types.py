"""What a schedule question asks, as a value, and the word lists the question parsers share."""

from __future__ import annotations

import re
from dataclasses import dataclass

INTENTS = (
    "due_range",
    "current_phase",
    "next_phase",
    "phase_info",
    "campaign_span",
    "unit_tasks",
    "countdown",
    "overdue",
    "timetable",
    "bind_unit",
    "switch_campaign",
)
# Intents whose answer only reads: the webhook answers them without a deduplication claim.
READ_ONLY_INTENTS = frozenset(INTENTS) - {"bind_unit", "switch_campaign"}


@dataclass(frozen=True)
class Question:
    """What was asked. Slots not used by the intent stay None.

    - due_range: `range_kind` (domain.periods.PERIOD_KINDS) with the slots its kind uses —
      `month`, `count` (days, weeks, a month offset or a quarter), `day`, `weekday`, `part`
      (early/mid/late/begin/end of a month), `end_month`/`end_day` (a span);
      `unit` when the question names a unit ("局党组本周有什么任务").
    - phase_info: `phase` ("#3", "#-1" or name words) and `aspect`; campaign_span: `aspect`
      (start, end, left, since, length, until; see domain.question_phases).
    - unit_tasks: `unit` as said; None means "my own unit" ("我的任务").
    - countdown: `subject`, the words naming the task ("" = the next deadline); `aspect`
      "since" for "…过去几天了".
    - bind_unit: `unit` (a unit or campaign name, resolved later); switch_campaign: `campaign`.
    - `note`: the words that were not understood when only part of the question was
      ("本周要开什么会" → due this week, note "要开什么会"); the answer says so.
    """

    intent: str
    range_kind: str | None = None
    month: int | None = None
    unit: str | None = None
    subject: str | None = None
    campaign: str | None = None
    count: int | None = None
    day: int | None = None
    weekday: int | None = None
    part: str | None = None
    end_month: int | None = None
    end_day: int | None = None
    phase: str | None = None
    aspect: str | None = None
    note: str | None = None

    def period(self) -> dict[str, object]:
        """The due_range slots as keyword arguments of domain.periods.resolve_period."""
        return {
            "month": self.month,
            "count": self.count,
            "day": self.day,
            "weekday": self.weekday,
            "part": self.part,
            "end_month": self.end_month,
            "end_day": self.end_day,
        }


SELF = {"我", "我们", "咱", "咱们", "俺", "我单位", "我们单位", "本单位", "我部门", "我们部门"}
SELF |= {"我们这边", "我这边", "俺们", "我们科", "我们局", "我们镇"}
WHOLE = set(
    "活动 大讨论 本次活动 这次活动 这活动 整个活动 全部 所有 都 一共 总共 全局 整体 这次 本次 "
    "方案 大家 全体".split()
)
UNIT_SUFFIX = re.compile(
    r"(?:镇|乡|街道|村|社区|局|办|委|组|部|室|处|科|中心|院|所|队|站|厅|司|"
    r"区|县|市|公司|机关|支部|党委|班子|人大|政协|法院|检察院|单位|口|成员)$"
)
ASKING = re.compile(r"[?吗呢]|什么|哪|几|啥|怎么|多少|有没有|是不是|是否")
# Adverbs that follow a unit's name but are no part of it: "宣传科还有什么任务".
UNIT_TAIL = re.compile(
    r"(?:还|都|又|也|现在|目前|这边|那边|主要|具体|一共|总共|分别|需要|应该|到底|究竟|今年)+$"
)


def clean_unit(said: str) -> str:
    """The unit's name without trailing adverbs and 的."""
    return UNIT_TAIL.sub("", said.removesuffix("的")).removesuffix("的")
