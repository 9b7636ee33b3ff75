"""GET /console/export.xlsx over HTTP on both stores: sign-in required, organisers and reviewers
get every suggestion, a unit account only its own unit's, each download audited."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from domain import workflow as wf
from services import accounts
from services import suggestions as uc
from tests.integration.console_helpers import NOW, new_suggestion, stores

PASSWORDS = {"boss": "pw-boss-1234", "rev": "pw-rev-12345", "office": "pw-office-12"}
BOSS = wf.Actor("boss", wf.ORGANISER)


@pytest.fixture
def desk(state):  # type: ignore[no-untyped-def]
    """Three accounts and four ideas, one of them assigned to 办公室."""
    workflow, accts, _, _ = stores(state)
    for login, role, unit in (
        ("boss", wf.ORGANISER, ""),
        ("rev", wf.REVIEWER, ""),
        ("office", wf.UNIT, "办公室"),
    ):
        accounts.add_account(accts, "cli", login, role, unit, PASSWORDS[login], NOW)
    tickets = [
        new_suggestion(state, f"o_user_{i}", f"建议第{i}条，完善社区服务", i) for i in range(4)
    ]
    later = NOW + timedelta(hours=1)
    uc.accept(workflow, BOSS, tickets[0], later)
    uc.assign(workflow, BOSS, tickets[0], "办公室", later)
    return state, tickets


def sign_in(client, login: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    data = {"csrf_token": token.group(1), "login": login, "password": PASSWORDS[login]}
    assert client.post("/console/login", data=data).status_code == 302


def download(client):  # type: ignore[no-untyped-def]
    with client.get("/console/export.xlsx") as response:
        return response, response.data


def tickets_in(raw: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(raw))
    assert book.sheetnames[0] == "汇总"
    return {
        row[0] for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=2, values_only=True)
    }


def test_signed_out_is_sent_to_sign_in(client, desk):  # type: ignore[no-untyped-def]
    response, raw = download(client)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    assert raw[:2] != b"PK"


@pytest.mark.parametrize("login", ["boss", "rev"])
def test_organisers_and_reviewers_get_every_suggestion(client, desk, login):  # type: ignore[no-untyped-def]
    state, tickets = desk
    sign_in(client, login)
    response, raw = download(client)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert int(response.headers["Content-Length"]) == len(raw)
    assert tickets_in(raw) == set(tickets)
    assert b"o_user_" not in raw  # pseudonyms only
    _, _, audit, _ = stores(state)
    (entry,) = [e for e in audit.since(None) if e.action == "export"]
    assert entry.actor == login and entry.target == "suggestions.xlsx"
    assert entry.after.startswith("4条") and "全部" in entry.after


def test_a_unit_account_gets_only_its_units_suggestions(client, desk):  # type: ignore[no-untyped-def]
    state, tickets = desk
    sign_in(client, "office")
    response, raw = download(client)
    assert response.status_code == 200
    assert tickets_in(raw) == {tickets[0]}
    summary = [r[0] for r in load_workbook(io.BytesIO(raw))["汇总"].iter_rows(values_only=True)]
    assert "范围：交办给办公室的建议" in summary
    _, _, audit, _ = stores(state)
    (entry,) = [e for e in audit.since(None) if e.action == "export"]
    assert entry.actor == "office" and "办公室" in entry.after and entry.after.startswith("1条")


def test_every_role_sees_the_link_and_the_audit_page_names_the_action(client, desk):  # type: ignore[no-untyped-def]
    sign_in(client, "office")
    assert 'href="/console/export.xlsx"' in client.get("/console/").get_data(as_text=True)
    download(client)
    client.post("/console/logout", data={"csrf_token": _token(client)})
    sign_in(client, "boss")
    page = client.get("/console/audit").get_data(as_text=True)
    assert 'href="/console/export.xlsx"' in page and "导出建议" in page


def _token(client) -> str:  # type: ignore[no-untyped-def]
    found = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/console/").get_data(as_text=True)
    )
    assert found
    return found.group(1)
