"""`plan load` seeds the units list; `suggestions assign` uses it, through the same use case
as the console; on both stores (in process, as in test_cli_console)."""

from __future__ import annotations

import io
import os
import sys

from bot.cli import main
from bot.store.units_repo import SqlUnitStore
from bot.wiring import build_state
from config.settings import Settings
from domain import workflow as wf
from services import suggestions as uc
from tests.e2e.test_cli import PLANS
from tests.integration.console_helpers import NOW, new_suggestion, stores


def test_plan_load_seeds_units_and_assign_uses_them(tmp_path, backend, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    for name in list(os.environ):
        if name.startswith(("WECHAT_", "BOT_", "DATABASE_URL", "REDIS_URL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", backend["database_url"])
    monkeypatch.setenv("REDIS_URL", backend["redis_url"])
    monkeypatch.setenv("BOT_REDIS_PREFIX", backend["redis_prefix"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.logs.setup_logging", lambda level=None: None)

    def cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    assert cli("plan", "load", str(PLANS / "kjj-2018.yaml"))[0] == 0
    code, _, err = cli("users", "add", "office", "--role", "unit", "--unit", "局活动办",
                       stdin="pw-office-1\n")  # fmt: skip
    assert code == 0, err

    state = build_state(Settings.from_env(), migrate=True)
    try:
        names = {u.name for u in SqlUnitStore(state.db).all()}
        assert {"局党组", "局活动办"} <= names  # the plan's owners, right after the load
        ticket = new_suggestion(state, "resident-1", "建议开设科技政策解读专栏", 1)
        wfs = stores(state)[0]
        uc.accept(wfs, wf.Actor("cli", wf.ORGANISER), ticket, NOW)
    finally:
        state.close()

    code, out, err = cli("suggestions", "assign", ticket.lower(), "--unit", "局党组")
    assert code == 0 and f"{ticket}: 已交办 (局党组)" in out, err
    code, _, err = cli("suggestions", "assign", ticket, "--unit", "不存在的单位")
    assert code == 2 and "not in the list of units" in err
    code, _, err = cli("suggestions", "assign", ticket, "--unit", "局活动办", "--by", "office")
    assert code == 2 and "没有找到" in err  # not its unit's idea, so not even visible
    code, _, err = cli("suggestions", "assign", ticket, "--unit", "局活动办", "--by", "ghost")
    assert code == 2 and "no such active account" in err
    code, out, _ = cli("suggestions", "list", "--json")
    assert code == 0 and '"unit": "局党组"' in out
    code, out, _ = cli("audit", "--json")
    assert code == 0 and '"assign"' in out and "unit:局党组" in out
