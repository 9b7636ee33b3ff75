"""One name per campaign: users choose campaigns by name ("切换到…"), so two campaigns with one
name (under different codes) could never be told apart. `save_plan` refuses the second one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import CampaignRow
from domain.plan import Plan
from services.ports import PlanConflict


class DuplicateCampaignName(PlanConflict):
    """The plan would give a second campaign (another code) a name already in use."""

    def __init__(self, plan: Plan, existing_code: str) -> None:
        super().__init__(
            f"{plan.code}: the name {plan.name!r} is already used by campaign {existing_code}; "
            f"give {plan.code} another name, or use code {existing_code} to update that campaign"
        )
        self.existing_code = existing_code


def _squashed(name: str) -> str:
    return "".join(name.split())


def check_unique_name(session: Session, plan: Plan) -> None:
    """Raise DuplicateCampaignName if a campaign with another code has the plan's name
    (ignoring spaces). Campaigns are few: compared in Python, on every store alike."""
    wanted = _squashed(plan.name)
    rows = session.execute(
        select(CampaignRow.code, CampaignRow.name).where(CampaignRow.code != plan.code)
    )
    for code, name in rows:
        if _squashed(name) == wanted:
            raise DuplicateCampaignName(plan, code)
