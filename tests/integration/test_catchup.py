"""The catch-up rules (jobs/catchup.py) on both stores, sending through the real outbound client
to the fake WeChat API over HTTP: no stale notices, superseded reminders never sent, missed
ones only when asked, and runs without credentials saying that nothing was sent."""

from __future__ import annotations

import argparse
import io
import json

from sqlalchemy import select

from bot.store.models import DeliveryRow, NoticeRow
from bot.wiring import build_state
from domain.plan import Phase, Plan, Task
from jobs import cli
from tests.conftest import make_settings
from tests.integration import test_delivery as kit

fake = kit.fake  # the fixtures of the delivery tests: the fake API, states talking to it
make_state = kit.make_state

# A task due on Tuesday 29 May 2018: reminders on Saturday 26th (还有3天), Monday 28th (明天)
# and the day itself, and Monday's digest at 08:30.
WEEK = Plan(
    code="week",
    name="周任务活动",
    year=2018,
    phases=(Phase("落实阶段", kit.span("2018-05-01", "2018-07-31")),),
    tasks=(Task("报送调研报告", owner="局党组", due=kit.span("2018-05-29")),),
)


def texts(fake) -> list[str]:  # type: ignore[no-untyped-def]
    return [s["body"]["text"]["content"] for s in fake.sent]


def notice_status(state, suffix: str) -> str:  # type: ignore[no-untyped-def]
    with state.db.session() as s:
        keys = dict(s.execute(select(NoticeRow.key, NoticeRow.status)).all())
    (status,) = [v for k, v in keys.items() if k.endswith(suffix)]
    return status


def test_after_a_stoppage_the_d1_moment_sends_d1_and_the_digest_never_d3(make_state, fake):
    state = make_state()
    kit.add_user(state, "o_party", code="week", unit="局党组")
    kit.load(state, WEEK)
    kit.run_at(state, "2018-05-01 09:00")  # the phase start, on time
    # Nothing ran from then until Monday 09:00 (the scheduler was down over the weekend).
    report = kit.run_at(state, "2018-05-28 09:00")
    later = texts(fake)[1:]
    assert len(later) == 2
    assert any("明天到期" in t for t in later) and any("本周" in t for t in later)
    assert not any("还有3天" in t for t in texts(fake))
    assert [n.key.rsplit(":", 1)[1] for n in report.superseded] == ["3"]
    assert notice_status(state, ":2018-05-29:3") == "superseded"
    with state.db.session() as s:  # nobody has a delivery of it: it never went out
        superseded_id = s.scalar(select(NoticeRow.id).where(NoticeRow.status == "superseded"))
        assert (
            s.scalar(select(DeliveryRow.id).where(DeliveryRow.notice_id == superseded_id)) is None
        )
    kit.run_at(state, "2018-05-29 09:00")
    assert "今天到期" in texts(fake)[-1] and len(fake.sent) == 4


def test_a_retry_of_an_earlier_reminder_is_superseded_by_the_later_one(make_state, fake):
    state = make_state()
    kit.add_user(state, "o_party", code="week", unit="局党组")
    kit.load(state, WEEK)
    kit.run_at(state, "2018-05-01 09:00")
    fake.http_error_next(503)  # Saturday's reminder fails, to be retried
    kit.run_at(state, "2018-05-26 09:00")
    assert len(fake.sent) == 1 and kit.statuses(state)["retry"] == 1
    kit.run_at(state, "2018-05-28 09:00")  # the retry is still waiting when 明天到期 is due
    assert not any("还有3天" in t for t in texts(fake))
    assert any("明天到期" in t for t in texts(fake))
    by_key = {r.key.rsplit(":", 1)[1]: r.status for r in kit.rows(state) if ":deadline:" in r.key}
    assert by_key == {"3": "superseded", "1": "sent"}
    kit.run_at(state, "2018-05-28 12:00")  # later runs do not revive it
    assert sum("还有3天" in t for t in texts(fake)) == 0


