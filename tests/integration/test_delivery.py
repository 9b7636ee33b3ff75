"""Notices end to end over both stores (SQLite + fakeredis, PostgreSQL + Redis), sending
through the real outbound client to the fake WeChat API over HTTP."""

from __future__ import annotations

import argparse
import io
import json
import time as clock
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.jobs_wiring import jobs_deps, sync_notices
from bot.notice_channel import OfficialAccountChannel
from bot.store.campaigns_repo import save_plan
from bot.store.lease_repo import SqlLeases
from bot.store.models import DeliveryRow, NoticeRow, UserRow
from bot.wiring import build_state
from domain.plan import DateSpan, Phase, Plan, Task
from jobs import cli, deliver
from jobs import runner as jobs_runner
from jobs.lease import Lease, live_runners, runner_lease, sweep_uncertain
from jobs.runner import run_due
from tests.conftest import make_settings
from tests.fakes.fake_wechat import FakeWeChat

APPID, SECRET = "wx_notice_appid", "notice-secret-never-logged"
TZ = ZoneInfo("Asia/Shanghai")


def span(start: str, end: str | None = None) -> DateSpan:
    return DateSpan(date.fromisoformat(start), date.fromisoformat(end or start), "")


PLAN = Plan(
    code="kjj-2018",
    name="市科技局解放思想大讨论",
    year=2018,
    phases=(
        Phase("宣传发动阶段", span("2018-05-01", "2018-05-20"), "动员部署"),
        Phase("学习调研阶段", span("2018-05-21", "2018-07-31")),
    ),
    tasks=(
        Task("召开局党组理论中心组学习会", owner="局党组", due=span("2018-05-25")),
        Task("举办智慧经济报告会", owner="局活动办", due=span("2018-05-30")),
        Task("联合调研", owner="局党组、局活动办", due=span("2018-05-23")),
    ),
)
ONE_PHASE = Plan(
    code="solo",
    name="单阶段活动",
    year=2018,
    phases=(Phase("动员阶段", span("2018-05-01", "2018-05-10")),),
)


@pytest.fixture
def fake():
    with FakeWeChat(APPID, SECRET) as server:
        yield server


@pytest.fixture
def make_state(backend, fake):
    """States of this backend whose outbound client talks to the fake."""
    states = []

    def make(**overrides):
        settings = make_settings(
            backend,
            wechat_appid=APPID,
            wechat_secret=SECRET,
            wechat_api_base_url=fake.base_url,
            **overrides,
        )
        st = build_state(settings, migrate=True)
        states.append(st)
        return st

    yield make
    for st in states:
        st.close()


def at(text: str, tz=TZ) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def add_user(state, openid, code="kjj-2018", unit=None, subscribed=True, window=True):  # type: ignore[no-untyped-def]
    if unit:
        state.users.set_unit(openid, code, unit)
    else:
        state.users.set_campaign(openid, code)
    state.users.set_subscribed(openid, subscribed)
    if window:
        state.users.touch_many({openid: datetime.now(UTC) - timedelta(hours=1)})


def load(state, plan=PLAN):  # type: ignore[no-untyped-def]
    save_plan(state.db, plan)
    sync_notices(state, plan.code)


def delivery_context(state, runner_id):  # type: ignore[no-untyped-def]
    return jobs_runner.delivery_context(jobs_deps(state), runner_id)


def run_at(state, text, *, include_missed=False, ctx=None):  # type: ignore[no-untyped-def]
    ctx = ctx or delivery_context(state, "test-runner")
    return run_due(ctx, at(text, state.settings.tz), include_missed=include_missed)


def cli_run(state, text, *, include_missed=False):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    args = argparse.Namespace(jobs_command="run", at=text, include_missed=include_missed)
    code = cli.dispatch(args, jobs_deps(state), out)
    return code, out.getvalue()


def rows(state):  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        return s.execute(
            select(
                DeliveryRow.openid,
                NoticeRow.key,
                DeliveryRow.status,
                DeliveryRow.errcode,
                DeliveryRow.reason,
                DeliveryRow.attempts,
            )
            .join(NoticeRow, NoticeRow.id == DeliveryRow.notice_id)
            .order_by(DeliveryRow.openid)
        ).all()


