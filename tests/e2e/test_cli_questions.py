"""`python -m bot questions missed` as an operator runs it, after a chat nobody understood."""

from __future__ import annotations

import json

from tests.e2e.test_cli import PLANS, run


def test_a_missed_question_from_chat_is_listed(tmp_path):  # type: ignore[no-untyped-def]
    assert run(tmp_path, "plan", "load", str(PLANS / "kjj-2018.yaml")).returncode == 0
    chat = run(
        tmp_path,
        "chat",
        "--today",
        "2018-06-04",
        stdin="阶段怎么看\n宣传科还有什么任务\n第三阶段什么时候开始\n",
    )
    assert chat.returncode == 0, chat.stderr
    assert "您是不是想问" in chat.stdout and "「实践转化阶段」将于8月1日开始" in chat.stdout
    listed = run(tmp_path, "questions", "missed", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["text"], r["kind"]) for r in rows] == [
        ("阶段怎么看", "unknown"),
        ("宣传科还有什么任务", "not_found"),
    ]
    assert rows[1]["campaign"] == "kjj-2018" and rows[0]["author"].startswith("u_")
    text = run(tmp_path, "questions", "missed", "--since", "2000-01-01")
    assert text.returncode == 0 and "宣传科还有什么任务" in text.stdout
    bad = run(tmp_path, "questions", "missed", "--since", "soon")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
