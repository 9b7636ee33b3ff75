"""Loading a campaign plan: store it, make every process re-read the plans, add its task
owners to the units list (new names only), and bring the scheduled notices in line with it.
`python -m bot plan load` calls this (a console page would too); reading and checking the
file is the caller's (bot/planfile.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.plan import Plan
from services import units
from services.ports import NoticeCounts, PlanStore
from services.unit_ports import UnitStore


@dataclass(frozen=True)
class PlanLoaded:
    """What a load did: created or a new revision, the plan's size, the notices' changes."""

    code: str
    created: bool
    revision: int
    phases: int
    tasks: int
    notices: NoticeCounts
    units_added: tuple[str, ...] = ()


def load(
    plans: PlanStore,
    sync_notices: Callable[[str], NoticeCounts],
    plan: Plan,
    source: str = "",
    unit_store: UnitStore | None = None,
    now: datetime | None = None,
) -> PlanLoaded:
    """Store `plan` (raises PlanConflict, storing nothing, if it cannot be), seed the units
    from its task owners (when `unit_store` is given; audited), then move or remove the
    campaign's scheduled notices to match it."""
    created, revision = plans.save(plan, source)
    plans.invalidate()
    added: list[str] = []
    if unit_store is not None and now is not None:
        added = units.seed(unit_store, [t.owner for t in plan.tasks], now)
    notices = sync_notices(plan.code)
    return PlanLoaded(
        plan.code, created, revision, len(plan.phases), len(plan.tasks), notices, tuple(added)
    )