def statuses(state) -> Counter[str]:  # type: ignore[no-untyped-def]
    return Counter(r.status for r in rows(state))


def test_run_twice_each_recipient_once_and_only_subscribers(make_state, fake):
    state = make_state()
    for openid, unit in [
        ("o_party", "局党组"),
        ("o_party_loose", "党组"),
        ("o_office", "局活动办"),
        ("o_nounit", None),
    ]:
        add_user(state, openid, unit=unit)
    add_user(state, "o_unsubscribed", unit="局党组", subscribed=False)
    add_user(state, "o_unfollowed", unit="局党组")
    state.users.set_following("o_unfollowed", False)
    add_user(state, "o_other_campaign", code="other", unit="局党组")
    load(state)
    code, out = cli_run(state, "2018-05-25 09:00", include_missed=True)
    assert code == 0 and "sent" in out and "total this run" in out
    assert "--include-missed: 5 notices older than the catch-up window" in out
    per_user = Counter(s["openid"] for s in fake.sent)
    # 2 phase starts; the day's reminder of the own task and of the joint task (their D-3 and
    # D-1 reminders are superseded); the Monday digest.
    assert per_user == {"o_party": 5, "o_party_loose": 5, "o_office": 4, "o_nounit": 2}
    pairs = [(s["openid"], s["body"]["text"]["content"]) for s in fake.sent]
    assert len(pairs) == len(set(pairs))
    code, out = cli_run(state, "2018-05-25 09:00", include_missed=True)
    assert code == 0 and "nothing due" in out
    code, out = cli_run(state, "2018-05-25 09:30")
    assert "nothing due" in out and len(fake.sent) == 16


def test_template_message_when_configured_even_with_window_closed(make_state, fake):
    state = make_state(wechat_template_id="TPL_notice")
    add_user(state, "o_a", code="solo", window=False)
    load(state, ONE_PHASE)
    report = run_at(state, "2018-05-01 09:00")
    assert report.total()["sent"] == 1
    (sent,) = fake.sent
    assert sent["path"].endswith("/template/send") and sent["body"]["template_id"] == "TPL_notice"
    values = [v["value"] for v in sent["body"]["data"].values()]
    assert "动员阶段" in values and all(len(v) <= 20 and "\n" not in v for v in values)


def test_closed_window_without_template_is_undeliverable_without_a_call(make_state, fake):
    state = make_state()
    add_user(state, "o_silent", code="solo", window=False)
    load(state, ONE_PHASE)
    run_at(state, "2018-05-01 09:00")
    ((_, _, status, _, reason, _),) = rows(state)
    assert status == "undeliverable" and "48-hour window" in reason
    assert fake.calls == []


