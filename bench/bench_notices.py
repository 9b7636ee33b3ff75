"""Notice fan-out benchmark: one notice to N subscribers through the fake WeChat API.

    python -m bench.bench_notices [--sizes 2000,10000] [--latency-ms 20] [--concurrency 16]

For each N: a throw-away PostgreSQL database bench_notices_<hex> (migrated), N subscribed
users and a one-phase plan; the fake WeChat API runs as its own process with 20 ms latency
per send; the fan-out runs in a separate child process through the real command,
`python -m bot jobs run --at ...` (template messages, WECHAT_TEMPLATE_ID set), which reports
its own peak memory (VmHWM) when done. Redis: db 13 (the token and locks; keys of this bench's
appid only are removed).

Prints wall time, deliveries/s and peak RSS per N, PASS/FAIL against the targets (all
delivered within 60 s; peak RSS under 150 MB; RSS not growing with N: at most 10 MB more at
the largest N than at the smallest), and checks that every subscriber has exactly one "sent"
delivery. Skips with a message (exit 0) when PostgreSQL or Redis is unreachable.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "TEST_DATABASE_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_NOTICES_REDIS_URL", "redis://127.0.0.1:6379/13")
APPID, SECRET, TEMPLATE = "wx_bench_notices", "bench-notices-secret", "TPL_bench"
PHASE_DAY = date(2030, 1, 7)
AT = f"{PHASE_DAY.isoformat()} 09:00"
MAX_SECONDS, MAX_RSS_MB, MAX_GROWTH_MB = 60.0, 150.0, 10.0


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(at: str) -> int:
    """The scheduler side: the real `jobs run` command, then our own measurements as JSON."""
    from bot.cli import main

    started = time.monotonic()
    code = main(["jobs", "run", "--at", at])
    print(
        json.dumps({"code": code, "seconds": time.monotonic() - started, "rss_mb": peak_rss_mb()})
    )
    return code


def reachable() -> str | None:
    """None if PostgreSQL and Redis answer, else why not."""
    import redis
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} not reachable: {type(exc).__name__}"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        for key in client.scan_iter(f"wechat:*{APPID}*"):
            client.delete(key)
        client.close()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} not reachable: {type(exc).__name__}"
    return None


def start_fake(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    """The fake WeChat API in its own process; returns it and its base URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.fake_wechat",
            "--port",
            "0",
            "--latency-ms",
            str(latency_ms),
            "--appid",
            APPID,
            "--secret",
            SECRET,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def prepare(n: int) -> tuple[str, str]:
    """A fresh migrated database with N subscribers and the plan; (name, url)."""
    from sqlalchemy import create_engine, insert, text
    from sqlalchemy.engine import make_url

    from bot.store.campaigns_repo import save_plan
    from bot.store.db import Database
    from bot.store.models import UserRow
    from domain.plan import DateSpan, Phase, Plan

    name = f"bench_notices_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    save_plan(
        db,
        Plan(
            code="bench",
            name="压测活动",
            year=PHASE_DAY.year,
            phases=(Phase("动员阶段", DateSpan(PHASE_DAY, PHASE_DAY, "")),),
        ),
    )
    now = datetime.now(UTC)
    for start in range(0, n, 2000):
        rows = [
            {
                "openid": f"o_bench_{i:06d}",
                "pseudonym": f"p{i}",
                "channel": "wechat",
                "campaign_code": "bench",
                "following": True,
                "subscribed": True,
                "updated_at": now,
            }
            for i in range(start, min(n, start + 2000))
        ]
        with db.session() as s:
            s.execute(insert(UserRow), rows)
    db.dispose()
    return name, url


def check_and_drop(name: str, url: str, n: int) -> tuple[int, int]:
    """(sent deliveries, subscribers with exactly one sent delivery); drops the database."""
    from sqlalchemy import create_engine, func, select, text

    from bot.store.models import DeliveryRow

    engine = create_engine(url)
    with engine.connect() as conn:
        sent = conn.scalar(select(func.count()).where(DeliveryRow.status == "sent")) or 0
        once = (
            conn.scalar(
                select(func.count()).select_from(
                    select(DeliveryRow.openid)
                    .where(DeliveryRow.status == "sent")
                    .group_by(DeliveryRow.openid)
                    .having(func.count() == 1)
                    .subquery()
                )
            )
            or 0
        )
    engine.dispose()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return int(sent), int(once)


def run_one(n: int, base_url: str, concurrency: int) -> dict[str, float]:
    """Prepare N subscribers, fan out in a child process, measure and check."""
    name, url = prepare(n)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "BOT_"))}
    env.update(
        PYTHONPATH=str(REPO),
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        WECHAT_APPID=APPID,
        WECHAT_SECRET=SECRET,
        WECHAT_API_BASE_URL=base_url,
        WECHAT_TEMPLATE_ID=TEMPLATE,
        WECHAT_TOKEN="bench",
        BOT_PSEUDONYM_KEY="bench",
        BOT_NOTICE_CONCURRENCY=str(concurrency),
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_notices", "--child", "--at", AT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.monotonic() - started
    sent, once = check_and_drop(name, url, n)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "n": n,
        "wall": wall,
        "fanout": measured["seconds"],
        "rss": measured["rss_mb"],
        "sent": sent,
        "once": once,
        "code": measured["code"],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, the measured fan-out process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--at", default=AT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.at)
    why = reachable()
    if why:
        print(f"SKIP: {why}")
        return 0
    fake, base_url = start_fake(args.latency_ms)
    results = []
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            results.append(run_one(n, base_url, args.concurrency))
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    print(
        f"one notice, fake WeChat API at {args.latency_ms:g} ms per send, "
        f"concurrency {args.concurrency}"
    )
    print(
        f"{'N':>7} {'wall s':>8} {'fan-out s':>10} {'sends/s':>8} {'peak RSS MB':>12} "
        f"{'sent once':>10}  verdict"
    )
    ok_all = True
    for r in results:
        ok = r["wall"] <= MAX_SECONDS and r["rss"] < MAX_RSS_MB and r["once"] == r["n"]
        ok = ok and r["sent"] == r["n"] and r["code"] == 0
        ok_all &= ok
        print(
            f"{r['n']:>7} {r['wall']:>8.1f} {r['fanout']:>10.1f} {r['n'] / r['fanout']:>8.0f} "
            f"{r['rss']:>12.1f} {r['once']:>10}  {'PASS' if ok else 'FAIL'}"
        )
    if len(results) > 1:
        growth = results[-1]["rss"] - results[0]["rss"]
        flat = growth <= MAX_GROWTH_MB
        ok_all &= flat
        print(
            f"peak RSS growth from N={results[0]['n']} to N={results[-1]['n']}: "
            f"{growth:+.1f} MB  {'PASS' if flat else 'FAIL'} (at most {MAX_GROWTH_MB:g} MB)"
        )
    print(
        f"targets: all delivered once within {MAX_SECONDS:g} s, peak RSS < {MAX_RSS_MB:g} MB: "
        + ("PASS" if ok_all else "FAIL")
    )
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
