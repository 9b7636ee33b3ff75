"""A burst inside the guided 献一策 flow: WeChat sends each photo of a multi-select as its own
message milliseconds apart. 3 photos and 3 text parts posted at the same moment over real HTTP,
ten times, in plain and safe (AES) mode, on both stores: nothing lost, every count true."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from sqlalchemy import select

from bot.store.campaigns_repo import save_plan
from bot.store.models import SuggestionRow
from domain.plan import DateSpan, Phase, Plan
from tests.conftest import make_settings
from tests.e2e.test_retries import Server
from tests.wechat_sim import WeChatSim, image_xml, text_xml

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TRIALS = 10
TOPICS = ("交通出行", "便民服务")
PARTS = ("第一，老街口早晚高峰拥堵严重", "第二，建议增设潮汐车道", "第三，配套设置电子指示牌")


@pytest.fixture(params=["plain", "safe"])
def served(request, backend) -> Iterator[tuple[object, Server, WeChatSim]]:  # type: ignore[no-untyped-def]
    from bot.app import create_app
    from bot.wiring import build_state

    mode = request.param
    extra = {"wechat_aes_key": AES_KEY, "wechat_appid": "wx_test_app"} if mode == "safe" else {}
    state = build_state(make_settings(backend, **extra), migrate=True)
    span = DateSpan(date(2018, 5, 1), date(2018, 12, 31), "5月至年底")
    plan = Plan("kjj-2018", "科技局大讨论", 2018, topics=TOPICS, phases=(Phase("宣传", span),))
    save_plan(state.db, plan)
    state.campaigns.invalidate()
    server = Server(create_app(state=state))
    sim = WeChatSim(aes_key=AES_KEY, appid="wx_test_app", mode=mode)
    yield state, server, sim
    server.close()
    state.close()


def _post(server: Server, sim: WeChatSim, xml: str) -> str:
    qs, body = sim.envelope(xml)
    resp = requests.post(f"{server.url}/wechat?{qs}", data=body, timeout=10)
    answer = sim.read(resp.status_code, resp.content)
    assert answer.status == 200 and answer.text, resp.content
    return answer.text


def _count(pattern: str, answer: str) -> int:
    found = re.search(pattern, answer)
    assert found, answer
    return int(found.group(1))


def test_a_burst_of_photos_and_parts_loses_nothing(served):
    state, server, sim = served
    for trial in range(TRIALS):
        user = f"o_burst_{trial}"
        assert "议题" in _post(server, sim, text_xml(user, "我要提建议"))
        assert "请写下您的建议" in _post(server, sim, text_xml(user, "1"))
        burst = [image_xml(user) for _ in range(3)] + [text_xml(user, p) for p in PARTS]
        with ThreadPoolExecutor(len(burst)) as pool:
            answers = list(pool.map(lambda xml: _post(server, sim, xml), burst))
        photos = sorted(_count(r"共(\d+)张", a) for a in answers[:3])
        assert photos == [1, 2, 3], answers  # each photo told its true total
        chars = sorted(_count(r"共(\d+)字", a) for a in answers[3:])
        assert len(set(chars)) == 3 and chars[-1] == len("\n".join(PARTS)), answers
        confirm = _post(server, sim, text_xml(user, "完成"))
        assert "附图片3张" in confirm, confirm
        assert "提交成功" in _post(server, sim, text_xml(user, "确认"))
    with state.db.session() as s:
        rows = s.scalars(select(SuggestionRow)).all()
    assert len(rows) == TRIALS
    for row in rows:
        assert sorted(row.content.split("\n")) == sorted(PARTS)
        assert len(row.attachments) == 3 and len(set(row.attachments)) == 3
        assert all(media.startswith("img") for media in row.attachments)  # media ids, as sent


def test_a_topic_choice_in_the_same_burst_as_the_idea_loses_nothing(served):
    state, server, sim = served
    trials = 5
    for trial in range(trials):
        user = f"o_choice_{trial}"
        assert "议题" in _post(server, sim, text_xml(user, "我要提建议"))
        burst = [text_xml(user, "1"), image_xml(user), image_xml(user)]
        burst += [text_xml(user, p) for p in PARTS]
        with ThreadPoolExecutor(len(burst)) as pool:
            answers = list(pool.map(lambda xml: _post(server, sim, xml), burst))
        assert sorted(_count(r"共(\d+)张", a) for a in answers[1:3]) == [1, 2], answers
        confirm = _post(server, sim, text_xml(user, "完成"))
        assert "交通出行" in confirm and "附图片2张" in confirm, confirm
        assert "提交成功" in _post(server, sim, text_xml(user, "确认"))
    with state.db.session() as s:
        rows = s.scalars(select(SuggestionRow)).all()
    assert len(rows) == trials
    for row in rows:
        assert row.topic == "交通出行" and sorted(row.content.split("\n")) == sorted(PARTS)
        assert len(row.attachments) == 2
