"""回访 over the webhook, on both stores (issue 10 point 6): once the answer reached the
resident, "1"/"2"/"3" (or the words) rate it — 满意/基本满意 close it, 不满意 reopens it for
review — audited as "resident"; a bare digit with no rating awaited, or inside an open
conversation, keeps its usual meaning. And "我的建议" / "查询" show the outcome and answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import create_app
from bot.planfile import load_plan
from bot.store.campaigns_repo import save_plan
from domain import workflow as wf
from services import answers
from services import suggestions as uc
from tests.e2e import test_answer_delivery as kit
from tests.integration.console_helpers import new_suggestion, stores
from tests.wechat_sim import WeChatSim, text_xml
from texts import chat as texts

REV = wf.Actor("rev", wf.REVIEWER)
fake, make_state = kit.fake, kit.make_state  # the fake WeChat API and states sending to it


def answered(state, openid: str, n: int, reply: str = "已研究，明年实施。") -> str:  # type: ignore[no-untyped-def]
    """A suggestion of `openid`, answered and sent to them inside their window."""
    state.users.touch_many({openid: datetime.now(UTC) - timedelta(hours=1)})
    ticket = new_suggestion(state, openid, f"建议第{n}条：增设社区食堂。", n)
    uc.answer(stores(state)[0], REV, ticket, reply, datetime.now(UTC), outcome=wf.ADOPTED)
    channels = answers.channels_for(state.sender, state.settings)
    assert answers.deliver_due(stores(state)[3], channels, datetime.now(UTC))["sent"] == 1
    return ticket


def chat(state):  # type: ignore[no-untyped-def]
    client, sim = create_app(state=state).test_client(), WeChatSim()

    def say(openid: str, text: str) -> str:
        return sim.post(client, text_xml(openid, text)).text or ""

    return say


def test_rating_1_closes_2_closes_and_3_reopens_for_review(make_state):  # type: ignore[no-untyped-def]
    state = make_state()
    wfs, _, audit, _ = stores(state)
    say = chat(state)
    first = answered(state, "o_ann", 1)
    reply = say("o_ann", "1")
    assert "感谢您的评价（满意）" in reply and first in reply
    case = wfs.find(first)
    assert (case.status, case.satisfaction) == (wf.CLOSED, wf.SATISFIED) and case.rated_at
    entry = wfs.history(first)[-1]
    assert (entry.actor, entry.action, entry.before) == (wf.RESIDENT, wf.RATE, wf.ANSWERED)
    assert entry.after == f"{wf.CLOSED} · 满意度：满意"
    assert all("o_ann" not in e.actor for e in audit.since(None))
    again = say("o_ann", "1")  # rated once: "1" is no longer a rating
    assert "感谢您的评价" not in again and wfs.find(first).satisfaction == wf.SATISFIED

    second = answered(state, "o_ann", 2)
    assert "感谢您的评价（基本满意）" in say("o_ann", "基本满意。")
    assert wfs.find(second).satisfaction == wf.FAIRLY_SATISFIED

    third = answered(state, "o_ann", 3)
    uc.close(wfs, REV, third, datetime.now(UTC))  # rated after 已办结 too
    reply = say("o_ann", "３")
    assert "重新转回审核" in reply and third in reply
    case = wfs.find(third)
    assert (case.status, case.satisfaction) == (wf.ACCEPTED, wf.DISSATISFIED)
    entry = wfs.history(third)[-1]
    assert (entry.actor, entry.before, entry.after) == (
        wf.RESIDENT, wf.CLOSED, f"{wf.ACCEPTED} · 满意度：不满意",
    )  # fmt: skip
    # Reviewed again and answered anew: sent once more, and may be rated again.
    uc.publish_answer(wfs, REV, third, "经再次研究，本月即实施。", wf.ADOPTED, datetime.now(UTC))
    assert wfs.find(third).satisfaction is None
    channels = answers.channels_for(state.sender, state.settings)
    assert answers.deliver_due(stores(state)[3], channels, datetime.now(UTC))["sent"] == 1
    assert "感谢您的评价（满意）" in say("o_ann", "满意")
    assert wfs.find(third).status == wf.CLOSED


def test_digits_are_not_hijacked_without_an_invitation_or_inside_a_conversation(make_state):  # type: ignore[no-untyped-def]
    state = make_state()
    wfs = stores(state)[0]
    say = chat(state)
    unanswered = new_suggestion(state, "o_ben", "建议延长图书馆开放时间。", 4)
    assert "感谢您的评价" not in say("o_ben", "1")
    assert wfs.find(unanswered).satisfaction is None
    # An answer still waiting (not reached them) invites nothing yet.
    waiting = new_suggestion(state, "o_cat", "建议增设公交线路。", 5)
    uc.answer(wfs, REV, waiting, "已转交公交公司研究。", datetime.now(UTC))
    channels = answers.channels_for(state.sender, state.settings)
    assert answers.deliver_due(stores(state)[3], channels, datetime.now(UTC))["waiting"] == 1
    told = say("o_cat", "2")
    assert told.startswith("您的建议有了答复") and "感谢您的评价" not in told
    assert wfs.find(waiting).satisfaction is None
    # Inside an open 献一策 conversation a digit answers the conversation's question.
    plan = load_plan(Path("config/plans/kjj-2018.yaml"))
    save_plan(state.db, plan)
    ticket = answered(state, "o_dan", 6)
    assert "议题" in say("o_dan", "我要提建议")
    topic_chosen = say("o_dan", "1")
    assert "感谢您的评价" not in topic_chosen and plan.topics[0] in topic_chosen
    assert wfs.find(ticket).satisfaction is None
    # An answer sent longer ago than the rating window invites no more.
    old = answered(state, "o_eve", 7)
    with state.db.session() as s:
        from bot.store.models import AnswerOutboxRow

        row = s.query(AnswerOutboxRow).filter_by(ticket=old).one()
        row.sent_at = datetime.now(UTC) - wf.RATING_WINDOW - timedelta(hours=1)
    assert "感谢您的评价" not in say("o_eve", "1")
    assert wfs.find(old).satisfaction is None


def test_my_suggestions_and_lookup_show_outcome_and_answer(make_state):  # type: ignore[no-untyped-def]
    state = make_state()
    say = chat(state)
    ticket = answered(state, "o_fin", 8, reply="已采纳：明年一季度在社区增设老年食堂。")
    pending = new_suggestion(state, "o_fin", "建议增设口袋公园。", 9)
    mine = say("o_fin", "我的建议")
    assert ticket in mine and pending in mine and wf.ADOPTED in mine
    assert "答复：已采纳：明年一季度" in mine
    found = say("o_fin", f"查询 {ticket}")
    assert (
        f"办理结果：{wf.ADOPTED}" in found
        and "答复：已采纳：明年一季度在社区增设老年食堂。" in found
    )
    assert texts.TICKET_RATE_HINT.strip() in found
    say("o_fin", "1")
    assert "您的评价：满意" in say("o_fin", f"查询 {ticket}")
    plain = say("o_fin", f"查询 {pending}")
    assert "答复" not in plain and "待审核" in plain
    assert "没有找到" in say("o_gil", f"查询 {ticket}")  # only the submitter sees it


@pytest.mark.parametrize("size", [1500])
def test_a_long_waiting_answer_is_paged(make_state, size):  # type: ignore[no-untyped-def]
    state = make_state()
    wfs = stores(state)[0]
    ticket = new_suggestion(state, "o_hu", "建议完善社区养老服务体系。", 10)
    long_reply = "答" * size
    uc.answer(wfs, REV, ticket, long_reply, datetime.now(UTC))
    channels = answers.channels_for(state.sender, state.settings)
    assert answers.deliver_due(stores(state)[3], channels, datetime.now(UTC))["waiting"] == 1
    say = chat(state)
    first = say("o_hu", "你好呀在吗")
    assert first.startswith("您的建议有了答复") and "回复“更多”" in first
    assert len(first.encode()) <= 2048
    pages = [first]
    while "回复“更多”" in pages[-1]:
        pages.append(say("o_hu", "更多"))
        assert len(pages[-1].encode()) <= 2048
    assert "".join(pages).count("答") >= size
