"""Helpers for the console and workflow tests: suggestions and accounts on a real store."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.console_repo import SqlAccountStore, SqlAuditStore
from bot.store.workflow_repo import SqlOutbox, SqlWorkflowStore
from handlers.ports import NewSuggestion

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def new_suggestion(state, user: str, content: str, n: int, campaign: str = "kjj-2018") -> str:  # type: ignore[no-untyped-def]
    """Store a suggestion as the chat would; its ticket."""
    record, _ = state.suggestions.create(
        NewSuggestion(
            user=user, channel="wechat", campaign_code=campaign, topic="优化创新生态",
            content=content, source_key=f"test:{user}:{n}", created_at=NOW,
        )
    )  # fmt: skip
    return record.ticket


def stores(state):  # type: ignore[no-untyped-def]
    return (
        SqlWorkflowStore(state.db),
        SqlAccountStore(state.db),
        SqlAuditStore(state.db),
        SqlOutbox(state.db),
    )
