"""Webhook throughput benchmark: the assistant against two echo baselines, under wrk.

    python -m bench.bench_webhook [--seconds 10 --warmup 3 --connections 32]

Loads in turn, on identical gunicorn settings (default: 2 sync workers, a connection per request):
  (a) assistant  `bot.wsgi:app` on PostgreSQL + Redis (a throw-away database bench_<hex>,
                 a Redis key prefix of its own), migrated, with config/plans/kjj-2018.yaml loaded,
                 BOT_TODAY=2018-06-04;
  (b) werobot    `bench.echo_werobot:app` (WeRoBot 1.13.1 echo, sessions off);
  (c) flask      `bench.echo_flask:app` (Flask + wechatpy echo);
  (d) floor      `bench.echo_storage:app` ((c) plus only the storage round trips of the row).
Rows: `帮助`, a one-message 献一策 submission with unique text, `本周有什么到期`. Every request is a
signed plain-mode text callback with a unique MsgId; senders rotate over --users openids and a
sender never sends more than --per-user messages in a row's sequence (the assistant allows 10
suggestions per user per hour).

Prints requests/s, p50/p99 latency and errors per target and row, the ratios (帮助 judged
against WeRoBot, a submission and a question against (d), in the same run), the machine's
regime (d)/WeRoBot per row, PASS/FAIL against the targets, and checks in PostgreSQL that
every submitted MsgId is stored exactly once. Results also go to bench/results/webhook.json.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import http.client
import importlib.util
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk_webhook.lua"
PLAN = REPO / "config" / "plans" / "kjj-2018.yaml"
TOKEN = "bench-token-8f3a"
REHEARSAL_DAY = "2018-06-04"

TARGETS = {  # name: (label, WSGI app, MsgId digit)
    "assistant": ("(a) assistant", "bot.wsgi:app", 1),
    "werobot": ("(b) WeRoBot echo", "bench.echo_werobot:app", 2),
    "flask": ("(c) Flask+wechatpy echo", "bench.echo_flask:app", 3),
    "floor": ("(d) (c) + storage only", "bench.echo_storage:app", 4),
}
FLOOR_ROWS = ("submit", "due")  # for 帮助, (d) is (c): no storage


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    text: str  # "{n}" is replaced by the MsgId, making every text unique
    expect: str  # what a good assistant answer contains
    target: float  # minimum ratio assistant / baseline, in the same run
    digit: int
    rotate: bool  # cap messages per user (the per-hour suggestion limit)
    baseline: str = "werobot"  # the target the ratio is taken against: "werobot" or "floor"


# Issue 12: a fixed answer against the WeRoBot echo; a submission and a question against (d),
# the same echo doing only the storage round trips the row cannot do without.
ROWS = [
    Row("help", "帮助", "帮助", "我可以帮您", 0.9, 1, False),
    Row("submit", "献一策 submission",
        "献一策：建议在镇区增设公共充电桩，方便群众夜间出行，第{n}条", "提交成功", 0.8, 2, True,
        "floor"),
    Row("due", "本周有什么到期", "本周有什么到期", "到期的任务", 0.8, 3, False, "floor"),
]
P99_LIMIT_MS = 100.0
STORM_DIGIT = 4  # MsgIds of the retry-storm check

# --- process bookkeeping: everything we start is killed on exit, Ctrl-C or failure -------------

_children: list[subprocess.Popen[Any]] = []


def _spawn(cmd: list[str], **kw: Any) -> subprocess.Popen[Any]:
    proc = subprocess.Popen(cmd, start_new_session=True, **kw)  # own group: killed by its id
    _children.append(proc)
    return proc


def _kill(proc: subprocess.Popen[Any], grace: float = 8.0) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:  # stragglers in the group (gunicorn workers)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        pass
    if proc in _children:
        _children.remove(proc)


def _kill_all() -> None:
    for proc in list(reversed(_children)):
        _kill(proc, grace=3.0)


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


# --- prerequisites ------------------------------------------------------------------------------


def ensure_tools(install: bool) -> None:
    missing_py = importlib.util.find_spec("werobot") is None
    missing_wrk = shutil.which("wrk") is None
    if missing_py:
        cmd = [sys.executable, "-m", "pip", "install", "-r", str(BENCH / "requirements.txt")]
        if not install:
            sys.exit("WeRoBot is missing; run: " + " ".join(cmd))
        print("installing bench/requirements.txt ...", file=sys.stderr)
        subprocess.run(cmd, check=True)
    if missing_wrk:
        if not install or os.geteuid() != 0 or not shutil.which("apt-get"):
            sys.exit("wrk is missing; run: apt-get update && apt-get install -y wrk")
        print("installing wrk (apt-get) ...", file=sys.stderr)
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)


# --- PostgreSQL and Redis -----------------------------------------------------------------------


class Backends:
    """A throw-away PostgreSQL database and a Redis key prefix of this run's own, both removed
    again by close(). Redis may be shared with other runs: nothing here FLUSHes it."""

    def __init__(self, pg: str, redis_url: str) -> None:
        self.pg_admin = pg.rstrip("/")
        self.db_name = "bench_" + secrets.token_hex(4)
        self.database_url = f"{self.pg_admin}/{self.db_name}".replace(
            "postgresql://", "postgresql+psycopg2://", 1)
        self.redis_url = redis_url
        self.redis_prefix = f"bench:{secrets.token_hex(4)}:"
        self.created = False

    def _admin(self):  # type: ignore[no-untyped-def]
        import psycopg2

        conn = psycopg2.connect(self.pg_admin.replace("postgresql+psycopg2://", "postgresql://")
                                + "/postgres")
        conn.autocommit = True
        return conn

    def create(self) -> None:
        import redis

        conn = self._admin()  # not `with conn`: psycopg2 2.9 would open a transaction
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.db_name}"')
        finally:
            conn.close()
        self.created = True
        redis.Redis.from_url(self.redis_url).ping()  # fail early; the fresh prefix holds nothing

    def create_floor_table(self) -> None:
        """The table of baseline (d): what a submission must store, keyed by MsgId."""
        self.query_commit("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, "
                          "source_key text NOT NULL UNIQUE, user_openid text NOT NULL, "
                          "content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")

    def query_commit(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.database_url.replace("postgresql+psycopg2://",
                                                          "postgresql://"))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def checkpoint(self) -> None:
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute("CHECKPOINT")
        finally:
            conn.close()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg2

        dsn = self.database_url.replace("postgresql+psycopg2://", "postgresql://")
        conn = psycopg2.connect(dsn)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        finally:
            conn.close()

    def close(self) -> None:
        try:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(match=self.redis_prefix + "*", count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start:start + 500])
        except Exception as exc:  # noqa: BLE001
            print(f"warning: could not delete this run's Redis keys: {exc}", file=sys.stderr)
        if not self.created:
            return
        try:
            conn = self._admin()
            with conn.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (self.db_name,))
                cur.execute(f'DROP DATABASE IF EXISTS "{self.db_name}"')
            conn.close()
            self.created = False
        except Exception as exc:  # noqa: BLE001
            print(f"warning: could not drop database {self.db_name}: {exc}", file=sys.stderr)


# --- CPU accounting ------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _disturbance(ph: Phase) -> float:
    """Cores taken from the measurement by others: other processes, and the hypervisor's
    steal (other virtual machines on the same host), which delays every wake-up."""
    cpu = ph.result["cpu"]
    return float(cpu["foreign_cores"]) + float(cpu.get("steal_cores", 0.0))


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, total, steal) ticks of the whole machine (steal: taken by the hypervisor)."""
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + parts[4]
    steal = parts[7] if len(parts) > 7 else 0
    return sum(parts) - idle, sum(parts), steal


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                pids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


