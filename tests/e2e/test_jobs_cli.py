"""`python -m bot jobs run` as an operator runs it (subprocesses, embedded defaults, no
credentials): the catch-up window, --include-missed, and the plain note that nothing is sent."""

from __future__ import annotations

from tests.e2e.test_cli import PLANS, run


def test_a_late_rehearsal_sends_nothing_stale_unless_asked(tmp_path):
    loaded = run(tmp_path, "plan", "load", str(PLANS / "kjj-2018.yaml"))
    assert loaded.returncode == 0, loaded.stderr
    late = run(tmp_path, "jobs", "run", "--at", "2018-06-07 09:00")
    assert late.returncode == 0, late.stderr
    assert "WECHAT_APPID/WECHAT_SECRET are unset" in late.stdout
    assert "recorded as missed, not sent" in late.stdout
    assert '--at "2018-06-07 09:00" --include-missed' in late.stdout
    asked = run(tmp_path, "jobs", "run", "--at", "2018-06-07 09:00", "--include-missed")
    assert asked.returncode == 0, asked.stderr
    assert "--include-missed: " in asked.stdout and "were included" in asked.stdout
    again = run(tmp_path, "jobs", "run", "--at", "2018-06-07 09:00", "--include-missed")
    assert "nothing due" in again.stdout
    preview = run(tmp_path, "jobs", "preview", "--days", "3")
    assert preview.returncode == 0 and "only recorded" in preview.stdout, preview.stderr
