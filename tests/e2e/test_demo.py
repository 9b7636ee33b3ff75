"""The first run shows the product: `python -m bot chat` on a fresh install is a labelled demo of
the seed plans, kept apart from the real database, and never reaches a production one unasked."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, func, inspect, select

from bot.store.db import normalize_url
from bot.store.models import CampaignRow, SuggestionRow
from tests.e2e.test_cli import PLANS, run
from texts import schedule as T

IDEA = "我有个金点子：建议在老街口增设一处公交候车亭，方便老人出行"
FIRST_RUN = ["本周有什么到期", "现在是什么阶段", "科技局6月的任务", IDEA, "我的建议"]


def answers(stdout: str) -> list[str]:
    """The assistant's answers, in order, from piped chat output."""
    return [part.split("助手> ", 1)[1] for part in stdout.split("您> ")[1:]]


def _counts(url: str) -> tuple[int, int]:
    """(campaigns, suggestions) in the database at `url`; (0, 0) when it has no tables."""
    engine = create_engine(normalize_url(url))
    try:
        if not inspect(engine).has_table("campaigns"):
            return 0, 0
        with engine.connect() as conn:
            campaigns = conn.scalar(select(func.count()).select_from(CampaignRow))
            suggestions = conn.scalar(select(func.count()).select_from(SuggestionRow))
        return int(campaigns or 0), int(suggestions or 0)
    finally:
        engine.dispose()


def test_first_run_gives_real_answers_and_a_ticket(tmp_path):
    result = run(tmp_path, "chat", stdin="\n".join(FIRST_RUN) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    banner = out.split("您> ")[0]
    assert "演示模式" in banner and "2018年5月22日" in banner and "--no-demo" in banner
    assert "市科技局解放思想大讨论" in banner and "区人大机关解放思想大讨论" in banner
    week, phase, june, submitted, mine = answers(out)
    assert "召开局党组理论中心组学习会" in week
    assert "学习调研阶段" in phase
    assert "产学研精准对接" in june and "6月10日" in june
    assert "召开局党组理论中心组学习会" not in june
    assert "切换到" not in out  # no campaign question anywhere
    ticket = re.search(r"编号：([A-Z2-9]{6})", submitted)
    assert ticket, submitted
    assert ticket.group(1) in mine
    instance = tmp_path / "instance"
    assert _counts(f"sqlite:///{instance / 'demo.sqlite3'}") == (3, 1)
    assert _counts(f"sqlite:///{instance / 'bot.sqlite3'}") == (0, 0)  # the real one untouched


def test_no_demo_opts_out_and_a_loaded_campaign_ends_the_demo(tmp_path):
    result = run(tmp_path, "chat", "--no-demo", stdin="本周有什么到期\n")
    assert result.returncode == 0, result.stderr
    assert "演示模式" not in result.stdout and T.NO_CAMPAIGN in result.stdout
    assert not (tmp_path / "instance" / "demo.sqlite3").exists()
    assert run(tmp_path, "plan", "load", str(PLANS / "yhrd-2018.yaml")).returncode == 0
    real = run(tmp_path, "chat", "--today", "2018-06-05", stdin="现在是什么阶段\n")
    assert "演示模式" not in real.stdout and "宣传发动阶段" in real.stdout, real.stderr


def test_with_database_url_chat_never_loads_demo_data(tmp_path, backend):
    env = {"DATABASE_URL": backend["database_url"]}
    if backend["redis_url"]:
        env |= {"REDIS_URL": backend["redis_url"], "BOT_REDIS_PREFIX": backend["redis_prefix"]}
    result = run(tmp_path, "chat", stdin="本周有什么到期\n" + IDEA + "\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "演示模式" not in result.stdout and T.NO_CAMPAIGN in result.stdout
    assert not (tmp_path / "instance" / "demo.sqlite3").exists()
    assert _counts(backend["database_url"])[0] == 0
    # Asked for explicitly, the demo still keeps to its own file.
    asked = run(tmp_path, "chat", "--demo", stdin="现在是什么阶段\n", env=env)
    assert asked.returncode == 0, asked.stderr
    assert "演示模式" in asked.stdout and "学习调研阶段" in asked.stdout
    assert (tmp_path / "instance" / "demo.sqlite3").exists()
    assert _counts(backend["database_url"])[0] == 0


def test_loading_a_campaign_with_an_existing_name_is_one_line(tmp_path):
    assert run(tmp_path, "plan", "load", str(PLANS / "kjj-2018.yaml")).returncode == 0
    twin = tmp_path / "twin.yaml"
    text = (PLANS / "kjj-2018.yaml").read_text(encoding="utf-8")
    twin.write_text(text.replace("code: kjj-2018", "code: kjj-2018b"), encoding="utf-8")
    result = run(tmp_path, "plan", "load", str(twin))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "kjj-2018b" in lines[0] and "campaign kjj-2018;" in lines[0]
    assert "Traceback" not in result.stderr
