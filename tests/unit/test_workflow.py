"""The suggestion workflow's rules, table-driven: transitions, roles, visibility, inputs."""

from __future__ import annotations

import pytest

from domain import workflow as wf

ORG = wf.Actor("org", wf.ORGANISER)
REV = wf.Actor("rev", wf.REVIEWER)
UNIT_A = wf.Actor("a", wf.UNIT, "办公室")
UNIT_B = wf.Actor("b", wf.UNIT, "科技科")
NO_UNIT = wf.Actor("x", wf.UNIT, "")

INPUTS = {"reason": "重复建议", "unit": "办公室", "reply": "感谢建议。", "outcome": "已采纳"}

# (actor, action, status, suggestion unit) -> new status, or the refusal code
CASES = [
    (ORG, wf.ACCEPT, wf.PENDING, None, wf.ACCEPTED),
    (REV, wf.ACCEPT, wf.PENDING, None, wf.ACCEPTED),
    (REV, wf.ACCEPT, wf.ACCEPTED, None, wf.WRONG_STATUS),
    (REV, wf.DECLINE, wf.PENDING, None, wf.DECLINED),
    (REV, wf.DECLINE, wf.ASSIGNED, "办公室", wf.DECLINED),
    (REV, wf.DECLINE, wf.ANSWERED, "办公室", wf.WRONG_STATUS),
    (ORG, wf.ASSIGN, wf.ACCEPTED, None, wf.ASSIGNED),
    (REV, wf.ASSIGN, wf.ASSIGNED, "科技科", wf.ASSIGNED),
    (REV, wf.ASSIGN, wf.PENDING, None, wf.WRONG_STATUS),
    (REV, wf.DRAFT, wf.ASSIGNED, "办公室", wf.ASSIGNED),
    (REV, wf.PUBLISH, wf.ASSIGNED, "办公室", wf.ANSWERED),
    (REV, wf.PUBLISH, wf.ACCEPTED, None, wf.ANSWERED),
    (REV, wf.PUBLISH, wf.PENDING, None, wf.WRONG_STATUS),
    (REV, wf.PUBLISH, wf.ANSWERED, None, wf.WRONG_STATUS),
    (REV, wf.PUBLISH, wf.DECLINED, None, wf.WRONG_STATUS),
    (ORG, wf.CLOSE, wf.ANSWERED, None, wf.CLOSED),
    (ORG, wf.CLOSE, wf.ASSIGNED, None, wf.WRONG_STATUS),
    (UNIT_A, wf.DRAFT, wf.ASSIGNED, "办公室", wf.ASSIGNED),
    (UNIT_A, wf.DRAFT, wf.ASSIGNED, "科技科", wf.NOT_VISIBLE),
    (UNIT_B, wf.PUBLISH, wf.ASSIGNED, "科技科", wf.FORBIDDEN),
    (UNIT_A, wf.ACCEPT, wf.PENDING, "办公室", wf.FORBIDDEN),
    (UNIT_A, wf.ASSIGN, wf.ASSIGNED, "办公室", wf.FORBIDDEN),
    (UNIT_A, wf.DECLINE, wf.ASSIGNED, "办公室", wf.FORBIDDEN),
    (UNIT_A, wf.ACCEPT, wf.PENDING, None, wf.NOT_VISIBLE),
    (NO_UNIT, wf.DRAFT, wf.ASSIGNED, "", wf.NOT_VISIBLE),
    (wf.Actor("q", "guest"), wf.ACCEPT, wf.PENDING, None, wf.NOT_VISIBLE),
    (REV, "delete", wf.PENDING, None, wf.UNKNOWN_ACTION),
]


@pytest.mark.parametrize("actor,action,status,unit,expected", CASES)
def test_transitions_by_role(actor, action, status, unit, expected):  # type: ignore[no-untyped-def]
    if expected in wf.STATUSES:
        change = wf.decide(actor, action, status, unit, **INPUTS)
        assert (change.before, change.after, change.action) == (status, expected, action)
    else:
        with pytest.raises(wf.WorkflowError) as info:
            wf.decide(actor, action, status, unit, **INPUTS)
        assert info.value.code == expected
        assert str(info.value)  # a Chinese sentence for the page or the terminal


@pytest.mark.parametrize(
    "action,inputs,code",
    [
        (wf.DECLINE, {"reason": "  "}, wf.REASON_REQUIRED),
        (wf.DECLINE, {"reason": "理" * 501}, wf.TOO_LONG),
        (wf.ASSIGN, {"unit": ""}, wf.UNIT_REQUIRED),
        (wf.DRAFT, {"reply": ""}, wf.REPLY_REQUIRED),
        (wf.PUBLISH, {"reply": "答复", "outcome": ""}, wf.BAD_OUTCOME),
        (wf.PUBLISH, {"reply": "答复", "outcome": "已受理"}, wf.BAD_OUTCOME),
        (wf.PUBLISH, {"reply": "", "outcome": "已采纳"}, wf.REPLY_REQUIRED),
        (wf.PUBLISH, {"reply": "答" * 2001, "outcome": "已采纳"}, wf.TOO_LONG),
    ],
)
def test_inputs_are_required_and_bounded(action, inputs, code):  # type: ignore[no-untyped-def]
    with pytest.raises(wf.WorkflowError) as info:
        wf.decide(REV, action, wf.ACCEPTED, None, **inputs)
    assert info.value.code == code


def test_fields_recorded_by_each_action():
    assert wf.decide(REV, wf.DECLINE, wf.PENDING, None, reason=" 重复 ").fields == {
        "decline_reason": "重复"
    }
    assert wf.decide(REV, wf.ASSIGN, wf.ACCEPTED, None, unit="办公室").fields == {"unit": "办公室"}
    assert wf.decide(UNIT_A, wf.DRAFT, wf.ASSIGNED, "办公室", reply="草稿").fields == {
        "reply_draft": "草稿"
    }
    change = wf.decide(REV, wf.PUBLISH, wf.ASSIGNED, "办公室", reply="答复", outcome="部分采纳")
    assert change.fields == {"reply": "答复", "outcome": "部分采纳"}
    assert wf.decide(REV, wf.ACCEPT, wf.PENDING, None).fields == {}


@pytest.mark.parametrize(
    "actor,status,unit,expected",
    [
        (REV, wf.PENDING, None, [wf.ACCEPT, wf.DECLINE]),
        (REV, wf.ACCEPTED, None, [wf.DECLINE, wf.ASSIGN, wf.DRAFT, wf.PUBLISH]),
        (ORG, wf.ANSWERED, "办公室", [wf.CLOSE]),
        (ORG, wf.CLOSED, "办公室", []),
        (UNIT_A, wf.ASSIGNED, "办公室", [wf.DRAFT]),
        (UNIT_A, wf.ANSWERED, "办公室", []),
        (UNIT_B, wf.ASSIGNED, "办公室", []),
    ],
)
def test_allowed_actions(actor, status, unit, expected):  # type: ignore[no-untyped-def]
    assert wf.allowed_actions(actor, status, unit) == expected


def test_visibility():
    assert wf.can_see(ORG, None) and wf.can_see(REV, "科技科")
    assert wf.can_see(UNIT_A, "办公室")
    assert not wf.can_see(UNIT_A, "科技科")
    assert not wf.can_see(UNIT_A, None)
    assert not wf.can_see(NO_UNIT, "")


def test_every_status_and_outcome_is_a_public_word():
    assert wf.STATUSES == ("待审核", "已受理", "不予受理", "已交办", "已答复", "已办结")
    assert wf.OUTCOMES == ("已采纳", "部分采纳", "未采纳", "留作参考")
