"""Honest fallbacks: the closest question forms when nothing is understood, a partial answer
that says what was understood, and every such question kept as a miss."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import Services
from handlers.router import MAX_REPLY_BYTES, is_read_only, route
from handlers.schedule_help import FORMS, closest_forms
from handlers.types import Incoming
from tests.fakes.memory import make_services
from tests.fakes.missed import BrokenMissedStore, MemoryMissedStore
from texts import schedule as T

TODAY = date(2018, 6, 4)
PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    phases=(
        Phase("学习调研阶段", DateSpan(date(2018, 5, 21), date(2018, 7, 31), "5月下旬至7月底")),
        Phase("实践转化阶段", DateSpan(date(2018, 8, 1), date(2018, 12, 10), "8月上旬至12月上旬")),
    ),
    tasks=(
        Task(
            "开展“产学研精准对接”",
            owner="局活动办",
            due=DateSpan(TODAY, date(2018, 6, 10), "6月10前"),
        ),
        Task(
            "召开局党组理论中心组学习会",
            owner="局党组",
            due=DateSpan(TODAY, date(2018, 6, 6), "6月6日"),
        ),
    ),
)


@pytest.fixture
def services() -> Services:
    s = make_services([PLAN], TODAY)
    s.missed = MemoryMissedStore()
    return s


def say(services: Services, text: str, key: str = "m1", kind: str = "text") -> str:
    msg = Incoming("wechat", "openid-1", kind, text=text, dedup_key=key)
    reply = route(msg, services)
    assert reply.text is not None
    return reply.text


def kept(services: Services) -> list:  # type: ignore[type-arg]
    assert isinstance(services.missed, MemoryMissedStore)
    return services.missed.kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("阶段怎么看", "现在是什么阶段"),
        ("活动结束时间咋查", "活动什么时候结束"),
        ("过期了怎么办", "有哪些任务已过期"),
        ("负责什么怎么查", "局党组负责什么"),
    ],
)
def test_closest_forms_follow_the_words(text: str, expected: str) -> None:
    forms = closest_forms(text)
    assert 1 <= len(forms) <= 3
    assert expected in forms


def test_nothing_in_common_gives_the_first_forms() -> None:
    assert closest_forms("哈哈哈") == list(FORMS[:3])


def test_not_understood_offers_the_closest_forms_and_keeps_the_miss(services: Services) -> None:
    text = say(services, "阶段怎么看")
    assert text.startswith(T.CLOSEST_HEADER)
    assert "· 现在是什么阶段" in text
    assert text != T.EXAMPLES
    assert len(text.encode()) <= MAX_REPLY_BYTES
    (miss,) = kept(services)
    assert (miss.kind, miss.text, miss.reply, miss.source_key) == (
        "unknown",
        "阶段怎么看",
        text,
        "m1",
    )
    assert miss.created_at.date() == TODAY


def test_a_retried_message_is_kept_once(services: Services) -> None:
    say(services, "阶段怎么看", key="m7")
    say(services, "阶段怎么看", key="m7")
    assert len(kept(services)) == 1


def test_a_partial_question_says_what_was_understood(services: Services) -> None:
    text = say(services, "本周要开什么会")
    assert text.startswith("我理解为本周到期的任务")
    assert "要开什么会" in text and "召开局党组理论中心组学习会" in text
    assert [m.kind for m in kept(services)] == ["partial"]


def test_a_unit_the_plan_lacks_is_never_glued_to_a_word(services: Services) -> None:
    text = say(services, "宣传科还有什么任务")
    assert "没有找到“宣传科”" in text and "宣传科还" not in text
    assert "局党组" in text and "局活动办" in text
    assert kept(services)[0].kind == "not_found"


def test_a_close_unit_is_offered_first(services: Services) -> None:
    text = say(services, "党委有什么任务")
    assert "没有找到“党委”。您要找的是不是：局党组？" in text


def test_a_period_with_an_unknown_unit_answers_every_unit(services: Services) -> None:
    text = say(services, "宣传科本周有什么任务")
    assert "没有找到“宣传科”" in text and "产学研精准对接" in text


def test_answered_questions_are_not_misses(services: Services) -> None:
    for question in ("本周有什么到期", "第二阶段什么时候开始", "活动什么时候结束", "局党组的任务"):
        say(services, question, key=question)
    assert kept(services) == []


def test_a_store_that_is_down_costs_the_record_not_the_answer(services: Services) -> None:
    services.missed = BrokenMissedStore()
    assert say(services, "阶段怎么看").startswith(T.CLOSEST_HEADER)


@pytest.mark.parametrize(
    ("text", "read_only"),
    [
        ("第三阶段什么时候开始", True),
        ("活动还剩多久", True),
        ("下下周有什么到期", True),
        ("本周要开什么会", True),  # partly understood: still only reads
        ("宣传科还有什么任务", True),
        ("我是局党组的", False),
        ("切换到科技局", False),
        ("阶段怎么看", False),  # not understood: its miss is written, so it is claimed
        ("本周能不能增设一个老年人助餐点方便大家", False),
        ("下周建议组织一次企业家座谈会听听意见", False),
        ("希望第三阶段多安排一些基层调研活动", False),
    ],
)
def test_read_only_lane(text: str, read_only: bool) -> None:
    assert is_read_only(Incoming("wechat", "u1", "text", text=text)) is read_only


def test_voice_questions_are_understood(services: Services) -> None:
    assert "「学习调研阶段」7月31日结束" in say(services, "第一阶段 什么时候 结束。", kind="voice")
    assert "「实践转化阶段」将于8月1日开始" in say(
        services, "还有多久到实践转化阶段。", kind="voice"
    )
