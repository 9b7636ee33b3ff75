"""Which notices a campaign plan implies, and when they may go out: pure, standard library only.

Three kinds, all derived from the plan (domain.plan.Plan):
- ``phase_start``: on a phase's first day at the reminder time, to the campaign's subscribers;
- ``deadline``: each reminder day before a task's deadline (0 = the day itself) at the reminder
  time, to the subscribers bound to the task's owner unit (a task without owner has no
  reminder: there is nobody to address it to);
- ``digest``: on the Monday of every week with deadlines, at DIGEST_TIME, one per owner unit
  (joint owners "局党组、局活动办" count for each), listing that unit's deadlines of the week.

Quiet hours (22:00–07:30 local): nothing is sent; a notice falling inside waits for 07:30.
Keys are stable: the same plan and settings give the same keys; a moved date gives a new key
(the time of day is not part of the key, so changing BOT_REMINDER_TIME moves a notice in place).

Superseded: the deadline reminders of one task (one deadline, same owner) share a key prefix,
``deadline_group``. Once a later one is due, an earlier one not yet sent is never sent: at a D-1
moment after a stoppage the person gets "明天到期", not also "还有3天到期" for the same task.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from domain.plan import Phase, Plan, Task
from texts import notices as T

QUIET_START = time(22, 0)
QUIET_END = time(7, 30)
DIGEST_TIME = time(8, 30)
MAX_LATE = timedelta(hours=6)  # awake time a notice may be late and still go out
TEMPLATE_FIELD_MAX = 20
KINDS = ("phase_start", "deadline", "digest")
_OWNER_SPLIT = re.compile(r"[、,，/;；\s]+")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


@dataclass(frozen=True)
class NoticeSpec:
    """One notice a plan implies; ``due_at`` is aware and already out of quiet hours."""

    key: str
    campaign_code: str
    kind: str  # "phase_start" | "deadline" | "digest"
    due_at: datetime
    unit: str  # the owner unit addressed ("" = every subscriber of the campaign)
    title: str  # for operators (preview, results)
    text: str  # the customer-service message
    fields: dict[str, str] = field(default_factory=dict, hash=False)  # template message values


# --- Time rules ---------------------------------------------------------------------------------
def is_quiet(dt: datetime, tz: tzinfo | None = None) -> bool:
    """True when `dt` (aware) falls in quiet hours, 22:00–07:30 local."""
    local = dt.astimezone(tz or dt.tzinfo)
    return local.time() >= QUIET_START or local.time() < QUIET_END


def shift_out_of_quiet(dt: datetime, tz: tzinfo | None = None) -> datetime:
    """`dt` itself, or the 07:30 that ends the quiet hours it falls in (local time of `tz`,
    default `dt`'s own zone)."""
    zone = tz or dt.tzinfo
    local = dt.astimezone(zone)
    if local.time() >= QUIET_START:
        return datetime.combine(local.date() + timedelta(days=1), QUIET_END, tzinfo=zone)
    if local.time() < QUIET_END:
        return datetime.combine(local.date(), QUIET_END, tzinfo=zone)
    return local


def awake_between(start: datetime, end: datetime, tz: tzinfo) -> timedelta:
    """The time between `start` and `end` outside quiet hours. Beyond two days the plain
    difference is returned (it exceeds any lateness threshold either way)."""
    if end <= start:
        return timedelta(0)
    if end - start > timedelta(days=2):
        return end - start
    total = timedelta(0)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        awake_from = datetime.combine(day, QUIET_END, tzinfo=tz)
        awake_to = datetime.combine(day, QUIET_START, tzinfo=tz)
        lo, hi = max(start, awake_from), min(end, awake_to)
        if hi > lo:
            total += hi - lo
        day += timedelta(days=1)
    return total


def is_missed(due_at: datetime, now: datetime, tz: tzinfo, max_late: timedelta = MAX_LATE) -> bool:
    """A notice not started by `now` is missed once it is `max_late` late in awake time (quiet
    hours do not count: a notice due at 21:00 found at 23:00 still goes out at 07:30)."""
    return awake_between(due_at, now, tz) >= max_late


def deadline_group(key: str) -> str | None:
    """The task a deadline reminder key belongs to (its key without the days-before part), or
    None for other kinds."""
    head, _sep, _before = key.rpartition(":")
    return head if ":deadline:" in head else None


def superseded(notices: Iterable[tuple[str, datetime]], now: datetime) -> set[str]:
    """The keys, among (key, due_at) pairs, of deadline reminders for which a later reminder
    of the same task is also due by `now`: only the latest due one of each task may go out."""
    latest: dict[str, datetime] = {}
    due = [(key, at, deadline_group(key)) for key, at in notices if at <= now]
    for _key, at, group in due:
        if group is not None and at > latest.get(group, at - timedelta(seconds=1)):
            latest[group] = at
    return {key for key, at, group in due if group is not None and at < latest[group]}


# --- Units --------------------------------------------------------------------------------------
def split_units(owner: str) -> list[str]:
    """The units of an owner field ("局党组、局活动办" -> two), in order, without duplicates."""
    return list(dict.fromkeys(u for u in _OWNER_SPLIT.split(owner.strip()) if u))


def unit_matches(unit: str | None, owner: str) -> bool:
    """Loose match of a subscriber's unit to a task owner: equal, or one contains the other
    (the shorter at least two characters, so "局" alone matches nothing)."""
    a, b = (unit or "").strip(), owner.strip()
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return len(shorter) >= 2 and shorter in longer


# --- Text helpers -------------------------------------------------------------------------------
def short(text: str, limit: int = TEMPLATE_FIELD_MAX) -> str:
    """One line of at most `limit` characters (cut with an ellipsis)."""
    line = _LINE_BREAKS.sub(" ", text).strip()
    return line if len(line) <= limit else line[: limit - 1] + T.ELLIPSIS


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _day(d: date) -> str:
    return T.DATE.format(month=d.month, day=d.day)


def _day_weekday(d: date) -> str:
    return T.DATE_WITH_WEEKDAY.format(month=d.month, day=d.day, weekday=T.WEEKDAYS[d.weekday()])


def _full_day(d: date) -> str:
    return T.DATE_FULL.format(year=d.year, month=d.month, day=d.day)


def _fields(kind: str, subject: str, when: str, note: str) -> dict[str, str]:
    keys = T.TEMPLATE_KEYS
    return {
        keys["kind"]: short(T.KIND_LABELS[kind]),
        keys["subject"]: short(subject),
        keys["date"]: short(when),
        keys["note"]: short(note),
    }


# --- The notices of a plan ----------------------------------------------------------------------
def _at(day: date, at: time, tz: tzinfo) -> datetime:
    return shift_out_of_quiet(datetime.combine(day, at, tzinfo=tz), tz)


def _phase_notice(plan: Plan, phase: Phase, at: time, tz: tzinfo) -> NoticeSpec:
    span = T.SPAN.format(start=_day(phase.span.start), end=_day(phase.span.end))
    summary = T.PHASE_SUMMARY.format(summary=short(phase.summary, 60)) if phase.summary else ""
    return NoticeSpec(
        key=f"{plan.code}:phase:{_digest(phase.name)}:{phase.span.start.isoformat()}",
        campaign_code=plan.code,
        kind="phase_start",
        due_at=_at(phase.span.start, at, tz),
        unit="",
        title=T.PHASE_TITLE.format(phase=phase.name),
        text=T.PHASE_START.format(campaign=plan.name, phase=phase.name, span=span, summary=summary),
        fields=_fields("phase_start", phase.name, _full_day(phase.span.start), plan.name),
    )


def _when(days: int) -> str:
    if days == 0:
        return T.DEADLINE_TODAY
    return T.DEADLINE_TOMORROW if days == 1 else T.DEADLINE_IN_DAYS.format(days=days)


def _deadline_notices(
    plan: Plan, task: Task, days: Iterable[int], at: time, tz: tzinfo
) -> list[NoticeSpec]:
    deadline = task.deadline
    if deadline is None or not task.owner.strip():
        return []
    task_hash = _digest(f"{task.title}|{task.owner.strip()}")
    notices = []
    for before in sorted(set(days), reverse=True):
        when = _when(before)
        notices.append(
            NoticeSpec(
                key=f"{plan.code}:deadline:{task_hash}:{deadline.isoformat()}:{before}",
                campaign_code=plan.code,
                kind="deadline",
                due_at=_at(deadline - timedelta(days=before), at, tz),
                unit=task.owner.strip(),
                title=T.DEADLINE_TITLE.format(when=when, title=short(task.title, 40)),
                text=T.DEADLINE.format(
                    campaign=plan.name,
                    owner=task.owner.strip(),
                    title=task.title,
                    when=when,
                    deadline=_day_weekday(deadline),
                ),
                fields=_fields("deadline", task.title, _full_day(deadline), when),
            )
        )
    return notices


def _digest_notices(plan: Plan, at: time, tz: tzinfo) -> list[NoticeSpec]:
    weeks: dict[tuple[str, date], list[Task]] = defaultdict(list)
    for task in plan.dated_tasks():
        deadline = task.deadline
        assert deadline is not None  # dated_tasks() has only dated ones
        monday = deadline - timedelta(days=deadline.weekday())
        for unit in split_units(task.owner):
            weeks[(unit, monday)].append(task)
    notices = []
    for (unit, monday), tasks in weeks.items():
        shown = tasks[: T.DIGEST_MAX_LINES]
        lines = [
            T.DIGEST_LINE.format(index=i, title=t.title, deadline=_day_weekday(t.deadline))  # type: ignore[arg-type]
            for i, t in enumerate(shown, 1)
        ]
        if len(tasks) > len(shown):
            lines.append(T.DIGEST_MORE.format(more=len(tasks) - len(shown)))
        span = T.SPAN.format(start=_day(monday), end=_day(monday + timedelta(days=6)))
        notices.append(
            NoticeSpec(
                key=f"{plan.code}:digest:{_digest(unit)}:{monday.isoformat()}",
                campaign_code=plan.code,
                kind="digest",
                due_at=_at(monday, at, tz),
                unit=unit,
                title=T.DIGEST_TITLE.format(unit=unit, count=len(tasks)),
                text=T.DIGEST.format(
                    campaign=plan.name,
                    span=span,
                    unit=unit,
                    count=len(tasks),
                    lines="\n".join(lines),
                ),
                fields=_fields("digest", T.DIGEST_SUBJECT.format(count=len(tasks)), span, unit),
            )
        )
    return notices


def compute_notices(
    plan: Plan,
    reminder_time: time,
    reminder_days: Iterable[int],
    tz: tzinfo,
    *,
    digest_time: time = DIGEST_TIME,
) -> list[NoticeSpec]:
    """Every notice `plan` implies, soonest first; keys are unique (a task repeated with the
    same title, owner and deadline gives one set of reminders)."""
    days = tuple(reminder_days)
    specs: dict[str, NoticeSpec] = {}
    candidates: list[NoticeSpec] = [_phase_notice(plan, p, reminder_time, tz) for p in plan.phases]
    for task in plan.tasks:
        candidates.extend(_deadline_notices(plan, task, days, reminder_time, tz))
    candidates.extend(_digest_notices(plan, digest_time, tz))
    for spec in candidates:
        specs.setdefault(spec.key, spec)
    return sorted(specs.values(), key=lambda s: (s.due_at, s.key))
