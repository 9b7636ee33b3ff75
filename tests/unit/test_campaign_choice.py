"""Which campaign a question or a suggestion is about (handlers/campaign_choice.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from handlers import campaign_choice as cc
from handlers.ports import Services
from handlers.schedule import try_handle
from handlers.suggest import submit_one
from handlers.types import Incoming
from tests.fakes.memory import make_services
from texts import schedule as T


def _phase(name: str, start: date, end: date) -> Phase:
    return Phase(name, DateSpan(start, end, f"{start}~{end}"))


KJJ = Plan(
    "kjj-2018",
    "市科技局解放思想大讨论",
    2018,
    phases=(
        _phase("宣传发动阶段", date(2018, 5, 1), date(2018, 5, 20)),
        _phase("学习调研阶段", date(2018, 5, 21), date(2018, 7, 31)),
    ),
    tasks=(
        Task(
            "召开局党组理论中心组学习会",
            owner="局党组",
            due=DateSpan(*[date(2018, 5, 25)] * 2, "5月25日前"),
        ),
        Task(
            "开展“产学研精准对接”",
            owner="局活动办、办公室",
            due=DateSpan(*[date(2018, 6, 10)] * 2, "6月10前"),
        ),
    ),
)
YHRD = Plan(
    "yhrd-2018",
    "区人大机关解放思想大讨论",
    2018,
    phases=(_phase("宣传发动阶段", date(2018, 6, 1), date(2018, 6, 10)),),
    tasks=(
        Task(
            "主动查摆问题",
            owner="党组成员、办公室",
            due=DateSpan(*[date(2018, 6, 8)] * 2, "6月8日"),
        ),
    ),
)
MENGHE = Plan(
    "menghe-2017",
    "孟河镇“学先进、明思路、凝共识”大讨论",
    2017,
    phases=(_phase("宣传发动、集中学习阶段", date(2017, 3, 1), date(2017, 3, 10)),),
    tasks=(Task("系列报道", owner="宣统口"),),
)
SEEDS = [KJJ, YHRD, MENGHE]
ONE_RUNNING = date(2018, 5, 22)  # only 科技局 runs
TWO_RUNNING = date(2018, 6, 5)  # 科技局 and 人大


def ask(services: Services, text: str, user: str = "u1") -> str:
    reply = try_handle(Incoming("chat", user, "text", text), services)
    assert reply is not None, text
    return reply.text or ""


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (KJJ, {"市科技局", "科技局"}),
        (YHRD, {"区人大机关", "人大机关", "区人大", "人大"}),
        (MENGHE, {"孟河镇", "孟河"}),
        (Plan("mhz", "孟河镇学先进明思路凝共识大讨论", 2018), {"孟河镇", "孟河"}),
    ],
)
def test_the_distinctive_part_of_a_name(plan: Plan, expected: set[str]) -> None:
    aliases = set(cc.name_aliases(plan))
    assert expected <= aliases and plan.code in aliases
    assert not {"解放思想", "大讨论", "市", "区", "镇"} & aliases


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("科技局6月的任务", ["kjj-2018"]),
        ("市科技局解放思想大讨论现在是什么阶段", ["kjj-2018"]),
        ("人大本周有什么到期", ["yhrd-2018"]),
        ("孟河现在是什么阶段", ["menghe-2017"]),
        ("YHRD-2018的时间表", ["yhrd-2018"]),
        ("局活动办的任务", ["kjj-2018"]),  # an owner found in one plan only
        ("党组成员的任务", ["yhrd-2018"]),
        ("办公室的任务", []),  # an owner of two plans names neither
        ("本周有什么到期", []),
        ("科技局和人大本周有什么到期", ["kjj-2018", "yhrd-2018"]),
    ],
)
def test_named_in(text: str, codes: list[str]) -> None:
    assert [p.code for p in cc.named_in(text, SEEDS)] == codes


def test_a_question_naming_its_campaign_is_answered_for_it() -> None:
    services = make_services(SEEDS, TWO_RUNNING)
    june = ask(services, "科技局6月的任务")
    assert "产学研精准对接" in june and "切换到" not in june
    assert "主动查摆问题" in ask(services, "人大本周有什么到期")
    assert "宣传发动、集中学习阶段" in ask(services, "孟河镇的时间表")
    assert services.users.profile("u1").campaign_code is None  # answering is not choosing


def test_the_only_running_campaign_needs_no_question() -> None:
    services = make_services(SEEDS, ONE_RUNNING)
    assert "召开局党组理论中心组学习会" in ask(services, "本周有什么到期")
    assert "学习调研阶段" in ask(services, "现在是什么阶段")
    services.clock.set(TWO_RUNNING)  # type: ignore[attr-defined]
    text = ask(services, "现在是什么阶段")
    assert "切换到" in text and KJJ.name in text and YHRD.name in text
    assert MENGHE.name not in text  # a finished campaign is not offered among running ones


def test_the_chosen_campaign_beats_the_running_one_but_not_a_named_one() -> None:
    services = make_services(SEEDS, ONE_RUNNING)
    assert ask(services, "切换到人大") == T.SWITCHED.format(name=YHRD.name)
    assert "6月1日" in ask(services, "现在是什么阶段")  # 人大 has not started yet
    assert "学习调研阶段" in ask(services, "科技局现在是什么阶段")


def test_the_bound_unit_decides_when_the_chosen_campaign_is_gone() -> None:
    services = make_services(SEEDS, TWO_RUNNING)
    services.users.set_campaign("u1", "old-2016")  # a campaign no longer loaded
    services.users.set_unit("u1", "old-2016", "党组成员")
    assert "宣传发动阶段" in ask(services, "现在是什么阶段")
    assert cc.choose("u1", services).plan is YHRD


def test_several_named_are_narrowed_by_the_rest_of_the_rule() -> None:
    services = make_services(SEEDS, ONE_RUNNING)
    assert cc.choose("u1", services, "科技局和孟河的任务").plan is KJJ  # the running one
    services.clock.set(date(2019, 1, 1))  # type: ignore[attr-defined]
    choice = cc.choose("u1", services, "科技局和孟河的任务")
    assert choice.plan is None and {c.code for c in choice.candidates} == {KJJ.code, MENGHE.code}


def test_one_loaded_campaign_is_always_the_answer() -> None:
    services = make_services([MENGHE], ONE_RUNNING)  # finished, but the only one
    assert cc.choose("u1", services).plan is MENGHE
    assert cc.choose("u1", make_services([], ONE_RUNNING)).plan is None


def test_a_suggestion_goes_to_the_only_running_campaign() -> None:
    services = make_services(SEEDS, ONE_RUNNING)
    msg = Incoming("chat", "u1", "text", "x", dedup_key="chat:u1:1")
    reply = submit_one(msg, "建议人大代表多到老街口走走，听听居民意见", services)
    assert "提交成功" in (reply.text or "")
    (record,) = services.suggestions.all()  # type: ignore[attr-defined]
    assert record.campaign_code == KJJ.code  # mentioning 人大 does not address it


def test_with_two_running_a_suggestion_asks_among_them_only() -> None:
    services = make_services(SEEDS, TWO_RUNNING)
    msg = Incoming("chat", "u1", "text", "x", dedup_key="chat:u1:1")
    reply = submit_one(msg, "建议在老街口增设一处公交候车亭", services)
    text = reply.text or ""
    assert KJJ.name in text and YHRD.name in text and MENGHE.name not in text
    assert [c.code for c in cc.suggestion_options(services)] == [
        c.code for c in services.campaigns.active() if c.code != MENGHE.code
    ]
    services.users.set_campaign("u2", MENGHE.code)  # a choice made earlier still counts
    msg2 = Incoming("chat", "u2", "text", "x", dedup_key="chat:u2:1")
    assert "提交成功" in (submit_one(msg2, "建议整理孟河老街的历史资料", services).text or "")
