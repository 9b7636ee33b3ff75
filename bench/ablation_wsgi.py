"""What-if builds of the assistant, for finding where its time goes. NOT the product.

    python -m bench.bench_webhook --targets assistant,werobot \\
        --assistant-app bench.ablation_wsgi:app --patches floor

Builds the same app as bot.wsgi, after monkeypatching the parts named in BENCH_PATCHES
(comma-separated):

  floor    the webhook answers every message with the help text without running the
           processor (signature + XML parse + render only): the floor any change to the
           processor can reach
  pool     hand every handler to the processor's budgeted thread pool, as before issue 12
           (the product runs a handler whose round trips are all bounded in the request
           thread): measures what the hand-off costs
  nogin    drop the inbox's two GIN search indexes (trigram, character pairs) from the bench's
           database at start: what maintaining them costs each submission; console search
           then scans
  noindex  drop every index of `suggestions` that no hot-path statement uses (the GIN ones,
           status, unit, created, author, content_hash): what the console's indexes cost
  nokeep   the answer is not kept in Redis for WeChat's retries (one round trip less per
           stateful message); changes behaviour (a retry then waits and gets nothing)
  nokv     read-only questions skip the Redis read of the conversation (as if the user had
           no open conversation and no waiting pages); changes behaviour, measures that one
           round trip

Earlier rounds measured patches that are now in the product (one pipeline for the claim and
the conversation, the plan revision cache, single autocommit statements, the fixed-answer
lane, batched "last seen" writes, handlers run inline); they are in this file's git history.
bench.cpu_profile measures the same what-ifs as CPU per request, in process.
"""

from __future__ import annotations

import os

from bot.app import create_app
from bot.logs import setup_logging
from handlers.ports import Opening

PATCHES = {p.strip() for p in os.environ.get("BENCH_PATCHES", "").split(",") if p.strip()}
KNOWN = {"floor", "pool", "nokv", "nogin", "noindex", "nokeep"}
if PATCHES - KNOWN:
    raise SystemExit(f"unknown BENCH_PATCHES: {sorted(PATCHES - KNOWN)}")

setup_logging()
app = create_app()
_state = app.extensions["bot"]
_processor = _state.processor

if "floor" in PATCHES:
    from texts import chat as _texts

    _processor.handle = lambda msg: _texts.HELP  # type: ignore[method-assign]

if "pool" in PATCHES:
    _processor.inline_ok = lambda decision: False  # type: ignore[method-assign]

if "nokv" in PATCHES:
    _claim_and_begin = _processor.conversations.claim_and_begin

    def _no_read(user, claim):  # type: ignore[no-untyped-def]
        if claim is None:
            return True, Opening()
        return _claim_and_begin(user, claim)

    _processor.conversations.claim_and_begin = _no_read  # type: ignore[method-assign]

if PATCHES & {"nogin", "noindex"}:
    _drop = ["ix_suggestions_content_trgm", "ix_suggestions_content_bigrams"]
    if "noindex" in PATCHES:
        _drop += ["ix_suggestions_author_created", "ix_suggestions_content_hash",
                  "ix_suggestions_created_id", "ix_suggestions_status_created",
                  "ix_suggestions_unit"]
    with _state.db.engine.begin() as _conn:  # both workers run this; IF EXISTS makes it safe
        _conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242)")
        for _name in _drop:
            _conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_name}")

if "nokeep" in PATCHES:
    _processor.keep = lambda key, value, ttl: None  # type: ignore[method-assign]
