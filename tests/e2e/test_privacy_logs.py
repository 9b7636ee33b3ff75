"""Nothing secret in the logs: no raw openid, token, secret or stack trace to the user."""

from __future__ import annotations

import logging

from bot.logs import RedactOpenid
from tests.wechat_sim import WeChatSim, text_xml

OPENID = "oSECRET_openid_1234567890"


def test_a_whole_conversation_logs_no_openid(client, state, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    sim = WeChatSim()
    for line in ("帮助", "我要提建议", "写一条建议：社区增设快递柜", "完成", "确认", "我的建议"):
        assert sim.post(client, text_xml(OPENID, line)).status == 200

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(state.suggestions, "submit", broken)
    answer = sim.post(client, text_xml(OPENID, "献一策：建议夜间开放学校操场供居民锻炼"))
    assert answer.status == 200 and "系统开了个小差" in answer.text
    assert "Traceback" not in answer.text and "database went away" not in answer.text
    assert "database went away" in caplog.text  # the engineer still learns what happened
    assert OPENID not in caplog.text
    assert state.pseudonym(OPENID) in caplog.text


def test_access_log_filter_hides_the_openid_query_parameter():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"POST /wechat?signature=abc&openid={OPENID}&nonce=1 HTTP/1.1", "200", "-"),
        None,
    )
    RedactOpenid().filter(record)
    assert OPENID not in record.getMessage() and "openid=***" in record.getMessage()
