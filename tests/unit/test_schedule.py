"""Schedule answers through handlers.schedule, over in-memory services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import NewSuggestion, Opening, Services
from handlers.router import route
from handlers.schedule import examples_reply, handle_menu, try_handle
from handlers.schedule_format import MAX_BYTES, nbytes
from handlers.types import Incoming, Reply
from tests.fakes.memory import SHANGHAI, make_services
from texts import schedule as T
from texts.chat import MORE_NONE

TODAY = date(2018, 6, 4)  # a Monday


def on(month: int, day: int, text: str, year: int = 2018) -> DateSpan:
    return DateSpan(date(year, month, day), date(year, month, day), text)


def span(start: tuple[int, int], end: tuple[int, int], text: str) -> DateSpan:
    return DateSpan(date(2018, *start), date(2018, *end), text)


KJJ = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    phases=(
        Phase(
            "宣传发动阶段",
            span((5, 1), (5, 20), "5月上旬至5月中旬"),
            "制定方案，动员部署，舆论先导",
        ),
        Phase(
            "学习调研阶段", span((5, 21), (7, 31), "5月下旬至7月底"), "深入开展学习、调研、讨论活动"
        ),
        Phase("实践转化阶段", span((8, 1), (12, 10), "8月上旬至12月上旬"), "结合成果，献计献策"),
        Phase("持续深化阶段", span((12, 11), (12, 31), "12月中旬至年底"), "总结大讨论活动成果"),
    ),
    tasks=(
        Task("召开局党组理论中心组学习会", "集中学习", owner="局党组", due=on(5, 25, "5月25日前")),
        Task(
            "举办局领导班子成员集中学习会", "集中学习", owner="局领导班子", due=on(6, 10, "6月10前")
        ),
        Task("举办智慧经济报告会", "集中学习", owner="局活动办", due=on(5, 30, "5月30前")),
        Task(
            "组织“聚力科技创新，服务企业在行动”",
            "集中调研",
            owner="局领导班子",
            due=on(6, 15, "6月15日前"),
        ),
        Task("开展“产学研精准对接”", "集中调研", owner="局活动办", due=on(6, 10, "6月10前")),
        Task("开展高质量产业发展主题调研", "集中调研", owner="局活动办", due=on(6, 30, "6月30日")),
        Task(
            "强化创新主体，壮大创新型企业集群研讨",
            "集中讨论",
            owner="局党组、局活动办",
            due=on(7, 10, "7月10日前"),
        ),
        Task(
            "紧扣转型升级，优化配置创新资源研讨",
            "集中讨论",
            owner="局活动办",
            due=on(7, 10, "7月10日前"),
        ),
        Task(
            "围绕创新服务，优化创新生态研讨",
            "集中讨论",
            owner="局活动办",
            due=on(7, 10, "7月10日前"),
        ),
        Task("撰写心得体会", owner="各科室"),  # undated
    ),
)
KJJ_TITLES = [t.title for t in KJJ.tasks]

MHZ = Plan(
    code="mhz-2018",
    name="孟河镇学先进明思路凝共识大讨论",
    year=2018,
    phases=(
        Phase("宣传发动、集中学习阶段", span((3, 1), (3, 10), "3月1日～3月10日")),
        Phase("广泛调研、深入讨论阶段", span((3, 11), (4, 10), "3月11日～4月10日")),
        Phase("交流成果、总结运用阶段", span((4, 11), (6, 20), "4月11日～6月20日")),
    ),
    tasks=(Task("六问六答专题报告", owner="宣统口", due=on(6, 8, "6月8日")),),
)


def ask(services: Services, text: str, user: str = "u1", kind: str = "text") -> Reply:
    """A schedule question through the router (which also keeps the pages for "更多")."""
    msg = Incoming("wechat", user, kind, text=text)
    assert try_handle(msg, services) is not None, text  # the schedule handler answers it
    reply = route(msg, services)
    assert reply.text is not None, text
    return reply


def numbered(text: str) -> list[str]:
    """The titles of the numbered lines of an answer."""
    lines = [line for line in text.splitlines() if line[:1].isdigit() and ". " in line]
    return [line.split(". ", 1)[1] for line in lines]


@pytest.fixture
def kjj() -> Services:
    return make_services([KJJ], TODAY)


# --- Acceptance ------------------------------------------------------------------------------


def test_due_this_week_lists_exactly_the_two_tasks_due_june_10(kjj: Services) -> None:
    text = ask(kjj, "本周有什么到期").text or ""
    assert numbered(text) == ["举办局领导班子成员集中学习会", "开展“产学研精准对接”"]
    assert "6月4日—6月10日" in text and text.count("6月10日（6月10前）") == 2
    assert "局领导班子" in text and "局活动办" in text
    for other in set(KJJ_TITLES) - {"举办局领导班子成员集中学习会", "开展“产学研精准对接”"}:
        assert other not in text


def test_current_phase_names_the_learning_phase(kjj: Services) -> None:
    text = ask(kjj, "现在是什么阶段").text or ""
    assert "学习调研阶段" in text
    assert "5月21日—7月31日（5月下旬至7月底）" in text and "还有57天" in text
    assert "深入开展学习、调研、讨论活动" in text and "实践转化阶段" in text


def test_menu_keys_answer_like_the_questions(kjj: Services) -> None:
    msg = Incoming("wechat", "u1", "event", event="CLICK", event_key="DUE_THIS_WEEK")
    assert handle_menu("DUE_THIS_WEEK", msg, kjj).text == ask(kjj, "本周有什么到期").text
    assert handle_menu("CURRENT_PHASE", msg, kjj).text == ask(kjj, "现在是什么阶段").text
    assert handle_menu("NO_SUCH_KEY", msg, kjj) == examples_reply()


def test_voice_recognition_with_trailing_full_stop(kjj: Services) -> None:
    reply = ask(kjj, "这礼拜要交什么。", kind="voice")
    assert numbered(reply.text or "") == ["举办局领导班子成员集中学习会", "开展“产学研精准对接”"]


# --- Ranges ----------------------------------------------------------------------------------


def test_asked_on_a_sunday_this_week_still_includes_the_day(kjj: Services) -> None:
    kjj.clock.set(date(2018, 6, 10))  # type: ignore[attr-defined]
    text = ask(kjj, "这周有什么截止").text or ""
    assert "6月4日—6月10日" in text and text.count(T.MARK_TODAY) == 2
    assert numbered(ask(kjj, "下周有什么任务").text or "") == ["组织“聚力科技创新，服务企业在行动”"]


def test_week_across_the_year_end() -> None:
    plan = Plan(
        "y",
        "跨年活动",
        2018,
        tasks=(
            Task("年终总结", due=on(12, 31, "年底前")),
            Task("新年部署", due=on(1, 4, "2019年1月4日", year=2019)),
            Task("下周任务", due=on(1, 7, "2019年1月7日", year=2019)),
        ),
    )
    services = make_services([plan], date(2018, 12, 30))  # a Sunday
    assert numbered(ask(services, "下周有什么到期").text or "") == ["年终总结", "新年部署"]
    text = ask(services, "下周有什么到期").text or ""
    assert "12月31日（年底前）" in text and "2019年1月4日" in text
    services.clock.set(date(2019, 1, 2))  # type: ignore[attr-defined]
    assert numbered(ask(services, "本周有什么到期").text or "") == ["年终总结", "新年部署"]


@pytest.mark.parametrize(
    ("question", "titles"),
    [
        ("今天有什么任务", []),
        (
            "6月有什么任务",
            [
                "举办局领导班子成员集中学习会",
                "开展“产学研精准对接”",
                "组织“聚力科技创新，服务企业在行动”",
                "开展高质量产业发展主题调研",
            ],
        ),
        ("五月有哪些任务", ["召开局党组理论中心组学习会", "举办智慧经济报告会"]),
        (
            "下个月要交什么",
            [
                "强化创新主体，壮大创新型企业集群研讨",
                "紧扣转型升级，优化配置创新资源研讨",
                "围绕创新服务，优化创新生态研讨",
            ],
        ),
        ("局党组本月有什么任务", []),
        ("活动办本周有什么任务", ["开展“产学研精准对接”"]),
    ],
)
def test_ranges(kjj: Services, question: str, titles: list[str]) -> None:
    assert numbered(ask(kjj, question).text or "") == titles


def test_empty_range_points_to_the_next_deadline(kjj: Services) -> None:
    text = ask(kjj, "明天有什么到期").text or ""
    assert text.startswith("明天（6月5日）没有到期的任务")
    assert "举办局领导班子成员集中学习会" in text


def test_undated_tasks_never_appear_in_due_date_answers(kjj: Services) -> None:
    kjj.clock.set(date(2019, 1, 10))  # type: ignore[attr-defined]
    for question in ("本月有什么任务", "有哪些任务逾期了", "还有几天", "12月有什么任务"):
        assert "撰写心得体会" not in (ask(kjj, question).text or "")
    assert "撰写心得体会" in (ask(kjj, "时间表").text or "")


# --- Phases ----------------------------------------------------------------------------------


def test_next_phase(kjj: Services) -> None:
    text = ask(kjj, "下一阶段什么时候开始").text or ""
    assert "实践转化阶段" in text and "8月1日" in text and "还有58天" in text
    kjj.clock.set(date(2018, 12, 20))  # type: ignore[attr-defined]
    assert ask(kjj, "下一阶段是什么").text == T.NEXT_PHASE_LAST.format(
        name="持续深化阶段", date="12月31日"
    )


def test_before_and_after_the_campaign(kjj: Services) -> None:
    kjj.clock.set(date(2018, 4, 1))  # type: ignore[attr-defined]
    assert ask(kjj, "现在是什么阶段").text == T.PHASE_BEFORE.format(
        name="宣传发动阶段", date="5月1日", days=30
    )
    kjj.clock.set(date(2019, 1, 5))  # type: ignore[attr-defined]
    after = ask(kjj, "现在是什么阶段").text or ""
    assert "都已结束" in after and "持续深化阶段" in after and "2018年12月31日" in after
    assert "都已结束" in (ask(kjj, "下一阶段").text or "")


def test_last_day_of_a_phase_and_a_gap_between_phases() -> None:
    plan = Plan(
        "g",
        "有间隔的活动",
        2018,
        phases=(
            Phase("一阶段", span((5, 1), (5, 10), "5月上旬")),
            Phase("二阶段", span((5, 21), (5, 31), "5月下旬")),
        ),
    )
    services = make_services([plan], date(2018, 5, 10))
    assert T.PHASE_LAST_DAY in (ask(services, "当前阶段").text or "")
    services.clock.set(date(2018, 5, 15))  # type: ignore[attr-defined]
    assert ask(services, "当前阶段").text == T.PHASE_BETWEEN.format(
        prev="一阶段", prev_end="5月10日", name="二阶段", date="5月21日", days=6
    )


def test_plan_without_phases() -> None:
    services = make_services([Plan("n", "无阶段活动", 2018)], TODAY)
    assert ask(services, "现在是什么阶段").text == T.PHASE_NONE
    assert ask(services, "时间表").text == T.TIMETABLE_EMPTY.format(name="无阶段活动")


# --- Units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "unit", "count"),
    [
        ("党组负责什么", "局党组", 2),  # also the jointly owned discussion
        ("局党组的任务", "局党组", 2),
        ("活动办有哪些任务", "局活动办", 6),
        ("活动办公室负责哪些工作", "局活动办", 6),
        ("领导班子要做什么", "局领导班子", 2),
        ("各科室的任务", "各科室", 1),
    ],
)
def test_unit_tasks_match_owner_names_loosely(
    kjj: Services, question: str, unit: str, count: int
) -> None:
    text = ask(kjj, question).text or ""
    assert text.startswith(T.UNIT_HEADER.format(units=unit, count=count))


def test_unknown_unit_lists_the_units(kjj: Services) -> None:
    text = ask(kjj, "财政局负责什么").text or ""
    assert "财政局" in text and "局党组、局领导班子、局活动办、各科室" in text


def test_a_unit_naming_the_campaign_gets_the_timetable(kjj: Services) -> None:
    assert (ask(kjj, "科技局的任务").text or "").startswith("「市科技局解放思想大讨论」时间安排")


def test_my_tasks_after_telling_my_unit(kjj: Services) -> None:
    assert ask(kjj, "我的任务").text == T.UNIT_NOT_BOUND.format(example="局党组")
    assert "局党组" in (ask(kjj, "我是局党组的").text or "")
    assert kjj.users.profile("u1").unit == "局党组"
    assert kjj.users.profile("u1").campaign_code == "kjj-2018"
    assert numbered(ask(kjj, "我的任务").text or "") == [
        "召开局党组理论中心组学习会",
        "强化创新主体，壮大创新型企业集群研讨",
    ]


# --- Countdown and overdue -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("离产学研精准对接截止还有几天", "开展“产学研精准对接”：6月10日（6月10前）截止，还有6天。"),
        ("产学研对接什么时候截止", "开展“产学研精准对接”：6月10日（6月10前）截止，还有6天。"),
        (
            "离智慧经济报告会截止还有几天",
            "举办智慧经济报告会：已于5月30日（5月30前）截止（已过期5天）。",
        ),
        ("离学习调研阶段结束还有几天", "「学习调研阶段」7月31日结束，还有57天。"),
        ("实践转化阶段什么时候开始", "「实践转化阶段」将于8月1日开始，还有58天。"),
        ("离六月十日还有几天", "离6月10日还有6天。"),
        ("撰写心得体会什么时候截止", "撰写心得体会：方案中没有写明截止日期。"),
        ("离植树节截止还有几天", T.COUNTDOWN_NO_MATCH.format(subject="植树节")),
    ],
)
def test_countdown(kjj: Services, question: str, expected: str) -> None:
    assert ask(kjj, question).text == expected


def test_countdown_on_the_day(kjj: Services) -> None:
    kjj.clock.set(date(2018, 6, 30))  # type: ignore[attr-defined]
    assert ask(kjj, "高质量产业发展主题调研还有几天").text == T.COUNTDOWN_TODAY.format(
        title="开展高质量产业发展主题调研", date="6月30日"
    )


def test_plain_countdown_gives_the_next_deadlines(kjj: Services) -> None:
    text = ask(kjj, "还有几天").text or ""
    assert text.startswith("最近的截止日期是6月10日，还有6天")
    assert numbered(text) == ["举办局领导班子成员集中学习会", "开展“产学研精准对接”"]
    kjj.clock.set(date(2018, 7, 11))  # type: ignore[attr-defined]
    assert ask(kjj, "还有几天").text == T.COUNTDOWN_NONE_LEFT


def test_overdue(kjj: Services) -> None:
    text = ask(kjj, "有哪些任务逾期了").text or ""
    assert numbered(text) == ["召开局党组理论中心组学习会", "举办智慧经济报告会"]
    kjj.clock.set(date(2018, 5, 1))  # type: ignore[attr-defined]
    assert ask(kjj, "已经过期的任务").text == T.OVERDUE_NONE


# --- Choosing and switching campaigns --------------------------------------------------------


@pytest.fixture
def two() -> Services:
    return make_services([KJJ, MHZ], TODAY)


def test_with_two_campaigns_the_user_is_asked_to_choose(two: Services) -> None:
    text = ask(two, "现在是什么阶段").text or ""
    assert "市科技局解放思想大讨论" in text and "孟河镇学先进明思路凝共识大讨论" in text
    assert "切换到" in text


def test_switching_campaigns(two: Services) -> None:
    assert ask(two, "切换到孟河镇").text == T.SWITCHED.format(name=MHZ.name)
    assert two.users.profile("u1").campaign_code == "mhz-2018"
    assert "交流成果、总结运用阶段" in (ask(two, "现在是什么阶段").text or "")
    assert numbered(ask(two, "本周有什么到期").text or "") == ["六问六答专题报告"]
    ask(two, "换成kjj-2018")
    assert "学习调研阶段" in (ask(two, "现在是什么阶段").text or "")
    assert ask(two, "切换到新北区").text.startswith(  # type: ignore[union-attr]
        T.SWITCH_NOT_FOUND.format(text="新北区")
    )


def test_switch_with_an_ambiguous_name_lists_the_candidates(two: Services) -> None:
    text = ask(two, "切换到大讨论").text or ""
    assert text.startswith(T.SWITCH_AMBIGUOUS.format(text="大讨论"))
    assert two.users.profile("u1").campaign_code is None


def test_binding_by_campaign_name_or_by_unit(two: Services) -> None:
    assert ask(two, "我是科技局的").text == T.BOUND_CAMPAIGN.format(name=KJJ.name)
    assert two.users.profile("u2").campaign_code is None
    assert "宣统口" in (ask(two, "我是宣统口的", user="u2").text or "")
    profile = two.users.profile("u2")
    assert (profile.campaign_code, profile.unit) == ("mhz-2018", "宣统口")
    assert (ask(two, "我在孟河镇", user="u3").text or "").startswith("好的")
    unknown = ask(two, "我是财政局的", user="u4").text or ""
    assert "财政局" in unknown and "切换到" in unknown


def test_a_campaign_no_longer_loaded_is_forgotten(two: Services) -> None:
    ask(two, "切换到孟河镇")
    two.campaigns.remove("mhz-2018")  # type: ignore[attr-defined]
    assert "学习调研阶段" in (ask(two, "现在是什么阶段").text or "")  # the only one left


def test_no_campaign_loaded() -> None:
    services = make_services([], TODAY)
    assert ask(services, "本周有什么到期").text == T.NO_CAMPAIGN
    assert ask(services, "我是局党组的").text == T.NO_CAMPAIGN


# --- Paging ----------------------------------------------------------------------------------


def big_plan(count: int = 200) -> Plan:
    tasks = tuple(
        Task(
            f"第{i}项：围绕创新服务优化创新生态开展专题调研并形成报告",
            group=f"第{i % 7 + 1}组",
            owner=f"第{i % 9 + 1}科室",
            due=on(6, 4 + i % 7, f"6月{4 + i % 7}日前"),
        )
        for i in range(1, count + 1)
    )
    return Plan("big", "大计划", 2018, tasks=tasks)


def read_all_pages(services: Services, reply: Reply, user: str = "u1") -> list[str]:
    """The first page, then what the router answers to "更多" until nothing is left."""
    pages = [reply.text or ""]
    while True:
        page = route(Incoming("wechat", user, "text", text="更多"), services).text or ""
        if page == MORE_NONE:
            return pages
        pages.append(page)


@pytest.mark.parametrize("question", ["本周有什么到期", "时间表", "第3科室负责什么"])
def test_long_answers_are_paged_within_2048_bytes(question: str) -> None:
    plan = big_plan()
    services = make_services([plan], TODAY)
    reply = ask(services, question)
    assert reply.more  # more than one page
    pages = read_all_pages(services, reply)
    assert len(pages) == len(reply.more) + 1
    assert all(nbytes(page) <= MAX_BYTES for page in pages)
    assert all("回复“更多”" in page for page in pages[:-1]) and "更多" not in pages[-1]
    assert f"还有{len(reply.more)}页" in pages[0]
    everything = "\n".join(pages)
    expected = [t for t in plan.tasks if question != "第3科室负责什么" or t.owner == "第3科室"]
    for task in expected:
        assert everything.count(task.title + "\n") == 1


def test_an_overlong_item_is_cut_not_the_page_limit() -> None:
    plan = Plan("l", "长标题", 2018, tasks=(Task("长" * 900, due=on(6, 5, "6月5日")),) * 3)
    services = make_services([plan], TODAY)
    pages = read_all_pages(services, ask(services, "本周有什么到期"))
    assert all(nbytes(page) <= MAX_BYTES for page in pages)


def test_a_short_answer_clears_pages_of_an_earlier_long_one() -> None:
    services = make_services([big_plan()], TODAY)
    assert ask(services, "时间表").more
    assert not ask(services, "现在是什么阶段").more
    assert services.conversations.next_page("u1") is None


# --- What is not ours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "献一策：加强企业培育",
        "建议：本周多开会",
        "我的建议",
        "查询 AB12CD",
        "帮助",
        "订阅提醒",
        "完成",
        "取消",
        "1",
        "今天天气不错",
    ],
)
def test_other_texts_are_left_to_other_handlers(kjj: Services, text: str) -> None:
    assert try_handle(Incoming("wechat", "u1", "text", text=text), kjj) is None


def test_non_text_messages_are_left_alone(kjj: Services) -> None:
    assert try_handle(Incoming("wechat", "u1", "image", pic_url="http://x/y.jpg"), kjj) is None
    assert try_handle(Incoming("wechat", "u1", "event", event="subscribe"), kjj) is None


def test_schedule_like_questions_not_understood_get_the_closest_forms(kjj: Services) -> None:
    reply = try_handle(Incoming("wechat", "u1", "text", text="任务怎么查？"), kjj)
    assert reply is not None and reply.text is not None
    assert reply.text.startswith(T.CLOSEST_HEADER)
    assert reply != examples_reply()
    assert "本周有什么到期" in (examples_reply().text or "")


# --- The in-memory ports others reuse --------------------------------------------------------


def test_memory_suggestion_store_dedups_by_source_key() -> None:
    store = make_services([], TODAY).suggestions
    at = datetime(2018, 6, 4, 9, 0, tzinfo=SHANGHAI)
    new = NewSuggestion("u1", "wechat", "kjj-2018", "话题", "内容一二三", "msg-1", at)
    first, created = store.create(new)
    again, created_again = store.create(new)
    assert created and not created_again and again == first
    second, _ = store.create(
        NewSuggestion(
            "u1",
            "wechat",
            "kjj-2018",
            "话题",
            "内容一二三",
            "msg-2",
            at + timedelta(minutes=1),
            ("media-1",),
        )
    )
    assert second.ticket != first.ticket and second.attachments == 1
    assert store.recent("u1", "内容一二三。", at, at) == (2, first.ticket)  # the earliest
    assert store.recent("u2", "内容一二三", at, at) == (0, None)
    assert store.for_user("u1", limit=1) == ([second], 2)
    assert store.by_ticket("u1", first.ticket) == first
    assert store.by_ticket("u2", first.ticket) is None


def test_memory_conversations_expire_after_30_minutes() -> None:
    services = make_services([], TODAY)
    conversations, clock = services.conversations, services.clock
    conversations.save("u1", {"step": "topic"})
    clock.advance(minutes=29)  # type: ignore[attr-defined]
    assert conversations.begin("u1") == Opening({"step": "topic"}, False)
    clock.advance(minutes=31)  # type: ignore[attr-defined]
    assert conversations.begin("u1") == Opening(None, True)
    assert conversations.begin("u1") == Opening(None, False)  # reported once
    conversations.save_pages("u1", ["a", "b"])
    assert conversations.begin("u1") == Opening(None, False, has_pages=True)
    assert conversations.next_page("u1") == ("a", 1)
    assert conversations.next_page("u1") == ("b", 0)
    assert conversations.next_page("u1") is None


def test_memory_users_unfollowing_ends_the_subscription() -> None:
    users = make_services([], TODAY).users
    users.set_subscribed("u1", True)
    users.set_following("u1", False)
    profile = users.profile("u1")
    assert not profile.following and not profile.subscribed