@dataclass(frozen=True)
class ProcInfo:
    cpu: float  # own user+system seconds
    children: float  # seconds of reaped children
    pgid: int
    comm: str
    title: str  # the command line (PostgreSQL puts "postgres: ... db client state" there)


def snapshot() -> dict[int, ProcInfo]:
    """CPU seconds of every process on the machine (for telling our load from others')."""
    snap = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                head, _, tail = fh.read().rpartition(")")
            f = tail.split()
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                title = fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        snap[int(name)] = ProcInfo((int(f[11]) + int(f[12])) / _TICK,
                                   (int(f[13]) + int(f[14])) / _TICK, int(f[2]),
                                   head.partition("(")[2], title)
    return snap


def classify(pid: int, info: ProcInfo, server_pgid: int, db_name: str | None) -> str:
    if info.pgid == server_pgid:
        return "server"
    if pid == os.getpid() or info.comm in ("wrk", "py-spy"):
        return "bench"
    if info.comm == "redis-server":
        return "db_redis"
    if info.comm == "postgres" or info.title.startswith("postgres:"):
        client = "(" in info.title or "[local]" in info.title
        if not client or (db_name and f" {db_name} " in info.title):
            return "db_redis"  # the server's own processes, or a backend of our database
        return "foreign"
    if not info.title:
        return "kernel"
    return "foreign"


def cpu_by_class(before: dict[int, ProcInfo], after: dict[int, ProcInfo], server_pgid: int,
                 db_name: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for pid, a in after.items():
        b = before.get(pid)
        if b is not None and (b.comm != a.comm):
            b = None  # pid reused
        used = a.cpu - (b.cpu if b else 0.0)
        kind = classify(pid, a, server_pgid, db_name)
        if kind == "foreign":  # include its reaped children (a test run's subprocesses)
            used += a.children - (b.children if b else 0.0)
        out[kind] = out.get(kind, 0.0) + max(0.0, used)
    return out


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores the machine keeps busy right now (everything, not only ours)."""
    b0, t0, _ = _machine_ticks()
    time.sleep(seconds)
    b1, t1, _ = _machine_ticks()
    return (os.cpu_count() or 1) * (b1 - b0) / max(1, t1 - t0)


def wait_quiet(args: argparse.Namespace) -> float:
    """Wait (up to --wait-quiet s) until other work on the machine stays under --quiet cores,
    so that another user's test run does not land in our measurement. Returns the last sample."""
    deadline = time.monotonic() + args.wait_quiet
    load = busy_cores()
    announced = False
    while load > args.quiet and time.monotonic() < deadline:
        if not announced:
            print(f"   machine busy ({load:.2f} cores used by others); waiting for quiet ...",
                  file=sys.stderr)
            announced = True
        load = busy_cores()
    return round(load, 2)


# --- the servers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed_query() -> str:
    ts, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    sig = hashlib.sha1("".join(sorted([TOKEN, ts, nonce])).encode()).hexdigest()
    return "/wechat?" + urlencode({"signature": sig, "timestamp": ts, "nonce": nonce,
                                   "openid": "o_bench"})


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[Any]
    port: int
    log: Path

    def workers(self) -> list[int]:
        return [p for p in _group_pids(self.proc.pid) if p != self.proc.pid]


def start_server(name: str, app: str, env: dict[str, str], args: argparse.Namespace) -> Server:
    port = _free_port()
    log = RESULTS / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", args.worker_class,
           "--threads", str(args.worker_threads), "-b", f"127.0.0.1:{port}",
           "--timeout", "30", "--graceful-timeout", "5", "--keep-alive", str(args.keep_alive), app]
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process
    proc = _spawn(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    fh.close()
    server = Server(name, proc, port, log)
    deadline = time.monotonic() + 60
    query = signed_query() + "&echostr=ready"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name}: gunicorn exited ({proc.returncode}); see {log}\n"
                               + log.read_text(errors="replace")[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", query)
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            if resp.status == 200 and body == b"ready" and len(server.workers()) >= args.workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name}: not ready after 60 s; see {log}")


