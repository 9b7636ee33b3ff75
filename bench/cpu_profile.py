"""CPU per request of each webhook app, in process, and where the assistant's goes.

    python -m bench.cpu_profile [--requests 1500 --repeat 3 --rows help,submit,due]

The throughput bench (bench.bench_webhook) needs a quiet machine; CPU time does not, or much
less: time.process_time counts only this process's CPU (every thread of it, the kernel's work
for it included), not other processes'. Each app of the bench is driven here through its WSGI
callable with a minimal environ, with the bench's exact requests (bench_webhook's query string,
message_xml, MsgIds and sender rotation), against real PostgreSQL (a throw-away database, made
and migrated like the bench's, kjj-2018 loaded) and Redis (this run's own key prefix, deleted
at the end; nothing is flushed). What it does not see: gunicorn's own per-request work (accept,
HTTP parsing) and PostgreSQL's and Redis's CPU, the same for every app.

Per app and row: µs of CPU per request (the median and the minimum over --repeat runs of
--requests requests, after a warm-up; the driver's own cost, measured on a null app, is
subtracted). Then, for the assistant, a cProfile of --requests requests per row, its time
grouped into parse, signature, routing, hand-off, rules, SQL, Redis, render and other, scaled
to the measured µs. See "Where the time goes (issue 12)" in bench/README.md for the method.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from bench import bench_webhook as bw
from bench.cpu_groups import GROUPS, group_profile

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
APPS = {  # name: (label, module, attribute, rows it runs)
    "assistant": ("(a) assistant", "bot.wsgi", "app", ("help", "submit", "due")),
    "werobot": ("(b) WeRoBot echo", "bench.echo_werobot", "app", ("help", "submit", "due")),
    "flask": ("(c) Flask+wechatpy echo", "bench.echo_flask", "app", ("help", "submit", "due")),
    "floor": ("(d) (c) + storage only", "bench.echo_storage", "app", bw.FLOOR_ROWS),
}


def environ(query: str, body: bytes) -> dict[str, Any]:
    path, _, qs = query.partition("?")
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": qs, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "text/xml",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


class Driver:
    """Builds the bench's requests for one app and row, and sends them. MsgIds and senders
    continue from one batch to the next, so no MsgId is ever sent twice."""

    def __init__(self, name: str, row: bw.Row, run_id: str, query: str, users: int,
                 per_user: int) -> None:
        self.name, self.row, self.query = name, row, query
        self.prefix = bw.msg_prefix(run_id, bw.TARGETS[name][2], row.digit)
        self.per_user = per_user if row.rotate else 0
        self.users = users
        self.seq = 0
        self.expect = row.expect if name == "assistant" else row.text.split("{n}")[0]

    def batch(self, n: int) -> list[dict[str, Any]]:
        out = [environ(self.query, bw.message_xml(s, self.row, self.prefix, self.users,
                                                  self.per_user))
               for s in range(self.seq, self.seq + n)]
        self.seq += n
        return out

    def send(self, app: WSGIApp, environs: list[dict[str, Any]]) -> list[str]:
        """Every request; returns the problems (a non-200 or an answer without `expect`)."""
        problems = []
        status: list[str] = []

        def start_response(s: str, _headers: Any, _exc: Any = None) -> None:
            status.append(s)

        for env in environs:
            status.clear()
            result = app(env, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if not status[0].startswith("200") or self.expect.encode() not in body:
                problems.append(f"{status[0]} {body[:200]!r}")
        return problems


def null_app(env: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    env["wsgi.input"].read()
    start_response("200 OK", [])
    return [b""]


def cpu_per_request(app: WSGIApp, driver: Driver, n: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per request over `n` fresh requests; raises on any bad answer."""
    environs = driver.batch(n)
    c0, w0 = time.process_time(), time.perf_counter()
    problems = driver.send(app, environs)
    c1, w1 = time.process_time(), time.perf_counter()
    if problems:
        raise SystemExit(f"{driver.name}/{driver.row.key}: {len(problems)} bad answers, e.g. "
                         f"{problems[0]}")
    return (c1 - c0) / n * 1e6, (w1 - w0) / n * 1e6


def driver_overhead(query: str, run_id: str, n: int) -> float:
    drv = Driver("flask", bw.ROWS[0], run_id, query, 1000, 0)
    drv.expect = ""
    return min(cpu_per_request(null_app, drv, n)[0] for _ in range(3))


