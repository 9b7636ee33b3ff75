"""The notice scheduler: APScheduler 3 running two module-level jobs over the database.

- ``keep_lease(runner_id)`` every LEASE/3 seconds: renews this process's heartbeat and takes or
  renews the leader lease (jobs/lease.py). Of several schedulers exactly one acts; when it
  dies, another takes over once the lease expires (30 s by default).
- ``tick(runner_id)`` every TICK seconds (30 by default), acting only while leader: marks the
  deliveries of dead processes "uncertain", applies the catch-up rules (jobs/catchup.py:
  superseded deadline reminders and notices more than 6 awake hours late are recorded, not
  sent), fans out the notices that are due and sends the retries whose time has come.

The notices live in the database, not in APScheduler's job store, so a restart loses nothing:
whatever became due while no scheduler ran is found by the first tick. Job arguments are plain
strings (the runner id); the process's runner is looked up in a module-level registry.

Tuning (environment, for operators and tests; read by config/settings.py):
BOT_SCHEDULER_TICK_SECONDS, BOT_SCHEDULER_LEASE_SECONDS, BOT_NOTICE_CONCURRENCY.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from jobs import deliver, notices
from jobs.catchup import RunReport, run_due  # noqa: F401 - re-exported: jobs.runner.run_due
from jobs.lease import (
    LEADER,
    Lease,
    new_runner_id,
    prune_heartbeats,
    runner_lease,
    sweep_uncertain,
)
from jobs.ports import JobsDeps

log = logging.getLogger(__name__)
_CONTEXTS: dict[str, Runner] = {}


def delivery_context(deps: JobsDeps, runner_id: str) -> deliver.DeliveryContext:
    """The channels and settings of this process, for fan-outs stamped with `runner_id`: the
    channels the wiring handed in (the official account, and e.g. a WeCom app; each
    implements jobs.channels.Channel and its users have that channel's name)."""
    return deliver.DeliveryContext(
        notices=deps.notices,
        deliveries=deps.deliveries,
        channels=list(deps.channels),
        tz=deps.settings.tz,
        runner_id=runner_id,
        pseudonym=deps.pseudonym,
        concurrency=deps.settings.notice_concurrency,
    )


@dataclass
class Runner:
    """One scheduler process: its scheduler, leases and last result (for /healthz)."""

    deps: JobsDeps
    runner_id: str
    ctx: deliver.DeliveryContext
    leader: Lease
    heartbeat: Lease
    scheduler: BackgroundScheduler
    stopping: threading.Event = field(default_factory=threading.Event)
    busy: threading.Lock = field(default_factory=threading.Lock)  # one tick at a time
    last: str = "starting"

    def status(self) -> str:
        """A one-line status for /healthz."""
        if self.stopping.is_set():
            return "stopped"
        role = "acting" if self.leader.held() else "standby (another scheduler acts)"
        return f"{role}; {self.last}"

    def keep_going(self) -> bool:
        """Fan-outs continue while we are leader and not shutting down."""
        return self.leader.held() and not self.stopping.is_set()

    def shutdown(self) -> None:
        """Stop after the sends in flight (they are recorded), then release the leases."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.scheduler.shutdown(wait=True)
        self.leader.release()
        self.heartbeat.release()
        _CONTEXTS.pop(self.runner_id, None)
        self.deps.publish_status("stopped")
        log.info("scheduler %s stopped", self.runner_id)


def keep_lease(runner_id: str) -> None:
    """Renew the heartbeat; take or renew the leader lease (APScheduler job)."""
    runner = _CONTEXTS.get(runner_id)
    if runner is None or runner.stopping.is_set():
        return
    runner.heartbeat.acquire()
    was_leader = runner.leader.held()
    if runner.leader.acquire() and not was_leader:
        log.info("scheduler %s acts now (leader lease taken)", runner_id)
        try:
            notices.sync(runner.deps)
        except Exception:  # noqa: BLE001 - a bad plan row must not stop the scheduler
            log.exception("syncing notices with the plans failed")
        try:
            runner.scheduler.modify_job("tick", next_run_time=datetime.now(runner.ctx.tz))
        except (JobLookupError, SchedulerNotRunningError):
            pass  # shutting down
    elif was_leader and not runner.leader.held():
        log.warning("scheduler %s lost the leader lease; standing by", runner_id)


def tick(runner_id: str) -> None:
    """Do what is due now, if this process is the leader (APScheduler job)."""
    runner = _CONTEXTS.get(runner_id)
    if runner is None or not runner.keep_going():
        return
    runner.deps.wake()  # e.g. pending photos are found again (bot/photo_fetcher.py)
    if not runner.busy.acquire(blocking=False):
        return  # a long fan-out is still running: it is the tick
    try:
        _tick(runner)
    except SQLAlchemyError as exc:
        log.warning("tick: database error %s; trying again next tick", type(exc).__name__)
    finally:
        runner.busy.release()


def _tick(runner: Runner) -> None:
    leases = runner.deps.leases
    sweep_uncertain(leases)
    prune_heartbeats(leases)
    now = datetime.now(runner.ctx.tz)
    report = run_due(
        runner.ctx,
        now,
        keep_going=runner.keep_going,
        now_fn=lambda: datetime.now(runner.ctx.tz),
    )
    total = report.total()
    runner.last = f"last tick {now:%Y-%m-%d %H:%M:%S%z}: " + (
        "quiet hours"
        if report.quiet
        else f"{len(report.notices)} notices, {total['sent']} sent, {len(report.missed)} missed"
        + (f", {total['recorded']} only recorded (no credentials)" if total["recorded"] else "")
        + (f", {len(report.superseded)} superseded" if report.superseded else "")
    )
    if report.missed:
        log.warning(
            "%d notices more than 6 awake hours late recorded as missed, not sent "
            '(send them with: python -m bot jobs run --at "YYYY-MM-DD HH:MM" --include-missed)',
            len(report.missed),
        )
    for notice_id, counts in report.counts.items():
        log.info(
            "notice %s: %s",
            report.notices[notice_id].key,
            ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        )


def start_scheduler(deps: JobsDeps) -> Runner:
    """Start the scheduler in background threads of this process; `.shutdown()` stops it."""
    tick_seconds = deps.settings.scheduler_tick_seconds
    lease_seconds = deps.settings.scheduler_lease_seconds
    runner_id = new_runner_id()
    scheduler = BackgroundScheduler(timezone=deps.settings.tz)
    runner = Runner(
        deps=deps,
        runner_id=runner_id,
        ctx=delivery_context(deps, runner_id),
        leader=Lease(deps.leases, LEADER, runner_id, lease_seconds),
        heartbeat=runner_lease(deps.leases, runner_id, lease_seconds),
        scheduler=scheduler,
    )
    _CONTEXTS[runner_id] = runner
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # no line per job run
    common = {"args": [runner_id], "coalesce": True, "misfire_grace_time": 60}
    # The tick first runs when the lease is taken (keep_lease moves it to "now"). Overlapping
    # runs return at once (Runner.busy), so APScheduler never has to skip and warn.
    scheduler.add_job(tick, "interval", seconds=tick_seconds, id="tick", max_instances=3, **common)
    scheduler.add_job(
        keep_lease,
        "interval",
        seconds=lease_seconds / 3,
        id="lease",
        next_run_time=datetime.now(deps.settings.tz),
        max_instances=1,
        **common,
    )
    # --- published answers from the console (jobs/answers.py) ---
    from jobs.answers import EVERY_SECONDS, deliver_answers
    from services import answers

    channels = answers.channels_for(deps.sender, deps.settings)
    scheduler.add_job(
        deliver_answers, "interval", seconds=EVERY_SECONDS, id="answers", max_instances=1,
        args=[deps.outbox, channels, runner.keep_going], coalesce=True, misfire_grace_time=60,
    )  # fmt: skip
    deps.publish_status(runner.status)
    scheduler.start()
    log.info("scheduler %s started (tick %ss, lease %ss)", runner_id, tick_seconds, lease_seconds)
    return runner


def run_forever(deps: JobsDeps) -> int:
    """`python -m bot scheduler`: run until SIGTERM or SIGINT, then stop cleanly (exit 0)."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping after the sends in flight", signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    runner = start_scheduler(deps)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        runner.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        deps.close()
    return 0