# --- wrk ---------------------------------------------------------------------------------------


@dataclass
class Phase:
    """One wrk invocation."""

    seconds: float
    seq0: int
    result: dict[str, Any] = field(default_factory=dict)


def msg_prefix(run_id: str, target_digit: int, row_digit: int) -> str:
    return f"1{run_id}{target_digit}{row_digit}"


def user_of(seq: int, users: int, per_user: int, prefix: str = "o_bench_") -> str:
    gen = seq // (users * per_user) if per_user > 0 else 0
    idx = seq % users
    return f"{prefix}g{gen}_{idx}" if gen > 0 else f"{prefix}{idx}"


def message_xml(seq: int, row: Row, prefix: str, users: int, per_user: int,
                user_prefix: str = "o_bench_") -> bytes:
    """The same callback the Lua script builds for `seq` (for retries from Python)."""
    msgid = f"{prefix}{seq:08d}"
    text = row.text.replace("{n}", msgid)
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[{user_of(seq, users, per_user, user_prefix)}]]>"
            "</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msgid}</MsgId></xml>").encode()


def run_wrk(server: Server, row: Row, expect: str, prefix: str, phase: Phase,
            args: argparse.Namespace, query: str, ticketfile: str = "",
            db_name: str | None = None) -> dict[str, Any]:
    per_user = args.per_user if row.rotate else 0
    cmd = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{phase.seconds}s",
           "--timeout", f"{args.timeout}s", "-s", str(LUA), f"http://127.0.0.1:{server.port}",
           "--", f"path={query}", f"seq0={phase.seq0}", f"threads={args.wrk_threads}",
           f"msgprefix={prefix}", f"users={args.users}", f"per_user={per_user}",
           "userprefix=o_bench_", "text=" + row.text.encode().hex(),
           "expect=" + expect.encode().hex(), f"tickets={1 if ticketfile else 0}",
           f"ticketfile={ticketfile}"]
    snap0 = snapshot()
    busy0, total0, steal0 = _machine_ticks()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = _spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    raw_out, raw_err = proc.communicate(timeout=phase.seconds + 60)
    _children.remove(proc)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, total1, steal1 = _machine_ticks()
    by_class = cpu_by_class(snap0, snapshot(), server.proc.pid, db_name)
    out = raw_out.decode("utf-8", "replace")
    err = raw_err.decode("utf-8", "replace")
    if proc.returncode != 0 or "WRKJSON " not in out:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip()[-500:]} {out[-500:]}")
    res: dict[str, Any] = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    wall = res["duration_us"] / 1e6
    res["rps"] = res["requests"] / wall if wall else 0.0
    res["p50_ms"] = res["p50_us"] / 1000
    res["p99_ms"] = res["p99_us"] / 1000
    res["errors"] = (res["bad_status"] + res["no_reply"] + res["connect_errors"]
                     + res["read_errors"] + res["write_errors"] + res["timeouts"])
    cores = os.cpu_count() or 1
    machine = cores * (busy1 - busy0) / max(1, total1 - total0)
    wrk_c = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime) / wall
    res["cpu"] = {
        "cores": cores,
        "machine_busy_cores": round(machine, 2),  # everything, kernel included
        "server_cores": round(by_class.get("server", 0.0) / wall, 2),  # gunicorn + workers
        "wrk_cores": round(wrk_c, 2),  # the load generator
        "db_redis_cores": round(by_class.get("db_redis", 0.0) / wall, 2),  # PostgreSQL + Redis
        "foreign_cores": round(by_class.get("foreign", 0.0) / wall, 2),  # other users' work
        "steal_cores": round(cores * (steal1 - steal0) / max(1, total1 - total0), 2),
    }
    phase.result = res
    return res


# --- the assistant's correctness checks ---------------------------------------------------------


