"""`users`, `audit`, `suggestions list|answer` as an operator runs them, on both stores."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from bot.cli import main
from bot.wiring import build_state
from config.settings import Settings
from tests.e2e.test_cli import run
from tests.integration.console_helpers import new_suggestion


def test_accounts_answer_and_audit_from_the_command_line(tmp_path, backend, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    """In process for speed (each subprocess costs seconds on a busy machine); the first and
    the last command run as real subprocesses, as an operator would."""
    env = {
        "DATABASE_URL": backend["database_url"],
        "REDIS_URL": backend["redis_url"],
        "BOT_REDIS_PREFIX": backend["redis_prefix"],
    }
    for name in list(os.environ):
        if name.startswith(("WECHAT_", "BOT_", "DATABASE_URL", "REDIS_URL")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    # main() configures logging for a process; in this one it would leak into later tests
    # (urllib3's level), so it is left alone here.
    monkeypatch.setattr("bot.logs.setup_logging", lambda level=None: None)

    class Result:
        def __init__(self, code: int, out: str, err: str) -> None:
            self.returncode, self.stdout, self.stderr = code, out, err

    def cli(*args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    first = run(
        tmp_path, "users", "add", "boss", "--role", "organiser", stdin="pw-boss-123\n", env=env
    )
    assert first.returncode == 0 and "boss: organiser added" in first.stdout, first.stderr
    added = cli("users", "add", "wang", "--role", "reviewer", stdin="s3cret-pass\n")
    assert added.returncode == 0 and "wang: reviewer added" in added.stdout, added.stderr
    unit = cli(
        "users", "add", "office", "--role", "unit", "--unit", "办公室", stdin="pw-office-1\n"
    )
    assert unit.returncode == 0, unit.stderr
    again = cli("users", "add", "wang", "--role", "reviewer", stdin="another-pass\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    no_unit = cli("users", "add", "li", "--role", "unit", stdin="pw-li-12345\n")
    assert no_unit.returncode == 2 and "--unit" in no_unit.stderr
    bad_role = cli("users", "add", "li", "--role", "boss", stdin="pw-li-12345\n")
    assert bad_role.returncode == 2

    state = build_state(Settings.from_env(), migrate=True)
    try:
        ticket = new_suggestion(state, "resident-1", "建议在社区增设老年人助餐点，方便独居老人", 1)
    finally:
        state.close()

    listed = cli("suggestions", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["ticket"], r["status"]) for r in rows] == [(ticket, "待审核")]
    assert "resident-1" not in listed.stdout  # a pseudonym, never the openid

    refused = cli("suggestions", "answer", ticket, "--reply", "好", "--by", "office")
    assert refused.returncode == 2 and ticket in refused.stderr
    answered = cli(
        "suggestions", "answer", ticket.lower(), "--reply", "已采纳，明年试点。",
        "--outcome", "已采纳", "--by", "wang",
    )  # fmt: skip
    assert answered.returncode == 0, answered.stderr
    assert f"{ticket}: 已答复 (已采纳)" in answered.stdout
    twice = cli("suggestions", "answer", ticket, "--reply", "再答一次")
    assert twice.returncode == 2 and "已答复" in twice.stderr

    rows = json.loads(cli("suggestions", "list", "--status", "已答复", "--json").stdout)
    assert rows[0]["outcome"] == "已采纳" and rows[0]["reply"] == "已采纳，明年试点。"
    assert json.loads(cli("suggestions", "list", "--status", "待审核", "--json").stdout) == []
    text = cli("suggestions", "list").stdout
    assert ticket in text and "已答复" in text

    disabled = cli("users", "disable", "office")
    assert disabled.returncode == 0, disabled.stderr
    users = cli("users", "list").stdout
    assert "office\tunit\t办公室\tdisabled" in users and "wang\treviewer\t-\tactive" in users

    audit = cli("audit", "--json")
    assert audit.returncode == 0, audit.stderr
    actions = [(e["actor"], e["action"], e["target"]) for e in json.loads(audit.stdout)]
    assert ("cli", "account_add", "account:wang") in actions
    assert ("wang", "accept", ticket) in actions and ("wang", "publish", ticket) in actions
    assert ("cli", "account_disable", "account:office") in actions
    assert "待审核 → 已受理" in cli("audit", "--since", "2020-01-01").stdout
    assert json.loads(cli("audit", "--since", "2999-01-01", "--json").stdout) == []
    assert cli("audit", "--since", "yesterday").returncode == 2
    last = run(tmp_path, "audit", env=env)
    assert last.returncode == 0 and "account_add" in last.stdout, last.stderr


@pytest.mark.parametrize("argv", [["users"], ["users", "add", "x"], ["suggestions", "answer", "T"]])
def test_bad_arguments_exit_2(argv, capsys):  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and "error:" in capsys.readouterr().err
