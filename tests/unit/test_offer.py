"""Ideas offered in every natural way reach a ticket; a long unrecognised text is offered once."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan
from handlers.router import route
from handlers.types import Incoming
from tests.fakes.memory import make_services
from tests.unit.test_intake import OPENINGS, PHRASINGS
from texts import chat as texts


def _plan(code: str, name: str) -> Plan:
    span = DateSpan(date(2018, 5, 21), date(2018, 7, 31), "5月下旬至7月底")
    return Plan(code=code, name=name, year=2018, topics=(), phases=(Phase("学习调研阶段", span),))


@pytest.fixture
def services():  # type: ignore[no-untyped-def]
    return make_services([_plan("kjj-2018", "市科技局解放思想大讨论")], date(2018, 6, 4))


_COUNTER = iter(range(1, 1_000_000))


def say(services, text: str, user: str = "u1", kind: str = "text") -> str:  # type: ignore[no-untyped-def]
    key = f"wechat:{user}:{next(_COUNTER)}"
    msg = Incoming(channel="wechat", user=user, kind=kind, text=text, dedup_key=key)
    return route(msg, services).text or ""


def stored(services, user: str = "u1") -> list[str]:  # type: ignore[no-untyped-def]
    records, _ = services.suggestions.for_user(user, limit=100)
    return [r.content for r in reversed(records)]


def not_an_offer_nor_a_ticket(answer: str) -> bool:
    """The ordinary fallback (its wording belongs to the schedule module)."""
    return answer != texts.OFFER_ASK and "提交成功" not in answer and "请先选择活动" not in answer


LONG = "老街口的公交站离菜市场太远，老人买菜要走二十分钟，能不能往前挪一挪"


@pytest.mark.parametrize("text,body", PHRASINGS)
def test_every_phrasing_gets_a_ticket_with_the_idea(services, text, body):
    answer = say(services, text, user="resident")
    assert "提交成功" in answer
    assert stored(services, "resident") == [body]


@pytest.mark.parametrize("text,body", PHRASINGS[:8])
def test_voice_phrasings_get_a_ticket(services, text, body):
    """Recognition adds a final "。" that the router drops."""
    assert "提交成功" in say(services, text + "。", user="voice", kind="voice")
    assert stored(services, "voice") == [body.rstrip("。")]


@pytest.mark.parametrize("text", OPENINGS)
def test_an_opening_alone_starts_the_guided_flow(services, text):
    assert texts.WRITE_CONTENT in say(services, text)
    assert "已记下" in say(services, "老街口增设公交站")


def test_a_long_text_is_offered_and_yes_stores_it_exactly_as_sent(services):
    assert say(services, LONG) == texts.OFFER_ASK
    answer = say(services, "是")
    assert "提交成功" in answer
    assert stored(services) == [LONG]
    assert not_an_offer_nor_a_ticket(say(services, "是"))  # the offer is gone


@pytest.mark.parametrize("yes", ["是", "好", "提交", "确认", "是的。", "好的！", "确定"])
def test_every_yes_word_submits(services, yes):
    say(services, LONG)
    assert "提交成功" in say(services, yes)
    assert stored(services) == [LONG]


@pytest.mark.parametrize("no", ["不", "不用了", "算了", "取消"])
def test_no_drops_the_offer_kindly(services, no):
    say(services, LONG)
    assert say(services, no) == texts.OFFER_DROPPED
    assert stored(services) == []
    assert not_an_offer_nor_a_ticket(say(services, "是"))


def test_anything_else_drops_the_offer_and_is_routed_normally(services):
    say(services, LONG)
    assert "学习调研阶段" in say(services, "现在是什么阶段")
    assert not_an_offer_nor_a_ticket(say(services, "是"))
    assert stored(services) == []


def test_a_new_long_text_makes_a_new_offer_and_yes_stores_the_new_one(services):
    say(services, LONG)
    other = "希望周末开放机关食堂，方便附近上班族和老人就餐"
    assert say(services, other) == texts.OFFER_ASK
    assert "提交成功" in say(services, "是")
    assert stored(services) == [other]


def test_a_recognised_idea_while_an_offer_is_open_is_submitted(services):
    say(services, LONG)
    assert "提交成功" in say(services, "献一策：建议在老街口增设公交站")
    assert stored(services) == ["建议在老街口增设公交站"]


def test_offered_text_keeps_the_rules_of_a_one_message_submission(services):
    say(services, LONG)
    first = say(services, "是")
    ticket = first.split("编号：")[1].split()[0]
    say(services, LONG)
    assert say(services, "是") == texts.DUPLICATE_TODAY.format(ticket=ticket)
    assert stored(services) == [LONG]


def test_the_hourly_limit_applies_to_offers(services):
    for i in range(services.limits.per_hour):
        assert "提交成功" in say(services, f"献一策：第{i}条建议，老街口增设公交站")
    say(services, LONG)
    assert "一小时内" in say(services, "是")
    assert len(stored(services)) == services.limits.per_hour


def test_with_two_campaigns_the_offer_asks_which_one():
    services = make_services(
        [_plan("kjj-2018", "市科技局解放思想大讨论"), _plan("zz-2018", "镇富民大讨论")],
        date(2018, 6, 4),
    )
    say(services, LONG)
    assert "请先选择活动" in say(services, "是")
    assert "提交成功" in say(services, "2")
    records, _ = services.suggestions.for_user("u1")
    assert [(r.campaign_code, r.content) for r in records] == [("zz-2018", LONG)]


@pytest.mark.parametrize(
    "text",
    [
        "今天天气不错",
        "谢谢",
        "好的",
        "建议什么时候截止",
        "我的建议被采纳了吗",
        "在吗",
    ],
)
def test_short_unrecognised_text_keeps_the_ordinary_fallback(services, text):
    assert not_an_offer_nor_a_ticket(say(services, text))
    assert not_an_offer_nor_a_ticket(say(services, "是"))
    assert stored(services) == []


def test_schedule_questions_are_answered_not_offered(services):
    assert "学习调研阶段" in say(services, "请问一下现在活动进行到什么阶段了呢")
    assert not_an_offer_nor_a_ticket(say(services, "是"))


def test_the_offer_is_kept_thirty_minutes(services):
    say(services, LONG)
    services.clock.advance(minutes=31)
    assert "提交成功" not in say(services, "是")
    assert stored(services) == []
