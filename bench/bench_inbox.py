"""The console's inbox with 100,000 suggestions on PostgreSQL: `python -m bench.bench_inbox`.

A throw-away database `bench_inbox_<hex>` (dropped at the end, also on failure or Ctrl-C) gets
the migrations and 100,000 suggestions by COPY (bench/inbox_data.py), then the console's lookup
table is filled (bot/store/search_table.py; the first search would do it), then VACUUM ANALYZE. The
console app (bot.app.create_app, Flask's test client: the whole request in-process, Jinja
included, no network) is signed in as a reviewer, and each page is fetched --warmup times, then
--requests times, timed one after another. Targets: p95 < 150 ms for the first inbox page and
for a filtered page (status + unit + a 2-character search). Other rows are printed for
information. Redis is not used (the in-process store stands in for the sign-in throttle).

Peer: every SQL statement one request of that page ran (captured from the engine) is replayed
through a plain psycopg2 connection, --requests times; `app/SQL` is the console's own overhead
as a ratio (sign-in check, SQLAlchemy, Jinja, Flask) over the database's work.

Exit status 0 when both targets pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench import inbox_data

TARGET_MS = 150.0
PASSWORD = "bench-reviewer-pw"
PAGES: list[tuple[str, str, bool]] = [
    ("first page", "/console/", True),
    ("status + unit + 2-char search", "/console/?status=已交办&unit=科技科&q=食堂", True),
    ("3-char search", "/console/?q=充电桩", False),
    (
        "campaign + dates + photos",
        "/console/?campaign=kjj-2018&from=2026-08-10&to=2026-08-31&photos=yes",
        False,
    ),
    ("status sort, 待审核", "/console/?status=待审核&sort=status", False),
    ("page 2,000", "/console/?page=2000", False),
    ("detail page (related ideas)", "DETAIL", False),
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _summary(ms: list[float]) -> str:
    return f"p50 {statistics.median(ms):6.1f}  p95 {_pct(ms, 0.95):6.1f}  max {max(ms):6.1f}"


class Database:
    def __init__(self, admin: str) -> None:
        self.admin = admin.rstrip("/")
        self.name = "bench_inbox_" + secrets.token_hex(4)
        self.dsn = f"{self.admin}/{self.name}"
        self.url = self.dsn.replace("postgresql://", "postgresql+psycopg2://", 1)
        self.created = False

    def _admin(self) -> Any:
        import psycopg2

        conn = psycopg2.connect(self.admin + "/postgres")
        conn.autocommit = True
        return conn

    def create(self) -> None:
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.name}"')
            self.created = True
        finally:
            conn.close()

    def drop(self) -> None:
        if not self.created:
            return
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False
        finally:
            conn.close()


def _explain(dsn: str, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan lines naming an index or a scan, for the statements given."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    out = []
    try:
        with conn.cursor() as cur:
            for sql, params in statements:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
                lines = [r[0] for r in cur.fetchall()]
                out += [ln for ln in lines if "Scan" in ln or "Execution" in ln]
                out.append("")
    finally:
        conn.close()
    return out


def _capture(engine: Any, fetch: Callable[[], Any]) -> list[tuple[str, Any]]:
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "SET")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _replay(dsn: str, statements: list[tuple[str, Any]], warmup: int, n: int) -> list[float]:
    import psycopg2

    conn = psycopg2.connect(dsn)  # one transaction per replay, as the app's (SET LOCAL)
    times = []
    try:
        with conn.cursor() as cur:
            for i in range(warmup + n):
                start = time.perf_counter()
                for sql, params in statements:
                    cur.execute(sql, params)
                    if cur.description is not None:
                        cur.fetchall()
                conn.rollback()
                if i >= warmup:
                    times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return times


def run(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.store.console_repo import SqlAccountStore
    from bot.store.db import Database as BotDatabase
    from bot.store.search_table import SearchTable
    from bot.wiring import build_state
    from config.settings import Settings
    from domain import workflow as wf
    from services import accounts

    db = Database(args.postgres)
    state = None
    try:
        db.create()
        started = time.perf_counter()
        migrations = BotDatabase(db.url)
        migrations.upgrade()
        inbox_data.copy_into(db.dsn, inbox_data.rows(args.rows))
        # The console's lookup table (bot/store/search_table.py) holds what the app inserted;
        # rows loaded straight into the table are copied now, as the first search would.
        SearchTable(migrations).catch_up()
        migrations.dispose()
        print(
            f"database {db.name}: {args.rows:,} suggestions loaded in "
            f"{time.perf_counter() - started:.1f} s"
        )
        settings = Settings(
            wechat_token="bench",
            wechat_token_is_default=False,
            database_url=db.url,
            redis_url="",
            pseudonym_key="bench-key",
            secret_key="bench-secret",
        )
        state = build_state(settings)
        now = datetime.now(UTC)
        accounts.add_account(
            SqlAccountStore(state.db), "bench", "rev", wf.REVIEWER, "", PASSWORD, now
        )
        client = create_app(state=state).test_client()
        login = client.get("/console/login").get_data(as_text=True)
        token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed = client.post(
            "/console/login", data={"csrf_token": token, "login": "rev", "password": PASSWORD}
        )
        assert signed.status_code == 302, signed.status_code
        print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
        print(f"{args.warmup} warm-up + {args.requests} timed requests per row, ms\n")
        failed = False
        explain_rows: list[tuple[str, Any]] = []
        first = client.get("/console/").get_data(as_text=True)
        detail = "/console/s/" + first.split('data-ticket="', 1)[1].split('"', 1)[0]
        for name, path, target in PAGES:
            path = detail if path == "DETAIL" else path

            def fetch(path: str = path) -> Any:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response

            for _ in range(args.warmup):
                fetch()
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                body = fetch().get_data(as_text=True)
                times.append((time.perf_counter() - start) * 1000)
            total = body.split("共 ", 1)[1].split(" 条", 1)[0] if "共 " in body else "-"
            sql = _capture(state.db.engine, fetch)
            raw = _replay(db.dsn, sql, args.warmup, args.requests)
            ratio = statistics.median(times) / max(statistics.median(raw), 0.001)
            verdict = ""
            if target:
                ok = _pct(times, 0.95) < TARGET_MS
                failed |= not ok
                verdict = "PASS" if ok else "FAIL"
            print(f"{name:<32} {total:>7} found  app: {_summary(times)}  {verdict}")
            print(f"{'':<32} {len(sql):>3} SQL stmts  raw: {_summary(raw)}  app/SQL {ratio:4.1f}x")
            if "q=" in path:
                explain_rows += [s for s in sql if "LIKE" in s[0].upper() and "count(" in s[0]]
        print("\nPlans of the searches' count queries (EXPLAIN ANALYZE):")
        for line in _explain(db.dsn, explain_rows):
            print("   ", line)
        import psycopg2

        with psycopg2.connect(db.dsn) as conn, conn.cursor() as cur:
            cur.execute("SHOW lc_ctype")
            ctype = cur.fetchone()[0]
            cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")
            trgm = cur.fetchone()
        print(f"lc_ctype {ctype}; pg_trgm {trgm[0] if trgm else 'NOT installed'}")
        print(
            f"\ntarget p95 < {TARGET_MS:.0f} ms for the first two rows: "
            f"{'FAIL' if failed else 'PASS'}"
        )
        return 1 if failed else 0
    finally:
        if state is not None:
            state.close()
        db.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="server URL without a database name (trust or password in it)",
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)
    if args.requests < 50:
        parser.error("--requests must be at least 50")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
