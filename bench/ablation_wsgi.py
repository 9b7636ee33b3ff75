"""What-if builds of the assistant, for finding where its time goes. NOT the product.

    python -m bench.bench_webhook --targets assistant,werobot \\
        --assistant-app bench.ablation_wsgi:app --patches floor

Builds the same app as bot.wsgi, after monkeypatching the parts named in BENCH_PATCHES
(comma-separated):

  floor    the webhook answers every message with the help text without running the
           processor (Flask + signature + XML parse + render only): the floor any change to
           the processor can reach
  inline   run the handler in the request thread instead of handing it to the processor's
           thread pool; gives up the 4-second budget, so it only measures the hand-off
  nokv     read-only questions skip the Redis read of the conversation (as if the user had
           no open conversation and no waiting pages); changes behaviour, measures that one
           round trip

Earlier rounds measured patches that are now in the product (one pipeline for the claim and
the conversation, the plan revision cache, single autocommit statements, the fixed-answer
lane, batched "last seen" writes); they are in this file's git history.
"""

from __future__ import annotations

import os
from concurrent.futures import Future

from bot.app import create_app
from bot.logs import setup_logging
from handlers.ports import Opening

PATCHES = {p.strip() for p in os.environ.get("BENCH_PATCHES", "").split(",") if p.strip()}
KNOWN = {"floor", "inline", "nokv"}
if PATCHES - KNOWN:
    raise SystemExit(f"unknown BENCH_PATCHES: {sorted(PATCHES - KNOWN)}")

setup_logging()
app = create_app()
_state = app.extensions["bot"]
_processor = _state.processor

if "floor" in PATCHES:
    from handlers import texts as _texts

    _processor.handle = lambda msg: _texts.HELP  # type: ignore[method-assign]

if "inline" in PATCHES:

    class _Inline:
        def submit(self, fn, *args):  # type: ignore[no-untyped-def]
            future: Future[object] = Future()
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # noqa: BLE001 - handed back as the pool would
                future.set_exception(exc)
            return future

        def shutdown(self, wait: bool = True) -> None:
            pass

    _processor.pool = _Inline()  # type: ignore[assignment]

if "nokv" in PATCHES:
    _claim_and_begin = _processor.conversations.claim_and_begin

    def _no_read(user, claim):  # type: ignore[no-untyped-def]
        if claim is None:
            return True, Opening()
        return _claim_and_begin(user, claim)

    _processor.conversations.claim_and_begin = _no_read  # type: ignore[method-assign]