class ExpiringSender:
    """Expires every token at the fake after the third send: a token expiring mid-fan-out."""

    def __init__(self, inner, fake) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.fake, self.count = inner, fake, 0

    def send_text(self, openid: str, text: str) -> None:
        self.inner.send_text(openid, text)
        self.count += 1
        if self.count == 3:
            self.fake.expire_tokens()

    def send_template(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("no template configured")


def test_token_expiry_mid_fan_out_refreshes_and_delivers_everyone(make_state, fake):
    state = make_state()
    for i in range(12):
        add_user(state, f"o_{i:02d}", code="solo")
    load(state, ONE_PHASE)
    ctx = delivery_context(state, "test-runner")
    ctx.channels = [OfficialAccountChannel(ExpiringSender(state.sender, fake))]
    ctx.concurrency = 1
    run_at(state, "2018-05-01 09:00", ctx=ctx)
    assert sorted(s["openid"] for s in fake.sent) == [f"o_{i:02d}" for i in range(12)]
    assert 42001 in [c["errcode"] for c in fake.calls] and fake.token_fetches == 2
    assert statuses(state) == {"sent": 12}


def test_daily_quota_45009_waits_for_the_morning_and_loses_nobody(make_state, fake):
    state = make_state()
    for i in range(6):
        add_user(state, f"o_{i}", code="solo")
    load(state, ONE_PHASE)
    fake.fail_next(45009)
    ctx = delivery_context(state, "test-runner")
    ctx.concurrency = 1
    run_at(state, "2018-05-01 09:00", ctx=ctx)
    assert [c["errcode"] for c in fake.calls] == [45009]  # paused: no hammering
    assert statuses(state) == {"retry": 6}
    run_at(state, "2018-05-01 18:00")
    assert fake.sent == []  # the quota is per day
    run_at(state, "2018-05-02 07:45")
    assert sorted(s["openid"] for s in fake.sent) == [f"o_{i}" for i in range(6)]
    assert statuses(state) == {"sent": 6}
    run_at(state, "2018-05-03 09:00")
    assert len(fake.sent) == 6


def test_refusals_are_recorded_and_transient_errors_retried_with_bounds(make_state, fake):
    state = make_state()
    for openid in ("o_a", "o_b", "o_c"):
        add_user(state, openid, code="solo")
    load(state, ONE_PHASE)
    fake.reject_user("o_b", 43004)
    fake.http_error_next(502)  # the first call (o_a, with concurrency 1)
    ctx = delivery_context(state, "test-runner")
    ctx.concurrency = 1
    report = run_at(state, "2018-05-01 09:00", ctx=ctx)
    assert report.total()["failed:43004"] == 1 and report.total()["retry"] == 1
    run_at(state, "2018-05-01 09:01")
    by_user = {r.openid: (r.status, r.errcode) for r in rows(state)}
    assert by_user == {"o_a": ("sent", None), "o_b": ("failed", 43004), "o_c": ("sent", None)}
    assert sorted(s["openid"] for s in fake.sent) == ["o_a", "o_c"]
    # Bounded: a user who keeps failing is given up after MAX_ATTEMPTS calls.
    add_user(state, "o_d", code="solo")
    load(state, ONE_PHASE)
    with state.db.session() as s:
        s.query(NoticeRow).update({"status": "sending"})
    fake.reject_user("o_d", -1)
    for minutes in range(0, 60, 10):
        run_at(state, f"2018-05-01 10:{minutes:02d}")
    d = next(r for r in rows(state) if r.openid == "o_d")
    assert (d.status, d.errcode, d.attempts) == ("failed", -1, deliver.MAX_ATTEMPTS)


class WeComLikeChannel:
    """Another channel beside the official account (what a WeCom app channel would be)."""

    name = "wecom"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, recipient: deliver.Recipient, message: deliver.Message) -> None:
        self.sent.append(recipient.openid)


def test_another_channel_plugs_in_beside_the_official_account(make_state, fake):
    state = make_state()
    add_user(state, "o_wechat", code="solo")
    with state.db.session() as s:
        s.add(
            UserRow(
                openid="wecom_user",
                pseudonym="p-wecom",
                channel="wecom",
                campaign_code="solo",
                following=True,
                subscribed=True,
                updated_at=datetime.now(UTC),
            )
        )
    wecom = WeComLikeChannel()
    state.notice_channels = [wecom]
    load(state, ONE_PHASE)
    run_at(state, "2018-05-01 09:00")
    assert wecom.sent == ["wecom_user"]
    assert [s["openid"] for s in fake.sent] == ["o_wechat"]
    assert statuses(state) == {"sent": 2}


def test_unsubscribing_before_a_retry_stops_it(make_state, fake):
    state = make_state()
    add_user(state, "o_a", code="solo")
    load(state, ONE_PHASE)
    fake.http_error_next(503)
    run_at(state, "2018-05-01 09:00")
    state.users.set_subscribed("o_a", False)
    run_at(state, "2018-05-01 12:00")
    assert fake.sent == []
    ((_, _, status, _, reason, _),) = rows(state)
    assert status == "undeliverable" and "no longer subscribed" in reason


