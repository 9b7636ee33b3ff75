"""The xlsx export of 100,000 suggestions: time and peak memory, against a bare openpyxl dump.

    python -m bench.bench_export [--rows 100000] [--runs 3] [--postgres URL]

1. Creates a throw-away PostgreSQL database (bench_export_<hex>, dropped at the end, also on
   failure or Ctrl-C), migrates it, loads 3 campaigns and COPYs N suggestions spread over them:
   mixed statuses, outcomes, units, answers (with replied_at), satisfaction, attachments, Chinese
   texts of 20–600 characters, some starting with = + - @.
2. Each run, one after the other, as subprocesses measured the same way (wall clock; CPU from
   os.wait4; peak RSS from the child's own VmHWM in /proc, polled every 20 ms):
   (a) ours: `python -m bot suggestions export --format xlsx --out F` (the command staff run);
   (b) the peer: a bare openpyxl write-only dump of the same rows (`python -m
       bench.bench_export peer --out F`): the same streamed query, one sheet, plain values,
       `ws.append(row)` per row, no styles, no headers in Chinese, no summary.
   Ours is checked: the summary's total equals N and the campaign sheets hold N data rows.
3. Prints min/max over the runs, the ratios ours/peer, and PASS/FAIL against the targets of
   issue 10: every run under 15 s wall time and 200 MB peak RSS. Exit 0 on PASS, 1 on FAIL.

Wall time depends on what else the machine runs (the load average is printed before and after);
CPU time (user + sys) much less so.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
MAX_SECONDS, MAX_RSS_MB = 15.0, 200.0
CAMPAIGNS = {
    "kjj-2018": "市科技局解放思想大讨论",
    "mhz-2017": "孟河镇“学先进、明思路、凝共识”大讨论",
    "rd-2018": "区人大机关解放思想大讨论",
}
STATUSES = [("待审核", 40), ("已受理", 10), ("不予受理", 5), ("已交办", 15), ("已答复", 20),
            ("已办结", 10)]  # fmt: skip
OUTCOMES = ["已采纳", "部分采纳", "未采纳", "留作参考"]
UNITS = ["办公室", "科技科", "规划科", "财务科", "政策法规科", "高新技术科"]
PHRASES = [
    "建议在高新区建设共享实验平台，降低中小企业研发成本。",
    "进一步简化企业开办流程，推行一网通办。",
    "加强人才公寓建设，解决青年科技人才住房困难。",
    "设立科技成果转化基金，由财政资金引导社会资本参与。",
    "在老街口增设一处公交候车亭，方便群众雨天候车。",
    "学校周边设置护学岗，保障学生上下学安全。",
    "定期举办农技培训班，帮助农户掌握新品种种植技术。",
    "完善社区养老服务设施，增加日间照料中心。",
]  # fmt: skip
FORMULAS = ['=HYPERLINK("http://x.example","详情")', "+86 电话联系", "-1 建议", "@全体 "]
COLUMNS = ("ticket, campaign_code, topic, content, content_hash, status, created_at, channel, "
           "user_openid, author, source_key, attachments, unit, outcome, reply, replied_at, "
           "satisfaction")  # fmt: skip


def _prose(rnd: random.Random, length: int) -> str:
    """Fragments of 2–7 characters from random places in the phrases, and words of 1–3
    characters drawn from 3,000 CJK ones: deflate shrinks it to about a third, near real
    ideas (repeating whole phrases would flatter the deflate step)."""
    parts: list[str] = []
    size = 0
    while size < length:
        if rnd.random() < 0.4:  # a word the phrases do not have
            part = "".join(chr(0x4E00 + rnd.randrange(3000)) for _ in range(rnd.randint(1, 3)))
        else:
            phrase = rnd.choice(PHRASES)
            start = rnd.randrange(len(phrase) - 2)
            part = phrase[start : start + rnd.randint(2, 7)]
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


def _rows(n: int, seed: int = 7) -> Any:
    rnd = random.Random(seed)
    start = datetime(2018, 5, 1, tzinfo=UTC)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    codes = list(CAMPAIGNS)
    for i in range(n):
        status = rnd.choice(statuses)
        text = _prose(rnd, rnd.randint(20, 600))
        if rnd.random() < 0.02:
            text = rnd.choice(FORMULAS) + text
        created = start + timedelta(seconds=i * 200 + rnd.randint(0, 199))
        unit = outcome = reply = replied = rating = None
        if status in ("已交办", "已答复", "已办结"):
            unit = rnd.choice(UNITS)
        if status in ("已答复", "已办结"):
            outcome = rnd.choice(OUTCOMES)
            reply = "感谢您的建议。" + _prose(rnd, rnd.randint(20, 200))
            replied = created + timedelta(days=rnd.randint(1, 30))
            if status == "已办结" and rnd.random() < 0.6:
                rating = rnd.choice(["满意", "满意", "基本满意", "不满意"])
        yield (
            f"B{i:07d}", codes[i % 3], "营商环境", text, f"{i:064x}", status, created.isoformat(),
            "wechat", f"o_bench_{i % 5000}", f"u_{i % 5000:016x}", f"bench:{i}",
            json.dumps(["m"] * rnd.choice((0, 0, 0, 1, 2))), unit, outcome, reply,
            replied.isoformat() if replied else None, rating,
        )  # fmt: skip


def prepare(n: int, admin_url: str) -> tuple[str, str]:
    """A fresh migrated database with the campaigns and N suggestions; (name, url)."""
    import csv

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.store.campaigns_repo import save_plan
    from bot.store.db import Database
    from domain.plan import DateSpan, Phase, Plan

    name = f"bench_export_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    try:
        db.upgrade()
        span = DateSpan(date(2018, 5, 1), date(2018, 12, 31), "5月至年底")
        for code, title in CAMPAIGNS.items():
            year = int(code[-4:])
            save_plan(db, Plan(code=code, name=title, year=year, phases=(Phase("阶段", span),)))
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            buf = io.StringIO()
            writer = csv.writer(buf)
            for i, row in enumerate(_rows(n), 1):
                writer.writerow(["\\N" if v is None else v for v in row])
                if i % 10_000 == 0 or i == n:
                    buf.seek(0)
                    cur.copy_expert(
                        f"COPY suggestions ({COLUMNS}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                        buf,
                    )
                    buf = io.StringIO()
                    writer = csv.writer(buf)
            cur.execute("ANALYZE suggestions")
            raw.commit()
        finally:
            raw.close()
    finally:
        db.dispose()
    return name, url


def drop(name: str, admin_url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _peak_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM, kB); 0 once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Run `cmd`; its wall time, CPU time (user + sys, from wait4) and peak RSS in MB.

    Peak RSS is the child's own VmHWM, read every 20 ms until it exits (the last read is at
    most 20 ms before). Not ru_maxrss: Linux carries the parent's resident size at fork into
    the child's ru_maxrss, so it would report this bench's own size whenever that is larger."""
    with open(log, "wb") as err:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=err, stderr=err)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _peak_kb(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{log.read_text()[-2000:]}")
    rss = peak or usage.ru_maxrss  # no /proc: the rusage figure, an upper bound
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss / 1024}


