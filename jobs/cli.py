"""`python -m bot jobs preview|run` (INTERFACES.md): what will go out, and sending it by hand.

- ``preview [--days N] [--json]``: the open notices due within N days (and those late but
  still sendable), when, and to how many; the text form adds the recent results.
- ``run --at "YYYY-MM-DD HH:MM" [--include-missed]`` (local time in BOT_TIMEZONE): what the
  scheduler would do at that moment (a catch-up or rehearsal): send what falls due then and
  what the catch-up window (6 awake hours) still allows, plus the retries due by then; record
  superseded deadline reminders and older notices ("missed") without sending them
  (jobs/catchup.py). ``--include-missed`` sends the missed ones too and says how many. Nothing
  is sent inside quiet hours. A second run finds nothing new: every recipient has a row.

Both say plainly when WECHAT_APPID/SECRET are unset: messages are then recorded, not sent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TextIO

from jobs import notices
from jobs.catchup import still_to_send
from jobs.lease import KeepAlive, new_runner_id, runner_lease, sweep_uncertain
from jobs.ports import JobsDeps
from jobs.runner import RunReport, delivery_context, run_due

HEARTBEAT_TTL = 30.0
AT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
STATUS_ORDER = (
    "sent",
    "recorded",
    "retry",
    "failed",
    "undeliverable",
    "superseded",
    "uncertain",
    "sending",
)
RECORDING_ONLY = (
    "NOTE: WECHAT_APPID/WECHAT_SECRET are unset: nothing goes to WeChat; "
    'messages are only recorded (status "recorded"), not sent.'
)


def dispatch(args: argparse.Namespace, deps: JobsDeps, out: TextIO | None = None) -> int:
    """Run `jobs preview` or `jobs run`; returns the exit status."""
    out = out or sys.stdout
    if args.jobs_command == "preview":
        return preview(deps, args.days, args.json, out)
    return run(deps, args.at, out, include_missed=getattr(args, "include_missed", False))


def _now(deps: JobsDeps) -> datetime:
    """The real moment, on the rehearsal date when BOT_TODAY is set."""
    now = datetime.now(deps.settings.tz)
    today = deps.settings.today
    return now if today is None else datetime.combine(today, now.timetz())


def format_counts(counts: Mapping[str, int]) -> str:
    """ "sent 3, failed 1 (43004×1), undeliverable 1" - statuses in a fixed order."""
    parts = []
    for status in STATUS_ORDER:
        if not counts.get(status):
            continue
        codes = sorted(
            (k.split(":", 1)[1], v) for k, v in counts.items() if k.startswith(status + ":")
        )
        detail = f" ({', '.join(f'{c}×{n}' for c, n in codes)})" if codes else ""
        parts.append(f"{status} {counts[status]}{detail}")
    return ", ".join(parts) or "nobody to send to"


def preview(deps: JobsDeps, days: int, as_json: bool, out: TextIO) -> int:
    """Print the notices that will go out within `days` days."""
    if days < 0:
        print("error: --days must be 0 or more", file=sys.stderr)
        return 2
    notices.sync(deps)
    tz = deps.settings.tz
    now = _now(deps)
    horizon = now + timedelta(days=days)
    audiences: dict[str, notices.Audience] = {}
    items: list[dict[str, Any]] = []
    upcoming = deps.notices.upcoming(now - timedelta(days=2), horizon)
    for notice in still_to_send(upcoming, now, tz):  # superseded and missed ones are not sent
        if notice.campaign_code not in audiences:
            audiences[notice.campaign_code] = notices.audience(deps.notices, notice.campaign_code)
        items.append(
            {
                "key": notice.key,
                "kind": notice.kind,
                "due_at": notice.due_at.astimezone(tz).isoformat(),
                "title": notice.title,
                "recipients": audiences[notice.campaign_code].size(notice.unit),
                "campaign": notice.campaign_code,
                "unit": notice.unit,
                "status": notice.status,
            }
        )
    if as_json:
        if not deps.settings.outbound_enabled:
            print(RECORDING_ONLY, file=sys.stderr)  # stdout stays valid JSON
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not deps.settings.outbound_enabled:
        print(RECORDING_ONLY, file=out)
    print(f"notices due by {horizon:%Y-%m-%d %H:%M} ({tz.key}):", file=out)
    if not items:
        print("  none", file=out)
    for item in items:
        due = datetime.fromisoformat(item["due_at"])
        print(
            f"  {due:%Y-%m-%d %H:%M}  {item['kind']:<11}  to {item['recipients']:>5}  "
            f"{item['title']}",
            file=out,
        )
    _print_recent(deps, now - timedelta(days=max(days, 1)), now, out)
    return 0


def _print_recent(deps: JobsDeps, start: datetime, end: datetime, out: TextIO) -> None:
    recent = deps.notices.recent(start, end)
    if not recent:
        return
    tz = deps.settings.tz
    counts = deps.notices.results([n.id for n in recent])
    print(f"recent results (since {start:%Y-%m-%d %H:%M}):", file=out)
    for n in recent:
        summary = (
            f"{n.status} (not sent)"
            if n.status in ("missed", "superseded")
            else format_counts(counts[n.id])
        )
        print(
            f"  {n.due_at.astimezone(tz):%Y-%m-%d %H:%M}  {n.kind:<11}  {n.status:<8}  "
            f"{n.title}: {summary}",
            file=out,
        )


def parse_at(text: str, tz: Any) -> datetime | None:
    """`YYYY-MM-DD HH:MM` as local time in `tz`, or None."""
    for fmt in AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    return None


def run(deps: JobsDeps, at_text: str, out: TextIO, *, include_missed: bool = False) -> int:
    """Send what is due at `at_text`; print one line per notice with this run's results, then
    what was recorded and not sent (missed, superseded), and whether sends were only recorded."""
    tz = deps.settings.tz
    at = parse_at(at_text, tz)
    if at is None:
        print(
            f'error: --at {at_text!r}: expected "YYYY-MM-DD HH:MM" (local time, {tz.key})',
            file=sys.stderr,
        )
        return 2
    runner_id = new_runner_id()
    heartbeat = runner_lease(deps.leases, runner_id, HEARTBEAT_TTL)
    keep_alive = KeepAlive(heartbeat.acquire, HEARTBEAT_TTL / 3, "jobs-run-heartbeat").start()
    try:
        notices.sync(deps)
        sweep_uncertain(deps.leases)
        ctx = delivery_context(deps, runner_id)
        report = run_due(ctx, at, include_missed=include_missed)
        still_missed = 0 if include_missed else len(deps.notices.due(at, ("missed",)))
    finally:
        keep_alive.stop()
        heartbeat.release()
    if report.records_only:
        print(RECORDING_ONLY, file=out)
    if report.quiet:
        print(f"{at:%Y-%m-%d %H:%M} is within quiet hours (22:00-07:30): nothing sent", file=out)
        return 0
    _print_run(deps, report, out)
    _print_not_sent(report, at_text, still_missed, out)
    return 0


def _print_run(deps: JobsDeps, report: RunReport, out: TextIO) -> None:
    tz = deps.settings.tz
    if not report.counts and not report.notices:
        print(f"nothing due at {report.at:%Y-%m-%d %H:%M} that has not been sent", file=out)
        return
    totals = deps.notices.results(list(report.notices))
    for notice_id, notice in report.notices.items():
        counts = report.counts.get(notice_id, Counter())
        print(
            f"{notice.due_at.astimezone(tz):%Y-%m-%d %H:%M}  {notice.kind:<11}  "
            f"{notice.title}: {format_counts(counts)} (all runs: "
            f"{format_counts(totals[notice_id])})",
            file=out,
        )
    print(f"total this run: {format_counts(Counter(report.total()))}", file=out)


def _print_not_sent(report: RunReport, at_text: str, still_missed: int, out: TextIO) -> None:
    if report.included_missed:
        print(
            f"--include-missed: {len(report.included_missed)} notices older than the catch-up "
            "window (6 awake hours) were included",
            file=out,
        )
    if report.superseded:
        print(
            f"{len(report.superseded)} deadline reminders superseded by a later reminder for "
            "the same task: recorded, never sent",
            file=out,
        )
    if still_missed:
        print(
            f"{still_missed} notices older than the catch-up window (6 awake hours) are "
            f"recorded as missed, not sent ({len(report.missed)} of them in this run); "
            f'to send them anyway: jobs run --at "{at_text}" --include-missed',
            file=out,
        )
