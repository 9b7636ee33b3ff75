"""Which notices a plan implies, and when: pure, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.notices import (
    awake_between,
    compute_notices,
    deadline_group,
    is_missed,
    is_quiet,
    shift_out_of_quiet,
    short,
    split_units,
    superseded,
    unit_matches,
)
from domain.plan import DateSpan, Phase, Plan, Task

TZ = ZoneInfo("Asia/Shanghai")


def span(start: str, end: str | None = None, text: str = "") -> DateSpan:
    return DateSpan(date.fromisoformat(start), date.fromisoformat(end or start), text)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    phases=(
        Phase("宣传发动阶段", span("2018-05-01", "2018-05-20", "5月上旬至5月中旬"), "动员部署"),
        Phase("学习调研阶段", span("2018-05-21", "2018-07-31", "5月下旬至7月底")),
    ),
    tasks=(
        Task("召开局党组理论中心组学习会", owner="局党组", due=span("2018-05-25")),  # a Friday
        Task("举办智慧经济报告会", owner="局活动办", due=span("2018-05-30")),  # Wednesday
        Task("联合调研", owner="局党组、局活动办", due=span("2018-05-23")),  # Wednesday
        Task("未定负责单位的任务", due=span("2018-05-24")),
        Task("未定时间的任务", owner="局党组"),
    ),
)


def notices(plan: Plan = PLAN, reminder: time = time(9, 0), days=(3, 1, 0)):  # type: ignore[no-untyped-def]
    return compute_notices(plan, reminder, days, TZ)


def of_kind(kind: str, plan: Plan = PLAN, **kw):  # type: ignore[no-untyped-def]
    return [n for n in notices(plan, **kw) if n.kind == kind]


def test_phase_starts_at_reminder_time_for_everyone():
    phases = of_kind("phase_start")
    assert [n.due_at for n in phases] == [at("2018-05-01 09:00"), at("2018-05-21 09:00")]
    assert all(n.unit == "" for n in phases)
    assert "宣传发动阶段" in phases[0].text and "5月1日—5月20日" in phases[0].text
    assert phases[0].key == phases[0].key.strip() and phases[0].key.startswith("kjj-2018:phase:")


def test_a_reminder_for_each_configured_day_to_the_owner():
    first = [n for n in of_kind("deadline") if "理论中心组" in n.title]
    assert [n.due_at for n in first] == [
        at("2018-05-22 09:00"),
        at("2018-05-24 09:00"),
        at("2018-05-25 09:00"),
    ]
    assert {n.unit for n in first} == {"局党组"}
    assert [n.key.rsplit(":", 1)[1] for n in first] == ["3", "1", "0"]
    assert "还有3天到期" in first[0].text and "今天到期" in first[2].text
    assert "明天到期" in first[1].text and "5月25日周五" in first[1].text


def test_reminder_days_setting_is_honoured():
    first = [n for n in of_kind("deadline", days=(7,)) if "理论中心组" in n.title]
    assert [n.due_at for n in first] == [at("2018-05-18 09:00")]


def test_tasks_without_owner_or_deadline_get_no_reminder():
    titles = " ".join(n.title for n in notices())
    assert "未定负责单位" not in titles and "未定时间" not in titles


def test_monday_digest_per_unit_lists_the_weeks_deadlines():
    digests = of_kind("digest")
    week = [n for n in digests if n.due_at.date() == date(2018, 5, 21)]
    assert {n.unit for n in week} == {"局党组", "局活动办"}  # joint owner counts for each
    party = next(n for n in week if n.unit == "局党组")
    assert party.due_at == at("2018-05-21 08:30") and party.due_at.weekday() == 0
    assert "联合调研" in party.text and "理论中心组" in party.text
    assert party.text.index("联合调研") < party.text.index("理论中心组")  # by deadline
    office = next(n for n in week if n.unit == "局活动办")
    assert "智慧经济" not in office.text  # due 05-30: next week's digest
    assert any(n.unit == "局活动办" and n.due_at.date() == date(2018, 5, 28) for n in digests)


def test_quiet_hours_push_notices_to_the_morning():
    late = of_kind("phase_start", reminder=time(23, 15))
    assert late[0].due_at == at("2018-05-02 07:30")
    early = of_kind("phase_start", reminder=time(6, 0))
    assert early[0].due_at == at("2018-05-01 07:30")
    assert shift_out_of_quiet(at("2018-05-01 21:59")) == at("2018-05-01 21:59")
    assert shift_out_of_quiet(at("2018-05-01 22:00")) == at("2018-05-02 07:30")
    assert is_quiet(at("2018-05-01 07:29")) and not is_quiet(at("2018-05-01 07:30"))


def test_unchanged_plan_gives_identical_keys_and_moved_deadline_new_ones():
    before = {n.key for n in notices()}
    assert before == {n.key for n in notices()}
    assert len(before) == len(notices())
    moved_task = replace(PLAN.tasks[0], due=span("2018-05-26"))
    moved = {n.key for n in notices(replace(PLAN, tasks=(moved_task, *PLAN.tasks[1:])))}
    old_keys = {k for k in before - moved}
    assert old_keys and all(":deadline:" in k or ":digest:" in k for k in old_keys)
    assert any(k.endswith("2018-05-26:3") for k in moved - before)
    # The time of day is not in the key: a new reminder time moves notices in place.
    assert {n.key for n in notices(reminder=time(10, 0))} == before


def test_template_fields_are_short_single_lines():
    long_task = Task("很长很长的任务标题" * 5 + "\n第二行", owner="局党组", due=span("2018-06-01"))
    plan = replace(PLAN, tasks=(*PLAN.tasks, long_task))
    for n in notices(plan):
        assert n.fields and all(len(v) <= 20 and "\n" not in v for v in n.fields.values())
    assert short("一二三", 2) == "一…"


def test_unit_matching_is_loose_but_not_silly():
    assert unit_matches("局党组", "局党组")
    assert unit_matches("党组", "局党组") and unit_matches("局党组", "局党组、局活动办")
    assert not unit_matches("局", "局党组")  # one character matches nothing
    assert not unit_matches("", "局党组") and not unit_matches(None, "局党组")
    assert not unit_matches("局活动办", "局党组")
    assert split_units("局党组、局活动办 局党组") == ["局党组", "局活动办"]


@pytest.mark.parametrize(
    ("due", "now", "missed"),
    [
        ("2018-05-01 09:00", "2018-05-01 14:59", False),
        ("2018-05-01 09:00", "2018-05-01 15:00", True),
        ("2018-05-01 21:00", "2018-05-02 07:30", False),  # quiet hours do not count
        ("2018-05-01 21:00", "2018-05-02 12:29", False),
        ("2018-05-01 21:00", "2018-05-02 12:30", True),
        ("2018-05-01 09:00", "2018-05-09 09:00", True),
    ],
)
def test_six_awake_hours_make_a_notice_missed(due: str, now: str, missed: bool):
    assert is_missed(at(due), at(now), TZ) is missed


def test_awake_time_skips_the_night():
    assert awake_between(at("2018-05-01 21:00"), at("2018-05-02 08:30"), TZ) == timedelta(hours=2)
    assert awake_between(at("2018-05-01 10:00"), at("2018-05-01 09:00"), TZ) == timedelta(0)


# --- superseded deadline reminders --------------------------------------------------------------
def _reminders(due: str, *days: int) -> list[tuple[str, datetime]]:
    deadline = date.fromisoformat(due)
    return [
        (f"kjj:deadline:abc:{due}:{d}", datetime.combine(deadline, time(9), TZ) - timedelta(days=d))
        for d in days
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2018-05-26 09:00", set()),  # only D-3 is due
        ("2018-05-28 08:59", set()),  # D-1 not yet
        ("2018-05-28 09:00", {"3"}),  # D-1 due: D-3 superseded
        ("2018-05-29 09:00", {"3", "1"}),  # the day itself: only it may go out
    ],
)
def test_only_the_latest_due_reminder_of_a_task_survives(now: str, expected: set[str]) -> None:
    items = _reminders("2018-05-29", 3, 1, 0)
    moment = datetime.fromisoformat(now).replace(tzinfo=TZ)
    assert {k.rsplit(":", 1)[1] for k in superseded(items, moment)} == expected


def test_other_tasks_and_kinds_are_never_superseded() -> None:
    moment = datetime(2018, 5, 29, 9, tzinfo=TZ)
    items = _reminders("2018-05-29", 3) + [
        ("kjj:deadline:other:2018-05-29:0", moment),
        ("kjj:digest:x:2018-05-28", moment - timedelta(days=1)),
        ("kjj:phase:y:2018-05-29", moment),
    ]
    assert superseded(items, moment) == set()
    assert deadline_group("kjj:deadline:abc:2018-05-29:3") == "kjj:deadline:abc:2018-05-29"
    assert deadline_group("kjj:digest:x:2018-05-28") is None