def check(path: Path, n: int) -> None:
    """Ours holds N data rows over the campaign sheets and says so in its summary."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as z:
        names = sorted(x for x in z.namelist() if x.startswith("xl/worksheets/sheet"))
        rows = 0
        for member in names[1:]:  # sheet1 is the summary
            with z.open(member) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    rows += (tail + chunk).count(b"<row ")
                    tail = chunk[-4:]
            rows -= 1  # the header row
    book = load_workbook(path, read_only=True)
    total = {r[0]: r[2] for r in book["汇总"].iter_rows(values_only=True) if len(r) > 2}
    book.close()
    if rows != n or total.get("合计") != n:
        raise SystemExit(
            f"export check failed: {rows} data rows, summary total {total.get('合计')}"
        )


def peer(out: str) -> int:
    """The bare openpyxl write-only dump of the same rows (the same streamed query)."""
    from zoneinfo import ZoneInfo

    from openpyxl import Workbook
    from sqlalchemy import create_engine, select

    from bot.store.db import normalize_url
    from bot.store.export_rows import BATCH
    from bot.store.models import SuggestionRow as S

    tz = ZoneInfo(os.environ.get("BOT_TIMEZONE", "Asia/Shanghai"))
    engine = create_engine(normalize_url(os.environ["DATABASE_URL"]))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("suggestions")
    cols = (S.ticket, S.campaign_code, S.topic, S.content, S.status, S.created_at, S.channel,
            S.author, S.attachments, S.outcome, S.unit, S.reply, S.replied_at)  # fmt: skip
    ws.append([c.key for c in cols])
    stmt = select(*cols).order_by(S.created_at, S.id).execution_options(yield_per=BATCH)
    with engine.connect() as conn:
        for r in conn.execute(stmt):
            row = list(r)
            row[5] = row[5].astimezone(tz).replace(tzinfo=None)
            row[8] = len(row[8] or [])
            if row[12] is not None:
                row[12] = row[12].astimezone(tz).replace(tzinfo=None)
            ws.append(row)
    wb.save(out)
    engine.dispose()
    return 0


def _span(values: list[float], fmt: str) -> str:
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=("bench", "peer"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=PG_ADMIN_URL, help="admin URL (database postgres)")
    parser.add_argument("--out", help="peer mode: the file to write")
    args = parser.parse_args(argv)
    if args.mode == "peer":
        return peer(args.out)

    began = time.perf_counter()
    name, url = prepare(args.rows, args.postgres)
    print(f"database {name}: {args.rows} suggestions in {time.perf_counter() - began:.1f} s")
    folder = Path(tempfile.mkdtemp(prefix="bench_export_"))
    own = ("WECHAT_", "WECOM_", "BOT_", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update(DATABASE_URL=url, BOT_PSEUDONYM_KEY="bench-export", BOT_TIMEZONE="Asia/Shanghai")
    ours: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    try:
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for run in range(1, args.runs + 1):
            out = folder / "ours.xlsx"
            cmd = [sys.executable, "-m", "bot", "suggestions", "export", "--format", "xlsx",
                   "--out", str(out)]  # fmt: skip
            ours.append(measure(cmd, env, folder / "ours.log"))
            check(out, args.rows)
            size = out.stat().st_size / 1e6
            cmd = [sys.executable, "-m", "bench.bench_export", "peer", "--out",
                   str(folder / "peer.xlsx")]  # fmt: skip
            bare.append(measure(cmd, env, folder / "peer.log"))
            peer_size = (folder / "peer.xlsx").stat().st_size / 1e6
            o, p = ours[-1], bare[-1]
            print(
                f"run {run}: ours {o['wall']:.2f} s wall, {o['cpu']:.2f} s CPU, {o['rss']:.1f} MB"
                f" ({size:.1f} MB file) | peer {p['wall']:.2f} s, {p['cpu']:.2f} s CPU,"
                f" {p['rss']:.1f} MB ({peer_size:.1f} MB file) |"
                f" ours/peer wall {o['wall'] / p['wall']:.2f}×, RSS {o['rss'] / p['rss']:.2f}×"
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        drop(name, args.postgres)
    print()
    print(f"{'':14}{'wall s':>14}{'CPU s':>14}{'peak RSS MB':>16}")
    for label, runs in (("ours", ours), ("bare openpyxl", bare)):
        print(
            f"{label:14}{_span([r['wall'] for r in runs], '{:.2f}'):>14}"
            f"{_span([r['cpu'] for r in runs], '{:.2f}'):>14}"
            f"{_span([r['rss'] for r in runs], '{:.1f}'):>16}"
        )
    pairs = list(zip(ours, bare, strict=True))
    ratios = {k: _span([o[k] / p[k] for o, p in pairs], "{:.2f}") for k in ("wall", "cpu", "rss")}
    print(f"ours / peer: wall {ratios['wall']}×, CPU {ratios['cpu']}×, peak RSS {ratios['rss']}×")
    worst_wall = max(r["wall"] for r in ours)
    worst_rss = max(r["rss"] for r in ours)
    ok = worst_wall < MAX_SECONDS and worst_rss < MAX_RSS_MB
    print(
        f"targets: every run < {MAX_SECONDS:g} s and < {MAX_RSS_MB:g} MB peak RSS "
        f"(worst {worst_wall:.2f} s, {worst_rss:.1f} MB): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
