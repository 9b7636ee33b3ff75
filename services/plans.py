"""Loading a campaign plan: store it, make every process re-read the plans, and bring the
scheduled notices in line with it. `python -m bot plan load` calls this (a console page would
too); reading and checking the file is the caller's (bot/planfile.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.plan import Plan
from services.ports import NoticeCounts, PlanStore


@dataclass(frozen=True)
class PlanLoaded:
    """What a load did: created or a new revision, the plan's size, the notices' changes."""

    code: str
    created: bool
    revision: int
    phases: int
    tasks: int
    notices: NoticeCounts


def load(
    plans: PlanStore,
    sync_notices: Callable[[str], NoticeCounts],
    plan: Plan,
    source: str = "",
) -> PlanLoaded:
    """Store `plan` (raises PlanConflict, storing nothing, if it cannot be), then move or
    remove the campaign's scheduled notices to match it."""
    created, revision = plans.save(plan, source)
    plans.invalidate()
    notices = sync_notices(plan.code)
    return PlanLoaded(plan.code, created, revision, len(plan.phases), len(plan.tasks), notices)
