"""A small known set of suggestions for the inbox and detail-page tests, on a real store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.store.models import SuggestionRow
from handlers.ports import NewSuggestion

XSS = "<script>alert(1)</script>建议增设社区食堂，欢迎大家<b>来吃</b>"

# name: (openid, campaign, topic, content, created_at (UTC), fields, photos)
SEED: dict[str, tuple[str, str, str, str, datetime, dict[str, str], int]] = {
    "canteen": ("openid-1", "kjj-2018", "民生服务", "建议在社区增设老年食堂，方便老人就餐。",
                datetime(2026, 11, 20, 2, 0, tzinfo=UTC), {}, 0),
    "bus": ("openid-2", "other", "交通出行", "建议增设夜间公交线路，方便加班族回家。",
            datetime(2026, 11, 25, 2, 0, tzinfo=UTC), {"status": "已交办", "unit": "科技科"}, 0),
    "copy": ("openid-3", "kjj-2018", "民生服务", "建议在社区增设老年食堂 方便老人就餐！",
             datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
             {"status": "已答复", "unit": "办公室", "outcome": "已采纳"}, 0),
    "more": ("openid-1", "kjj-2018", "民生服务",
             "建议在社区增设老年食堂，方便老人就餐，价格要实惠。",
             datetime(2026, 12, 1, 17, 0, tzinfo=UTC), {"status": "已受理"}, 2),
    "forms": ("openid-1", "kjj-2018", "优化创新生态", "优化审批流程，减少办事材料100%_。",
              datetime(2026, 11, 10, 2, 0, tzinfo=UTC), {"status": "不予受理"}, 0),
    "xss": ("openid-4", "kjj-2018", "民生服务", XSS, datetime(2026, 11, 15, 2, 0, tzinfo=UTC),
            {"status": "已交办", "unit": "办公室"}, 1),
}  # fmt: skip


def seed(state) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Store SEED; name → ticket. `more` was sent at 01:00 on 2 December, Shanghai time."""
    tickets = {}
    for n, (name, (user, campaign, topic, content, at, fields, photos)) in enumerate(SEED.items()):
        record, _ = state.suggestions.create(
            NewSuggestion(
                user=user, channel="wechat", campaign_code=campaign, topic=topic, content=content,
                source_key=f"inbox:{name}:{n}", created_at=at,
                attachments=tuple(f"media-{name}-{i}" for i in range(photos)),
            )
        )  # fmt: skip
        tickets[name] = record.ticket
        if fields:
            with state.db.session() as s:
                row = SuggestionRow.ticket == record.ticket
                s.execute(update(SuggestionRow).where(row).values(fields))
    return tickets
