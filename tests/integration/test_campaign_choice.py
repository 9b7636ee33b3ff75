"""The right campaign without asking, with the three seed plans, on both stores."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot import demo, export
from bot.chat import ChatSession
from bot.store.campaign_names import DuplicateCampaignName
from bot.store.campaigns_repo import save_plan
from bot.store.models import CampaignRow
from domain.plan import Plan
from tests.conftest import make_settings

ONE_RUNNING = date(2018, 5, 22)  # 科技局 only (the demo's rehearsal date)
TWO_RUNNING = date(2018, 6, 5)  # 科技局 and 人大


def _seeded(backend, today: date):  # type: ignore[no-untyped-def]
    from bot.wiring import build_state

    state = build_state(make_settings(backend, today=today), migrate=True)
    demo.load_seeds(state)
    return state


@pytest.fixture
def seeded(backend):  # type: ignore[no-untyped-def]
    state = _seeded(backend, ONE_RUNNING)
    yield state
    state.close()


@pytest.fixture
def two_running(backend):  # type: ignore[no-untyped-def]
    state = _seeded(backend, TWO_RUNNING)
    yield state
    state.close()


def talk(state, user: str, *lines: str) -> list[str]:  # type: ignore[no-untyped-def]
    session = ChatSession(state, user)
    return [session.say(line) or "" for line in lines]


def test_questions_need_no_campaign_question(seeded):
    week, phase, june, rd, mh = talk(
        seeded,
        "alice",
        "本周有什么到期",
        "现在是什么阶段",
        "科技局6月的任务",
        "人大现在是什么阶段",
        "孟河镇的时间表",
    )
    assert not any("切换到" in a for a in (week, phase, june, rd, mh))
    assert "召开局党组理论中心组学习会" in week
    assert "学习调研阶段" in phase
    assert "产学研精准对接" in june and "高质量产业发展主题调研" in june
    assert "召开局党组理论中心组学习会" not in june  # May, not June
    assert "6月1日" in rd  # 人大 has not started on the rehearsal date
    assert "宣传发动、集中学习阶段" in mh


def test_a_suggestion_goes_to_the_only_running_campaign(seeded):
    (answer,) = talk(seeded, "bob", "献一策：建议在老街口增设一处公交候车亭，方便老人出行")
    assert "提交成功" in answer
    (record,) = export.records(seeded.db, seeded.settings.tz)
    assert record["campaign"] == "kjj-2018"


def test_the_users_choice_is_kept(seeded):
    switched, phase, named = talk(
        seeded, "carol", "切换到区人大", "现在是什么阶段", "科技局现在是什么阶段"
    )
    assert "区人大机关解放思想大讨论" in switched
    assert "6月1日" in phase and "学习调研阶段" in named
    assert seeded.users.profile("carol").campaign_code == "yhrd-2018"


def test_two_running_campaigns_ask_only_among_them(two_running):
    phase, named = talk(two_running, "dave", "现在是什么阶段", "人大本周有什么到期")
    assert "切换到" in phase and "市科技局" in phase and "区人大机关" in phase
    assert "孟河镇" not in phase
    assert "切换到" not in named
    asked, picked = talk(two_running, "erin", "献一策：建议增加乡村公交班次方便出行", "2")
    assert "孟河镇" not in asked and "提交成功" in picked
    second = asked.split("2. ")[1].split("\n")[0]
    (record,) = export.records(two_running.db, two_running.settings.tz)
    assert {"市科技局解放思想大讨论": "kjj-2018", "区人大机关解放思想大讨论": "yhrd-2018"}[
        second
    ] == record["campaign"]


def test_a_second_campaign_with_an_existing_name_is_refused(seeded):
    with pytest.raises(DuplicateCampaignName) as caught:
        save_plan(seeded.db, Plan("kjj-2019", "市科技局解放思想大讨论", 2019))
    assert "kjj-2019" in str(caught.value) and "kjj-2018" in str(caught.value)
    with seeded.db.session() as s:
        assert s.scalar(select(func.count()).select_from(CampaignRow)) == 3
    # Reloading the same code with its own name is an update, not a duplicate.
    created, _revision = save_plan(seeded.db, Plan("kjj-2018", "市科技局解放思想大讨论", 2018))
    assert created is False
