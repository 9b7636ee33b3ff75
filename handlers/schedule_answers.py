"""Answers to schedule questions about one plan, as pages of text: pure functions of the plan,
the question and today's date (no services, no I/O)."""

from __future__ import annotations

import re
from datetime import date

from domain.calendar import days_until, resolve_range
from domain.plan import Phase, Plan, Task
from domain.questions import Question
from handlers import schedule_texts as T
from handlers.schedule_format import (
    best_matches,
    fmt_date,
    fmt_due,
    fmt_span,
    match_units,
    owner_units,
    paginate,
    sorted_tasks,
    task_blocks,
    tasks_of_units,
)

_DAY = re.compile(r"^(?:(\d{4})年)?(1[0-2]|[1-9])月([12]\d|3[01]|[1-9])[日号]?$")


def _join(units: list[str] | tuple[str, ...]) -> str:
    return T.UNIT_SEPARATOR.join(units)


def unit_not_found(plan: Plan, unit: str) -> list[str]:
    """Pages saying `unit` is not an owner in the plan, and which units are."""
    units = owner_units(plan)
    if not units:
        return [T.UNIT_NO_OWNERS]
    return paginate(T.UNIT_NOT_FOUND.format(unit=unit, units=_join(units)), [])


def due_range(plan: Plan, question: Question, today: date, units: list[str]) -> list[str]:
    """Tasks whose deadline falls in the asked range, optionally only those of `units`."""
    start, end = resolve_range(question.range_kind or "this_week", today, question.month)
    if question.range_kind == "month":
        label = T.MONTH_LABEL.format(month=question.month)
    else:
        label = T.RANGE_LABELS.get(question.range_kind or "this_week", "")
    shown = fmt_date(start, today)
    if end != start:
        shown = T.SPAN.format(start=shown, end=fmt_date(end, today))
    pool = tasks_of_units(plan, units) if units else list(plan.tasks)
    due = [t for t in sorted_tasks(pool) if t.due and start <= t.due.end <= end]
    scope = T.DUE_UNITS.format(units=_join(units)) if units else ""
    if not due:
        text = T.DUE_NONE.format(label=label, range=shown, units=scope)
        later = [t for t in sorted_tasks(pool) if t.due and t.due.end > end]
        if later and later[0].due:
            hint = T.DUE_NEXT_HINT.format(title=later[0].title, date=fmt_due(later[0].due, today))
            text = f"{text}\n{hint}"
        return [text]
    header = T.DUE_HEADER.format(label=label, range=shown, units=scope, count=len(due))
    return paginate(header, task_blocks(due, today))


def current_phase(plan: Plan, today: date) -> list[str]:
    """The running phase: name, dates, what it asks, days left; or where the campaign stands."""
    if not plan.phases:
        return [T.PHASE_NONE]
    phase = plan.phase_on(today)
    upcoming = plan.next_phase(today)
    if phase is None:
        return [_outside_phases(plan, today, upcoming)]
    left = days_until(today, phase.span.end)
    lines = [
        T.PHASE_CURRENT.format(
            name=phase.name,
            span=fmt_span(phase.span, today),
            left=T.PHASE_LAST_DAY if left == 0 else T.PHASE_DAYS_LEFT.format(days=left),
        )
    ]
    if phase.summary:
        lines.append(T.PHASE_SUMMARY.format(summary=phase.summary))
    open_tasks = [t for t in plan.tasks if t.due and today <= t.due.end <= phase.span.end]
    if open_tasks:
        lines.append(T.PHASE_OPEN_TASKS.format(count=len(open_tasks)))
    if upcoming:
        lines.append(
            T.PHASE_THEN.format(name=upcoming.name, date=fmt_date(upcoming.span.start, today))
        )
    return paginate("\n".join(lines), [])


def _outside_phases(plan: Plan, today: date, upcoming: Phase | None) -> str:
    past = [p for p in plan.phases if p.span.end < today]
    if upcoming is None:
        last = max(plan.phases, key=lambda p: p.span.end)
        return T.PHASE_AFTER.format(name=last.name, date=fmt_date(last.span.end, today))
    days = days_until(today, upcoming.span.start)
    start = fmt_date(upcoming.span.start, today)
    if not past:
        return T.PHASE_BEFORE.format(name=upcoming.name, date=start, days=days)
    prev = max(past, key=lambda p: p.span.end)
    return T.PHASE_BETWEEN.format(
        prev=prev.name,
        prev_end=fmt_date(prev.span.end, today),
        name=upcoming.name,
        date=start,
        days=days,
    )


def next_phase(plan: Plan, today: date) -> list[str]:
    """The next phase and when it starts; or that this is the last one."""
    if not plan.phases:
        return [T.PHASE_NONE]
    upcoming = plan.next_phase(today)
    if upcoming is None:
        phase = plan.phase_on(today)
        if phase is None:
            return [_outside_phases(plan, today, None)]
        return [T.NEXT_PHASE_LAST.format(name=phase.name, date=fmt_date(phase.span.end, today))]
    lines = [
        T.NEXT_PHASE.format(
            name=upcoming.name,
            span=fmt_span(upcoming.span, today),
            days=days_until(today, upcoming.span.start),
        )
    ]
    if upcoming.summary:
        lines.append(T.PHASE_SUMMARY.format(summary=upcoming.summary))
    return paginate("\n".join(lines), [])


