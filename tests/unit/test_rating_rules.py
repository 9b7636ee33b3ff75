"""回访 rules (domain/workflow.py), the answer page's signed links, long answers in pages, and
BOT_PUBLIC_URL."""

from __future__ import annotations

import pytest

from config.settings import Settings, SettingsError
from domain import workflow as wf
from handlers.suggest_lookup import split_pages
from services.answer_links import AnswerLinks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", wf.SATISFIED), ("１", wf.SATISFIED), ("满意。", wf.SATISFIED),
        ("2", wf.FAIRLY_SATISFIED), (" 基本满意 ", wf.FAIRLY_SATISFIED),
        ("3", wf.DISSATISFIED), ("不满意！", wf.DISSATISFIED),
        ("4", None), ("12", None), ("非常好", None), ("", None), ("满意吗", None),
    ],
)  # fmt: skip
def test_parse_rating(text: str, expected: str | None) -> None:
    assert wf.parse_rating(text) == expected


@pytest.mark.parametrize(
    ("status", "satisfaction", "after"),
    [
        (wf.ANSWERED, wf.SATISFIED, wf.CLOSED),
        (wf.ANSWERED, wf.FAIRLY_SATISFIED, wf.CLOSED),
        (wf.ANSWERED, wf.DISSATISFIED, wf.ACCEPTED),
        (wf.CLOSED, wf.SATISFIED, wf.CLOSED),
        (wf.CLOSED, wf.DISSATISFIED, wf.ACCEPTED),
    ],
)
def test_rate_transitions(status: str, satisfaction: str, after: str) -> None:
    change = wf.rate(status, satisfaction, None)
    assert (change.action, change.before, change.after) == (wf.RATE, status, after)
    assert change.fields == {"satisfaction": satisfaction}


@pytest.mark.parametrize("status", [wf.PENDING, wf.ACCEPTED, wf.ASSIGNED, wf.DECLINED])
def test_rating_needs_a_published_answer(status: str) -> None:
    with pytest.raises(wf.WorkflowError):
        wf.rate(status, wf.SATISFIED, None)


def test_rating_once_and_never_a_console_action() -> None:
    with pytest.raises(wf.WorkflowError):
        wf.rate(wf.CLOSED, wf.SATISFIED, wf.SATISFIED)
    assert wf.RATE not in wf.ACTIONS
    for role in wf.ROLES:
        with pytest.raises(wf.WorkflowError) as info:
            wf.decide(wf.Actor("x", role, "办公室"), wf.RATE, wf.ANSWERED, "办公室")
        assert info.value.code == wf.FORBIDDEN


def test_signed_links_round_trip_and_refuse_tampering() -> None:
    links = AnswerLinks("key-one", "https://dtl.example.gov.cn/")
    token = links.token("K3Q9A7")
    assert links.ticket(token) == "K3Q9A7" and "K3Q9A7" not in token
    assert links.url("K3Q9A7") == "https://dtl.example.gov.cn/a/" + token
    assert AnswerLinks("key-two").ticket(token) is None  # another install's key
    assert links.ticket(token[:-1] + ("x" if token[-1] != "x" else "y")) is None
    assert links.ticket("") is None and links.ticket("a" * 300) is None
    assert AnswerLinks("key-one").url("K3Q9A7") is None  # no BOT_PUBLIC_URL: no link


def test_public_url_setting() -> None:
    env = {"BOT_PUBLIC_URL": "https://dtl.example.gov.cn/"}
    assert Settings.from_env(env, dotenv=False).public_url == "https://dtl.example.gov.cn"
    assert Settings.from_env({}, dotenv=False).public_url == ""
    for bad in ("dtl.example.gov.cn", "ftp://x", "https://x/?a=1"):
        with pytest.raises(SettingsError) as info:
            Settings.from_env({"BOT_PUBLIC_URL": bad}, dotenv=False)
        assert info.value.variable == "BOT_PUBLIC_URL"


def test_split_pages_keeps_every_character_within_the_limit() -> None:
    text = "编号：ABC\n" + "答" * 1500 + "\n结尾"
    pages = split_pages(text, limit=1000)
    assert all(len(p.encode()) <= 1000 for p in pages)
    assert "".join(pages).replace("\n", "") == text.replace("\n", "")
    assert split_pages("短") == ["短"]
