"""Answers about phases and the campaign as a whole, as pages of text: pure functions of the
plan, the question and today's date (no services, no I/O).

A phase is found by its place in date order ("#3", "#-1" for the last) or loosely by name
("调研" finds 学习调研阶段). The campaign runs from its first phase's start to its last
phase's end (from its first to its last deadline when the plan has no phases).
"""

from __future__ import annotations

from datetime import date

from domain.calendar import days_until
from domain.plan import Phase, Plan
from domain.questions import Question
from handlers.schedule_format import best_matches, fmt_date, fmt_span, paginate, task_blocks
from texts import schedule as T


def ordered_phases(plan: Plan) -> list[Phase]:
    return sorted(plan.phases, key=lambda p: p.span.start)


def find_phase(plan: Plan, ref: str) -> Phase | None:
    """The phase `ref` names: "#3" the third, "#-1" the last, else words of its name."""
    phases = ordered_phases(plan)
    if ref.startswith("#"):
        index = int(ref[1:])
        position = index - 1 if index > 0 else len(phases) + index
        return phases[position] if 0 <= position < len(phases) else None
    names = [p.name for p in phases]
    found = best_matches(ref + "阶段", names) or best_matches(ref, names)
    return phases[found[0]] if found else None


def phase_not_found(plan: Plan, ref: str, today: date) -> list[str]:
    """Which phases there are, when `ref` names none of them."""
    phases = ordered_phases(plan)
    if not phases:
        return [T.PHASE_NONE]
    said = T.PHASE_ORDINAL.format(n=ref[1:]) if ref.startswith("#") else ref + "阶段"
    lines = [
        T.TIMETABLE_PHASE_LINE.format(index=i, name=p.name, span=fmt_span(p.span, today))
        for i, p in enumerate(phases, 1)
    ]
    return paginate(T.PHASE_NOT_FOUND.format(said=said, count=len(phases)), lines)


# (still ahead, today, past) wordings for a phase's start and end.
_START_TEXTS = (T.PHASE_STARTS, T.STARTS_TODAY, T.STARTED)
_END_TEXTS = (T.PHASE_ENDS, T.PHASE_ENDS_TODAY, T.ENDED_AGO)


def _relative(name: str, day: date, today: date, wordings: tuple[str, str, str]) -> str:
    """`name` starts/ends on `day`, said relative to `today`."""
    days = days_until(today, day)
    ahead, on_the_day, past = wordings
    text = ahead if days > 0 else on_the_day if days == 0 else past
    return text.format(name=name, date=fmt_date(day, today), days=abs(days))


def _starts(name: str, start: date, today: date) -> str:
    return _relative(name, start, today, _START_TEXTS)


def _ends(name: str, end: date, today: date) -> str:
    return _relative(name, end, today, _END_TEXTS)


def _length(name: str, start: date, end: date, today: date) -> str:
    span = T.SPAN.format(start=fmt_date(start, today), end=fmt_date(end, today))
    return T.LENGTH.format(name=name, span=span, days=days_until(start, end) + 1)


def _since(name: str, start: date, end: date, today: date) -> str:
    if today < start:
        return _starts(name, start, today)
    shown = fmt_date(start, today)
    days = days_until(start, today)
    if today > end:
        return T.SINCE_ENDED.format(name=name, date=shown, days=days, end=fmt_date(end, today))
    return T.SINCE.format(name=name, date=shown, days=days)


def _left(name: str, start: date, end: date, today: date) -> str:
    if today < start:
        return f"{_starts(name, start, today)}{T.THEN_ENDS.format(date=fmt_date(end, today))}"
    return _ends(name, end, today)


def _span_answer(aspect: str, name: str, start: date, end: date, today: date) -> str:
    if aspect in ("start", "until"):
        return _starts(name, start, today)
    if aspect == "end":
        return _ends(name, end, today)
    if aspect == "length":
        return _length(name, start, end, today)
    if aspect == "since":
        return _since(name, start, end, today)
    return _left(name, start, end, today)


def phase_info(plan: Plan, question: Question, today: date) -> list[str]:
    """What is asked of one phase: its start, end, days to or since, length, or all of it."""
    ref = question.phase or "#1"
    phase = find_phase(plan, ref)
    if phase is None:
        return phase_not_found(plan, ref, today)
    aspect = question.aspect or "info"
    start, end = phase.span.start, phase.span.end
    if aspect == "current":
        running = plan.phase_on(today)
        if running is phase:
            return [T.PHASE_IS_CURRENT.format(name=phase.name, span=fmt_span(phase.span, today))]
        now = T.NOW_IN.format(name=running.name) if running else T.NOW_NONE
        left = _left(phase.name, start, end, today)
        return [f"{T.PHASE_NOT_CURRENT.format(name=phase.name)}{now}{left}"]
    if aspect != "info":
        return [_span_answer(aspect, phase.name, start, end, today)]
    lines = [T.PHASE_INFO.format(name=phase.name, span=fmt_span(phase.span, today))]
    if phase.summary:
        lines.append(T.PHASE_SUMMARY.format(summary=phase.summary))
    lines.append(_left(phase.name, start, end, today))
    due = [t for t in plan.dated_tasks() if t.due and start <= t.due.end <= end]
    if not due:
        return paginate("\n".join(lines), [])
    lines.append(T.PHASE_TASKS.format(count=len(due)))
    return paginate("\n".join(lines), task_blocks(due, today))


def campaign_bounds(plan: Plan) -> tuple[date, date] | None:
    """The campaign's first and last day: its phases', else its deadlines'."""
    if plan.phases:
        return min(p.span.start for p in plan.phases), max(p.span.end for p in plan.phases)
    dated = plan.dated_tasks()
    if not dated or dated[0].due is None or dated[-1].due is None:
        return None
    return dated[0].due.start, dated[-1].due.end


def campaign_span(plan: Plan, question: Question, today: date) -> list[str]:
    """When the whole campaign starts or ends, how long it runs, how much is left or past."""
    bounds = campaign_bounds(plan)
    if bounds is None:
        return [T.CAMPAIGN_NO_DATES.format(name=plan.name)]
    start, end = bounds
    return [_span_answer(question.aspect or "left", plan.name, start, end, today)]


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
