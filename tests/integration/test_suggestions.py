"""The 献一策 flow end to end through the same pipeline WeChat messages take, on both stores."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from bot import export
from bot.chat import ChatSession
from bot.store.campaigns_repo import save_plan
from domain.plan import DateSpan, Phase, Plan


def _plan(code: str, name: str, topics: tuple[str, ...]) -> Plan:
    span = DateSpan(date(2018, 5, 1), date(2018, 12, 31), "5月至年底")
    return Plan(
        code=code, name=name, year=2018, topics=topics, phases=(Phase("宣传发动阶段", span),)
    )


@pytest.fixture
def one_campaign(state):  # type: ignore[no-untyped-def]
    save_plan(
        state.db,
        _plan(
            "kjj-2018",
            "市科技局解放思想大讨论",
            ("强化创新主体", "优化配置创新资源", "优化创新生态"),
        ),
    )
    state.campaigns.invalidate()
    return state


def talk(state, user: str, *lines: str) -> list[str]:  # type: ignore[no-untyped-def]
    session = ChatSession(state, user)
    return [session.say(line) or "" for line in lines]


def ticket_of(answer: str) -> str:
    return answer.split("编号：")[1].split()[0]


def test_one_message_submission_and_my_list(one_campaign):
    answers = talk(
        one_campaign,
        "alice",
        "献一策：建议在高新区建设共享实验平台，降低中小企业研发成本",
        "我的建议",
    )
    assert "提交成功" in answers[0]
    ticket = ticket_of(answers[0])
    assert len(ticket) == 6 and ticket in answers[1] and "待审核" in answers[1]


@pytest.mark.parametrize("prefix", ["献一策：", "建议:", "金点子，", "我的富民金点子："])
def test_one_message_prefixes(one_campaign, prefix):
    answer = talk(one_campaign, "pref", prefix + "建议镇里定期举办农技培训班")[0]
    assert "提交成功" in answer


def test_guided_conversation_with_topic_parts_and_image(one_campaign):
    answers = talk(
        one_campaign,
        "bob",
        "我要提建议",
        "2",
        "第一段：建议设立科技成果转化基金。",
        "/image",
        "第二段：由财政资金引导，吸引社会资本参与。",
        "完成",
        "确认",
        "我的建议",
    )
    assert "议题" in answers[0] and "1. 强化创新主体" in answers[0]
    assert "优化配置创新资源" in answers[1]
    assert "图片已附上（共1张）" in answers[3]
    assert "附图片1张" in answers[5] and "第一段" in answers[5]
    assert "提交成功" in answers[6]
    records = list(export.records(one_campaign.db, one_campaign.settings.tz))
    assert len(records) == 1
    rec = records[0]
    assert rec["topic"] == "优化配置创新资源" and rec["attachments"] == 1
    assert (
        "第一段：建议设立科技成果转化基金。\n第二段" in rec["content"]
    )  # Chinese punctuation kept


def test_several_campaigns_are_chosen_first(one_campaign):
    save_plan(
        one_campaign.db, _plan("menghe-2017", "孟河镇学先进明思路凝共识大讨论", ("六问六答",))
    )
    one_campaign.campaigns.invalidate()
    answers = talk(
        one_campaign,
        "carol",
        "我要提建议",
        "9",
        "1",
        "0",
        "建议老街改造保留历史风貌",
        "完成",
        "确认",
    )
    assert "选择活动" in answers[0] and "序号" in answers[1]
    assert "议题" in answers[2]
    assert "提交成功" in answers[-1]
    rec = list(export.records(one_campaign.db, one_campaign.settings.tz))[0]
    first_listed = answers[0].split("1. ")[1].split("\n")[0]  # campaigns are listed by name
    code = {"市科技局解放思想大讨论": "kjj-2018", "孟河镇学先进明思路凝共识大讨论": "menghe-2017"}
    assert rec["campaign"] == code[first_listed] and rec["topic"] == "其他"


def test_one_message_with_several_campaigns_asks_which(one_campaign):
    save_plan(one_campaign.db, _plan("menghe-2017", "孟河镇学先进明思路凝共识大讨论", ()))
    one_campaign.campaigns.invalidate()
    answers = talk(one_campaign, "dave", "献一策：建议增加乡村公交班次方便出行", "孟河")
    assert "选择活动" in answers[0] and "提交成功" in answers[1]  # chosen by (part of) its name
    rec = list(export.records(one_campaign.db, one_campaign.settings.tz))[0]
    assert rec["campaign"] == "menghe-2017"


def test_cancel_at_any_step(one_campaign):
    for steps in (
        ["我要提建议", "取消"],
        ["我要提建议", "1", "取消"],
        ["我要提建议", "1", "一些内容写在这里", "完成", "取消"],
    ):
        answers = talk(one_campaign, "erin", *steps)
        assert "已取消" in answers[-1]
    assert list(export.records(one_campaign.db, one_campaign.settings.tz)) == []


def test_expired_conversation_gets_a_kind_word(one_campaign):
    talk(one_campaign, "frank", "我要提建议", "1", "写了一半的建议")
    # what Redis does after 30 minutes:
    one_campaign.kv.delete(one_campaign.settings.redis_prefix + "conv:state:frank")
    answer = talk(one_campaign, "frank", "完成")[0]
    assert "超过30分钟" in answer
    assert talk(one_campaign, "frank", "完成")[0].count("超过30分钟") == 0  # said once


def test_refusals(one_campaign):
    assert "有点短" in talk(one_campaign, "gina", "献一策：好")[0]
    assert "超过了5000字" in talk(one_campaign, "gina", "献一策：" + "长" * 5001)[0]
    first = talk(one_campaign, "gina", "献一策：建议在菜市场设置便民服务站")[0]
    again = talk(one_campaign, "gina", "献一策：建议在菜市场设置便民服务站。")[0]
    assert "今天已经提交过" in again and ticket_of(first) in again
    empty = talk(one_campaign, "gina", "我要提建议", "1", "完成")[-1]
    assert "还没有收到" in empty


def test_rate_limit_ten_an_hour(one_campaign):
    answers = talk(
        one_campaign, "henry", *[f"献一策：第{i}条建议，关于改进社区服务的想法" for i in range(11)]
    )
    assert all("提交成功" in a for a in answers[:10])
    assert "这一小时内已提交10条" in answers[10]


def test_lookup_only_own_tickets(one_campaign):
    mine = ticket_of(talk(one_campaign, "ivy", "献一策：建议学校周边设置护学岗")[0])
    assert "护学岗" in talk(one_campaign, "ivy", f"查询 {mine}")[0]
    assert "护学岗" in talk(one_campaign, "ivy", f"查询{mine.lower()}")[0]
    other = talk(one_campaign, "jack", f"查询 {mine}")[0]
    assert "没有找到" in other and "护学岗" not in other
    assert "6位编号" in talk(one_campaign, "jack", "查询 12")[0]


def test_export_formats_carry_the_record_and_no_openid(one_campaign, tmp_path):
    talk(one_campaign, "o_secret_openid_1", "献一策：建议开通政务服务夜间窗口，方便上班族")
    rows = list(export.records(one_campaign.db, one_campaign.settings.tz))
    assert set(rows[0]) == set(export.FIELDS)
    assert rows[0]["channel"] == "chat" and rows[0]["status"] == "待审核"
    assert rows[0]["created_at"].endswith("+08:00")
    assert rows[0]["author"].startswith("u_") and "o_secret" not in rows[0]["author"]

    out = io.BytesIO()
    export.write("json", export.records(one_campaign.db, one_campaign.settings.tz), out)
    data = json.loads(out.getvalue())
    assert data[0]["content"].startswith("建议开通") and b"o_secret" not in out.getvalue()

    out = io.BytesIO()
    export.write("csv", export.records(one_campaign.db, one_campaign.settings.tz), out)
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel shows Chinese
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert parsed[0]["ticket"] == rows[0]["ticket"]

    path = tmp_path / "s.xlsx"
    with open(path, "wb") as fh:
        export.SqlExport(one_campaign.db, one_campaign.settings.tz).write("xlsx", fh)
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "市科技局解放思想大讨论"]
    sheet = book["市科技局解放思想大讨论"]
    assert [c.comment.text for c in sheet[1]] == export.FIELDS  # Chinese labels, field comments
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "编号" and values[1][3].startswith("建议开通政务服务")


def test_pseudonym_is_stable_and_keyed(one_campaign):
    p = one_campaign.pseudonym
    assert p("abc") == p("abc") and p("abc") != p("abd")
    from bot.privacy import Pseudonymizer

    assert Pseudonymizer("other-key")("abc") != p("abc")


def test_help_inside_a_conversation_helps_and_keeps_it_open(one_campaign):
    answers = talk(
        one_campaign, "kate", "我要提建议", "1", "帮助", "建议建设科技孵化器", "完成", "确认"
    )
    assert "我可以帮您" in answers[2]
    assert "已记下" in answers[3] and "提交成功" in answers[5]
    rec = list(export.records(one_campaign.db, one_campaign.settings.tz))[0]
    assert rec["content"] == "建议建设科技孵化器"  # "帮助" was not taken as content


def test_schedule_questions_need_no_claim_and_retries_get_the_same_answer(one_campaign):
    from bot.wechat_protocol import parse_xml, to_incoming
    from tests.wechat_sim import text_xml

    msg = to_incoming(parse_xml(text_xml("leo", "现在是什么阶段", msg_id=770001).encode()))
    first = one_campaign.processor.handle(msg)
    again = one_campaign.processor.handle(msg)
    assert first == again and "宣传发动阶段" in first
    assert (
        one_campaign.kv.get(f"{one_campaign.settings.redis_prefix}dedup:wechat:{msg.dedup_key}")
        is None
    )


def test_a_schedule_question_inside_the_flow_is_answered_not_written_down(one_campaign):
    from bot.wechat_protocol import parse_xml, to_incoming
    from tests.wechat_sim import text_xml

    talk(one_campaign, "mia", "我要提建议", "1")
    # Schedule questions take the lane without a claim; inside the flow they are answered (a
    # retried copy the same way) and never become content.
    part = to_incoming(parse_xml(text_xml("mia", "本周有什么到期", msg_id=770002).encode()))
    first = one_campaign.processor.handle(part) or ""
    assert "本周" in first and "还在填写中" in first and "已记下" not in first
    assert one_campaign.processor.handle(part) == first
    talk(one_campaign, "mia", "还应公开每周的到期任务清单", "完成", "确认")
    rec = list(export.records(one_campaign.db, one_campaign.settings.tz))[0]
    assert rec["content"] == "还应公开每周的到期任务清单"
