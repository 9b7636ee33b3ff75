"""Groups a cProfile of the webhook into the parts issue 12 names (used by bench.cpu_profile).

Each function's own time goes to the group of its nearest *anchored* caller: a function whose
file (and name) is in ANCHORS below belongs to that group, everything else to whoever called
it. A function called from several places (a builtin, json, a domain rule) has its own time
split between its callers in proportion to the time it spent under each (cProfile keeps that
per caller), and each caller is resolved the same way, gprof-style. So `parse_question` called
by the router's classification counts as routing, and called by the schedule handler as rules;
a `len` inside SQLAlchemy counts as SQL.
"""

from __future__ import annotations

import pstats
from typing import Any

GROUPS = ("parse", "signature", "routing", "hand-off", "rules", "SQL", "Redis", "render", "other")

# (path fragment, function names or None for every function in it, group); first match wins.
ANCHORS: tuple[tuple[str, tuple[str, ...] | None, str], ...] = (
    ("/bot/wechat_protocol.py", ("check_signature", "sha1_signature"), "signature"),
    ("/bot/wechat_protocol.py", ("parse_xml", "to_incoming"), "parse"),
    ("/bot/wechat_protocol.py", ("render_text", "_cdata"), "render"),
    ("/handlers/router.py", None, "routing"),
    ("/handlers/", None, "rules"),
    ("/bot/inbound.py", None, "hand-off"),
    ("/concurrent/futures/", None, "hand-off"),
    ("/bot/store/kv.py", None, "Redis"),
    ("/bot/store/hot_redis.py", None, "Redis"),
    ("/redis/", None, "Redis"),
    ("/bot/store/", None, "SQL"),
    ("/sqlalchemy/", None, "SQL"),
    ("/psycopg2/", None, "SQL"),
    ("/bot/seen.py", None, "other"),
    ("/flask/", None, "other"),
    ("/werkzeug/", None, "other"),
    ("/logging/", None, "other"),
)

Key = tuple[str, int, str]


def anchor(key: Key) -> str | None:
    path, _, func = key
    for fragment, names, group in ANCHORS:
        if fragment in path and (names is None or func in names):
            return group
    return None


def short(key: Key) -> str:
    path, line, func = key
    if path == "~":
        return func
    parts = path.split("/")
    return f"{'/'.join(parts[-2:])}:{func}"


def group_profile(stats: pstats.Stats, cpu_us: float, inline_us: float | None,
                  n: int) -> dict[str, Any]:
    """µs per request and share per group: the profile's proportions scaled to the measured
    CPU of the inline run (`inline_us`, or `cpu_us` when there is none), plus hand-off =
    `cpu_us` - `inline_us` when the product paid for a thread hand-off the profile cannot see."""
    table: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
    memo: dict[Key, dict[str, float]] = {}
    busy: set[Key] = set()

    def dist(key: Key) -> dict[str, float]:
        """Where the time under `key` belongs: group -> fraction."""
        group = anchor(key)
        if group is not None:
            return {group: 1.0}
        if key in memo:
            return memo[key]
        if key in busy:
            return {"other": 1.0}
        busy.add(key)
        callers = {c: v for c, v in table[key][4].items() if c != key}
        out = _mix([(v[3], dist(c)) for c, v in callers.items()]) if callers else {"other": 1.0}
        busy.discard(key)
        memo[key] = out
        return out

    own = dict.fromkeys(GROUPS, 0.0)
    for key, (_cc, _nc, tt, _ct, callers) in table.items():
        group = anchor(key)
        if group is not None:
            own[group] += tt
            continue
        callers = {c: v for c, v in callers.items() if c != key}
        if not callers:
            own["other"] += tt
            continue
        for group, frac in _mix([(v[2], dist(c)) for c, v in callers.items()]).items():
            own[group] += tt * frac
    total = sum(own.values()) or 1.0
    base = inline_us if inline_us is not None else cpu_us
    us = {g: base * own[g] / total for g in GROUPS}
    if inline_us is not None:
        us["hand-off"] += max(0.0, cpu_us - inline_us)
    whole = sum(us.values()) or 1.0
    top = sorted(table.items(), key=lambda kv: -kv[1][2])[:12]
    return {
        "profiled_us": total / n * 1e6,
        "us": {g: round(v, 1) for g, v in us.items()},
        "share": {g: round(100 * v / whole, 1) for g, v in us.items()},
        "top": [(short(k), round(base * v[2] / total, 1)) for k, v in top],
    }


def _mix(parts: list[tuple[float, dict[str, float]]]) -> dict[str, float]:
    weight = sum(w for w, _ in parts)
    out: dict[str, float] = {}
    for w, d in parts:
        share = w / weight if weight > 0 else 1.0 / len(parts)
        for group, frac in d.items():
            out[group] = out.get(group, 0.0) + share * frac
    return out
