"""The router decides once per message (issue 12): classify() gives the lane and what the
handler needs; route() given that decision normalises, matches and parses nothing again, and
answers exactly as without it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from handlers import router
from handlers.ports import Opening
from handlers.types import Incoming
from tests.fakes.memory import make_services

PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    topics=("强化创新主体",),
    phases=(Phase("学习调研阶段", DateSpan(date(2018, 5, 21), date(2018, 7, 31), "5月至7月")),),
    tasks=(
        Task(
            "报送调研报告",
            owner="局活动办",
            due=DateSpan(date(2018, 6, 5), date(2018, 6, 5), "6月5日"),
        ),
    ),
)


def _msg(text: str, kind: str = "text") -> Incoming:
    return Incoming("wechat", "u1", kind, text=text, msg_id="1", dedup_key="u1:1")


@pytest.mark.parametrize(
    "text,lane",
    [
        ("帮助", router.FIXED),
        ("help。", router.FIXED),
        ("本周有什么到期", router.READ_ONLY),
        ("现在是什么阶段", router.READ_ONLY),
        ("献一策：建议增设公共充电桩", router.STATEFUL),
        ("我的建议", router.STATEFUL),
        ("查询 ABC234", router.STATEFUL),
        ("还应公开每周的到期任务清单，方便群众监督", router.STATEFUL),
        ("", router.STATEFUL),
    ],
)
def test_one_classification_gives_the_lane(text, lane):
    decision = router.classify(_msg(text))
    assert decision.lane == lane
    assert router.is_read_only(_msg(text)) is (lane == router.READ_ONLY)
    assert (router.stateless_reply(_msg(text)) is not None) is (lane == router.FIXED)
    assert router.classify(Incoming("wechat", "u1", "image")).lane == router.STATEFUL


@pytest.mark.parametrize(
    "text", ["本周有什么到期", "献一策：建议增设公共充电桩", "我的建议", "帮助", "随便说说"]
)
def test_route_with_the_decision_repeats_no_work(text, monkeypatch):
    calls = {"normalize": 0, "parse": 0}
    normalize, parse = router.normalize, router.parse_question

    def counted_normalize(t: str) -> str:
        calls["normalize"] += 1
        return normalize(t)

    def counted_parse(t: str):  # type: ignore[no-untyped-def]
        calls["parse"] += 1
        return parse(t)

    expected = router.route(_msg(text), make_services([PLAN], date(2018, 6, 4))).text
    services = make_services([PLAN], date(2018, 6, 4))
    monkeypatch.setattr(router, "normalize", counted_normalize)
    monkeypatch.setattr(router, "parse_question", counted_parse)
    monkeypatch.setattr("handlers.schedule.parse_question", counted_parse)
    msg = _msg(text)
    decision = router.classify(msg)
    after_classify = dict(calls)
    assert after_classify["normalize"] == 1 and after_classify["parse"] <= 1
    reply = router.route(msg, services, Opening(), decision)
    assert calls == after_classify  # nothing normalised or parsed again
    assert reply.text == expected


def test_a_voice_message_is_decided_again_on_its_routed_text():
    """Routing drops the recognition's final "。": a decision on other text is not reused."""
    services = make_services([PLAN], date(2018, 6, 4))
    msg = _msg("本周有什么到期。", kind="voice")
    decision = router.classify(msg)
    assert decision.lane == router.READ_ONLY
    with_decision = router.route(msg, services, Opening(), decision).text
    assert with_decision == router.route(msg, services, Opening()).text
    assert with_decision and "到期" in with_decision
