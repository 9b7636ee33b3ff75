"""100,000 plausible suggestions for the inbox bench, written with one COPY.

Deterministic (seeded): Chinese ideas built from phrases, six statuses, ten units, three
campaigns over 120 days, one in ten with photos, about 20,000 authors, some repeated texts.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from domain import workflow as wf
from domain.suggestion import TICKET_ALPHABET, fingerprint

CAMPAIGNS = ("kjj-2018", "jtj-2019", "wsj-2020")
TOPICS = ("优化创新生态", "改进作风效能", "提升营商环境", "民生服务保障")
UNITS = tuple(f"{name}" for name in (
    "办公室", "科技科", "财务科", "人事科", "规划科", "交通科", "城管科", "民政科", "卫健科",
    "教育科",
))  # fmt: skip
SUBJECTS = (
    "社区食堂",
    "夜间公交",
    "老旧小区",
    "停车位",
    "菜市场",
    "口袋公园",
    "充电桩",
    "政务大厅",
    "托育服务",
    "垃圾分类",
    "路灯照明",
    "篮球场",
    "图书馆",
    "养老驿站",
    "背街小巷",
    "快递柜",
    "人行道",
    "审批流程",
    "科技成果转化",
    "人才公寓",
    "创业孵化",
    "校外托管",
    "共享单车",
)
VERBS = ("建议增设", "希望改进", "建议优化", "请尽快解决", "建议延长", "呼吁加强", "建议规范")
DETAILS = (
    "方便周边居民日常生活",
    "减少群众来回跑腿",
    "目前排队时间太长",
    "晚上九点以后很不方便",
    "老人和孩子使用较多",
    "可以参考外地的做法",
    "希望相关部门尽快研究",
    "建议先在一个街道试点",
    "资金可以通过社会资本解决",
    "很多企业反映办事材料太多",
    "周末人流量很大",
    "存在安全隐患",
)
START = datetime(2026, 8, 1, tzinfo=UTC)
COLUMNS = (
    "ticket", "campaign_code", "topic", "content", "content_hash", "status", "created_at",
    "channel", "user_openid", "author", "source_key", "attachments", "unit", "outcome",
)  # fmt: skip


def _ticket(n: int) -> str:
    base = len(TICKET_ALPHABET)
    out = []
    for _ in range(6):
        n, r = divmod(n, base)
        out.append(TICKET_ALPHABET[r])
    return "".join(reversed(out))


def content(rng: random.Random) -> str:
    parts = [rng.choice(VERBS) + rng.choice(SUBJECTS)]
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(DETAILS))
    return "，".join(parts) + "。"


def rows(count: int, seed: int = 7) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        status = rng.choices(wf.STATUSES, weights=(30, 15, 5, 25, 15, 10))[0]
        unit = rng.choice(UNITS) if status in (wf.ASSIGNED, wf.ANSWERED, wf.CLOSED) else None
        outcome = rng.choice(wf.OUTCOMES) if status in (wf.ANSWERED, wf.CLOSED) else None
        text = content(rng)
        photos = [f"media-{n}-{i}" for i in range(rng.randint(1, 3))] if rng.random() < 0.1 else []
        user = rng.randrange(20_000)
        out.append((
            _ticket(n * 7919 + 1), CAMPAIGNS[n % 3], rng.choice(TOPICS), text, fingerprint(text),
            status, START + timedelta(seconds=n * 100 + rng.randrange(60)), "wechat",
            f"openid-{user}", f"u{user:05d}", f"bench:{n}", json.dumps(photos), unit, outcome,
        ))  # fmt: skip
    return out


def _field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_into(dsn: str, data: list[tuple[Any, ...]]) -> None:
    """COPY the rows into `suggestions`, then ANALYZE (as autovacuum would, soon after)."""
    import psycopg2

    buf = io.StringIO()
    for row in data:
        buf.write("\t".join(_field(v) for v in row) + "\n")
    buf.seek(0)
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.copy_expert(f"COPY suggestions ({', '.join(COLUMNS)}) FROM STDIN", buf)
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE suggestions")
    finally:
        conn.close()
