"""Missed questions on both stores: kept through the real wiring, pseudonymous, once per
message, and listed by `python -m bot questions missed` (text and --json, --since)."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime

from bot import cli_questions
from bot.cli import build_parser
from handlers.ports import MissedQuestion
from handlers.router import route
from handlers.types import Incoming

AT = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


def _miss(key: str, at: datetime = AT, text: str = "阶段怎么看") -> MissedQuestion:
    return MissedQuestion("openid-raw-1", text, "抱歉……", "unknown", "kjj-2018", key, at)


def _listed(settings, *argv: str) -> str:  # type: ignore[no-untyped-def]
    args = build_parser().parse_args(["questions", "missed", *argv])
    out = io.StringIO()
    assert cli_questions.run(args, settings, out) == 0
    return out.getvalue()


def test_kept_once_per_message_and_pseudonymous(state):  # type: ignore[no-untyped-def]
    store = state.services.missed
    store.add(_miss("msg:1"))
    store.add(_miss("msg:1"))  # WeChat's retry of the same message
    store.add(_miss("msg:2", datetime(2026, 12, 5, 4, 0, tzinfo=UTC), "宣传科咋办"))
    records = store.since()
    assert [r.text for r in records] == ["阶段怎么看", "宣传科咋办"]
    assert records[0].author == state.pseudonym.of("openid-raw-1")
    assert "openid-raw-1" not in repr(records)
    assert [r.text for r in store.since(datetime(2026, 12, 4, tzinfo=UTC))] == ["宣传科咋办"]


def test_a_question_nobody_understood_is_kept_through_the_router(state):  # type: ignore[no-untyped-def]
    msg = Incoming("wechat", "openid-raw-2", "text", text="这个咋整的任务", dedup_key="m:9")
    reply = route(msg, state.services)
    (record,) = state.services.missed.since()
    assert record.text == "这个咋整的任务" and record.reply == reply.text
    assert record.kind == "unknown" and record.author.startswith("u_")


def test_questions_missed_command(state, settings):  # type: ignore[no-untyped-def]
    state.services.missed.add(_miss("msg:1"))
    state.services.missed.add(_miss("msg:2", datetime(2026, 12, 5, 4, 0, tzinfo=UTC), "宣传科咋办"))
    text = _listed(settings)
    assert "阶段怎么看" in text and "宣传科咋办" in text and "openid-raw-1" not in text
    assert "2026-12-03 12:00" in text  # shown in the campaign's time zone (Asia/Shanghai)
    rows = json.loads(_listed(settings, "--json", "--since", "2026-12-04"))
    assert [r["text"] for r in rows] == ["宣传科咋办"]
    assert set(rows[0]) == {"created_at", "author", "campaign", "kind", "text", "reply"}
    assert rows[0]["created_at"].startswith("2026-12-05")
    assert json.loads(_listed(settings, "--json", "--since", "2030-01-01")) == []


def test_since_must_be_a_date() -> None:
    parser = build_parser()
    try:
        parser.parse_args(["questions", "missed", "--since", "yesterday"])
    except SystemExit as exc:
        assert exc.code == 2
    else:  # pragma: no cover - the parser must refuse
        raise AssertionError("accepted a bad date")
    assert isinstance(parser.parse_args(["questions", "missed"]), argparse.Namespace)