def test_a_rehearsal_long_after_the_plan_sends_nothing_stale(make_state, fake):
    state = make_state()
    kit.add_user(state, "o_party", unit="局党组")
    kit.load(state)  # kjj-2018: phases from 1 May, deadlines 23-30 May
    code, out = kit.cli_run(state, "2018-06-07 09:00")
    assert code == 0 and fake.sent == []
    assert "recorded as missed, not sent" in out and "--include-missed" in out
    assert "superseded by a later reminder" in out  # each task's D-3 and D-1
    with state.db.session() as s:
        statuses = set(s.scalars(select(NoticeRow.status)))
    assert statuses == {"missed", "superseded"}
    with state.db.session() as s:
        missed = s.scalars(select(NoticeRow.id).where(NoticeRow.status == "missed")).all()
    # Asked explicitly: the missed ones go out, and the run says how many; superseded never.
    code, out = kit.cli_run(state, "2018-06-07 09:00", include_missed=True)
    assert f"--include-missed: {len(missed)} notices older than the catch-up window" in out
    assert len(fake.sent) == 5  # 2 phase starts, the digest, the two tasks' 今天到期
    assert not any("还有3天" in t or "明天到期" in t for t in texts(fake))
    code, out = kit.cli_run(state, "2018-06-07 09:00", include_missed=True)
    assert "nothing due" in out and len(fake.sent) == 5


def test_the_scheduler_rule_and_jobs_run_agree_within_the_window(make_state, fake):
    state = make_state()
    kit.add_user(state, "o_party", code="week", unit="局党组")
    kit.load(state, WEEK)
    code, out = kit.cli_run(state, "2018-05-01 14:59")  # 5 h 59 min late: still goes
    assert len(fake.sent) == 1 and "missed" not in out
    kit.load(state, WEEK)
    code, out = kit.cli_run(state, "2018-05-26 15:00")  # 6 h late: recorded missed
    assert len(fake.sent) == 1 and "1 notices older than the catch-up window" in out
    assert notice_status(state, ":2018-05-29:3") == "missed"
    code, out = kit.cli_run(state, "2018-05-26 15:00", include_missed=True)
    assert "还有3天" in texts(fake)[-1] and "--include-missed: 1 notices" in out


def test_without_credentials_runs_and_previews_say_sends_are_only_recorded(backend, capsys):
    from datetime import date

    settings = make_settings(backend, today=date(2018, 5, 2))  # no WECHAT_APPID/SECRET
    state = build_state(settings, migrate=True)
    try:
        kit.add_user(state, "o_a", code="week", unit="局党组")
        kit.load(state, WEEK)
        code, out = kit.cli_run(state, "2018-05-01 09:00")
        assert code == 0 and "nothing goes to WeChat" in out and "recorded 1" in out
        assert "sent 1" not in out
        assert kit.statuses(state) == {"recorded": 1}
        text = io.StringIO()
        args = argparse.Namespace(jobs_command="preview", days=3, json=False)
        assert cli.dispatch(args, kit.jobs_deps(state), text) == 0
        assert "only recorded" in text.getvalue() and "recorded 1" in text.getvalue()
        as_json = io.StringIO()
        args = argparse.Namespace(jobs_command="preview", days=3, json=True)
        assert cli.dispatch(args, kit.jobs_deps(state), as_json) == 0
        json.loads(as_json.getvalue())  # stdout stays JSON; the note goes to stderr
        assert "only recorded" in capsys.readouterr().err
    finally:
        state.close()


def test_preview_leaves_out_superseded_reminders(make_state):
    from datetime import date

    state = make_state(today=date(2018, 5, 28))
    kit.add_user(state, "o_party", code="week", unit="局党组")
    kit.load(state, WEEK)
    out = io.StringIO()
    args = argparse.Namespace(jobs_command="preview", days=2, json=True)
    assert cli.dispatch(args, kit.jobs_deps(state), out) == 0
    titles = [item["title"] for item in json.loads(out.getvalue())]
    assert not any("还有3天" in t for t in titles)