class InlinePool:
    """A stand-in for the processor's thread pool that runs each job in the caller's thread:
    the hand-off's cost is the difference, and cProfile (one thread) sees the handler."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed back as the pool would
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


def forced(processor: Any, mode: str) -> Callable[[], None]:
    """Run every handler of the processor inline or in its pool ("product": as the product
    decides). Returns the undo."""
    saved = processor.__dict__.copy()
    if mode == "inline":
        processor.pool = InlinePool()
    elif mode == "pool" and hasattr(processor, "inline_ok"):
        processor.inline_ok = lambda *a: False

    def undo() -> None:
        processor.__dict__.clear()
        processor.__dict__.update(saved)

    return undo


def measure(app: WSGIApp, driver: Driver, args: argparse.Namespace,
            overhead: float) -> dict[str, Any]:
    driver.send(app, driver.batch(args.warmup))
    runs = [cpu_per_request(app, driver, args.requests) for _ in range(args.repeat)]
    cpu = sorted(r[0] - overhead for r in runs)
    return {"cpu_us": round(statistics.median(cpu), 1), "cpu_us_min": round(cpu[0], 1),
            "wall_us": round(statistics.median(r[1] for r in runs), 1)}


def profile(app: WSGIApp, driver: Driver, n: int) -> pstats.Stats:
    environs = driver.batch(n)
    prof = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL or Redis
    prof.enable()
    problems = driver.send(app, environs)
    prof.disable()
    if problems:
        raise SystemExit(f"profile {driver.row.key}: {problems[0]}")
    return pstats.Stats(prof)


def setup(args: argparse.Namespace, notes: list[str]) -> bw.Backends:
    backends = bw.Backends(args.postgres, args.redis)
    backends.create()
    backends.create_floor_table()
    env = bw.assistant_env(backends) | {"BENCH_REDIS_PREFIX": backends.redis_prefix}
    if not bw.prepare_assistant(env, notes):
        raise SystemExit("config/plans/kjj-2018.yaml is missing")
    for key in list(os.environ):  # as bench_webhook's servers get it: nothing from outside
        if key not in env:
            del os.environ[key]
    os.environ.update(env)
    return backends


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cpu_profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=1500, help="requests per timed run (1500)")
    p.add_argument("--repeat", type=int, default=5,
                   help="timed runs per app and row (5); the least disturbed one is reported")
    p.add_argument("--warmup", type=int, default=300, help="requests before timing (300)")
    p.add_argument("--targets", default="assistant,werobot,flask,floor")
    p.add_argument("--rows", default="help,submit,due")
    p.add_argument("--handoff", default="product,pool,inline",
                   help="assistant variants: product (as shipped), pool (every handler in the "
                        "pool), inline (every handler in the request thread)")
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--per-user", type=int, default=9)
    p.add_argument("--json", default=str(bw.RESULTS / "cpu_profile.json"))
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, bw._on_signal)  # killed: still drop the database, keys
    signal.signal(signal.SIGHUP, bw._on_signal)
    notes: list[str] = []
    rows = [r for r in bw.ROWS if r.key in {x.strip() for x in args.rows.split(",")}]
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    run_id = f"{int(time.time()) % 10**8:08d}"
    query = bw.signed_query()
    results: dict[str, Any] = {}
    backends = setup(args, notes)
    try:
        overhead = driver_overhead(query, run_id, args.requests)
        for name in targets:
            label, module, attr, app_rows = APPS[name]
            app: WSGIApp = getattr(importlib.import_module(module), attr)
            modes = [m.strip() for m in args.handoff.split(",")] if name == "assistant" else [""]
            for row in rows:
                if row.key not in app_rows:
                    continue
                driver = Driver(name, row, run_id, query, args.users, args.per_user)
                for mode in modes:
                    undo = forced(app.extensions["bot"].processor, mode) if mode else None
                    try:
                        res = measure(app, driver, args, overhead)
                    finally:
                        if undo is not None:
                            undo()
                    key = f"{name}/{mode}" if mode and mode != "product" else name
                    results.setdefault(key, {"label": label + (f" [{mode}]" if mode else "")})
                    results[key][row.key] = res
                    print(f"  {key:18s} {row.key:7s} {res['cpu_us']:8.1f} µs CPU/request "
                          f"(min {res['cpu_us_min']:.1f}; wall {res['wall_us']:.0f} µs)",
                          file=sys.stderr)
                if name == "assistant" and args.profile:
                    processor = app.extensions["bot"].processor
                    undo = forced(processor, "inline")  # cProfile sees one thread
                    try:
                        stats = profile(app, driver, args.requests)
                    finally:
                        undo()
                    cpu = results["assistant"][row.key]["cpu_us_min"]
                    inline = results.get("assistant/inline", {}).get(row.key, {}).get("cpu_us_min")
                    results["assistant"][row.key]["groups"] = group_profile(
                        stats, cpu, inline, args.requests)
    finally:
        backends.close()
    report(results, rows, overhead, notes)
    doc = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "overhead_us": overhead,
           "settings": vars(args), "results": results}
    bw.RESULTS.mkdir(parents=True, exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2)
    print(f"results: {args.json}")
    return 0


def report(results: dict[str, Any], rows: list[bw.Row], overhead: float,
           notes: list[str]) -> None:
    for n in notes:
        print("note: " + n)
    print(f"\nCPU µs per request (least disturbed of the runs; the driver's {overhead:.1f} µs "
          "subtracted)")
    print(f"{'app':34s} " + " ".join(f"{r.key:>9s}" for r in rows))
    for res in results.values():
        print(f"{res['label']:34s} " + " ".join(
            f"{res[r.key]['cpu_us_min']:9.1f}" if r.key in res else f"{'-':>9s}" for r in rows))
    a = results.get("assistant", {})
    for r in rows:
        g = a.get(r.key, {}).get("groups")
        if not g:
            continue
        print(f"\nassistant {r.label}: {a[r.key]['cpu_us_min']:.1f} µs "
              f"(cProfile {g['profiled_us']:.0f} µs/request inline, scaled)")
        for grp in GROUPS:
            print(f"  {grp:10s} {g['us'][grp]:7.1f} µs  {g['share'][grp]:5.1f}%")
        print("  top own time: " + ", ".join(f"{f} {us:.1f}" for f, us in g["top"][:8]))


if __name__ == "__main__":
    sys.exit(main())
