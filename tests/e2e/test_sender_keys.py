"""Two users whose messages carry one MsgId (WxJava #333 saw it under load) are two senders:
two ideas, two tickets, each user's "我的建议" their own; over real HTTP, on both stores."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from sqlalchemy import select

from bot.store.campaigns_repo import save_plan
from bot.store.models import SuggestionRow
from domain.plan import DateSpan, Phase, Plan
from tests.e2e.test_retries import Server
from tests.wechat_sim import WeChatSim, text_xml

IDEAS = {
    "o_alice": "献一策：建议在老街口增设一处公共自行车停放点",
    "o_bob": "献一策：建议社区食堂延长晚间供餐时间到八点",
}


@pytest.fixture
def served(app, state):  # type: ignore[no-untyped-def]
    span = DateSpan(date(2018, 5, 1), date(2018, 12, 31), "5月至年底")
    save_plan(state.db, Plan("kjj-2018", "科技局大讨论", 2018, phases=(Phase("宣传", span),)))
    state.campaigns.invalidate()
    server = Server(app)
    yield server
    server.close()


def _post(server: Server, sim: WeChatSim, xml: str) -> str:
    qs, body = sim.envelope(xml)
    resp = requests.post(f"{server.url}/wechat?{qs}", data=body, timeout=10)
    answer = sim.read(resp.status_code, resp.content)
    assert answer.status == 200
    return answer.text or ""


def _ticket(answer: str) -> str:
    assert "提交成功" in answer, answer
    return answer.split("编号：")[1].split()[0]


def _check_two_ideas(state, server, sim, answers: dict[str, str], msg_id: int) -> None:  # type: ignore[no-untyped-def]
    tickets = {user: _ticket(answer) for user, answer in answers.items()}
    assert tickets["o_alice"] != tickets["o_bob"]
    with state.db.session() as s:
        rows = {r.user_openid: r for r in s.scalars(select(SuggestionRow))}
    assert {u: rows[u].ticket for u in rows} == tickets
    assert {u: rows[u].source_key for u in rows} == {u: f"wechat:{u}:{msg_id}" for u in IDEAS}
    for user, mine in tickets.items():
        other = tickets["o_bob" if user == "o_alice" else "o_alice"]
        # Both ask with one MsgId too: each gets their own list, not the other's kept answer.
        listed = _post(server, sim, text_xml(user, "我的建议", msg_id=msg_id + 1))
        assert mine in listed and other not in listed
    # WeChat's retry of Alice's message still gets her own answer, and stores nothing more.
    again = _post(server, sim, text_xml("o_alice", IDEAS["o_alice"], msg_id=msg_id))
    assert _ticket(again) == tickets["o_alice"]
    with state.db.session() as s:
        assert len(s.scalars(select(SuggestionRow)).all()) == 2


def test_two_users_one_msg_id_one_after_the_other(state, served):
    sim = WeChatSim()
    msg_id = 6200000000000000123
    answers = {
        user: _post(served, sim, text_xml(user, idea, msg_id=msg_id))
        for user, idea in IDEAS.items()
    }
    _check_two_ideas(state, served, sim, answers, msg_id)


def test_two_users_one_msg_id_at_the_same_moment(state, served):
    sim = WeChatSim()
    msg_id = 6200000000000000456
    with ThreadPoolExecutor(2) as pool:
        futures = {
            user: pool.submit(_post, served, sim, text_xml(user, idea, msg_id=msg_id))
            for user, idea in IDEAS.items()
        }
        answers = {user: f.result() for user, f in futures.items()}
    _check_two_ideas(state, served, sim, answers, msg_id)
