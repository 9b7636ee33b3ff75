"""Exactly-once handling of inbound messages, inside WeChat's 5-second budget.

WeChat retries a message it got no answer to within 5 s (three tries). Each copy carries the
same dedup key (FromUserName:MsgId, per sender since MsgIds are not unique across users;
FromUserName+CreateTime for events). The first copy to arrive claims the
key in Redis (SET NX) and runs the handler; a copy that arrives meanwhile waits for the stored
answer and gives the same one. The database's unique constraint on a suggestion's source key
stands behind Redis, so even a lost Redis cannot make a second record.

A handler that has not finished within the budget is left to finish in the background: the
copy answers `success` (nothing) and the answer goes out later as a customer-service message.
That needs a thread to hand the handler to. A handler whose every round trip is bounded by a
timeout cannot overrun the budget, so it runs in the request thread instead (no hand-off: see
`io_bound`); the pool is kept for work that can stall: a store without such timeouts (SQLite's
file lock, a database or Redis configured without them).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import redis

from bot.privacy import Pseudonymizer
from bot.store.kv import ClaimWatch, RedisConversationStore
from bot.wechat_api import OutboundSender, WeChatAPIError
from handlers.ports import Opening, Services
from handlers.router import FIXED, READ_ONLY, STATEFUL, Decision
from handlers.types import Incoming, Reply
from texts import chat as texts

log = logging.getLogger(__name__)

DEDUP_TTL = 3600  # WeChat retries within ~15 s; an hour covers any replay worth catching
BUDGET = 4.0  # seconds we allow ourselves of WeChat's 5
POLL = 0.02
STALE_AFTER = 1.0  # seconds past the budget after which a claim still `pending` is abandoned
LOCK_WAIT = 0.5  # seconds the request waits for the handler's thread to finish keeping its answer
PENDING, DEFERRED = "pending", "deferred"


Route = Callable[[Incoming, Services, Opening | None, Decision | None], Reply]


class _Job:
    """One message handed to the pool, and what the request and the pool thread share."""

    def __init__(
        self, msg: Incoming, opening: Opening | None, key: str | None, decision: Decision | None
    ) -> None:
        self.msg, self.opening, self.key, self.decision = msg, opening, key, decision
        self.answer: Future[str | None] = Future()
        self.lock = threading.Lock()
        self.deferred = False  # set by the request when it gave up waiting (under `lock`)
        self.text: str | None = None  # the handler's answer, set before it is kept for retries


class InboundProcessor:
    """Runs the router once per dedup key and remembers the answer for the retries.

    Round trips before the handler runs: none for a fixed answer (帮助); one for a message,
    which claims its dedup key and reads the user's conversation in the same Redis script
    (a read-only schedule question reads without claiming); one claim for an event.

    `classify` decides once what a message is (its lane; the router reuses the rest).
    `io_bound` is the longest one round trip of a handler can take (seconds, from the stores'
    timeouts): the first one that stalls fails, and with it the handler (answered with an
    apology, its claim released for WeChat's retry). Within the budget, handlers run inline."""

    def __init__(
        self,
        services: Services,
        kv: redis.Redis,
        conversations: RedisConversationStore,
        route: Route,
        sender: OutboundSender,
        pseudonym: Pseudonymizer,
        stateless: Callable[[Incoming], str | None] = lambda msg: None,
        read_only: Callable[[Incoming], bool] = lambda msg: False,
        budget: float = BUDGET,
        workers: int = 16,
        on_inbound: Callable[[Incoming], None] | None = None,
        key_prefix: str = "",
        classify: Callable[[Incoming], Decision] | None = None,
        io_bound: float = math.inf,
        keep: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.services = services
        self.kv = kv
        # Keeps an answer for the retries (key, value, ttl): bot/store/hot_redis.py QuietSet in the
        # product (no wait for Redis's reply); a plain SET otherwise.
        self.keep = keep or (lambda key, value, ttl: self.kv.set(key, value, ex=ttl))
        self.conversations = conversations
        self.route = route
        self.stateless = stateless
        self.read_only = read_only
        self.sender = sender
        self.pseudonym = pseudonym
        self.budget = budget
        self.on_inbound = on_inbound
        self.dedup_prefix = key_prefix + "dedup:"
        self.classify = classify or self._classify
        self.io_bound = io_bound
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handler")
        self.claims = ClaimWatch(kv)

    def _classify(self, msg: Incoming) -> Decision:
        """The lane from `stateless` and `read_only`, when no `classify` is given."""
        fixed = self.stateless(msg)
        if fixed is not None:
            return Decision(FIXED, fixed)
        return Decision(READ_ONLY if self.read_only(msg) else STATEFUL)

    def inline_ok(self, decision: Decision) -> bool:
        """Whether the handler may run in the request thread: its round trips are bounded
        within the budget, so it cannot stall past it (no outbound HTTP happens in a handler:
        photos are fetched and late answers sent on threads of their own)."""
        return self.io_bound <= self.budget

    def handle(self, msg: Incoming) -> str | None:
        """The text to answer with, or None for `success` (nothing now)."""
        decision = self.classify(msg)
        if decision.fixed is not None:
            if self.on_inbound is not None:
                self.on_inbound(msg)
            return decision.fixed
        key = None  # a read-only question is answered afresh for a retry: no claim needed
        if decision.lane != READ_ONLY:
            key = f"{self.dedup_prefix}{msg.channel}:{msg.dedup_key}"
        opening = None
        if msg.kind == "event":  # events do not look at the conversation
            claimed = key is None or bool(self.kv.set(key, PENDING, nx=True, ex=DEDUP_TTL))
        else:
            claim = (key, PENDING, DEDUP_TTL) if key is not None else None
            claimed, opening = self.conversations.claim_and_begin(msg.user, claim)
        if not claimed:
            assert key is not None
            taken, answer = self._await_first(key)
            if not taken:
                return answer
            log.warning("took over %s's message from a copy that died", self.pseudonym(msg.user))
            if msg.kind != "event":
                opening = self.conversations.begin(msg.user)
        if self.inline_ok(decision):
            return self._answer_inline(msg, opening, key, decision)
        job = _Job(msg, opening, key, decision)
        self.pool.submit(self._work, job)
        try:
            text = job.answer.result(timeout=self.budget)
        except FutureTimeout:
            if key is None:
                log.warning("slow answer for %s; a retry asks again", self.pseudonym(msg.user))
                return None
            if not job.lock.acquire(timeout=LOCK_WAIT):
                # The handler has finished; its thread is keeping the answer for the retries
                # in a Redis slow to respond. Answer now rather than wait on that write.
                log.warning("slow Redis while answering %s", self.pseudonym(msg.user))
                return job.text
            try:  # from now on the handler's thread leaves the key alone
                job.deferred = True
                self.kv.set(key, DEFERRED, ex=DEDUP_TTL)
            except redis.RedisError as exc:  # retries may then wait; the answer still goes out
                log.warning(
                    "deferral not marked for %s: %s", self.pseudonym(msg.user), type(exc).__name__
                )
            finally:
                job.lock.release()
            job.answer.add_done_callback(lambda f: self._send_late(msg, f))
            log.warning("slow handler for %s; answering later", self.pseudonym(msg.user))
            return None
        except Exception:
            # The handler failed (a database hiccup, say): let a retry of this message try again.
            if key is not None:
                self.kv.delete(key)
            log.exception("handler failed for %s kind=%s", self.pseudonym(msg.user), msg.kind)
            return texts.SERVICE_ERROR
        return text

    def _answer_inline(
        self, msg: Incoming, opening: Opening | None, key: str | None, decision: Decision
    ) -> str | None:
        """handle() for a handler that cannot stall (inline_ok): run it here, keep the answer
        for the retries, answer. No thread, no future, no lock: nothing to hand over."""
        try:
            text = self._run(msg, opening, decision)
        except Exception:
            log.exception("handler failed for %s kind=%s", self.pseudonym(msg.user), msg.kind)
            if key is not None:
                try:  # let a retry of this message try again
                    self.kv.delete(key)
                except redis.RedisError as exc:  # it then finds the claim until its TTL
                    log.warning("claim not released: %s", type(exc).__name__)
            return texts.SERVICE_ERROR
        if key is not None:
            try:
                self.keep(key, json.dumps({"t": text}, ensure_ascii=False), DEDUP_TTL)
            except redis.RedisError as exc:  # the retries lose their copy, the user does not
                log.warning(
                    "answer for %s not kept for retries: %s",
                    self.pseudonym(msg.user),
                    type(exc).__name__,
                )
        return text

    def _work(self, job: _Job) -> None:
        """In the pool: run the handler, keep the answer for the retries, then hand it over.

        Keeping it first, not after the handover, is measured: with the request thread
        already running on (next message, the reply's write) while this thread talks to Redis,
        the two contend for the interpreter and a submission cost ~170 µs more CPU, for ~0.1 ms
        of latency saved. A deferred answer (the request gave up waiting) is not kept: it goes
        out by customer-service message and the retries get `success`."""
        try:
            text = self._run(job.msg, job.opening, job.decision)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
            job.answer.set_exception(exc)
            return
        if job.key is not None:
            job.text = text  # before the lock: a request that cannot take it answers with this
            with job.lock:
                if not job.deferred:
                    try:
                        self.kv.set(
                            job.key, json.dumps({"t": text}, ensure_ascii=False), ex=DEDUP_TTL
                        )
                    except redis.RedisError as exc:
                        log.warning(
                            "answer for %s not kept for retries: %s",
                            self.pseudonym(job.msg.user),
                            type(exc).__name__,
                        )
        job.answer.set_result(text)

    def _run(
        self, msg: Incoming, opening: Opening | None, decision: Decision | None = None
    ) -> str | None:
        if self.on_inbound is not None:
            self.on_inbound(msg)
        return self.route(msg, self.services, opening, decision).text

    def _await_first(self, key: str) -> tuple[bool, str | None]:
        """A retry: wait for the first copy's answer and give the same one: (False, the answer;
        None for `success`). (True, None) when the first copy's claim was taken over instead:
        it still said `pending` budget + STALE_AFTER seconds after it was made, when a living
        first copy has long answered or deferred, so that copy's process died (a killed
        worker) and this copy runs the handler. The database's unique source key still stands
        behind it: a suggestion the dead copy stored is found, not stored again."""
        deadline = time.monotonic() + self.budget
        while time.monotonic() < deadline:
            taken, raw = self.claims.look(key, PENDING, DEDUP_TTL, self.budget + STALE_AFTER)
            if taken:
                return True, None
            if raw is None:
                return False, None  # the first copy failed and released the key: WeChat retries
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if value == DEFERRED:
                return False, None
            if value != PENDING:
                return False, json.loads(value)["t"]
            time.sleep(POLL)
        return False, None

    def _send_late(self, msg: Incoming, future: Future[str | None]) -> None:
        try:
            text = future.result()
        except Exception:
            log.exception("late handler failed for %s", self.pseudonym(msg.user))
            text = texts.SERVICE_ERROR
        if not text:
            return
        try:
            self.sender.send_text(msg.user, text)
        except WeChatAPIError as exc:
            log.warning("late answer to %s not delivered: %s", self.pseudonym(msg.user), exc)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
