"""What a run may still send of what it finds due: the catch-up rules, in one place.

A run at a moment (the scheduler's tick, or `jobs run --at`) finds every notice whose time has
come and is not finished. Of those:

1. **Superseded first.** A deadline reminder whose later reminder for the same task is also due
   (domain.notices.superseded) is never sent: the notice becomes "superseded", and so do its
   deliveries waiting for a retry. Whoever has not had "还有3天到期" gets "明天到期" only. This
   holds even with --include-missed.
2. **The catch-up window.** A notice not started within 6 awake hours of its time (quiet hours
   do not count; README) is recorded "missed" instead of sent: a stopped scheduler, or a
   rehearsal at a date long after the plan, must not flood people with stale reminders.
3. **Only when asked:** `jobs run --at … --include-missed` sends those late notices too,
   including ones recorded "missed" earlier, and says how many.

A fan-out already under way ("sending") is always finished: its first recipients had it on time.
`run_due` applies these rules, then fans out; the scheduler (jobs/runner.py) and `jobs run`
(jobs/cli.py) both call it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo

from domain.notices import deadline_group, is_missed, is_quiet, superseded
from jobs import deliver
from jobs.ports import OPEN, DueNotice, NoticeStore

log = logging.getLogger(__name__)

SUPERSEDED_REASON = "superseded by a later reminder for the same task"


def waiting_statuses(include_missed: bool) -> tuple[str, ...]:
    """The notice statuses a run picks up."""
    return (*OPEN, "missed") if include_missed else OPEN


def still_to_send(notices: list[DueNotice], now: datetime, tz: tzinfo) -> list[DueNotice]:
    """Of open notices, those a run at `now` would still send: not superseded by a later
    reminder for the same task, and not so late that the run records them as missed."""
    gone = superseded([(n.key, n.due_at) for n in notices], now)
    return [
        n
        for n in notices
        if n.key not in gone
        and not (n.status == "scheduled" and n.due_at < now and is_missed(n.due_at, now, tz))
    ]


def supersede(
    notices: NoticeStore, now: datetime, *, include_missed: bool = False
) -> list[DueNotice]:
    """Record as superseded every waiting deadline reminder due by `now` whose task has a later
    reminder also due by `now` (whatever became of that one), and the waiting retries of one
    already fanned out; returns the notices concerned."""
    waiting = notices.due(now, waiting_statuses(include_missed), kind="deadline")
    candidates = waiting + notices.retrying_deadlines(now)
    if not candidates:
        return []
    groups = {deadline_group(n.key) for n in candidates}
    later = notices.later_deadlines(
        {n.campaign_code for n in candidates}, min(n.due_at for n in candidates), now
    )
    pairs = [(n.key, n.due_at) for n in candidates]
    pairs += [(key, due) for key, due in later if deadline_group(key) in groups]
    gone = superseded(pairs, now)
    return [
        n
        for n in candidates
        if n.key in gone and notices.mark_superseded(n, SUPERSEDED_REASON, datetime.now(UTC))
    ]


@dataclass
class RunReport:
    """What one run did: notices fanned out or retried (with this run's outcome counts),
    notices recorded as missed or superseded, late notices sent because the operator asked
    (--include-missed), whether it was quiet hours, and whether sends were only recorded."""

    at: datetime
    quiet: bool = False
    records_only: bool = False
    notices: dict[int, DueNotice] = field(default_factory=dict)
    counts: dict[int, Counter[str]] = field(default_factory=dict)
    missed: list[DueNotice] = field(default_factory=list)
    superseded: list[DueNotice] = field(default_factory=list)
    included_missed: list[DueNotice] = field(default_factory=list)

    def total(self) -> Counter[str]:
        """Outcome counts over every notice."""
        total: Counter[str] = Counter()
        for counts in self.counts.values():
            total.update(counts)
        return total


def run_due(
    ctx: deliver.DeliveryContext,
    now: datetime,
    *,
    include_missed: bool = False,
    keep_going: Callable[[], bool] = lambda: True,
    now_fn: Callable[[], datetime] | None = None,
) -> RunReport:
    """Send what is due at `now` under the catch-up rules (jobs/catchup.py): superseded
    deadline reminders are recorded and never sent; a notice not started 6 awake hours after
    its time is recorded as missed, unless `include_missed` (an operator's explicit
    `jobs run --include-missed`), which sends it, and earlier missed ones too. Then the
    retries whose time has come."""
    ctx = replace(ctx, now=now_fn or (lambda: now), keep_going=keep_going)
    records_only = any(getattr(c, "records_only", False) for c in ctx.channels)
    report = RunReport(at=now, records_only=records_only)
    if is_quiet(now, ctx.tz):
        report.quiet = True
        return report
    report.superseded = supersede(ctx.notices, now, include_missed=include_missed)
    tally = deliver.Tally()
    for notice in ctx.notices.due(now, waiting_statuses(include_missed)):
        if not keep_going():
            break
        if notice.status in ("scheduled", "missed"):
            late = notice.status == "missed" or is_missed(notice.due_at, now, ctx.tz)
            if late and not include_missed:
                if ctx.notices.set_status(notice.id, "missed", when=("scheduled",), now=now):
                    log.info(  # the caller says how many (one line, not one per notice)
                        "notice %s (%s) missed: due %s, found at %s",
                        notice.id,
                        notice.kind,
                        notice.due_at.isoformat(),
                        now.isoformat(),
                    )
                    report.missed.append(notice)
                continue
            stamp = datetime.now(UTC)
            if not ctx.notices.set_status(notice.id, "sending", when=(notice.status,), now=stamp):
                continue  # deleted by a plan change, or finished meanwhile
            if late:
                report.included_missed.append(notice)
        report.notices[notice.id] = notice
        deliver.fan_out(ctx, notice, tally)
    deliver.retry_due(ctx, tally)
    report.counts = tally.counts
    unknown = set(report.counts) - set(report.notices)
    if unknown:
        report.notices.update(ctx.notices.by_id(unknown))
    return report
