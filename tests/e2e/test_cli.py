"""`python -m bot ...` as an operator runs it: real subprocesses, embedded defaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "config" / "plans"


def run(tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run the CLI in `tmp_path` (its own instance/ folder) with a clean bot environment."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WECHAT_", "BOT_", "DATABASE_URL", "REDIS_URL"))
    }
    full_env["PYTHONPATH"] = str(REPO)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


def test_chat_submits_and_lists_on_a_fresh_install(tmp_path):
    result = run(
        tmp_path, "chat", stdin="献一策：建议在社区增设老年人助餐点，方便独居老人\n我的建议\n"
    )
    assert result.returncode == 0, result.stderr
    assert "提交成功" in result.stdout
    ticket = result.stdout.split("编号：")[1].split()[0]
    assert result.stdout.count(ticket) >= 2  # told once, listed once by 我的建议
    assert "single process" in result.stderr  # the embedded store says so at start
    assert (tmp_path / "instance" / "bot.sqlite3").exists()


def test_plan_check_load_list_and_rehearsal_chat(tmp_path):
    plan = str(PLANS / "kjj-2018.yaml")
    checked = run(tmp_path, "plan", "check", plan, "--json")
    assert checked.returncode == 0, checked.stderr
    data = json.loads(checked.stdout)
    assert data["phases"][1]["start"] == "2018-05-21" and data["phases"][1]["end"] == "2018-07-31"
    loaded = run(tmp_path, "plan", "load", plan)
    assert loaded.returncode == 0 and "kjj-2018" in loaded.stdout, loaded.stderr
    listed = run(tmp_path, "plan", "list", env={"BOT_TODAY": "2018-06-04"})
    assert "学习调研阶段" in listed.stdout, listed.stderr
    chat = run(tmp_path, "chat", "--today", "2018-06-04", stdin="本周有什么到期\n现在是什么阶段\n")
    assert chat.returncode == 0, chat.stderr
    week, phase = chat.stdout.split("您> ")[1:3]
    assert "产学研精准对接" in week and "集中学习会" in week
    assert "5月25" not in week and "6月15" not in week and "7月10" not in week
    assert "学习调研阶段" in phase


def test_bad_plan_file_is_one_line_naming_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "code: x-1\nname: 测试\nyear: 2018\nphases:\n  - name: 阶段一\n    when: 5月32日\n",
        encoding="utf-8",
    )
    for command in ("check", "load"):
        result = run(tmp_path, "plan", command, str(bad))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and ":6:" in lines[0] and "5月32日" in lines[0]
        assert "Traceback" not in result.stderr


def test_bad_arguments_exit_2_with_one_line(tmp_path):
    for args in (
        ["suggestions", "export", "--format", "pdf"],
        ["chat", "--today", "2018-13-01"],
        ["plan", "check", str(tmp_path / "missing.yaml")],
        ["nonsense"],
    ):
        result = run(tmp_path, *args)
        assert result.returncode == 2, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_bad_setting_is_one_line(tmp_path):
    result = run(tmp_path, "plan", "list", env={"BOT_REMINDER_TIME": "9点"})
    assert result.returncode == 2 and "BOT_REMINDER_TIME" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_command(tmp_path, fmt):
    run(  # --no-demo: a fresh install's chat would otherwise write to the demo database
        tmp_path,
        "chat",
        "--no-demo",
        "--user",
        "o_private_id",
        stdin="献一策：建议把菜市场改造成智慧农贸市场\n",
    )
    out = tmp_path / f"s.{fmt}"
    result = run(tmp_path, "suggestions", "export", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert b"o_private_id" not in raw
    if fmt == "json":
        record = json.loads(raw)[0]
        assert record["channel"] == "chat" and record["content"].startswith("建议把菜市场")
    elif fmt == "csv":
        assert raw.startswith(b"\xef\xbb\xbf") and "智慧农贸市场".encode() in raw
    else:
        from openpyxl import load_workbook

        assert raw[:2] == b"PK"
        book = load_workbook(out)
        assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 2  # + one campaign
        sheet = book.worksheets[1]
        assert sheet["A1"].value == "编号" and sheet["A1"].comment.text == "ticket"
        assert "智慧农贸市场" in sheet["D2"].value


def test_db_upgrade_is_idempotent(tmp_path):
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "db", "upgrade").returncode == 0


def test_plan_import_drafts_a_valid_plan(tmp_path):
    (doc,) = sorted((REPO / "tests" / "data" / "seeds").glob("002_*.txt"))
    draft = run(tmp_path, "plan", "import", str(doc))
    assert draft.returncode == 0, draft.stderr
    path = tmp_path / "draft.yaml"
    path.write_text(draft.stdout, encoding="utf-8")
    assert run(tmp_path, "plan", "check", str(path)).returncode == 0


def test_serve_answers_healthz_and_wechat(tmp_path):
    import socket
    import time

    import requests

    from tests.wechat_sim import WeChatSim, text_xml

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WECHAT_", "BOT_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(PYTHONPATH=str(REPO), WECHAT_TOKEN="testtoken")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(base + "/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        sim = WeChatSim()
        qs, body = sim.envelope(text_xml("o_serve", "帮助"))
        resp = requests.post(f"{base}/wechat?{qs}", data=body, timeout=5)
        assert "献一策" in sim.read(resp.status_code, resp.content).text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "o_serve" not in err and "o_sim" not in err and "Traceback" not in err
    assert "openid=***" in err  # the access log line, redacted
    assert re.search(r"scheduler \S+ stopped", err)  # SIGTERM: lease released at once
