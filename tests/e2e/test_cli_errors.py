"""Every `python -m bot` command meets a bad setting or path with one line, never a traceback:
exit 2, one line on stderr naming the setting or path and what to do."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.test_cli import PLANS, run

COMMANDS = [
    ["serve", "--port", "0"],
    ["scheduler"],
    ["chat"],
    ["plan", "list"],
    ["plan", "load", str(PLANS / "kjj-2018.yaml")],
    ["suggestions", "export", "--format", "json"],
    ["jobs", "preview"],
    ["jobs", "run", "--at", "2018-05-25 09:00"],
    ["db", "upgrade"],
]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_line(result, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def run_all(tmp_path: Path, commands: list[list[str]], env: dict[str, str]) -> list:  # type: ignore[type-arg]
    """Each command in its own folder, a few at a time (each is a whole interpreter start)."""
    folders = []
    for i in range(len(commands)):
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        folders.append(folder)
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(
            pool.map(lambda fc: run(fc[0], *fc[1], env=env), zip(folders, commands, strict=True))
        )


def test_postgresql_not_listening_in_every_command(tmp_path):
    url = f"postgresql://bot:pa55word@127.0.0.1:{closed_port()}/bot"
    for command, result in zip(
        COMMANDS, run_all(tmp_path, COMMANDS, {"DATABASE_URL": url}), strict=True
    ):
        line = one_line(result, "DATABASE_URL", "start the server or fix the host and port")
        assert "pa55word" not in line, command


def test_redis_not_listening_in_every_command(tmp_path):
    commands = [c for c in COMMANDS if c[0] != "db"]  # db upgrade needs no Redis
    env = {"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    for result in run_all(tmp_path, commands, env):
        one_line(result, "REDIS_URL", "cannot reach Redis", "unset it for the embedded store")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://nobody_here:x@127.0.0.1:5432/postgres", ["refused the login"]),
        ("postgresql://postgres@127.0.0.1:5432/no_such_db_x1", ["does not exist", "createdb"]),
        ("postgresql://postgres@no-such-host.invalid/bot", ["unknown host"]),
        ("mysql://u:p@db/bot", ["not supported", "sqlite and postgresql"]),
        ("not a url", ["not a database URL"]),
    ],
)
def test_wrong_database_settings(tmp_path, url, words):
    one_line(run(tmp_path, "plan", "list", env={"DATABASE_URL": url}), "DATABASE_URL", *words)


def test_bad_redis_url_and_aes_key(tmp_path):
    one_line(run(tmp_path, "chat", env={"REDIS_URL": "localhost:6379"}), "REDIS_URL")
    result = run(tmp_path, "serve", env={"WECHAT_AES_KEY": "x" * 42})
    one_line(result, "WECHAT_AES_KEY", "43")


def test_export_target_missing_folder_or_a_folder(tmp_path):
    missing = tmp_path / "no" / "such" / "out.csv"
    result = run(tmp_path, "suggestions", "export", "--format", "csv", "--out", str(missing))
    one_line(result, str(missing.parent), "does not exist", "mkdir")
    (tmp_path / "exports").mkdir()
    result = run(tmp_path, "suggestions", "export", "--format", "xlsx", "--out", "exports")
    one_line(result, "exports", "is a folder")
    assert list((tmp_path / "exports").iterdir()) == []


def test_an_unmigrated_database_for_the_scheduler_says_db_upgrade(tmp_path):
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    one_line(run(tmp_path, "scheduler", env=env), "db upgrade")


def _big_plan(path: Path, tasks: int, line_pad: str = "") -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("code: big-1\nname: 大计划\nyear: 2018\nphases:\n  - name: 一\n    when: 5月\n")
        fh.write("tasks:\n")
        for start in range(0, tasks, 10_000):
            fh.write(
                "".join(
                    f"  - title: 任务{i}{line_pad}\n    due: 5月25日前\n"
                    for i in range(start, min(tasks, start + 10_000))
                )
            )


@pytest.mark.parametrize("command", ["check", "load"])
def test_oversized_plans_are_refused_quickly_naming_the_limit(tmp_path, command):
    huge, many, dense = tmp_path / "huge.yaml", tmp_path / "many.yaml", tmp_path / "dense.yaml"
    _big_plan(huge, 300_000, line_pad="召开理论中心组学习会")
    _big_plan(many, 200_000)
    dense.write_text(
        "code: d-1\nname: 密\nyear: 2018\nphases: [{name: 一, when: 5月}]\ntasks:\n"
        + "".join(f"- {{title: t{i}}}\n" for i in range(40_000)),
        encoding="utf-8",
    )
    assert huge.stat().st_size > 15 * 1024 * 1024 and dense.stat().st_size < 1024 * 1024
    for path, words in ((huge, ["at most 1 MB"]), (many, ["at most 1 MB"]), (dense, ["2,000"])):
        started = time.monotonic()
        result = run(tmp_path, "plan", command, str(path))
        elapsed = time.monotonic() - started
        one_line(result, path.name, *words)
        # The interpreter's start is included (seconds on a busy machine); the check itself
        # takes well under 2 s (tests/unit/test_plan_limits.py); loading it took 228 s.
        assert elapsed < 10.0
    assert "big-1" not in run(tmp_path, "plan", "list").stdout
