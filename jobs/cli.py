"""`python -m bot jobs preview|run` (INTERFACES.md): what will go out, and sending it by hand.

- ``preview [--days N] [--json]``: the open notices due within N days (and those late but
  still sendable), when, and to how many; the text form adds the recent results.
- ``run --at "YYYY-MM-DD HH:MM"`` (local time in BOT_TIMEZONE): send every notice due at that
  moment and not yet sent, however late (an operator's catch-up or rehearsal; only notices the
  scheduler already recorded as "missed" stay missed), plus the retries due by then. Nothing
  is sent inside quiet hours. A second run finds nothing new: every recipient has a row.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TextIO

from domain.notices import is_missed
from jobs import notices_store as store
from jobs.lease import KeepAlive, new_runner_id, runner_lease, sweep_uncertain
from jobs.runner import delivery_context, run_due

HEARTBEAT_TTL = 30.0
AT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
STATUS_ORDER = ("sent", "retry", "failed", "undeliverable", "uncertain", "sending")


def dispatch(args: argparse.Namespace, state: Any, out: TextIO | None = None) -> int:
    """Run `jobs preview` or `jobs run`; returns the exit status."""
    out = out or sys.stdout
    if args.jobs_command == "preview":
        return preview(state, args.days, args.json, out)
    return run(state, args.at, out)


def _now(state: Any) -> datetime:
    """The real moment, on the rehearsal date when BOT_TODAY is set."""
    now = datetime.now(state.settings.tz)
    today = state.settings.today
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


def preview(state: Any, days: int, as_json: bool, out: TextIO) -> int:
    """Print the notices that will go out within `days` days."""
    if days < 0:
        print("error: --days must be 0 or more", file=sys.stderr)
        return 2
    store.sync_for_state(state)
    tz = state.settings.tz
    now = _now(state)
    horizon = now + timedelta(days=days)
    audiences: dict[str, store.Audience] = {}
    items: list[dict[str, Any]] = []
    for notice in store.upcoming(state.db, now - timedelta(days=2), horizon):
        if (
            notice.status == "scheduled"
            and notice.due_at < now
            and is_missed(notice.due_at, now, tz)
        ):
            continue  # the scheduler will record it as missed
        if notice.campaign_code not in audiences:
            audiences[notice.campaign_code] = store.audience(state.db, notice.campaign_code)
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
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
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
    _print_recent(state, now - timedelta(days=max(days, 1)), now, out)
    return 0


def _print_recent(state: Any, start: datetime, end: datetime, out: TextIO) -> None:
    notices = store.recent(state.db, start, end)
    if not notices:
        return
    tz = state.settings.tz
    counts = store.results(state.db, [n.id for n in notices])
    print(f"recent results (since {start:%Y-%m-%d %H:%M}):", file=out)
    for n in notices:
        summary = "missed (not sent)" if n.status == "missed" else format_counts(counts[n.id])
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


def run(state: Any, at_text: str, out: TextIO) -> int:
    """Send what is due at `at_text`; print one line per notice with this run's results."""
    tz = state.settings.tz
    at = parse_at(at_text, tz)
    if at is None:
        print(
            f'error: --at {at_text!r}: expected "YYYY-MM-DD HH:MM" (local time, {tz.key})',
            file=sys.stderr,
        )
        return 2
    runner_id = new_runner_id()
    heartbeat = runner_lease(state.db, runner_id, HEARTBEAT_TTL)
    keep_alive = KeepAlive(heartbeat.acquire, HEARTBEAT_TTL / 3, "jobs-run-heartbeat").start()
    try:
        store.sync_for_state(state)
        sweep_uncertain(state.db)
        report = run_due(delivery_context(state, runner_id), at, apply_missed_rule=False)
    finally:
        keep_alive.stop()
        heartbeat.release()
    if report.quiet:
        print(f"{at:%Y-%m-%d %H:%M} is within quiet hours (22:00-07:30): nothing sent", file=out)
        return 0
    if not report.counts and not report.notices:
        print(f"nothing due at {at:%Y-%m-%d %H:%M} that has not been sent", file=out)
        return 0
    totals = store.results(state.db, list(report.notices))
    for notice_id, notice in report.notices.items():
        counts = report.counts.get(notice_id, Counter())
        print(
            f"{notice.due_at.astimezone(tz):%Y-%m-%d %H:%M}  {notice.kind:<11}  "
            f"{notice.title}: {format_counts(counts)} (all runs: "
            f"{format_counts(totals[notice_id])})",
            file=out,
        )
    print(f"total this run: {format_counts(Counter(report.total()))}", file=out)
    return 0
