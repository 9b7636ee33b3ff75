"""A known data set for the statistics and timeline tests (tests/*/test_*stats*.py).

Times are UTC; the campaign's days are Asia/Shanghai (UTC+8). With LIMIT = 5 days and NOW:

 name  created (UTC)          local day  status   unit   answered after  outcome  rating
 A     11-30 15:59:59         11-30      已办结    -      1 day           已采纳    满意
 B     11-30 16:00:00         12-01      已答复    科技科  3 days          部分采纳  基本满意
 C     12-01 15:59:00         12-01      已办结    科技科  20 days (late)  未采纳    不满意
 D     12-01 16:30:00         12-02      已交办    办公室  - (overdue)
 E     11-28 02:00:00         11-28      不予受理  -      - (declined: never overdue)
 G     12-08 03:00:00         12-08      待审核    -      - (too young to be overdue)
 H     12-02 01:00:00         12-02      已答复    办公室  exactly 5 days  已采纳    满意
 F     11-30 (other campaign: never counted for kjj-2018)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from bot.store.campaigns_repo import save_plan
from bot.store.models import DeliveryRow, NoticeRow, SuggestionRow
from domain import workflow as wf
from domain.plan import DateSpan, Phase, Plan, Task
from handlers.ports import NewSuggestion

CODE = "kjj-2018"
LIMIT = 5
NOW = datetime(2026, 12, 10, 0, 0, tzinfo=UTC)
XSS_TOPIC = "<script>alert(1)</script>议题"
DAY = timedelta(days=1)


def at(month: int, day: int, h: int = 0, m: int = 0, s: int = 0) -> datetime:
    return datetime(2026, month, day, h, m, s, tzinfo=UTC)


ROWS: dict[str, dict[str, object]] = {
    "A": dict(created=at(11, 30, 15, 59, 59), status=wf.CLOSED, after=DAY,
              outcome=wf.ADOPTED, rating="满意"),
    "B": dict(created=at(11, 30, 16), status=wf.ANSWERED, unit="科技科", after=3 * DAY,
              outcome=wf.PARTLY_ADOPTED, rating="基本满意"),
    "C": dict(created=at(12, 1, 15, 59), status=wf.CLOSED, unit="科技科", after=20 * DAY,
              outcome=wf.NOT_ADOPTED, rating="不满意"),
    "D": dict(created=at(12, 1, 16, 30), status=wf.ASSIGNED, unit="办公室"),
    "E": dict(created=at(11, 28, 2), status=wf.DECLINED),
    "G": dict(created=at(12, 8, 3), status=wf.PENDING, topic=XSS_TOPIC),
    "H": dict(created=at(12, 2, 1), status=wf.ANSWERED, unit="办公室", after=5 * DAY,
              outcome=wf.ADOPTED, rating="满意"),
    "F": dict(created=at(11, 30, 3), status=wf.PENDING, campaign="other-2018"),
}  # fmt: skip


def seed(state) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Store the data set; name -> ticket."""
    tickets = {}
    for i, (name, row) in enumerate(ROWS.items()):
        created: datetime = row["created"]  # type: ignore[assignment]
        record, _ = state.suggestions.create(
            NewSuggestion(
                user=f"o_stats_{i % 3}", channel="wechat",
                campaign_code=str(row.get("campaign", CODE)),
                topic=str(row.get("topic", "优化创新生态" if i % 2 else "壮大创新型企业集群")),
                content=f"建议{name}：在园区增设服务窗口", source_key=f"stats:{name}",
                created_at=created,
            )
        )  # fmt: skip
        after: timedelta | None = row.get("after")  # type: ignore[assignment]
        values = {
            "status": row["status"],
            "unit": row.get("unit"),
            "outcome": row.get("outcome"),
            "reply": "已研究办理" if after else None,
            "replied_at": created + after if after else None,
            "satisfaction": row.get("rating"),
            "rated_at": created + after + DAY if row.get("rating") and after else None,
        }
        with state.db.session() as s:
            s.execute(
                update(SuggestionRow).where(SuggestionRow.ticket == record.ticket).values(values)
            )
        tickets[name] = record.ticket
    return tickets


PLAN = Plan(
    code=CODE,
    name="市科技局解放思想大讨论",
    year=2018,
    topics=("壮大创新型企业集群", "优化创新生态"),
    phases=(
        Phase("宣传发动阶段", DateSpan(date(2018, 5, 1), date(2018, 5, 20), "5月上旬至5月中旬")),
        Phase("学习调研阶段", DateSpan(date(2018, 5, 21), date(2018, 7, 31), "5月下旬至7月底")),
    ),
    tasks=(
        Task("召开局党组理论中心组学习会", owner="局党组",
             due=DateSpan(date(2018, 5, 25), date(2018, 5, 25), "5月25日前")),
        Task("<b>调研成果</b>上报", owner="科技科",
             due=DateSpan(date(2018, 7, 1), date(2018, 7, 31), "7月底前")),
        Task("总结", owner="办公室"),
    ),
)  # fmt: skip


def seed_plan(state) -> None:  # type: ignore[no-untyped-def]
    """The plan, and three notices: one done (2 sent, 1 failed, 1 retrying), one done with
    a recorded delivery, one scheduled (nothing sent yet)."""
    save_plan(state.db, PLAN)
    state.campaigns.invalidate()
    now = datetime(2018, 5, 1, tzinfo=UTC)
    with state.db.session() as s:
        notices = [
            NoticeRow(key=f"stats:{i}", campaign_code=CODE, kind=kind, unit="", due_at=due,
                      title=title, text=title, fields={}, status=status, created_at=now,
                      updated_at=now)
            for i, (kind, due, title, status) in enumerate((
                ("phase_start", datetime(2018, 5, 1, 1, tzinfo=UTC), "宣传发动阶段开始", "done"),
                ("deadline", datetime(2018, 5, 22, 1, tzinfo=UTC), "学习会<3天后到期>", "done"),
                ("phase_start", datetime(2018, 5, 21, 1, tzinfo=UTC), "学习调研阶段开始",
                 "scheduled"),
            ))
        ]  # fmt: skip
        s.add_all(notices)
        s.flush()
        first, second = notices[0].id, notices[1].id
        for n, (notice_id, status) in enumerate(
            ((first, "sent"), (first, "sent"), (first, "failed"), (first, "retry"),
             (second, "recorded"))
        ):  # fmt: skip
            s.add(DeliveryRow(notice_id=notice_id, openid=f"o_n{n}", status=status,
                              created_at=now, updated_at=now))  # fmt: skip
