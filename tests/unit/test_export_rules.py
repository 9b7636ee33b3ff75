"""Who may download which suggestions (domain/export_rules.py)."""

from __future__ import annotations

import pytest

from domain import workflow as wf
from domain.export_rules import export_scope


def test_organisers_and_reviewers_export_everything_a_unit_its_own_rows():
    assert export_scope(wf.Actor("boss", wf.ORGANISER)) is None
    assert export_scope(wf.Actor("rev", wf.REVIEWER)) is None
    assert export_scope(wf.Actor("office", wf.UNIT, "办公室")) == "办公室"


@pytest.mark.parametrize("actor", [wf.Actor("lost", wf.UNIT, ""), wf.Actor("x", "guest", "办公室")])
def test_a_unit_without_a_unit_or_an_unknown_role_exports_nothing(actor):
    with pytest.raises(wf.WorkflowError) as refused:
        export_scope(actor)
    assert refused.value.code == wf.FORBIDDEN
