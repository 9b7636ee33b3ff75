"""The workflow use cases over the SQL adapters, on both stores: state changes, audit rows,
the answer outbox (exactly once, the 48-hour window), accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store.throttle import RedisThrottle
from domain import workflow as wf
from services import accounts, answers
from services import suggestions as uc
from services.ports import CaseQuery
from tests.integration.console_helpers import NOW, new_suggestion, stores

REV = wf.Actor("rev", wf.REVIEWER)
UNIT = wf.Actor("office", wf.UNIT, "办公室")


class Sender:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    def send_text(self, openid: str, text: str) -> None:
        if self.fail:
            err = RuntimeError("boom")
            err.errcode = 43004  # type: ignore[attr-defined] - not following: final
            raise err
        self.sent.append((openid, text))


def test_the_whole_loop_is_recorded_and_answered_once(state):  # type: ignore[no-untyped-def]
    wfs, _, audit, outbox = stores(state)
    ticket = new_suggestion(state, "openid-alice", "建议设立科技创新基金，支持初创企业。", 1)
    uc.accept(wfs, REV, ticket, NOW)
    uc.assign(wfs, REV, ticket, "办公室", NOW)
    uc.draft_answer(wfs, UNIT, ticket, "拟采纳，明年设立。", NOW)
    with pytest.raises(wf.WorkflowError) as info:
        uc.publish_answer(wfs, UNIT, ticket, "拟采纳", wf.ADOPTED, NOW)
    assert info.value.code == wf.FORBIDDEN
    case = uc.publish_answer(wfs, REV, ticket, "已采纳，明年设立基金。", wf.ADOPTED, NOW)
    assert (case.status, case.outcome, case.unit) == (wf.ANSWERED, wf.ADOPTED, "办公室")
    assert case.reply == "已采纳，明年设立基金。" and case.replied_at == NOW
    assert case.reply_draft == "拟采纳，明年设立。"
    with pytest.raises(wf.WorkflowError):  # published once
        uc.publish_answer(wfs, REV, ticket, "again", wf.ADOPTED, NOW)

    history = wfs.history(ticket)
    assert [(h.actor, h.action) for h in history] == [
        ("rev", "accept"), ("rev", "assign"), ("office", "draft"), ("rev", "publish"),
    ]  # fmt: skip
    assert history[0].before == wf.PENDING and history[0].after == wf.ACCEPTED
    assert "办公室" in history[1].after and "已采纳" in history[3].after
    assert len(audit.since(NOW - timedelta(days=1))) == 4

    # Outside the window (the user never wrote): waits; after they write, sent, once.
    sender = Sender()
    assert answers.deliver_due(outbox, sender, NOW)[answers.WAITING] == 1
    assert wfs.delivery(ticket) == "waiting" and sender.sent == []
    nothing = {"sent": 0, "failed": 0, "waiting": 0, "retry": 0}
    assert answers.deliver_due(outbox, sender, NOW) == nothing
    state.users.touch_many({"openid-alice": NOW + timedelta(hours=1)})
    later = NOW + timedelta(hours=2)
    assert answers.deliver_due(outbox, sender, later)["sent"] == 1
    assert answers.deliver_due(outbox, sender, later)["sent"] == 0
    assert len(sender.sent) == 1 and sender.sent[0][0] == "openid-alice"
    assert ticket in sender.sent[0][1] and "已采纳，明年设立基金。" in sender.sent[0][1]
    assert wfs.delivery(ticket) == "sent"


def test_inside_the_window_it_is_sent_and_a_failure_is_recorded(state):  # type: ignore[no-untyped-def]
    wfs, _, _, outbox = stores(state)
    state.users.touch_many({"openid-bob": NOW - timedelta(hours=3)})
    ticket = new_suggestion(state, "openid-bob", "建议延长图书馆开放时间到晚上九点。", 2)
    case = uc.answer(wfs, REV, ticket, "已研究，明年试行。", NOW)
    assert case.status == wf.ANSWERED and case.outcome == uc.DEFAULT_CLI_OUTCOME
    assert answers.deliver_due(outbox, Sender(fail=True), NOW)["failed"] == 1
    assert wfs.delivery(ticket) == "failed"
    assert answers.deliver_due(outbox, Sender(), NOW)["sent"] == 0  # never retried blindly
    closed = uc.answer(
        wfs, REV, new_suggestion(state, "openid-bob", "再提一条建议：增设公交线路。", 3),
        "好", NOW, status=wf.CLOSED, outcome=wf.PARTLY_ADOPTED,
    )  # fmt: skip
    assert (closed.status, closed.outcome) == (wf.CLOSED, wf.PARTLY_ADOPTED)


def test_decline_needs_a_reason_and_nothing_changes_on_refusal(state):  # type: ignore[no-untyped-def]
    wfs, _, audit, _ = stores(state)
    ticket = new_suggestion(state, "openid-carol", "建议在园区增加停车位和充电桩。", 4)
    with pytest.raises(wf.WorkflowError):
        uc.decline(wfs, REV, ticket, "  ", NOW)
    assert wfs.find(ticket).status == wf.PENDING  # type: ignore[union-attr]
    assert audit.since(None) == []
    case = uc.decline(wfs, REV, ticket, "与已有建议重复", NOW)
    assert (case.status, case.decline_reason) == (wf.DECLINED, "与已有建议重复")
    with pytest.raises(wf.WorkflowError) as info:
        uc.accept(wfs, REV, "NOSUCH", NOW)
    assert info.value.code == wf.NOT_VISIBLE


def test_a_unit_lists_and_sees_only_its_own(state):  # type: ignore[no-untyped-def]
    wfs, _, _, _ = stores(state)
    mine = new_suggestion(state, "u1", "建议优化审批流程，减少材料。", 5)
    other = new_suggestion(state, "u2", "建议开设夜间政务服务窗口。", 6, campaign="other")
    new_suggestion(state, "u3", "建议加强人才公寓建设与管理。", 7)
    for ticket, unit in ((mine, "办公室"), (other, "科技科")):
        uc.accept(wfs, REV, ticket, NOW)
        uc.assign(wfs, REV, ticket, unit, NOW)
    cases, total = uc.list_cases(wfs, UNIT, CaseQuery())
    assert total == 1 and [c.ticket for c in cases] == [mine]
    with pytest.raises(wf.WorkflowError):
        uc.view(wfs, UNIT, other)
    assert uc.list_cases(wfs, REV, CaseQuery())[1] == 3
    assert uc.list_cases(wfs, REV, CaseQuery(campaign="other"))[0][0].ticket == other
    assert uc.list_cases(wfs, REV, CaseQuery(status=wf.PENDING))[1] == 1
    assert uc.list_cases(wfs, REV, CaseQuery(unit="科技科"))[1] == 1
    assert [c.ticket for c in uc.list_cases(wfs, REV, CaseQuery(text="夜间政务"))[0]] == [other]
    assert uc.list_cases(wfs, REV, CaseQuery(text="100%_"))[1] == 0  # wildcards are literal
    page2, total = uc.list_cases(wfs, REV, CaseQuery(page=2, per_page=2))
    assert total == 3 and len(page2) == 1
    assert wfs.units() == ["办公室", "科技科"]


def test_accounts_sign_in_throttle_and_audit(state):  # type: ignore[no-untyped-def]
    _, accts, audit, _ = stores(state)
    throttle = RedisThrottle(state.kv, state.settings.redis_prefix)
    accounts.add_account(accts, "cli", "wang", wf.REVIEWER, "", "correct horse", NOW)
    with pytest.raises(accounts.AccountError):
        accounts.add_account(accts, "cli", "wang", wf.REVIEWER, "", "another one", NOW)
    with pytest.raises(accounts.AccountError):
        accounts.add_account(accts, "cli", "li", wf.UNIT, "", "password1", NOW)
    with pytest.raises(accounts.AccountError):
        accounts.add_account(accts, "cli", "li", wf.REVIEWER, "", "short", NOW)
    stored = accts.get("wang")
    assert stored is not None and "correct horse" not in stored.password_hash

    def attempt(password: str, login: str = "wang") -> str:
        return accounts.sign_in(accts, audit, throttle, login, password, "10.0.0.1", NOW).result

    assert attempt("correct horse") == accounts.OK
    for _ in range(accounts.LOGIN_FAILURES):
        assert attempt("wrong") == accounts.BAD
    assert attempt("correct horse") == accounts.THROTTLED  # even the right one, for a while
    actions = [e.action for e in audit.since(None)]
    assert actions.count("signin_failed") == accounts.LOGIN_FAILURES
    assert actions[:2] == ["account_add", "signin"]

    accounts.set_disabled(accts, "cli", "wang", True, NOW)
    throttle.clear("login:wang")
    assert attempt("correct horse") == accounts.BAD
    with pytest.raises(accounts.AccountError):
        accounts.set_disabled(accts, "cli", "nobody", True, NOW)
    assert audit.since(None)[-2].action == "account_disable"


def test_the_scheduler_sends_a_waiting_answer_after_the_user_writes(state, monkeypatch):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from jobs import runner as runner_mod
    from jobs.answers import deliver_answers

    wfs, _, _, _ = stores(state)
    ticket = new_suggestion(state, "openid-dave", "建议在老旧小区加装电梯。", 8)
    uc.answer(wfs, REV, ticket, "已列入明年计划。", NOW, outcome=wf.ADOPTED)
    assert deliver_answers(state, lambda: False) == {}  # a standby scheduler does nothing
    assert deliver_answers(state, lambda: True)[answers.WAITING] == 1
    assert deliver_answers(state, lambda: True)["sent"] == 0
    state.users.touch_many({"openid-dave": datetime.now(UTC)})
    assert deliver_answers(state, lambda: True)["sent"] == 1
    sent = [m for m in state.sender.sent if m["openid"] == "openid-dave"]
    assert len(sent) == 1 and "已列入明年计划。" in sent[0]["text"]
    # Registered with the scheduler (not started here: starting and stopping at once can
    # deadlock APScheduler between the first lease job and shutdown).
    monkeypatch.setattr(runner_mod.BackgroundScheduler, "start", lambda self, *a, **k: None)
    runner = runner_mod.start_scheduler(state)
    try:
        job = runner.scheduler.get_job("answers")
        assert job is not None and job.func is deliver_answers
    finally:
        runner_mod._CONTEXTS.pop(runner.runner_id, None)