def test_fan_out_reads_in_batches_and_resumes_where_a_previous_run_stopped(make_state, fake):
    state = make_state()
    for i in range(40):
        add_user(state, f"o_{i:02d}", code="solo")
    load(state, ONE_PHASE)
    now = datetime.now(UTC)
    with state.db.session() as s:  # an earlier run reached ten people, then stopped
        notice = s.scalars(select(NoticeRow)).one()
        notice.status = "sending"
        s.add_all(
            DeliveryRow(
                notice_id=notice.id,
                openid=f"o_{i:02d}",
                channel="wechat",
                status="sent",
                attempts=1,
                claimed_by="earlier",
                reason="",
                created_at=now,
                updated_at=now,
            )
            for i in range(0, 40, 4)
        )
    ctx = delivery_context(state, "test-runner")
    ctx.batch = 7
    report = run_at(state, "2018-05-01 09:05", ctx=ctx)
    assert report.total() == {"sent": 30}
    assert sorted(s["openid"] for s in fake.sent) == [f"o_{i:02d}" for i in range(40) if i % 4]
    with state.db.session() as s:
        assert s.scalar(select(NoticeRow.status)) == "done"


def test_in_flight_rows_of_a_dead_process_become_uncertain_and_are_never_resent(make_state, fake):
    state = make_state()
    for openid in ("o_a", "o_b", "o_c"):
        add_user(state, openid, code="solo")
    load(state, ONE_PHASE)
    alive = runner_lease(SqlLeases(state.db), "live-runner", 30)
    assert alive.acquire()
    now = datetime.now(UTC)
    with state.db.session() as s:
        notice = s.scalars(select(NoticeRow)).one()
        notice.status = "sending"
        for openid, runner in (("o_a", "dead-runner"), ("o_b", "live-runner")):
            s.add(
                DeliveryRow(
                    notice_id=notice.id,
                    openid=openid,
                    channel="wechat",
                    status="sending",
                    attempts=1,
                    claimed_by=runner,
                    reason="",
                    created_at=now,
                    updated_at=now,
                )
            )
    assert live_runners(SqlLeases(state.db), ["dead-runner", "live-runner"]) == {"live-runner"}
    assert sweep_uncertain(SqlLeases(state.db)) == 1
    code, out = cli_run(state, "2018-05-01 09:05")
    assert [s["openid"] for s in fake.sent] == ["o_c"]
    by_user = {r.openid: r.status for r in rows(state)}
    assert by_user == {"o_a": "uncertain", "o_b": "sending", "o_c": "sent"}
    alive.release()


def test_plan_changes_move_or_remove_pending_notices_only(make_state, fake, tmp_path):
    state = make_state()
    add_user(state, "o_party", unit="局党组")
    load(state)
    run_at(state, "2018-05-01 09:00")  # the first phase start is sent
    with state.db.session() as s:
        before = dict(s.execute(select(NoticeRow.key, NoticeRow.status)).all())
    moved = Task("召开局党组理论中心组学习会", owner="局党组", due=span("2018-05-28"))
    changed = Plan(
        code=PLAN.code,
        name=PLAN.name,
        year=2018,
        phases=PLAN.phases[1:],
        tasks=(moved, *PLAN.tasks[1:]),
    )
    load(state, changed)
    with state.db.session() as s:
        after = dict(s.execute(select(NoticeRow.key, NoticeRow.status)).all())
    first_phase = next(k for k in before if k.endswith(":2018-05-01"))
    assert after[first_phase] == "done"  # sent notices stay, though the phase is gone
    assert not any("2018-05-25" in k for k in after)
    assert {k for k in after if ":deadline:" in k and "2018-05-28" in k}
    # `plan load` of a file syncs too.
    plan_file = tmp_path / "solo.yaml"
    plan_file.write_text(
        "code: solo\nname: 单阶段活动\nyear: 2018\nphases:\n"
        "  - name: 动员阶段\n    when: 2018-05-01~2018-05-10\n",
        "utf-8",
    )
    from bot.commands import _plan_load

    assert _plan_load(str(plan_file), state.settings) == 0
    with state.db.session() as s:
        assert s.scalar(select(NoticeRow.key).where(NoticeRow.campaign_code == "solo"))


