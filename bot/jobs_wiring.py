"""The scheduler's ports, filled from this process's state: jobs/ never imports bot/, the
composition hands it the SQL adapters (bot/store/*_repo.py) and the channels here."""

from __future__ import annotations

from collections.abc import Callable

from bot.app_state import AppState
from bot.notice_channel import OfficialAccountChannel
from bot.store.deliveries_repo import SqlDeliveries
from bot.store.delivery_reports import CustomerServiceQuota
from bot.store.lease_repo import SqlLeases
from bot.store.notices_repo import SqlNotices
from bot.store.workflow_repo import SqlOutbox
from jobs import notices
from jobs.ports import JobsDeps, SyncResult


def jobs_deps(state: AppState) -> JobsDeps:
    """The official account (plus any channel in `state.notice_channels`, e.g. a WeCom app),
    the stores, and the hooks that report back into `state`."""
    settings = state.settings
    official = OfficialAccountChannel(
        state.sender, settings.wechat_template_id, quota=CustomerServiceQuota(state.db)
    )

    def wake() -> None:
        if state.photos is not None:  # pending photos are found again: a wake-up each tick
            state.photos.notify()

    def publish_status(status: Callable[[], str] | str) -> None:
        state.scheduler_status = status

    return JobsDeps(
        settings=settings,
        notices=SqlNotices(state.db),
        deliveries=SqlDeliveries(state.db),
        leases=SqlLeases(state.db),
        channels=[official, *state.notice_channels],
        pseudonym=state.pseudonym.of,
        outbox=SqlOutbox(state.db),
        sender=state.sender,
        wake=wake,
        publish_status=publish_status,
        close=state.close,
    )


def sync_notices(state: AppState, code: str | None = None) -> SyncResult:
    """Bring the notices in line with the loaded plans (all, or campaign `code`)."""
    return notices.sync(jobs_deps(state), code)
