"""Notices kept in step with the loaded plans, and who they reach.

`sync_campaign` turns a plan into notices (domain.notices.compute_notices) and hands them to
the store (jobs/ports.py `NoticeStore.sync`): new keys are inserted, notices that have not
started get the latest text and time, and notices whose key vanished (a moved deadline, a
deleted task) are deleted if nothing was sent for them yet. A notice with deliveries is never
touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo

from domain.notices import compute_notices, unit_matches
from domain.plan import Plan
from jobs.ports import OPEN, REPLACEABLE, DueNotice, JobsDeps, NoticeStore, SyncResult

__all__ = ["OPEN", "REPLACEABLE", "Audience", "DueNotice", "SyncResult", "audience", "sync"]
log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The real current moment in UTC."""
    return datetime.now(UTC)


def sync_campaign(
    store: NoticeStore, plan: Plan, reminder_time: time, reminder_days: Iterable[int], tz: tzinfo
) -> SyncResult:
    """Bring the campaign's notices in line with `plan`; safe to run concurrently."""
    specs = compute_notices(plan, reminder_time, reminder_days, tz)
    return store.sync(plan.code, specs, utcnow())


def sync_all(
    store: NoticeStore,
    reminder_time: time,
    reminder_days: Iterable[int],
    tz: tzinfo,
    codes: Iterable[str] | None = None,
) -> SyncResult:
    """Sync every loaded campaign (or only `codes`)."""
    days = tuple(reminder_days)
    total = SyncResult()
    for plan in store.plans(codes):
        total += sync_campaign(store, plan, reminder_time, days, tz)
    return total


def sync(deps: JobsDeps, code: str | None = None) -> SyncResult:
    """Sync with the process's settings (the `plan load` hook and scheduler start)."""
    settings = deps.settings
    result = sync_all(
        deps.notices,
        settings.reminder_time,
        settings.reminder_days,
        settings.tz,
        None if code is None else [code],
    )
    log.info(
        "notices synced: %s added, %s updated, %s removed (%s in plan)",
        result.added,
        result.updated,
        result.removed,
        result.total,
    )
    return result


@dataclass
class Audience:
    """Subscribers of one campaign on one channel, counted per bound unit."""

    per_unit: dict[str, int] = field(default_factory=dict)  # "" = no unit bound

    def units_for(self, notice_unit: str) -> list[str] | None:
        """The bound units a notice addresses (None = everyone)."""
        if not notice_unit:
            return None
        return [u for u in self.per_unit if u and unit_matches(u, notice_unit)]

    def size(self, notice_unit: str) -> int:
        """How many subscribers a notice for `notice_unit` reaches."""
        units = self.units_for(notice_unit)
        if units is None:
            return sum(self.per_unit.values())
        return sum(self.per_unit[u] for u in units)


def audience(store: NoticeStore, campaign_code: str, channel: str = "wechat") -> Audience:
    """Following subscribers of a campaign, grouped by unit (a handful of rows)."""
    return Audience(store.audience(campaign_code, channel))
