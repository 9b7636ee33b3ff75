"""Schedule questions in plain Chinese → intent and slots; everything else → None."""

from __future__ import annotations

from typing import Any

import pytest

from domain.questions import (
    INTENTS,
    Question,
    looks_like_schedule_question,
    normalize,
    parse_question,
)


def due(kind: str, month: int | None = None, unit: str | None = None, **slots: Any) -> Question:
    return Question("due_range", range_kind=kind, month=month, unit=unit, **slots)


def q(intent: str, **slots: Any) -> Question:
    return Question(intent, **slots)


PHRASINGS: list[tuple[str, Question | None]] = [
    # due this week: 本周/这周/这个星期/这礼拜 … 到期/截止/要交/要完成/有什么任务
    ("本周有什么到期", due("this_week")),
    ("本周有什么到期？", due("this_week")),
    ("本周有什么到期。", due("this_week")),
    ("这周有哪些任务要截止？", due("this_week")),
    ("这周有什么要交的", due("this_week")),
    ("这个星期要交什么", due("this_week")),
    ("这个星期有什么任务", due("this_week")),
    ("这礼拜要完成什么！", due("this_week")),
    ("这个礼拜有啥要交", due("this_week")),
    ("本星期有什么任务", due("this_week")),
    ("本周任务", due("this_week")),
    ("本周的安排", due("this_week")),
    ("请问本周有什么到期的？", due("this_week")),
    ("我想问一下本周有什么到期", due("this_week")),
    ("本周有什么任务完成了吗", due("this_week")),
    ("本周截止的任务有哪些", due("this_week")),
    ("这一周要完成哪些工作", due("this_week")),
    ("本周有什么到期？", due("this_week")),  # full-width question mark
    ("本周有什么到期!!", due("this_week")),
    (" 本周 有什么 到期 ", due("this_week")),
    # next week, last week
    ("下周有什么到期", due("next_week")),
    ("下个礼拜要交啥", due("next_week")),
    ("下个星期有什么任务", due("next_week")),
    ("下一周要完成什么", due("next_week")),
    ("上周有什么截止的", due("last_week")),
    # today, tomorrow
    ("今天有什么要完成的", due("today")),
    ("今天有什么任务", due("today")),
    ("今日到期的任务", due("today")),
    ("明天有什么任务", due("tomorrow")),
    ("明天要交什么", due("tomorrow")),
    # months
    ("本月有哪些任务", due("this_month")),
    ("这个月要交什么", due("this_month")),
    ("这个月有什么截止", due("this_month")),
    ("下个月有什么任务", due("next_month")),
    ("下月要完成哪些", due("next_month")),
    ("6月有什么任务", due("month", 6)),
    ("6月份有哪些任务要完成", due("month", 6)),
    ("六月份有什么要交的", due("month", 6)),
    ("六月有什么到期", due("month", 6)),
    ("７月有什么任务", due("month", 7)),  # full-width digit
    ("十月有什么任务", due("month", 10)),
    ("十一月份要交什么", due("month", 11)),
    ("十二月有哪些任务", due("month", 12)),
    ("12月份要完成什么", due("month", 12)),
    ("最近有什么要到期的", due("upcoming")),
    ("近期有哪些任务", due("upcoming")),
    # a unit's tasks in a range
    ("局党组本周有什么任务", due("this_week", unit="局党组")),
    ("活动办下周要交什么", due("next_week", unit="活动办")),
    ("我是局党组的，本周有什么任务", due("this_week", unit="局党组")),
    ("我们本周有什么任务", due("this_week")),
    # current phase
    ("现在是什么阶段", q("current_phase")),
    ("现在是什么阶段。", q("current_phase")),
    ("现在是什么阶段？", q("current_phase")),
    ("当前阶段", q("current_phase")),
    ("目前处于哪个阶段", q("current_phase")),
    ("目前是哪一个阶段", q("current_phase")),
    ("这个阶段要干什么", q("current_phase")),
    ("现阶段主要任务是什么", q("current_phase")),
    ("本阶段的重点是什么", q("current_phase")),
    ("活动进行到哪一步了", q("current_phase")),
    ("进展到哪了", q("current_phase")),
    ("现在该做什么", q("current_phase")),
    ("现在有什么任务", q("current_phase")),
    ("离本阶段结束还有几天", q("current_phase")),
    ("这个阶段还有几天", q("current_phase")),
    # next phase
    ("下一阶段是什么", q("next_phase")),
    ("下个阶段什么时候开始", q("next_phase")),
    ("下一个阶段做什么", q("next_phase")),
    ("下一步做什么", q("next_phase")),
    ("离下一阶段开始还有几天", q("next_phase")),
    # unit tasks
    ("科技局的任务", q("unit_tasks", unit="科技局")),
    ("党组负责什么", q("unit_tasks", unit="党组")),
    ("局党组负责哪些工作", q("unit_tasks", unit="局党组")),
    ("局活动办有哪些任务", q("unit_tasks", unit="局活动办")),
    ("活动办的任务有哪些", q("unit_tasks", unit="活动办")),
    ("局领导班子要做什么", q("unit_tasks", unit="局领导班子")),
    ("局党组任务", q("unit_tasks", unit="局党组")),
    ("宣统口牵头哪些事", q("unit_tasks", unit="宣统口")),
    ("我的任务", q("unit_tasks", unit=None)),
    ("我们单位有什么任务", q("unit_tasks", unit=None)),
    ("本单位的工作", q("unit_tasks", unit=None)),
    # countdown
    ("离产学研精准对接截止还有几天", q("countdown", subject="产学研精准对接")),
    ("离“产学研精准对接”截止还有几天？", q("countdown", subject="产学研精准对接")),
    ("距离智慧经济报告会截止还有多少天", q("countdown", subject="智慧经济报告会")),
    ("距智慧经济报告会还剩几天", q("countdown", subject="智慧经济报告会")),
    ("离截止还有几天", q("countdown", subject="")),
    ("还有几天", q("countdown", subject="")),
    ("还有几天截止", q("countdown", subject="")),
    ("还剩几天", q("countdown", subject="")),
    ("产学研对接还有几天截止", q("countdown", subject="产学研对接")),
    ("产学研对接什么时候截止", q("countdown", subject="产学研对接")),
    ("智慧经济报告会哪天到期", q("countdown", subject="智慧经济报告会")),
    ("智慧经济报告会什么时候举办", q("countdown", subject="智慧经济报告会")),
    ("集中学习会的截止时间", q("countdown", subject="集中学习会")),
    ("调研报告截止日期是哪天", q("countdown", subject="调研报告")),
    ("学习调研阶段什么时候结束", q("phase_info", phase="学习调研", aspect="end")),
    ("离学习调研阶段结束还有几天", q("phase_info", phase="学习调研", aspect="left")),
    ("离六月十日还有几天", q("countdown", subject="6月10日")),
    ("建议征集什么时候截止", q("countdown", subject="建议征集")),
    # overdue
    ("有哪些任务逾期了", q("overdue")),
    ("已经过期的任务", q("overdue")),
    ("超期任务有哪些", q("overdue")),
    ("哪些已经截止了", q("overdue")),
    ("逾期", q("overdue")),
    # whole timetable
    ("时间表", q("timetable")),
    ("时间安排", q("timetable")),
    ("进度表", q("timetable")),
    ("活动安排", q("timetable")),
    ("全部任务", q("timetable")),
    ("所有任务有哪些", q("timetable")),
    ("有哪些任务", q("timetable")),
    ("都有什么任务", q("timetable")),
    ("有哪些阶段", q("timetable")),
    ("分几个阶段", q("timetable")),
    ("这次活动的任务", q("timetable")),
    ("大讨论有哪些工作", q("timetable")),
    # who I am / which campaign
    ("我是科技局的", q("bind_unit", unit="科技局")),
    ("我是局党组的", q("bind_unit", unit="局党组")),
    ("我是孟河镇的", q("bind_unit", unit="孟河镇")),
    ("我是局活动办的同志", q("bind_unit", unit="局活动办")),
    ("我在孟河镇", q("bind_unit", unit="孟河镇")),
    ("我们是区人大机关", q("bind_unit", unit="区人大机关")),
    ("我的单位是局活动办", q("bind_unit", unit="局活动办")),
    ("切换到孟河镇", q("switch_campaign", campaign="孟河镇")),
    ("切换到 孟河镇", q("switch_campaign", campaign="孟河镇")),
    ("换成科技局", q("switch_campaign", campaign="科技局")),
    ("换到区人大", q("switch_campaign", campaign="区人大")),
    ("切换活动", q("switch_campaign", campaign="")),
    ("kjj-2018", None),  # a bare code is not a command
    # --- wider understanding (issue 11) ---
    # ordinal and partial phase names
    ("第三阶段什么时候开始", q("phase_info", phase="#3", aspect="start")),
    ("第一阶段什么时候结束", q("phase_info", phase="#1", aspect="end")),
    ("第4阶段是什么", q("phase_info", phase="#4", aspect="info")),
    ("第二个阶段到几号", q("phase_info", phase="#2", aspect="end")),
    ("最后阶段什么时候结束", q("phase_info", phase="#-1", aspect="end")),
    ("最后一个阶段从哪天开始", q("phase_info", phase="#-1", aspect="start")),
    ("调研阶段什么时候开始", q("phase_info", phase="调研", aspect="start")),
    ("调研阶段", q("phase_info", phase="调研", aspect="info")),
    ("第三阶段", q("phase_info", phase="#3", aspect="info")),
    ("现在是不是学习调研阶段", q("phase_info", phase="学习调研", aspect="current")),
    # the campaign as a whole
    ("活动什么时候开始", q("campaign_span", aspect="start")),
    ("活动什么时候结束", q("campaign_span", aspect="end")),
    ("大讨论一共多久", q("campaign_span", aspect="length")),
    ("活动还剩多久", q("campaign_span", aspect="left")),
    ("离活动结束还有几天", q("campaign_span", aspect="left")),
    ("活动进行多久了", q("campaign_span", aspect="since")),
    # relative periods
    ("上周有什么到期", due("last_week")),
    ("下下周有什么到期", due("week_after_next")),
    ("上上周有什么到期", due("week_before_last")),
    ("前两周有什么到期", due("past_weeks", count=2)),
    ("未来十天有什么到期", due("next_days", count=10)),
    ("这两天要交啥", due("next_days", count=2)),
    ("过去三天有哪些任务截止", due("past_days", count=3)),
    ("月初有什么任务", due("month_part", count=0, part="begin")),
    ("月中有什么任务", due("month_part", count=0, part="mid")),
    ("下旬有什么任务", due("month_part", count=0, part="late")),
    ("7月下旬有什么任务", due("month_part", month=7, count=0, part="late")),
    ("下个月初要交什么", due("month_part", count=1, part="begin")),
    ("本季度有什么任务", due("quarter")),
    ("第三季度有哪些任务", due("quarter", count=3)),
    ("下季度要交什么", due("next_quarter")),
    ("年底前有什么任务", due("year_rest")),
    ("下半年有什么任务", due("half_year", count=2)),
    ("后天要交什么", due("day_after")),
    # weekday and date bounds
    ("本周三之前要交什么", due("until_weekday", weekday=2, count=0)),
    ("周五以前有什么任务", due("until_weekday", weekday=4, count=0)),
    ("下周三前要交什么", due("until_weekday", weekday=2, count=1)),
    ("周三有什么到期", due("weekday", weekday=2, count=0)),
    ("15号以前要交啥", due("until_day", day=15)),
    ("6月10日前有什么任务", due("until_day", month=6, day=10)),
    ("月底前要交什么", due("until_day", count=0)),
    ("6月20日到月底有什么任务", due("span", month=6, day=20, end_month=6)),
    ("6月10号有什么到期", due("day", month=6, day=10)),
    # time until or since a phase or task
    ("还有多久到实践转化阶段", q("phase_info", phase="实践转化", aspect="until")),
    ("离实践转化阶段开始还有几天", q("phase_info", phase="实践转化", aspect="until")),
    ("学习调研阶段过去几天了", q("phase_info", phase="学习调研", aspect="since")),
    ("智慧经济报告会过去几天了", q("countdown", subject="智慧经济报告会", aspect="since")),
    # units named loosely: the adverb is not part of the name
    ("宣传科还有什么任务", q("unit_tasks", unit="宣传科")),
    ("局党组都负责啥", q("unit_tasks", unit="局党组")),
    ("宣传科本周有什么任务", due("this_week", unit="宣传科")),
    # colloquial forms
    ("这周有啥要交的", due("this_week")),
    ("要交啥", due("upcoming")),
    ("本周有没有要交的", due("this_week")),
    ("下周是不是有任务要交", due("next_week")),
    ("还剩几个任务", due("remaining")),
    ("还有几项没到期", due("remaining")),
    ("有没有逾期的", q("overdue")),
    ("进度咋样", q("current_phase")),
    ("活动啥时候结束", q("campaign_span", aspect="end")),
    # voice-recognition output
    ("现在是那个阶段。", q("current_phase")),
    ("局党组地任务", q("unit_tasks", unit="局党组")),
    ("十五号以前要交什么。", due("until_day", day=15)),
    ("前两个星期有什么到期", due("past_weeks", count=2)),
    ("嗯，本周有什么到期。", due("this_week")),
    # understood in part: the period is answered, the rest is named
    ("本周要开什么会", due("this_week", note="要开什么会")),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_phrasing(text: str, expected: Question | None) -> None:
    assert parse_question(text) == expected


def test_the_table_is_broad() -> None:
    claimed = [e for _, e in PHRASINGS if e is not None]
    assert len(claimed) >= 80
    assert {e.intent for e in claimed} == set(INTENTS)


NOT_OURS = [
    "献一策：加强企业培育，本周就开始",
    "献一策:建议多开座谈会",
    "建议：本周多开会",
    "建议本月组织一次调研",
    "建议本周完成调研任务",
    "意见本月底前报送",
    "我要提建议",
    "我的建议",
    "我的意见",
    "查询 AB12CD",
    "帮助",
    "订阅提醒",
    "退订",
    "完成",
    "取消",
    "1",
    "２",
    "更多",
    "",
    "   ",
    "你好",
    "今天天气不错",
    "我在开会",
    "努力工作",
    "这件事",
    "今天是几号",
    "这周还有几天",
    "本周",
    "6月",
    "关于本月的工作我有几点想法",
    "今天任务完成了",
    "这个月的任务太重了",
    "我们单位今天完成了调研",
    "下一步打算加强培训",
    "希望下个月组织企业座谈",
    "我觉得我们镇应该加快发展旅游业，打造特色小镇，吸引更多游客前来观光消费，带动农民增收致富",
    "企业培育要加大力度，本周内拿出方案，下周组织座谈，本月底前形成报告上报",
    # long idea texts, whatever they start with, are not questions (issue 11)
    "本周能不能增设一个老年人助餐点方便大家",
    "下周建议组织一次企业家座谈会听听意见",
    "第三阶段希望多安排一些基层调研活动",
    "活动期间应该加强对青年干部的培训力度",
    "今天天气怎么样",
    "这周还剩几天",
    "今天星期几",
]


@pytest.mark.parametrize("text", NOT_OURS)
def test_not_a_schedule_question(text: str) -> None:
    assert parse_question(text) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("本周有什么到期？", "本周有什么到期"),
        ("这个星期要交什么。", "这周要交什么"),
        ("下个礼拜", "下周"),
        ("六月份", "6月"),
        ("十二月", "12月"),
        ("十一月份", "11月"),
        ("离六月十日", "离6月10日"),
        ("ＡＢＣ１２", "abc12"),
        ("距离截止还剩几天", "离截止还有几天"),
        ("本周 有什么 到期。", "本周有什么到期"),
        ("局党组地任务", "局党组的任务"),
        ("未来十天", "未来10天"),
        ("前两个星期", "前2个周"),
        ("啥时候结束", "什么时候结束"),
        ("还有多久", "还有几天"),
        ("有那些任务", "有哪些任务"),
        ("第三阶段", "第三阶段"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("任务怎么查？", True),
        ("阶段是怎么划分的呢", True),
        ("本周有什么到期", False),  # understood: not a fallback
        ("建议：任务怎么查？", False),
        ("今天天气不错", False),
        ("帮助", False),
    ],
)
def test_looks_like_schedule_question(text: str, expected: bool) -> None:
    assert looks_like_schedule_question(text) is expected


def test_question_is_frozen() -> None:
    question = parse_question("本周有什么到期")
    assert question is not None
    with pytest.raises(AttributeError):
        question.intent = "overdue"  # type: ignore[misc]