def test_scheduler_rule_sends_what_is_under_six_hours_late_and_records_the_rest(make_state, fake):
    state = make_state()
    add_user(state, "o_party", unit="局党组")
    load(state)
    report = run_at(state, "2018-05-01 14:00")  # 5 h late
    assert report.total()["sent"] == 1
    report = run_at(state, "2018-05-21 15:30")  # digest and phase: too late
    assert {n.kind for n in report.missed} == {"digest", "phase_start", "deadline"}
    assert report.total()["sent"] == 0 and len(fake.sent) == 1
    assert run_at(state, "2018-05-21 23:00").quiet


def test_preview_lists_upcoming_notices_with_their_audience(make_state):
    state = make_state(today=date(2018, 5, 20))
    add_user(state, "o_party", unit="局党组")
    add_user(state, "o_office", unit="局活动办")
    load(state)
    out = io.StringIO()
    args = argparse.Namespace(jobs_command="preview", days=3, json=True)
    assert cli.dispatch(args, jobs_deps(state), out) == 0
    items = {item["key"]: item for item in json.loads(out.getvalue())}
    phase = next(i for i in items.values() if i["kind"] == "phase_start")
    assert phase["due_at"] == "2018-05-21T09:00:00+08:00"
    assert phase["recipients"] == 2 and phase["kind"] == "phase_start"
    reminder = next(i for i in items.values() if i["due_at"].startswith("2018-05-22T09:00"))
    assert reminder["recipients"] == 1 and reminder["unit"] == "局党组"
    text = io.StringIO()
    assert (
        cli.dispatch(
            argparse.Namespace(jobs_command="preview", days=3, json=False), jobs_deps(state), text
        )
        == 0
    )
    assert "phase_start" in text.getvalue()


def test_run_with_a_bad_time_is_a_one_line_error(make_state, capsys):
    state = make_state()
    assert cli_run(state, "25 May 09:00")[0] == 2
    assert "YYYY-MM-DD HH:MM" in capsys.readouterr().err


def test_lease_has_one_holder_and_passes_on_when_it_expires(make_state):
    state = make_state()
    first, second = (
        Lease(SqlLeases(state.db), "t", "a", 1.0),
        Lease(SqlLeases(state.db), "t", "b", 1.0),
    )
    assert first.acquire() and first.held()
    assert not second.acquire() and not second.held()
    assert first.acquire()
    clock.sleep(1.1)
    assert second.acquire() and not first.acquire()
    second.release()
    assert first.acquire()


def daytime_zone() -> str:
    """A fixed-offset zone where it is now early afternoon (tests must not meet quiet hours)."""
    hour = datetime.now(UTC).hour
    offset = next(o for o in range(-12, 15) if (hour + o) % 24 == 13)
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def test_scheduler_start_sends_recent_notices_and_records_old_ones_missed(make_state, fake):
    zone = daytime_zone()
    local_now = datetime.now(ZoneInfo(zone))
    reminder = (local_now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    state = make_state(timezone=zone, reminder_time=reminder, scheduler_lease_seconds=3.0)
    today = local_now.date()
    plan = Plan(
        code="live",
        name="实时活动",
        year=today.year,
        phases=(
            Phase("昨天的阶段", DateSpan(today - timedelta(days=1), today - timedelta(days=1), "")),
            Phase("今天的阶段", DateSpan(today, today + timedelta(days=3), "")),
        ),
    )
    add_user(state, "o_live", code="live")
    save_plan(state.db, plan)
    sched = jobs_runner.start_scheduler(jobs_deps(state))
    try:
        deadline = clock.monotonic() + 10
        while clock.monotonic() < deadline:
            with state.db.session() as s:
                done = dict(s.execute(select(NoticeRow.title, NoticeRow.status)).all())
            if sorted(done.values()) == ["done", "missed"]:
                break
            clock.sleep(0.2)
        assert done == {"阶段开始：昨天的阶段": "missed", "阶段开始：今天的阶段": "done"}
        assert [s["openid"] for s in fake.sent] == ["o_live"]
        assert callable(state.scheduler_status) and "acting" in state.scheduler_status()
    finally:
        sched.shutdown()
    assert state.scheduler_status == "stopped"
    with state.db.session() as s:
        assert s.scalar(select(UserRow.subscribed).where(UserRow.openid == "o_live"))
