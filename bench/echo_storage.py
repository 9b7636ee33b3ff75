"""Baseline (d): the Flask + wechatpy echo of (c), plus the storage round trips that a row
cannot do without, and nothing else. Served by gunicorn as `bench.echo_storage:app`.

It answers how fast *any* assistant on Flask, redis-py and psycopg2 could go on this machine,
whatever its own code did: the ceiling that the targets "≥ x times the WeRoBot echo" must sit
under to be reachable at all.

- a text starting with 献一策 (the submission row) is what a durable, exactly-once submission
  needs at the least: claim the MsgId in Redis (SET NX, shared by the workers), INSERT the row
  and commit (ON CONFLICT DO NOTHING on the MsgId), keep the answer in Redis for WeChat's
  retries. 3 round trips, as the assistant's own (its claim also reads the conversation).
- any other text (the question row) reads the sender's conversation state in Redis (GET): a
  question typed halfway through a guided 献一策 is content, not a question. 1 round trip.

No rate limit, no same-text check, no ticket, no conversation: those are the assistant's own
work, which this baseline does not do. Environment: WECHAT_TOKEN, DATABASE_URL (a database
holding the table `bench_floor`, created by the bench), REDIS_URL.
"""

from __future__ import annotations

import os

import psycopg2
import redis
from flask import Flask, Response, request
from wechatpy import create_reply, parse_message

from bench.echo_flask import refused_or_verified

DSN = os.environ.get("DATABASE_URL", "").replace("postgresql+psycopg2://", "postgresql://")
KV = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
PREFIX = os.environ.get("BENCH_REDIS_PREFIX", "") + "floor:"  # the bench's own keys only
INSERT = (
    "INSERT INTO bench_floor (source_key, user_openid, content) VALUES (%s, %s, %s) "
    "ON CONFLICT (source_key) DO NOTHING"
)
app = Flask(__name__)
_pg: list[psycopg2.extensions.connection] = []  # one connection per (sync) worker


def _cursor() -> psycopg2.extensions.cursor:
    if not _pg:
        conn = psycopg2.connect(DSN)
        conn.autocommit = True  # each INSERT commits by itself, as the assistant's does
        _pg.append(conn)
    return _pg[0].cursor()


@app.route("/wechat", methods=["GET", "POST"])
def wechat() -> Response:
    early = refused_or_verified()
    if early is not None:
        return early
    msg = parse_message(request.get_data())
    if msg.type != "text":
        return Response("success", mimetype="text/plain")
    text = msg.content
    if text.startswith("献一策"):
        key = f"{PREFIX}dedup:{msg.id}"
        if KV.set(key, "pending", nx=True, ex=3600):
            with _cursor() as cur:
                cur.execute(INSERT, (str(msg.id), msg.source, text))
            KV.set(key, text, ex=3600)
    else:
        KV.get(f"{PREFIX}conv:{msg.source}")
    return Response(create_reply(text, msg).render(), mimetype="application/xml")