def post(port: int, query: str, body: bytes, timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", query, body=body, headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


TICKET = re.compile(r"编号：(\w+)")


def retry_storm(server: Server, query: str, run_id: str, args: argparse.Namespace,
                count: int = 50, copies: int = 3) -> dict[str, Any]:
    """`count` new submissions, each sent `copies` times at once (WeChat retrying): one record
    each, and every copy answers with the same ticket."""
    row = ROWS[1]
    prefix = msg_prefix(run_id, TARGETS["assistant"][2], STORM_DIGIT)
    jobs = [(seq, c) for seq in range(count) for c in range(copies)]
    answers: dict[int, list[tuple[int, str]]] = {}
    with cf.ThreadPoolExecutor(max_workers=min(32, len(jobs))) as pool:
        futs = {pool.submit(post, server.port, query,
                            message_xml(seq, row, prefix, 10**6, 0, "o_storm_")): seq
                for seq, _ in jobs}
        for fut in cf.as_completed(futs):
            answers.setdefault(futs[fut], []).append(fut.result())
    problems = []
    for seq, got in answers.items():
        tickets = {m.group(1) if (m := TICKET.search(body)) else None for _, body in got}
        statuses = {s for s, _ in got}
        if statuses != {200} or len(tickets) != 1 or None in tickets:
            problems.append({"seq": seq, "statuses": sorted(statuses),
                             "answers": [b[:120] for _, b in got]})
    return {"messages": count, "copies": copies, "prefix": prefix,
            "msgids": [f"{prefix}{s:08d}" for s in range(count)], "problems": problems[:5],
            "ok": not problems}


def sent_ids(phases: list[Phase], prefix: str, threads: int) -> dict[str, int]:
    """source_key -> seq of every message wrk sent: thread t sent seq0 + k*T + t, k < its count."""
    sent: dict[str, int] = {}
    for ph in phases:
        for t, count in enumerate(ph.result["counters"]):
            for k in range(count):
                seq = ph.seq0 + k * threads + t
                sent[f"msg:{prefix}{seq:08d}"] = seq
    return sent


def verify_suggestions(backends: Backends, server: Server, query: str, phases: list[Phase],
                       prefix: str, ticket_files: list[Path], storm: dict[str, Any] | None,
                       args: argparse.Namespace) -> dict[str, Any]:
    """Exactly one stored suggestion per submitted MsgId (see README)."""
    row = ROWS[1]
    sent = sent_ids(phases, prefix, args.wrk_threads)
    ok_answers = sum(ph.result["ok"] for ph in phases)
    responses = sum(ph.result["requests"] for ph in phases)
    tickets: list[str] = []
    for tf in ticket_files:
        for part in sorted(tf.parent.glob(tf.name + ".*")):  # one file per wrk thread
            tickets += [t for t in part.read_text().split() if t]
    ticket_set = set(tickets)
    rows = backends.query("SELECT source_key, ticket FROM suggestions")
    by_key: dict[str, list[str]] = {}
    for key, ticket in rows:
        key = "msg:" + key.rsplit(":", 1)[-1]  # stored as <channel>:<user>:<MsgId>
        by_key.setdefault(key, []).append(ticket)
    db_tickets = {t for _, t in rows}
    storm_keys = {f"msg:{m}" for m in (storm or {}).get("msgids", [])}
    foreign = [k for k in by_key if k not in sent and k not in storm_keys]
    answered = {k for k, ts in by_key.items() if k in sent and ticket_set.intersection(ts)}
    stored_unanswered = [k for k in by_key if k in sent and k not in answered]
    # WeChat retries a message that got no answer. Resend every submission wrk got no good
    # answer to (those in flight when wrk stopped, and any failure): a stored one must answer
    # with its stored ticket, a lost one is stored now. Then each sent MsgId must be stored once.
    retried, retry_problems = 0, []
    unanswered = [k for k in sent if k not in answered]
    cap = max(200, 4 * args.connections * len(phases))
    if len(unanswered) > cap:  # something is badly wrong; do not resend thousands
        retry_problems.append({"unanswered": len(unanswered), "not_resent_over": cap})
    for key in unanswered[:cap]:
        seq = sent[key]
        status, body = post(server.port, query,
                            message_xml(seq, row, prefix, args.users, args.per_user))
        retried += 1
        m = TICKET.search(body)
        if status != 200 or not m:
            retry_problems.append({"key": key, "status": status, "body": body[:160]})
        elif key in by_key and m.group(1) not in by_key[key]:
            retry_problems.append({"key": key, "ticket_mismatch": [m.group(1), by_key[key]]})
    total, distinct_keys, distinct_tickets = backends.query(
        "SELECT count(*), count(DISTINCT source_key), count(DISTINCT ticket) FROM suggestions")[0]
    dups = backends.query("SELECT source_key, count(*) FROM suggestions GROUP BY source_key "
                          "HAVING count(*) > 1 LIMIT 5")
    load_rows = backends.query("SELECT count(*) FROM suggestions WHERE source_key LIKE %s",
                               (f"wechat:%:{prefix}%",))[0][0]
    storm_rows = backends.query("SELECT count(*) FROM suggestions WHERE source_key LIKE %s",
                                (f"wechat:%:{storm['prefix']}%",))[0][0] if storm else 0
    checks = {
        "every 200 answer carried a ticket": len(tickets) == ok_answers,
        "answered tickets are distinct": len(ticket_set) == len(tickets),
        "answered tickets are stored": ticket_set <= db_tickets,
        "no duplicate source_key": not dups and total == distinct_keys,
        "no rows from unsent MsgIds": not foreign,
        "retries answered 200 with the stored ticket": not retry_problems,
        "one row per sent MsgId after retries": load_rows == len(sent),
        "retry storm: one row per MsgId, same answer to every copy":
            storm is None or (storm["ok"] and storm_rows == storm["messages"]),
    }
    return {
        "submissions_sent": len(sent),
        "responses": responses,
        "answered_200_with_reply": ok_answers,
        "rows_after_load": sum(1 for k in by_key if k in sent),
        "rows_stored_but_unanswered_at_wrk_stop": len(stored_unanswered),
        "retried_after_load": retried,
        "rows_from_load_after_retries": load_rows,
        "storm_rows": storm_rows,
        "rows_total": total,
        "distinct_source_keys": distinct_keys,
        "distinct_tickets": distinct_tickets,
        "duplicates": [list(d) for d in dups],
        "foreign_rows": foreign[:5],
        "retry_problems": retry_problems[:5],
        "storm": {k: v for k, v in (storm or {}).items() if k != "msgids"},
        "checks": checks,
        "ok": all(checks.values()),
    }


# --- running a target ----------------------------------------------------------------------------


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECHAT_", "WECOM_", "BOT_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"WECHAT_TOKEN": TOKEN, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def assistant_env(backends: Backends, patches: str = "") -> dict[str, str]:
    env = base_env()
    if patches:
        env["BENCH_PATCHES"] = patches  # read by bench/ablation_wsgi.py only
    env.update({
        "DATABASE_URL": backends.database_url, "REDIS_URL": backends.redis_url,
        "BOT_REDIS_PREFIX": backends.redis_prefix, "BOT_TODAY": REHEARSAL_DAY,
        "BOT_PSEUDONYM_KEY": "bench-pseudonym-key",
        # present but empty, so a .env file cannot switch on outbound sends or encryption
        "WECHAT_APPID": "", "WECHAT_SECRET": "", "WECHAT_AES_KEY": "",
    })
    return env


def prepare_assistant(env: dict[str, str], notes: list[str]) -> bool:
    """Migrate, load the plan. False if the plan file is missing (schedule row skipped)."""
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    if not PLAN.exists():
        notes.append(f"{PLAN.relative_to(REPO)} is missing: the 本周有什么到期 row is skipped")
        return False
    out = subprocess.run([sys.executable, "-m", "bot", "plan", "load", str(PLAN)], cwd=REPO,
                         env=env, check=True, capture_output=True, text=True, timeout=120)
    notes.append("plan loaded: " + out.stdout.strip())
    return True


def profile_workers(server: Server, seconds: float, row: Row,
                    idle: bool) -> list[subprocess.Popen[Any]]:
    if not shutil.which("py-spy"):
        print("py-spy not found (pip install py-spy); no profile", file=sys.stderr)
        return []
    procs = []
    for i, pid in enumerate(server.workers()):
        out = RESULTS / f"profile-{row.key}-w{i}.txt"
        cmd = ["py-spy", "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100",
               "-f", "raw", "-o", str(out), "--nonblocking"] + (["--idle"] if idle else [])
        procs.append(_spawn(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


_FRAME = re.compile(r"^(?P<func>.*) \((?P<path>[^():]+):\d+\)$")
PROJECT_DIRS = ("bot/", "handlers/", "domain/", "config/")


def summarize_profile(row: Row, top: int = 15) -> dict[str, Any]:
    """From py-spy's collapsed stacks: the share of samples under each of our own functions
    (inclusive), and the share spent in each package's own code (self)."""
    incl: dict[str, int] = {}
    self_pkg: dict[str, int] = {}
    total = 0
    for f in sorted(RESULTS.glob(f"profile-{row.key}-w*.txt")):
        for line in f.read_text(errors="replace").splitlines():
            stack, _, n = line.rpartition(" ")
            if not n.isdigit():
                continue
            count = int(n)
            total += count
            frames = [fr for fr in stack.split(";") if fr]
            seen = set()
            for fr in frames:
                m = _FRAME.match(fr)
                if m and m["path"].startswith(PROJECT_DIRS) and fr not in seen:
                    seen.add(fr)
                    key = f"{m['func']} ({m['path']})"
                    incl[key] = incl.get(key, 0) + count
            if frames:
                m = _FRAME.match(frames[-1])
                path = m["path"] if m else frames[-1]
                pkg = path.split("/")[0] if "/" in path else path
                self_pkg[pkg] = self_pkg.get(pkg, 0) + count

    def share(d: dict[str, int]) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(1, total), 1))
                for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "project_inclusive": share(incl), "self_by_package": share(self_pkg)}


