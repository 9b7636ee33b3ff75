"""The handler ports' SQL implementations, by their former common name: kept so that older
imports still work. New code imports the module itself: suggestions_repo.py, users_repo.py,
campaigns_repo.py."""

from bot.store.campaigns_repo import (
    PLAN_REVISION_KEY,
    SqlCampaignStore,
    plan_from_row,
    save_plan,
)
from bot.store.suggestions_repo import SqlSuggestionStore
from bot.store.users_repo import SqlUserStore

__all__ = [
    "PLAN_REVISION_KEY",
    "SqlCampaignStore",
    "SqlSuggestionStore",
    "SqlUserStore",
    "plan_from_row",
    "save_plan",
]