def unit_tasks(plan: Plan, units: list[str], today: date) -> list[str]:
    """Every task of `units` (dated ones by deadline, undated ones last)."""
    tasks = sorted_tasks(tasks_of_units(plan, units))
    if not tasks:
        return [T.UNIT_EMPTY.format(units=_join(units))]
    header = T.UNIT_HEADER.format(units=_join(units), count=len(tasks))
    return paginate(header, task_blocks(tasks, today))


def _countdown_line(task: Task, today: date) -> str:
    if task.due is None:
        return T.COUNTDOWN_UNDATED.format(title=task.title)
    days = days_until(today, task.due.end)
    shown = fmt_due(task.due, today)
    if days > 0:
        return T.COUNTDOWN_FUTURE.format(title=task.title, date=shown, days=days)
    if days == 0:
        return T.COUNTDOWN_TODAY.format(title=task.title, date=shown)
    return T.COUNTDOWN_PAST.format(title=task.title, date=shown, days=-days)


def _phase_countdown(phase: Phase, today: date) -> str:
    start, end = phase.span.start, phase.span.end
    if today < start:
        days = days_until(today, start)
        return T.PHASE_STARTS.format(name=phase.name, date=fmt_date(start, today), days=days)
    if today > end:
        return T.PHASE_ENDED.format(name=phase.name, date=fmt_date(end, today))
    if today == end:
        return T.PHASE_ENDS_TODAY.format(name=phase.name, date=fmt_date(end, today))
    days = days_until(today, end)
    return T.PHASE_ENDS.format(name=phase.name, date=fmt_date(end, today), days=days)


def _date_countdown(subject: str, today: date) -> str | None:
    match = _DAY.match(subject)
    if not match:
        return None
    year = int(match.group(1)) if match.group(1) else today.year
    try:
        day = date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    days = days_until(today, day)
    shown = fmt_date(day, today)
    if days > 0:
        return T.COUNTDOWN_DATE_FUTURE.format(date=shown, days=days)
    if days == 0:
        return T.COUNTDOWN_DATE_TODAY.format(date=shown)
    return T.COUNTDOWN_DATE_PAST.format(date=shown, days=-days)


def countdown(plan: Plan, subject: str, today: date) -> list[str]:
    """Days left until the task `subject` names is due (or a phase ends, or a date comes);
    with no subject, the next upcoming deadline(s)."""
    if not subject:
        return _next_deadlines(plan, today)
    by_date = _date_countdown(subject, today)
    if by_date:
        return [by_date]
    names = [p.name for p in plan.phases]
    if "阶段" in subject or subject + "阶段" in names:
        found = best_matches(subject, names)
        if found:
            return [_phase_countdown(plan.phases[found[0]], today)]
    dated = plan.dated_tasks()
    found = best_matches(subject, [t.title for t in dated])
    tasks = [dated[i] for i in found]
    if not tasks:
        undated = [t for t in plan.tasks if t.due is None]
        tasks = [undated[i] for i in best_matches(subject, [t.title for t in undated])]
    if not tasks:
        return [T.COUNTDOWN_NO_MATCH.format(subject=subject)]
    return paginate(
        _countdown_line(tasks[0], today), [_countdown_line(t, today) for t in tasks[1:]]
    )


def _next_deadlines(plan: Plan, today: date) -> list[str]:
    upcoming = [t for t in plan.dated_tasks() if t.due and t.due.end >= today]
    if not upcoming or upcoming[0].due is None:
        return [T.COUNTDOWN_NONE_LEFT]
    first = upcoming[0].due.end
    same_day = [t for t in upcoming if t.due and t.due.end == first]
    days = days_until(today, first)
    if days == 0:
        header = T.COUNTDOWN_NEXT_TODAY.format(date=fmt_date(first, today))
    else:
        header = T.COUNTDOWN_NEXT_HEADER.format(date=fmt_date(first, today), days=days)
    return paginate(header, task_blocks(same_day, today))


def overdue(plan: Plan, today: date) -> list[str]:
    """Tasks whose deadline has passed (the plan does not record completion)."""
    past = [t for t in plan.dated_tasks() if t.due and t.due.end < today]
    if not past:
        return [T.OVERDUE_NONE]
    return paginate(T.OVERDUE_HEADER.format(count=len(past)), task_blocks(past, today))


def timetable(plan: Plan, today: date) -> list[str]:
    """The whole timetable: phases with their dates, then every task."""
    if not plan.phases and not plan.tasks:
        return [T.TIMETABLE_EMPTY.format(name=plan.name)]
    blocks: list[str] = []
    phases = sorted(plan.phases, key=lambda p: p.span.start)
    for index, phase in enumerate(phases, 1):
        line = T.TIMETABLE_PHASE_LINE.format(
            index=index, name=phase.name, span=fmt_span(phase.span, today)
        )
        blocks.append(f"{T.TIMETABLE_PHASES}\n{line}" if index == 1 else line)
    tasks = sorted_tasks(plan.tasks)
    if tasks:
        task_lines = task_blocks(tasks, today)
        task_lines[0] = f"{T.TIMETABLE_TASKS.format(count=len(tasks))}\n{task_lines[0]}"
        blocks.extend(task_lines)
    return paginate(T.TIMETABLE_HEADER.format(name=plan.name), blocks)


def resolve_units(plan: Plan, said: str) -> list[str]:
    """The plan's owner units that `said` names (see schedule_format.match_units)."""
    return match_units(said, owner_units(plan))
