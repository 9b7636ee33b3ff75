"""Answers to schedule questions about one plan, as pages of text: pure functions of the plan,
the question and today's date (no services, no I/O)."""

from __future__ import annotations

import re
from datetime import date

from domain.calendar import days_until
from domain.periods import resolve_period
from domain.plan import Phase, Plan, Task
from domain.questions import Question
from handlers.schedule_format import (
    best_matches,
    closest_units,
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
from texts import schedule as T

_DAY = re.compile(r"^(?:(\d{4})年)?(1[0-2]|[1-9])月([12]\d|3[01]|[1-9])[日号]?$")


def _join(units: list[str] | tuple[str, ...]) -> str:
    return T.UNIT_SEPARATOR.join(units)


def unit_not_found(plan: Plan, unit: str) -> list[str]:
    """Pages saying `unit` is not an owner in the plan: the closest units, else all of them."""
    units = owner_units(plan)
    if not units:
        return [T.UNIT_NO_OWNERS]
    close = closest_units(unit, units)
    if close:
        text = T.UNIT_NOT_FOUND_CLOSE.format(unit=unit, units=_join(close), example=close[0])
        return paginate(text, [])
    return paginate(T.UNIT_NOT_FOUND.format(unit=unit, units=_join(units)), [])


def range_label(question: Question, start: date, end: date, today: date) -> str:
    """How the asked period is named in the answer ("下下周", "未来10天", "本周三前")."""
    kind = question.range_kind or "this_week"
    if kind == "month":
        return T.MONTH_LABEL.format(month=question.month)
    if kind == "quarter" and question.count:
        return T.QUARTER_LABEL.format(count=question.count)
    if kind in T.RANGE_LABELS:
        return T.RANGE_LABELS[kind]
    if kind not in T.RANGE_FORMATS:
        return ""
    weekday = T.WEEKDAY_NAMES[question.weekday or 0]
    return T.RANGE_FORMATS[kind].format(
        count=question.count,
        week=T.WEEK_PREFIX.get(question.count or 0, ""),
        weekday=weekday,
        month=start.month,
        part=T.PART_NAMES.get(question.part or "", ""),
        date=fmt_date(end, today),
        half="上" if question.count == 1 else "下",
    )


def _period(question: Question, today: date) -> tuple[date, date]:
    kind = question.range_kind or "this_week"
    return resolve_period(kind, today, **question.period())  # type: ignore[arg-type]


def due_range(
    plan: Plan, question: Question, today: date, units: list[str], lead: str = ""
) -> list[str]:
    """Tasks whose deadline falls in the asked range, optionally only those of `units`.
    `lead` goes first (what was understood of an unclear question)."""
    start, end = _period(question, today)
    label = range_label(question, start, end, today)
    shown = fmt_date(start, today)
    if question.range_kind == "remaining":
        shown = T.FROM_DAY.format(date=shown)
    elif end != start:
        shown = T.SPAN.format(start=shown, end=fmt_date(end, today))
    when = T.WHEN.format(label=label, range=shown) if label and label != shown else shown
    if question.note and not lead:
        lead = T.DUE_PARTIAL.format(label=label or shown, note=question.note)
    lead = f"{lead}\n" if lead else ""
    pool = tasks_of_units(plan, units) if units else list(plan.tasks)
    due = [t for t in sorted_tasks(pool) if t.due and start <= t.due.end <= end]
    scope = T.DUE_UNITS.format(units=_join(units)) if units else ""
    if not due:
        text = lead + T.DUE_NONE.format(when=when, units=scope)
        later = [t for t in sorted_tasks(pool) if t.due and t.due.end > end]
        if later and later[0].due:
            hint = T.DUE_NEXT_HINT.format(title=later[0].title, date=fmt_due(later[0].due, today))
            text = f"{text}\n{hint}"
        return paginate(text, [])
    header = lead + T.DUE_HEADER.format(when=when, units=scope, count=len(due))
    return paginate(header, task_blocks(due, today))


def due_range_unit_unknown(plan: Plan, question: Question, today: date) -> list[str]:
    """A period with a unit the plan lacks: every unit's tasks, saying so first."""
    said = question.unit or ""
    close = closest_units(said, owner_units(plan))
    start, end = _period(question, today)
    label = range_label(question, start, end, today) or fmt_date(start, today)
    closest = T.UNIT_CLOSEST.format(units=_join(close)) if close else ""
    lead = T.DUE_UNIT_UNKNOWN.format(unit=said, closest=closest, when=label)
    return due_range(plan, question, today, [], lead)


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
