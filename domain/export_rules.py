"""Who may download which suggestions (the console's export). Pure rules.

Decision: organisers and reviewers export everything; a unit account exports only the
suggestions assigned to its own unit (the same rows its inbox shows, so a download never shows
it more than its pages do), not a 403: a unit needs a sheet of its own cases too. An account
with no role we know, or a unit account without a unit, may export nothing.
"""

from __future__ import annotations

from domain import workflow as wf


def export_scope(actor: wf.Actor) -> str | None:
    """None: every suggestion; a unit's name: only those assigned to it. WorkflowError
    (FORBIDDEN) when the actor may export nothing."""
    if actor.role in (wf.ORGANISER, wf.REVIEWER):
        return None
    if actor.role == wf.UNIT and actor.unit:
        return actor.unit
    raise wf.WorkflowError(wf.FORBIDDEN)
