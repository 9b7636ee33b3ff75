"""The demo `python -m bot chat` falls into on a fresh install, so the first run shows the product.

When the database has no campaign, chat loads the seed plans (config/plans/*.yaml) into a
separate demo database, instance/demo.sqlite3, and answers as of a rehearsal date. The real
database is never written by the demo. With DATABASE_URL set (production) there is no demo
unless asked for (`chat --demo`); `chat --no-demo` always talks to the real database.

The rehearsal date, 2018-05-22, is chosen so that exactly one seed campaign is running
(市科技局 2018: 学习调研阶段 began 5-21; 区人大 2018 starts 6-01; 孟河镇 ended in 2017): a
suggestion needs no campaign question, and "本周有什么到期" lists the 5月25日 deadline.
`--today` (or BOT_TODAY) overrides it. If REDIS_URL is set, the demo's keys get their own
prefix ("demo:") so it cannot touch a real install's conversations or plan revision.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.app_state import AppState
from config.settings import INSTANCE_DIR, Settings
from domain.plan import Plan


class DemoError(Exception):
    """The seed plans cannot be loaded (one line; `chat` exits 2 with it)."""


DEMO_TODAY = date(2018, 5, 22)
DEMO_DB = INSTANCE_DIR / "demo.sqlite3"
SEED_DIR = Path(__file__).resolve().parents[1] / "config" / "plans"

BANNER = (
    "━━━━ 演示模式 ━━━━\n"
    "{reason}先用{count}份种子方案演示（演示数据单独保存在 {path}，"
    "不进入正式数据库）：\n"
    "{plans}\n"
    "演练日期：{today}（按这一天作答）。\n"
    "可以试试：本周有什么到期｜现在是什么阶段｜科技局6月的任务｜我有个金点子：……｜我的建议\n"
    "退出演示：python -m bot plan load 方案文件.yaml 载入正式活动后，chat 即使用正式数据；"
    "或运行 python -m bot chat --no-demo。\n"
    "━━━━━━━━━━━━━━━━━"
)
PLAN_LINE = "  · {name}（{where}）"
RUNNING = "进行中：{phase}"
RUNNING_BETWEEN = "进行中，两阶段之间"
NOT_STARTED = "{date}开始"
FINISHED = "已结束"
REASON_EMPTY = "还没有载入任何活动，"
REASON_ASKED = "按 --demo 的要求，"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _where(plan: Plan, today: date) -> str:
    start = min(p.span.start for p in plan.phases)
    end = max(p.span.end for p in plan.phases)
    if today < start:
        return NOT_STARTED.format(date=_cn_date(start))
    if today > end:
        return FINISHED
    phase = plan.phase_on(today)
    return RUNNING.format(phase=phase.name) if phase else RUNNING_BETWEEN


def banner(plans: list[Plan], today: date, *, asked: bool = False, path: Path = DEMO_DB) -> str:
    """The Chinese banner chat prints before a demo conversation."""
    lines = [PLAN_LINE.format(name=p.name, where=_where(p, today)) for p in plans if p.phases]
    return BANNER.format(
        reason=REASON_ASKED if asked else REASON_EMPTY,
        count=len(plans),
        path=path.as_posix(),
        plans="\n".join(lines),
        today=_cn_date(today),
    )


def demo_settings(settings: Settings) -> Settings:
    """The settings of the demo: its own SQLite file, the rehearsal date, its own key prefix."""
    return settings.with_(
        database_url=f"sqlite:///{DEMO_DB.resolve()}",
        today=settings.today or DEMO_TODAY,
        redis_prefix=settings.redis_prefix + "demo:",
    )


def seed_plans() -> list[Plan]:
    """The seed plans, by file name."""
    from bot.planfile import PlanFileError, load_plan

    plans = []
    for path in sorted(SEED_DIR.glob("*.yaml")):
        try:
            plans.append(load_plan(str(path)))
        except PlanFileError as exc:
            raise DemoError(f"demo: {exc}") from exc
    if not plans:
        raise DemoError(f"demo: no seed plans in {SEED_DIR} (run with --no-demo)")
    return plans


def load_seeds(state: AppState) -> list[Plan]:
    """Load (or refresh) the seed plans into the demo database of `state`."""
    from bot.store.campaigns_repo import save_plan

    plans = seed_plans()
    for plan in plans:
        save_plan(state.db, plan, source=f"demo:{plan.code}")
    state.campaigns.invalidate()
    return plans


def chat_state(settings: Settings, demo: bool | None) -> tuple[AppState, str | None]:
    """The state `chat` talks to, and the demo banner (None outside the demo).

    `demo`: True (--demo), False (--no-demo), None (a demo only on the embedded defaults when
    the real database has no campaign)."""
    from bot.wiring import build_state

    asked = demo is True
    if demo is None and settings.database_url:
        demo = False  # production: never unasked
    if not asked:
        state = build_state(settings, migrate=True)
        if demo is False or state.campaigns.active():
            return state, None
        state.close()
    state = build_state(demo_settings(settings), migrate=True)
    try:
        plans = load_seeds(state)
    except BaseException:
        state.close()
        raise
    return state, banner(plans, state.services.clock.today(), asked=asked)
