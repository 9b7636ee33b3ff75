"""Ideas in natural phrasings over /wechat, on both stores: a ticket each, the idea as written;
a long unrecognised text is offered once and "是" stores it exactly as sent."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import SuggestionRow
from tests.wechat_sim import WeChatSim, text_xml, voice_xml
from texts import chat as texts


def contents(state, user: str) -> list[str]:  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        rows = s.scalars(
            select(SuggestionRow.content)
            .where(SuggestionRow.user_openid == user)
            .order_by(SuggestionRow.id)
        )
        return list(rows)


SENT = [
    ("献一策 建议在老街口增设公交站", "建议在老街口增设公交站"),
    ("我有个金点子：在镇区建一个共享充电站", "在镇区建一个共享充电站"),
    ("我想提个建议，老街的路灯晚上十点就关了，太早", "老街的路灯晚上十点就关了，太早"),
    ("【献一策】建议周末开放机关停车场", "建议周末开放机关停车场"),
    ("提点意见：办事大厅的叫号屏字太小", "办事大厅的叫号屏字太小"),
    ("建议双向增加左转向灯，给群众一个安全的马路", "建议双向增加左转向灯，给群众一个安全的马路"),
    ("#献一策# 社区增设快递柜", "社区增设快递柜"),
]


def test_natural_phrasings_get_a_ticket_each(client, state):
    sim = WeChatSim()
    for text, _ in SENT:
        answer = sim.post(client, text_xml("resident", text))
        assert answer.status == 200 and "提交成功" in answer.text, text
    assert contents(state, "resident") == [body for _, body in SENT]


def test_a_voice_idea_gets_a_ticket(client, state):
    sim = WeChatSim()
    answer = sim.post(client, voice_xml("speaker", "献一策，建议在老街口增设公交站。"))
    assert "提交成功" in answer.text
    assert contents(state, "speaker") == ["建议在老街口增设公交站"]


def test_offer_then_yes_stores_the_text_as_sent(client, state):
    sim = WeChatSim()
    text = "针对老街口拥堵，我有以下想法：早晚高峰增派协管员，\n公交站往北挪五十米。"
    assert sim.post(client, text_xml("writer", text)).text == texts.OFFER_ASK
    assert contents(state, "writer") == []
    yes = text_xml("writer", "是")
    first = sim.post(client, yes)
    assert "提交成功" in first.text
    again = sim.post(client, yes)  # WeChat's retry of the same "是"
    assert again.text == first.text
    assert contents(state, "writer") == [text]


def test_offer_dropped_by_another_message(client, state):
    sim = WeChatSim()
    sim.post(client, text_xml("ponder", "我们村的路灯坏了好几个月了，晚上出门很不方便"))
    assert "还没有提交" in sim.post(client, text_xml("ponder", "我的建议")).text
    answer = sim.post(client, text_xml("ponder", "是")).text
    assert "提交成功" not in answer and answer != texts.OFFER_ASK
    assert contents(state, "ponder") == []


def test_help_keeps_the_offer_open(client, state):
    """帮助 is answered before the conversation is looked up (router.STATELESS), as inside
    the guided flow: the question stays open and "是" still submits."""
    sim = WeChatSim()
    text = "我们村的路灯坏了好几个月了，晚上出门很不方便"
    sim.post(client, text_xml("helpme", text))
    assert "我可以帮您" in sim.post(client, text_xml("helpme", "帮助")).text
    assert "提交成功" in sim.post(client, text_xml("helpme", "是")).text
    assert contents(state, "helpme") == [text]
