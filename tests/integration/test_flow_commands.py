"""Commands inside an open 献一策 conversation are answered, with a line saying the suggestion
is still open, and never written down; anything else is content. Both stores."""

from __future__ import annotations

from datetime import date

import pytest

from bot import export
from bot.chat import ChatSession
from bot.store.campaigns_repo import save_plan
from domain.plan import DateSpan, Phase, Plan

STILL_OPEN = "还在填写中"


@pytest.fixture
def one_campaign(state):  # type: ignore[no-untyped-def]
    span = DateSpan(date(2018, 5, 1), date(2030, 12, 31), "5月起")
    save_plan(
        state.db,
        Plan(
            "kjj-2018",
            "科技局大讨论",
            2018,
            topics=("强化创新主体",),
            phases=(Phase("宣传发动阶段", span),),
        ),
    )
    state.campaigns.invalidate()
    return state


def _stored(state) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["content"] for r in export.records(state.db, state.settings.tz)]


def test_commands_mid_way_are_answered_and_not_stored(one_campaign):
    chat = ChatSession(one_campaign, "ann")
    first = chat.say("献一策：建议在园区设立共享会议室") or ""
    ticket = first.split("编号：")[1].split()[0]
    assert "请回复序号" in (chat.say("我要提建议") or "")
    at_topic = chat.say("我的建议") or ""
    assert ticket in at_topic and "议题序号" in at_topic  # the topic is still asked for
    assert "请写下您的建议" in (chat.say("1") or "")
    assert "已记下" in (chat.say("第一段：建议设立科技成果转化基金") or "")
    asked = {
        "我的建议": ticket,
        f"查询 {ticket}": "共享会议室",
        "本周有什么到期": "本周",
        "现在是什么阶段": "宣传发动阶段",
    }
    for command, expected in asked.items():
        answer = chat.say(command) or ""
        assert expected in answer and STILL_OPEN in answer and "已记下" not in answer, answer
    more = chat.say("更多") or ""
    assert "没有更多内容" in more and STILL_OPEN in more
    helped = chat.say("帮助") or ""
    assert "我可以帮您" in helped and "完成" in helped  # help says how to finish
    # A remark that mentions the schedule, with no question word, is content.
    assert "已记下" in (chat.say("还应公开每周的到期任务清单，方便企业对照") or "")
    assert "请确认" in (chat.say("完成") or "")
    mid_confirm = chat.say("我的建议") or ""
    assert ticket in mid_confirm and "回复“确认”提交" in mid_confirm
    assert "提交成功" in (chat.say("确认") or "")
    stored = _stored(one_campaign)
    assert len(stored) == 2
    assert "第一段：建议设立科技成果转化基金\n还应公开每周的到期任务清单，方便企业对照" in stored
    for command in (*asked, "帮助", "更多"):
        assert all(command not in content for content in stored)


def test_cancel_still_cancels_mid_way(one_campaign):
    chat = ChatSession(one_campaign, "ben")
    chat.say("我要提建议")
    chat.say("1")
    chat.say("建议每月举办一次企业开放日")
    assert "本周" in (chat.say("本周有什么到期") or "")
    assert "已取消" in (chat.say("取消") or "")
    assert _stored(one_campaign) == []
    after = chat.say("我的建议") or ""
    assert STILL_OPEN not in after  # the conversation is over


def test_photos_before_the_topic_are_kept(one_campaign):
    chat = ChatSession(one_campaign, "cai")
    chat.say("我要提建议")
    assert "共1张" in (chat.say("/image") or "")
    chat.say("1")
    chat.say("建议给孵化器企业减免首年房租")
    assert "附图片1张" in (chat.say("完成") or "")
    chat.say("确认")
    with one_campaign.db.session() as s:
        from sqlalchemy import select

        from bot.store.models import SuggestionRow

        (row,) = s.scalars(select(SuggestionRow)).all()
    assert len(row.attachments) == 1


def test_appends_are_atomic_and_only_to_an_open_flow(state):
    from concurrent.futures import ThreadPoolExecutor

    conversations = state.services.conversations
    assert conversations.append("dan", "parts", "无人接收") is None  # no flow: nothing kept
    conversations.save("dan", {"flow": "suggest", "step": "content"}, {"parts": ["开头"]})
    with ThreadPoolExecutor(8) as pool:
        lengths = list(
            pool.map(lambda i: len(conversations.append("dan", "parts", f"p{i}")), range(40))
        )
    assert sorted(lengths) == list(range(2, 42))  # each append saw its own true count
    # A step change writes the state, never the lists it read earlier.
    stale = conversations.begin("dan").state
    conversations.append("dan", "attachments", "img1")
    conversations.save("dan", {**stale, "step": "confirm"})
    opened = conversations.begin("dan").state
    assert opened["step"] == "confirm" and opened["attachments"] == ["img1"]
    assert opened["parts"][0] == "开头" and len(opened["parts"]) == 41
    prefix = state.settings.redis_prefix + "conv:"
    assert 0 < state.kv.ttl(prefix + "state:dan:parts") <= 30 * 60
    conversations.clear("dan")
    assert conversations.begin("dan").state is None
    assert state.kv.exists(prefix + "state:dan:parts", prefix + "state:dan:attachments") == 0


def test_an_idea_written_where_a_choice_was_asked_is_kept(state):
    span = DateSpan(date(2018, 5, 1), date(2030, 12, 31), "5月起")
    for code, name in (("a-2018", "甲镇大讨论"), ("b-2018", "乙镇大讨论")):
        save_plan(
            state.db, Plan(code, name, 2018, topics=("产业发展",), phases=(Phase("宣传", span),))
        )
    state.campaigns.invalidate()
    chat = ChatSession(state, "eve")
    assert "选择活动" in (chat.say("献一策：建议镇里开设夜间集市") or "")
    kept = chat.say("另外建议配套设置临时停车位") or ""
    assert "已记下" in kept and "没找到" not in kept and "选择活动" in kept
    assert "提交成功" in (chat.say("1") or "")
    chat.say("我要提建议")
    assert "已记下" not in (chat.say("乙镇大讨论") or "")  # a choice by name is not content
    early = chat.say("建议乙镇举办农产品展销会") or ""
    assert "已记下" in early and "属于哪个议题" in early and "没找到" not in early
    assert "产业发展" in (chat.say("1") or "")
    chat.say("完成")
    assert "提交成功" in (chat.say("确认") or "")
    assert sorted(_stored(state)) == [
        "建议乙镇举办农产品展销会",
        "建议镇里开设夜间集市\n另外建议配套设置临时停车位",
    ]
