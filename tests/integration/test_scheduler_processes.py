"""Real `python -m bot scheduler` processes against one PostgreSQL + Redis and the fake WeChat
API: two schedulers send each notice once; a scheduler killed (-9) mid-fan-out and replaced
sends nobody twice, delivers everyone else and leaves the in-flight sends "uncertain"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import select

from bot.store.campaigns_repo import save_plan
from bot.store.db import Database
from bot.store.models import DeliveryRow, NoticeRow, UserRow
from domain.plan import DateSpan, Phase, Plan
from tests.conftest import _truncate_pg, delete_prefixed, new_redis_prefix
from tests.fakes.fake_wechat import FakeWeChat

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
REPO = Path(__file__).resolve().parents[2]
APPID, SECRET = "wx_sched_appid", "sched-secret"


def daytime_zone() -> str:
    """A fixed-offset zone where it is now early afternoon (no quiet hours during the test)."""
    hour = datetime.now(UTC).hour
    offset = next(o for o in range(-12, 15) if (hour + o) % 24 == 13)
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture
def world(pg_database_url, real_redis_url, tmp_path):
    """A clean database and Redis, the fake WeChat API, and the schedulers' environment."""
    _truncate_pg(pg_database_url)
    client = redis.Redis.from_url(real_redis_url)
    prefix = new_redis_prefix()
    zone = daytime_zone()
    local_now = datetime.now(ZoneInfo(zone))
    with FakeWeChat(APPID, SECRET) as fake:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WECHAT_", "BOT_", "DATABASE_URL", "REDIS_URL"))
        }
        env.update(
            PYTHONPATH=str(REPO),
            DATABASE_URL=pg_database_url,
            REDIS_URL=real_redis_url,
            BOT_REDIS_PREFIX=prefix,
            WECHAT_TOKEN="sched-token",
            WECHAT_APPID=APPID,
            WECHAT_SECRET=SECRET,
            WECHAT_API_BASE_URL=fake.base_url,
            WECHAT_TEMPLATE_ID="TPL_sched",
            BOT_TIMEZONE=zone,
            BOT_PSEUDONYM_KEY="sched-pseudonyms",
            BOT_REMINDER_TIME=f"{local_now - timedelta(minutes=2):%H:%M}",
            BOT_SCHEDULER_TICK_SECONDS="1",
            BOT_SCHEDULER_LEASE_SECONDS="3",
            BOT_NOTICE_CONCURRENCY="4",
            BOT_LOG_LEVEL="INFO",
        )
        db = Database(pg_database_url)
        yield {"fake": fake, "env": env, "db": db, "today": local_now.date(), "tmp": tmp_path}
        db.dispose()
    delete_prefixed(client, prefix)
    client.close()


def seed(world, subscribers: int) -> list[str]:  # type: ignore[no-untyped-def]
    """A campaign whose phase starts today (notice due 2 minutes ago) and its subscribers."""
    today = world["today"]
    plan = Plan(
        code="live",
        name="实时活动",
        year=today.year,
        phases=(Phase("动员阶段", DateSpan(today, today + timedelta(days=5), "")),),
    )
    save_plan(world["db"], plan)
    openids = [f"o_sched_{i:04d}" for i in range(subscribers)]
    now = datetime.now(UTC)
    with world["db"].session() as s:
        s.add_all(
            UserRow(
                openid=o,
                pseudonym=f"p{i}",
                channel="wechat",
                campaign_code="live",
                following=True,
                subscribed=True,
                updated_at=now,
            )
            for i, o in enumerate(openids)
        )
        s.add(
            UserRow(
                openid="o_not_subscribed",
                pseudonym="px",
                channel="wechat",
                campaign_code="live",
                following=True,
                subscribed=False,
                updated_at=now,
            )
        )
    return openids


def start(world, name: str) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    with open(world["tmp"] / f"{name}.log", "w") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "scheduler"],
            cwd=world["tmp"],
            env=world["env"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def deliveries(world) -> list:  # type: ignore[no-untyped-def]
    with world["db"].session() as s:
        return list(
            s.execute(select(DeliveryRow.openid, DeliveryRow.status, DeliveryRow.claimed_by)).all()
        )


def wait_until(check, timeout: float, what: str, world) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    logs = "\n".join(p.read_text()[-2000:] for p in world["tmp"].glob("*.log"))
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def settled(world, count: int) -> bool:  # type: ignore[no-untyped-def]
    rows = deliveries(world)
    return len(rows) == count and all(r.status != "sending" for r in rows)


def stop(processes) -> list[int]:  # type: ignore[no-untyped-def]
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    codes = []
    for p in processes:
        try:
            codes.append(p.wait(timeout=15))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes


def test_two_schedulers_send_each_notice_once(world):
    openids = seed(world, 30)
    world["fake"].latency = 0.05
    processes = [start(world, "a"), start(world, "b")]
    try:
        wait_until(lambda: settled(world, 30), 40, "30 deliveries", world)
        time.sleep(2.5)  # a few more ticks of both: nothing more may happen
    finally:
        codes = stop(processes)
    assert codes == [0, 0]  # SIGTERM is a clean stop
    sent = Counter(s["openid"] for s in world["fake"].sent)
    assert sent == dict.fromkeys(openids, 1)
    rows = deliveries(world)
    assert Counter(r.status for r in rows) == {"sent": 30}
    assert len({r.claimed_by for r in rows}) == 1  # one scheduler acted
    with world["db"].session() as s:
        assert s.scalars(select(NoticeRow.status)).all() == ["done"]


def test_scheduler_killed_mid_fan_out_and_replaced_sends_nobody_twice(world):
    openids = seed(world, 40)
    fake = world["fake"]
    fake.latency = 0.3  # 4 in flight at a time, ~3 s for everyone
    first = start(world, "first")
    replacement = None
    try:
        wait_until(lambda: len(fake.sent) >= 8, 30, "the fan-out to start", world)
        first.kill()  # SIGKILL: no cleanup, sends in flight
        first.wait(timeout=10)
        replacement = start(world, "replacement")
        wait_until(lambda: settled(world, 40), 40, "the replacement to finish", world)
    finally:
        stop([p for p in (first, replacement) if p is not None])
    time.sleep(0.5)  # requests the killed process left at the fake have been answered
    per_user = Counter(s["openid"] for s in fake.sent)
    assert max(per_user.values()) == 1, "somebody got the notice twice"
    rows = {r.openid: r for r in deliveries(world)}
    assert set(rows) == set(openids)
    status = Counter(r.status for r in rows.values())
    assert set(status) == {"sent", "uncertain"} and 1 <= status["uncertain"] <= 4
    assert all(per_user[o] == 1 for o, r in rows.items() if r.status == "sent")
    assert len({r.claimed_by for r in rows.values()}) == 2  # both processes sent some
    assert "o_not_subscribed" not in per_user
