"""services/plans.py: storing a plan, telling every process, syncing its notices, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from domain.plan import DateSpan, Phase, Plan, Task
from services import plans
from services.ports import PlanConflict

SPAN = DateSpan(date(2018, 5, 1), date(2018, 5, 15), "5月上旬至5月中旬")
PLAN = Plan(
    code="kjj",
    name="科技局大讨论",
    year=2018,
    phases=(Phase("宣传发动阶段", SPAN),),
    tasks=(Task(title="上报方案", due=SPAN), Task(title="列出问题清单")),
)


@dataclass
class Counts:
    added: int = 2
    updated: int = 0
    removed: int = 1
    total: int = 3


class FakePlans:
    def __init__(self, taken_names: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.saved: dict[str, tuple[Plan, int]] = {}
        self.taken = taken_names
        self.log: list[str] = []

    def save(self, plan: Plan, source: str) -> tuple[bool, int]:
        if plan.name in self.taken:
            raise PlanConflict(f"{plan.code}: the name {plan.name!r} is already used")
        created = plan.code not in self.saved
        revision = 1 if created else self.saved[plan.code][1] + 1
        self.saved[plan.code] = (plan, revision)
        self.log.append(f"save {plan.code} from {source}")
        return created, revision

    def invalidate(self) -> None:
        self.log.append("invalidate")


def test_a_load_stores_then_tells_every_process_then_syncs_the_notices():
    store = FakePlans()

    def sync(code: str) -> Counts:
        store.log.append(f"sync {code}")
        return Counts()

    first = plans.load(store, sync, PLAN, source="/plans/kjj.yaml")
    assert (first.code, first.created, first.revision) == ("kjj", True, 1)
    assert (first.phases, first.tasks, first.notices.added, first.notices.total) == (1, 2, 2, 3)
    assert store.log == ["save kjj from /plans/kjj.yaml", "invalidate", "sync kjj"]
    again = plans.load(store, sync, PLAN)
    assert (again.created, again.revision) == (False, 2)


def test_a_refused_plan_changes_nothing_and_syncs_nothing():
    store = FakePlans(taken_names={"科技局大讨论"})
    synced: list[str] = []
    with pytest.raises(PlanConflict, match="already used"):
        plans.load(store, lambda code: synced.append(code) or Counts(), PLAN)
    assert store.saved == {} and store.log == [] and synced == []


def test_where_a_campaign_stands_on_a_day():
    later = Phase("整改落实阶段", DateSpan(date(2018, 6, 1), date(2018, 6, 30), "6月"))
    plan = Plan(code="kjj", name="科技局大讨论", year=2018, phases=(PLAN.phases[0], later))
    assert plan.standing_on(date(2018, 4, 30)) == ("not_started", PLAN.phases[0])
    assert plan.standing_on(date(2018, 5, 1)) == ("running", PLAN.phases[0])
    assert plan.standing_on(date(2018, 6, 30)) == ("running", later)
    assert plan.standing_on(date(2018, 5, 20)) == ("finished", None)  # between phases: as before
    assert plan.standing_on(date(2018, 7, 1)) == ("finished", None)
    assert Plan(code="x", name="空", year=2018).standing_on(date(2018, 5, 1)) == ("no_phases", None)
