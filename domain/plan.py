"""The campaign plan as the assistant understands it: pure data, standard library only.

A plan is what a plan file (config/plans/*.yaml) says once its date wording has been read:
every computed date keeps the document's own words beside it, so answers can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of days, with the wording it was read from."""

    start: date
    end: date
    text: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Phase:
    name: str
    span: DateSpan
    summary: str = ""


@dataclass(frozen=True)
class Task:
    title: str
    group: str = ""
    detail: str = ""
    owner: str = ""
    due: DateSpan | None = None  # due.end is the deadline; None = an undated item

    @property
    def deadline(self) -> date | None:
        return self.due.end if self.due else None


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    year: int
    topics: tuple[str, ...] = ()
    phases: tuple[Phase, ...] = ()
    tasks: tuple[Task, ...] = field(default_factory=tuple)

    def phase_on(self, day: date) -> Phase | None:
        """The phase running on `day`, if any (the later one when two overlap)."""
        current = None
        for phase in self.phases:
            if phase.span.contains(day):
                current = phase
        return current

    def standing_on(self, day: date) -> tuple[str, Phase | None]:
        """Where the campaign stands on `day`: ("running", its phase), ("not_started", the
        first phase), ("finished", None) once it has begun and no phase runs, or
        ("no_phases", None)."""
        if not self.phases:
            return "no_phases", None
        phase = self.phase_on(day)
        if phase is not None:
            return "running", phase
        if day < self.phases[0].span.start:
            return "not_started", self.phases[0]
        return "finished", None

    def next_phase(self, day: date) -> Phase | None:
        """The first phase that starts after `day`."""
        upcoming = [p for p in self.phases if p.span.start > day]
        return min(upcoming, key=lambda p: p.span.start) if upcoming else None

    def dated_tasks(self) -> list[Task]:
        """Tasks with a deadline, soonest first (stable for equal dates)."""
        return sorted((t for t in self.tasks if t.due), key=lambda t: t.due.end)  # type: ignore[union-attr]


def _span_dates(span: DateSpan | None) -> tuple[str | None, str | None]:
    return (span.start.isoformat(), span.end.isoformat()) if span else (None, None)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain data with ISO dates, keeping each date's wording beside it."""
    tasks = []
    for task in plan.tasks:
        due_start, deadline = _span_dates(task.due)
        tasks.append(
            {
                "title": task.title,
                "group": task.group,
                "detail": task.detail,
                "owner": task.owner,
                "due": task.due.text if task.due else None,
                "due_start": due_start,
                "deadline": deadline,
            }
        )
    phases = [
        {
            "name": phase.name,
            "when": phase.span.text,
            "start": phase.span.start.isoformat(),
            "end": phase.span.end.isoformat(),
            "summary": phase.summary,
        }
        for phase in plan.phases
    ]
    return {
        "code": plan.code,
        "name": plan.name,
        "year": plan.year,
        "topics": list(plan.topics),
        "phases": phases,
        "tasks": tasks,
    }
