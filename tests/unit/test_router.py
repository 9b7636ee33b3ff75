"""The routing table over in-memory services: which words and events reach which handler."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from handlers.router import route
from handlers.types import Incoming
from tests.fakes.memory import make_services
from texts import chat as texts

PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    topics=("强化创新主体",),
    phases=(
        Phase("学习调研阶段", DateSpan(date(2018, 5, 21), date(2018, 7, 31), "5月下旬至7月底")),
    ),
    tasks=tuple(
        Task(
            f"第{i}项调研任务，内容较长以便分页" * 3,
            owner="局活动办",
            due=DateSpan(date(2018, 6, 1), date(2018, 6, 10), "6月10前"),
        )
        for i in range(120)
    ),
)


def say(services, text: str, user: str = "u1", kind: str = "text", **extra: str) -> str | None:  # type: ignore[no-untyped-def]
    msg = Incoming(channel="chat", user=user, kind=kind, text=text, **extra)  # type: ignore[arg-type]
    return route(msg, services).text


@pytest.fixture
def services():  # type: ignore[no-untyped-def]
    return make_services([PLAN], date(2018, 6, 4))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("帮助", "我可以帮您"),
        ("help", "我可以帮您"),
        ("帮助。", "我可以帮您"),
        ("？", "我可以帮您"),
        ("我的建议", "还没有提交"),
        ("查询 ABC234", "没有找到"),
        ("查询 1", "6位编号"),
        ("我要提建议", "议题"),
        ("献一策", "议题"),
        ("献一策：建议修缮老街的石板路", "提交成功"),
        ("金点子:建议开设夜间便民集市", "提交成功"),
        ("取消", "没有正在填写"),
        ("订阅提醒", "订阅成功"),
        ("退订提醒", "已为您退订"),
        ("我的订阅", "没有订阅"),
        ("现在是什么阶段", "学习调研阶段"),
        ("今天天气不错", "您是不是想问"),
    ],
)
def test_text_routes(services, text, expected):
    assert expected in say(services, text)


@pytest.mark.parametrize(
    "event,key,expected",
    [
        ("subscribe", "", texts.WELCOME),
        ("CLICK", "HELP", texts.HELP),
        ("CLICK", "UNKNOWN_KEY", texts.HELP),
        ("unsubscribe", "", None),
        ("VIEW", "http://x", None),
        ("LOCATION", "", None),
    ],
)
def test_event_routes(services, event, key, expected):
    assert say(services, "", kind="event", event=event, event_key=key) == expected


def test_following_does_not_subscribe_and_unfollow_unsubscribes(services):
    say(services, "", kind="event", event="subscribe")
    assert services.users.profile("u1").subscribed is False
    say(services, "订阅提醒")
    assert services.users.profile("u1").subscribed is True
    say(services, "", kind="event", event="unsubscribe")
    assert services.users.profile("u1").subscribed is False


def test_voice_uses_recognition_and_unreadable_voice_is_kind(services):
    assert "我可以帮您" in say(services, "帮助。", kind="voice")
    assert "没能识别" in say(services, "", kind="voice")


def test_image_outside_a_conversation_is_acknowledged(services):
    assert "图片已收到" in say(services, "", kind="image", media_id="m1")


def test_unknown_kind_is_answered_politely(services):
    assert "看不懂" in say(services, "", kind="shortvideo")


def test_long_answers_page_within_2048_bytes(services):
    first = say(services, "时间表")
    pages = [first]
    while "更多" in pages[-1]:
        pages.append(say(services, "更多"))
    assert len(pages) > 2
    assert all(len(p.encode("utf-8")) <= 2048 for p in pages)
    assert say(services, "更多") == texts.MORE_NONE


def test_expired_conversation_notice_keeps_the_reply_within_limits(services):
    say(services, "我要提建议")
    services.clock.advance(minutes=31)
    short = say(services, "帮助")
    assert short.startswith(texts.EXPIRED) and "我可以帮您" in short
    say(services, "我要提建议")
    services.clock.advance(minutes=31)
    long = say(services, "时间表")  # a full page: the notice comes first, the answer next
    assert long.startswith(texts.EXPIRED) and len(long.encode("utf-8")) <= 2048
    follow = say(services, "更多")
    assert "市科技局解放思想大讨论" in follow and len(follow.encode("utf-8")) <= 2048


def test_pages_are_written_only_when_there_are_some_or_old_ones_wait(services, monkeypatch):  # type: ignore[no-untyped-def]
    writes: list[list[str]] = []
    keep = services.conversations.save_pages

    def save_pages(user: str, pages: list[str]) -> None:
        writes.append(list(pages))
        keep(user, pages)

    monkeypatch.setattr(services.conversations, "save_pages", save_pages)
    say(services, "现在是什么阶段")
    assert writes == []  # a one-page answer with nothing waiting: no write at all
    say(services, "时间表")
    assert len(writes) == 1 and writes[0]  # the further pages are kept for "更多"
    say(services, "现在是什么阶段")
    assert writes[-1] == []  # the old pages are cleared
    assert say(services, "更多") == texts.MORE_NONE
    say(services, "我的建议")
    assert len(writes) == 2  # a reply that is not paged leaves pages alone