def run_row(name: str, server: Server, row: Row, prefix: str, query: str,
            args: argparse.Namespace, backends: Backends | None, phases: list[Phase],
            tfiles: list[Path], rnd: int = 0) -> dict[str, Any]:
    """One round of a target's row: warm-up, then the measurement (again, up to --retries
    times, if other processes or the hypervisor took CPU meanwhile; the least disturbed one
    counts). `phases` and `tfiles` gather every phase and ticket file of the target's row over
    the rounds (MsgIds and senders continue from one to the next). Returns the round's entry."""
    expect = row.expect if name == "assistant" else row.text.split("{n}")[0]
    collect = name == "assistant" and row.key == "submit"
    first = len(phases)

    def measure(kind: str, secs: int, tag: str = "") -> Phase:
        seq = (phases[-1].seq0 + phases[-1].result["max_counter"] * args.wrk_threads
               if phases else 0)  # MsgIds and senders continue across phases
        ph = Phase(secs, seq)
        tf = RESULTS / f"tickets-{name}-{row.key}-r{rnd}-{kind}{tag}.txt" if collect else None
        if tf is not None:
            tfiles.append(tf)
        profs = (profile_workers(server, secs, row, args.profile_idle)
                 if args.profile and kind == "measure" and name == "assistant" else [])
        run_wrk(server, row, expect, prefix, ph, args, query, str(tf) if tf else "",
                backends.db_name if backends is not None else None)
        for p in profs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                pass
            _kill(p, 1)
        phases.append(ph)
        r, c = ph.result, ph.result["cpu"]
        print(f"   {name:9s} {row.key:7s} r{rnd} {kind:7s} {r['rps']:8.1f} req/s  "
              f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  "
              f"cores: server "
              f"{c['server_cores']} wrk {c['wrk_cores']} db+redis {c['db_redis_cores']} "
              f"others {c['foreign_cores']}", file=sys.stderr)
        for sample in r.get("samples", [])[:2]:
            print(f"      sample error: {sample}", file=sys.stderr)
        return ph

    background = wait_quiet(args)
    warm = measure("warmup", args.warmup) if args.warmup > 0 else None
    attempts: list[Phase] = []
    for attempt in range(args.retries + 1):
        if attempt:
            background = wait_quiet(args)
        ph = measure("measure", args.seconds, str(attempt))
        ph.result["background_cores_before"] = background
        attempts.append(ph)
        if _disturbance(ph) <= args.max_foreign:
            break
        if attempt < args.retries:
            cpu = ph.result["cpu"]
            print(f"   other processes used {cpu['foreign_cores']} cores and the hypervisor "
                  f"took {cpu['steal_cores']} during the measurement; measuring again",
                  file=sys.stderr)
    best = min(attempts, key=_disturbance)
    entry: dict[str, Any] = {
        "warmup": warm.result if warm else None,
        "measure": best.result,
        "attempts": len(attempts),
        "discarded": [ph.result for ph in attempts if ph is not best],
        "errors_all_phases": sum(ph.result["errors"] for ph in phases[first:]),
    }
    if args.profile and name == "assistant":
        entry["profile"] = summarize_profile(row)
    return entry


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose req/s is the median (the lower middle one of an even number)."""
    ordered = sorted(rounds, key=lambda e: e["measure"]["rps"])
    return ordered[(len(ordered) - 1) // 2]


def start_target(name: str, env: dict[str, str], args: argparse.Namespace) -> tuple[
        Server, dict[str, Any]]:
    label, app, _ = TARGETS[name]
    if name == "assistant" and args.assistant_app != app:
        app = args.assistant_app
        label = "(a) what-if " + (args.patches or "none")
    print(f"\n== {label}: gunicorn -w {args.workers} -k {args.worker_class} --threads "
          f"{args.worker_threads} --keep-alive {args.keep_alive} {app}", file=sys.stderr)
    server = start_server(name, app, env, args)
    return server, {"label": label, "app": app, "rows": {},
                    "server_log": str(server.log.relative_to(REPO))}


def round_order(names: list[str], baseline: str, rnd: int) -> list[str]:
    """The targets of one round: the assistant and the row's baseline (the pair its ratio is
    taken on) next to each other, first in even rounds and last, in the other order, in odd
    ones (a, d, b, c | b, c, d, a | a, d, …). On this kind of virtual machine the CPU a
    request costs drifts by a third over tens of seconds with no steal or other load to show
    for it (bench/README.md, "Third round"); a pair measured back to back shares the drift,
    and the alternation cancels what is left of it over the rounds."""
    pair = [n for n in ("assistant", baseline) if n in names]
    rest = [n for n in names if n not in pair]
    return pair + rest if rnd % 2 == 0 else rest + pair[::-1]


def run_rows(servers: dict[str, Server], results: dict[str, Any], rows: list[Row],
             args: argparse.Namespace, run_id: str, backends: Backends | None) -> None:
    """Each row, --rounds times, every target once within a round, in round_order: a slow
    spell of the machine (another virtual machine on the host, say) then falls on every
    target's rounds alike rather than on one target's only, and each ratio is taken within a
    round. A target's entry for a row keeps every round and, as `measure`, the round with the
    median req/s."""
    query = signed_query()
    for row in rows:
        names = [n for n in servers if n != "floor" or row.key in FLOOR_ROWS]
        phases: dict[str, list[Phase]] = {n: [] for n in names}
        tfiles: dict[str, list[Path]] = {n: [] for n in names}
        rounds: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        prefixes = {n: msg_prefix(run_id, TARGETS[n][2], row.digit) for n in names}
        for rnd in range(args.rounds):
            for name in round_order(names, row.baseline, rnd):
                if row.key == "submit" and backends is not None:
                    # Every target's submissions start right after a checkpoint: the first
                    # write to a page after one puts the whole page in the WAL
                    # (full_page_writes), so a checkpoint that happened to fall just before
                    # one target's round and not another's made their WAL, and their commits,
                    # differ by the clock alone.
                    backends.checkpoint()
                rounds[name].append(run_row(name, servers[name], row, prefixes[name], query,
                                            args, backends, phases[name], tfiles[name], rnd))
                time.sleep(args.pause)
        for name in names:
            entry = dict(median_round(rounds[name]))
            entry["rounds"] = [r["measure"] for r in rounds[name]]
            entry["errors_all_phases"] = sum(ph.result["errors"] for ph in phases[name])
            results[name]["rows"][row.key] = entry
        if row.key == "submit" and backends is not None and "assistant" in names:
            server = servers["assistant"]
            storm = retry_storm(server, query, run_id, args) if args.storm else None
            results["assistant"]["suggestions_check"] = verify_suggestions(
                backends, server, query, phases["assistant"], prefixes["assistant"],
                tfiles["assistant"], storm, args)
            backends.checkpoint()


# --- report ---------------------------------------------------------------------------------


def fmt_table(results: dict[str, Any], rows: list[Row]) -> str:
    lines = [f"{'target':26s} {'row':18s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} "
             f"{'errors':>7s} {'requests':>9s}"]
    for res in results.values():
        for row in rows:
            m = res["rows"].get(row.key, {}).get("measure")
            if not m:
                continue
            lines.append(f"{res['label']:26s} {row.label:18s} {m['rps']:9.1f} {m['p50_ms']:8.1f} "
                         f"{m['p99_ms']:8.1f} {m['errors']:7d} {m['requests']:9d}")
    return "\n".join(lines)


def verdicts(results: dict[str, Any], rows: list[Row]) -> tuple[dict[str, Any], list[str]]:
    """The checks (PASS/FAIL) and the ratio lines. Each row's throughput is judged against its
    baseline in the same run (Row.baseline); (d)/WeRoBot, printed per row, is the machine's
    regime: how much of the echo's rate the storage round trips alone leave on this machine."""
    ratios: dict[str, Any] = {}
    lines = []
    a = results.get("assistant")
    checks: dict[str, Any] = {}

    def measured(name: str, row: Row) -> dict[str, Any] | None:
        res = results.get(name)
        m = res and res["rows"].get(row.key, {}).get("measure")
        return m if m and m.get("rps") else None

    def ratio(x: str, y: str, row: Row) -> tuple[float, float, float] | None:
        """x/y req/s, round by round: (median, lowest, highest)."""
        rx = (results.get(x) or {}).get("rows", {}).get(row.key, {}).get("rounds")
        ry = (results.get(y) or {}).get("rows", {}).get(row.key, {}).get("rounds")
        if not rx or not ry:
            return None
        each = sorted(p["rps"] / q["rps"] for p, q in zip(rx, ry, strict=False) if q["rps"])
        if not each:
            return None
        return statistics.median(each), each[0], each[-1]

    for row in rows:
        am = measured("assistant", row)
        base_label = TARGETS[row.baseline][0]
        r_b, r_c, r_d = (ratio("assistant", n, row) for n in ("werobot", "flask", "floor"))
        # For 帮助, (d) is (c): no storage.
        regime = ratio("floor" if row.key in FLOOR_ROWS else "flask", "werobot", row)
        judged = ratio("assistant", row.baseline, row)
        ratios[row.key] = {"assistant_vs_werobot": r_b, "assistant_vs_flask": r_c,
                           "assistant_vs_floor": r_d, "floor_vs_werobot": regime,
                           "target": row.target, "baseline": row.baseline}
        if am and a:
            name = f"{row.key}: req/s >= {row.target}x {base_label}"
            checks[name] = ((judged is not None and judged[0] >= row.target),
                            f"{judged[0]:.2f}x, rounds {judged[1]:.2f}-{judged[2]:.2f}x"
                            if judged is not None
                            else f"not measured: run --targets with {row.baseline}")
            p99s = sorted(r["p99_ms"] for r in a["rows"][row.key]["rounds"])
            p99 = statistics.median(p99s)
            checks[f"{row.key}: p99 < {P99_LIMIT_MS:.0f} ms"] = (
                p99 < P99_LIMIT_MS, f"{p99:.1f} ms, rounds {p99s[0]:.1f}-{p99s[-1]:.1f} ms")
            errs = a["rows"][row.key]["errors_all_phases"]
            checks[f"{row.key}: zero errors (warm-up + every measurement)"] = (
                errs == 0, str(errs))

        def fmt(x: tuple[float, float, float] | None) -> str:
            return f"{x[0]:.2f}x ({x[1]:.2f}-{x[2]:.2f})" if x is not None else "n/a"

        lines.append(f"{row.label:18s} assistant/{base_label} = {fmt(judged)} (target >= "
                     f"{row.target}x)   assistant/WeRoBot = {fmt(r_b)}   assistant/Flask+wechatpy"
                     f" = {fmt(r_c)}   assistant/(d) = {fmt(r_d)}")
        if regime is not None:
            lines.append(f"{'':18s} regime: (d)/WeRoBot = {fmt(regime)} (the share of the "
                         "WeRoBot echo's rate that Flask plus this row's storage round trips "
                         "alone leave on this machine)")
    if a and "suggestions_check" in a:
        sc = a["suggestions_check"]
        checks["exactly one stored suggestion per submitted MsgId"] = (
            sc["ok"], f"{sc['rows_total']} rows, {sc['distinct_source_keys']} distinct source_key,"
                      f" {sc['answered_200_with_reply']} answered 200 + "
                      f"{sc['retried_after_load']} retried")
    return {"ratios": ratios, "checks": {k: {"pass": v[0], "value": v[1]}
                                         for k, v in checks.items()}}, lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bench_webhook", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, default=4,
                   help="measurement per row and round (4)")
    p.add_argument("--warmup", type=int, default=2,
                   help="warm-up per row and round, not counted (2)")
    p.add_argument("--rounds", type=int, default=5,
                   help="rounds per row, every target once within each (5; see round_order)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--wrk-threads", type=int, default=1,
                   help="wrk threads (1: one event loop is plenty and leaves the CPU to servers)")
    p.add_argument("--timeout", type=int, default=5, help="wrk request timeout, s (WeChat: 5)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                   help="sync (default): every app is fastest with it, see README")
    p.add_argument("--worker-threads", type=int, default=1, help="gunicorn --threads (gthread)")
    p.add_argument("--keep-alive", type=int, default=0,
                   help="gunicorn --keep-alive; 0 (default) closes each connection after one "
                        "request, so the kernel spreads requests evenly over the workers")
    p.add_argument("--users", type=int, default=1000, help="distinct openids (1000)")
    p.add_argument("--per-user", type=int, default=9,
                   help="submissions per openid before a fresh set is used (9 < limit 10/h)")
    p.add_argument("--targets", default="assistant,werobot,flask,floor")
    p.add_argument("--rows", default="help,submit,due")
    p.add_argument("--pause", type=float, default=1.0, help="idle seconds between rows")
    p.add_argument("--quiet", type=float, default=0.25,
                   help="before each row, wait until other processes use under this many "
                        "cores (the machine is shared)")
    p.add_argument("--wait-quiet", type=float, default=120, help="longest wait for quiet, s")
    p.add_argument("--max-foreign", type=float, default=0.2,
                   help="measure again when other processes plus the hypervisor's steal took "
                        "more cores than this")
    p.add_argument("--retries", type=int, default=2, help="re-measurements of a noisy row")
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14",
                   help="Redis URL; only keys under this run's own prefix are used, then deleted")
    p.add_argument("--no-storm", dest="storm", action="store_false",
                   help="skip the concurrent-retry check (50 submissions x 3 copies)")
    p.add_argument("--profile", action="store_true",
                   help="py-spy the assistant's workers during each measurement (slows it)")
    p.add_argument("--profile-idle", action="store_true", help="include idle (waiting) samples")
    p.add_argument("--assistant-app", default="bot.wsgi:app",
                   help="WSGI app for (a); bench.ablation_wsgi:app runs a what-if build")
    p.add_argument("--patches", default="",
                   help="what-if patches for bench.ablation_wsgi (see its docstring)")
    p.add_argument("--json", default=str(RESULTS / "webhook.json"))
    p.add_argument("--no-install", dest="install", action="store_false",
                   help="do not pip/apt-get install missing tools; print the command")
    args = p.parse_args(argv)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    ensure_tools(args.install)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for pattern in ("profile-*.txt", "tickets-*"):
        for old in RESULTS.glob(pattern):
            old.unlink()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    wanted = {r.strip() for r in args.rows.split(",")}
    rows = [r for r in ROWS if r.key in wanted]
    run_id = f"{int(time.time()) % 10**8:08d}"
    notes: list[str] = []
    results: dict[str, Any] = {}
    backends: Backends | None = None
    servers: dict[str, Server] = {}
    try:
        for name in targets:
            if name not in TARGETS:
                raise SystemExit(f"unknown target {name!r}")
            if name in ("assistant", "floor") and backends is None:
                backends = Backends(args.postgres, args.redis)
                backends.create()
            if name == "assistant":
                assert backends is not None
                env = assistant_env(backends, args.patches)
                have_plan = prepare_assistant(env, notes)
                if not have_plan:
                    rows = [r for r in rows if r.key != "due"]
            elif name == "floor":
                assert backends is not None
                backends.create_floor_table()
                env = base_env() | {"DATABASE_URL": backends.database_url,
                                    "REDIS_URL": backends.redis_url,
                                    "BENCH_REDIS_PREFIX": backends.redis_prefix}
            else:
                env = base_env()
            servers[name], results[name] = start_target(name, env, args)
        if "assistant" in results and backends is not None:
            results["assistant"]["database"] = backends.db_name
        run_rows(servers, results, rows, args, run_id, backends)
    finally:
        _kill_all()
        if backends is not None:
            backends.close()

    judged, ratio_lines = verdicts(results, rows)
    fairness = (f"gunicorn -w {args.workers} -k {args.worker_class} --threads "
                f"{args.worker_threads} --keep-alive {args.keep_alive} for every target; "
                f"wrk -t{args.wrk_threads} "
                f"-c{args.connections} --timeout {args.timeout}s on the same {os.cpu_count()} "
                f"cores; per row {args.rounds} rounds, the assistant and its baseline back to "
                f"back (round_order), each a warm-up of "
                f"{args.warmup}s + a measurement of {args.seconds}s; ratios are the median of "
                "the rounds' ratios")
    print("\n" + fairness)
    for n in notes:
        print("note: " + n)
    print("\n" + fmt_table(results, rows))
    print("\nratios (requests/s):")
    for line in ratio_lines:
        print("  " + line)
    print("\ntargets:")
    all_pass = True
    for k, v in judged["checks"].items():
        all_pass &= v["pass"]
        print(f"  {'PASS' if v['pass'] else 'FAIL'}  {k}  ({v['value']})")
    sc = results.get("assistant", {}).get("suggestions_check")
    if sc:
        print(f"\nsuggestions: {sc['submissions_sent']} submissions sent, "
              f"{sc['answered_200_with_reply']} answered 200 with a ticket, "
              f"{sc['rows_after_load']} rows after the load "
              f"({sc['rows_stored_but_unanswered_at_wrk_stop']} stored but unanswered when wrk "
              f"stopped); {sc['retried_after_load']} resent as WeChat retries; "
              f"{sc['rows_total']} rows, {sc['distinct_source_keys']} distinct source_key, "
              f"duplicates: {sc['duplicates'] or 'none'}; retry storm "
              f"{sc['storm'].get('messages', 0)}x{sc['storm'].get('copies', 0)}: "
              f"{'ok' if sc['storm'].get('ok', True) else sc['storm'].get('problems')}")
        failed = [k for k, v in sc["checks"].items() if not v]
        if failed:
            print("  failed checks: " + ", ".join(failed))
    for name, res in results.items():
        for key, entry in res["rows"].items():
            if "profile" in entry:
                prof = entry["profile"]
                print(f"\nprofile {name}/{key} ({prof['samples']} samples of the workers' "
                      "CPU): our functions, inclusive")
                for fr, pct in prof["project_inclusive"]:
                    print(f"  {pct:5.1f}%  {fr}")
                print("  own time by package: " + ", ".join(
                    f"{pkg} {pct}%" for pkg, pct in prof["self_by_package"][:8]))
    if not judged["checks"]:
        print("\noverall: nothing judged (the targets need the assistant and the baselines)")
    else:
        print(f"\noverall: {'PASS' if all_pass else 'FAIL'}")

    doc = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "settings": vars(args) | {"fairness": fairness, "token": TOKEN,
                                  "rehearsal_day": REHEARSAL_DAY},
        "notes": notes,
        "results": results,
        **judged,
        "overall_pass": all_pass,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    print(f"results: {args.json}")
    return 0 if all_pass else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        _kill_all()
        print("\ninterrupted; every process started was stopped", file=sys.stderr)
        sys.exit(130)
