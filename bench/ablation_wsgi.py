"""What-if builds of the assistant, for finding where its time goes. NOT the product.

Written against commit 8cd64b4. Since then nopreping, revcache, pipeline (as
ConversationStore.begin), fastread, fastsubmit, seencache and fastpath went into the product
(bot/inbound.py, bot/store/); their patches here target the old code and may no longer
apply. Keep this file as the record of how those fixes were measured; use floor and inline,
or write new patches, for the next round.

    python -m bench.bench_webhook --targets assistant,werobot \
        --assistant-app bench.ablation_wsgi:app --patches nopreping,pipeline

Builds the same app as bot.wsgi, after monkeypatching the parts named in BENCH_PATCHES
(comma-separated), each a sketch of a fix proposed in bench/README.md:

  floor      the webhook answers HELP without running the processor (Flask + verify + parse +
             render only): the floor any fix can reach
  nopreping  engine without pool_pre_ping (one `SELECT 1` round trip less per session)
  inline     run the handler in the request thread (no ThreadPoolExecutor hand-off); this
             gives up the 4-second budget, so it only measures the hand-off's cost
  pipeline   one Redis round trip before the handler instead of four: dedup SET NX, the
             "seen" SET NX, the conversation GET and EXISTS in one pipeline
  revcache   the campaign store reads the plan revision from Redis at most once a second
  fastread   users.profile() as one autocommit SELECT (no BEGIN/COMMIT round trips)
  fastsubmit the duplicate-today and per-hour checks as one autocommit SELECT, and the insert
             as one autocommit INSERT (no ORM session, BEGIN, COMMIT)
  seencache  a per-process memory of users whose "last inbound" was recorded in the last
             TOUCH_EVERY seconds, in front of the `seen:` SET NX (no Redis call for them)
  fastpath   help words (帮助, help, ?, 菜单, 你好, 您好) answered at once, before the dedup
             claim and the conversation lookup: stateless and idempotent, so a retry gets the
             same answer anyway. Changes behaviour: "帮助" inside a 献一策 conversation gives
             help instead of being taken as content, and skips the "conversation expired" note
  readfast   read-only schedule questions (parse_question() gives a due/phase/countdown/overdue/
             timetable intent) answered at once like fastpath, with no Redis or database call
             when one campaign is loaded (the user's stored choice cannot differ) and the answer
             fits one page. Changes behaviour like fastpath, and "更多" after such an answer may
             still page through an older answer (the old pages are not cleared)
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import timedelta
from typing import Any

PATCHES = {p.strip() for p in os.environ.get("BENCH_PATCHES", "").split(",") if p.strip()}
KNOWN = {"floor", "nopreping", "inline", "pipeline", "revcache", "fastread", "fastsubmit",
         "seencache", "fastpath", "readfast"}
if PATCHES - KNOWN:
    raise SystemExit(f"unknown BENCH_PATCHES: {sorted(PATCHES - KNOWN)}")

if "nopreping" in PATCHES:
    import bot.store.db as dbmod

    _create_engine = dbmod.create_engine

    def _engine_without_preping(url: str, **kw: Any):  # type: ignore[no-untyped-def]
        if kw.pop("pool_pre_ping", None):
            kw.setdefault("pool_recycle", 1800)
        return _create_engine(url, **kw)

    dbmod.create_engine = _engine_without_preping  # type: ignore[assignment]

if "revcache" in PATCHES:
    from bot.store.repos import SqlCampaignStore

    _signature = SqlCampaignStore._signature

    def _cached_signature(self):  # type: ignore[no-untyped-def]
        now = time.monotonic()
        cached = getattr(self, "_bench_sig", None)
        if cached is not None and now - cached[0] < 1.0:
            return cached[1]
        value = _signature(self)
        self._bench_sig = (now, value)
        return value

    SqlCampaignStore._signature = _cached_signature  # type: ignore[method-assign]

if "fastread" in PATCHES:
    from sqlalchemy import select

    from bot.store.models import UserRow
    from bot.store.repos import SqlUserStore
    from handlers.ports import Profile

    def _profile(self, user: str) -> Profile:  # type: ignore[no-untyped-def]
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            row = c.execute(select(UserRow.campaign_code, UserRow.unit, UserRow.subscribed,
                                   UserRow.following).where(UserRow.openid == user)).first()
        return Profile() if row is None else Profile(row[0], row[1], row[2], row[3])

    SqlUserStore.profile = _profile  # type: ignore[method-assign]

if "fastsubmit" in PATCHES:
    from sqlalchemy import func, insert, select
    from sqlalchemy.exc import IntegrityError

    from bot.store.models import SuggestionRow
    from bot.store.repos import SqlSuggestionStore
    from domain import suggestion as rules
    from handlers import suggest, texts
    from handlers.ports import SuggestionRecord

    def _checks(store, user, content, day_start, hour_ago):  # type: ignore[no-untyped-def]
        h = rules.fingerprint(content)
        q = select(
            func.count().filter(SuggestionRow.created_at >= hour_ago),
            func.min(SuggestionRow.ticket).filter(SuggestionRow.content_hash == h,
                                                  SuggestionRow.created_at >= day_start),
        ).where(SuggestionRow.user_openid == user,
                SuggestionRow.created_at >= min(day_start, hour_ago))
        with store.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            count, ticket = c.execute(q).one()
        return int(count or 0), ticket

    def _refusal(user, content, services):  # type: ignore[no-untyped-def]
        limits = services.limits
        if rules.content_length(content) < limits.min_chars:
            return suggest.Reply(texts.TOO_SHORT.format(min=limits.min_chars))
        if len(content) > limits.max_chars:
            return suggest.Reply(texts.TOO_LONG.format(max=limits.max_chars, chars=len(content)))
        now = services.clock.now()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        count, same = _checks(services.suggestions, user, content, day_start,
                              now - timedelta(hours=1))
        if same:
            return suggest.Reply(texts.DUPLICATE_TODAY.format(ticket=same))
        if count >= limits.per_hour:
            return suggest.Reply(texts.RATE_LIMITED.format(count=count))
        return None

    _orig_create = SqlSuggestionStore.create

    def _create(self, new):  # type: ignore[no-untyped-def]
        values = dict(ticket=rules.new_ticket(), campaign_code=new.campaign_code, topic=new.topic,
                      content=new.content, content_hash=rules.fingerprint(new.content),
                      status=rules.PENDING, created_at=new.created_at, channel=new.channel,
                      user_openid=new.user, author=self.pseudonym.of(new.user),
                      source_key=new.source_key, attachments=list(new.attachments))
        try:
            with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(insert(SuggestionRow).values(**values))
        except IntegrityError:
            return _orig_create(self, new)  # the slow path handles collisions and retries
        return SuggestionRecord(ticket=values["ticket"], campaign_code=new.campaign_code,
                                topic=new.topic, content=new.content, status=rules.PENDING,
                                created_at=new.created_at,
                                attachments=len(new.attachments)), True

    suggest._refusal = _refusal
    SqlSuggestionStore.create = _create  # type: ignore[method-assign]

from bot.app import create_app  # noqa: E402
from bot.logs import setup_logging  # noqa: E402

setup_logging()
app = create_app()
_state = app.extensions["bot"]

if "floor" in PATCHES:
    from handlers import texts as _texts

    _state.processor.handle = lambda msg: _texts.HELP  # type: ignore[method-assign]

if PATCHES & {"pipeline", "inline", "seencache", "fastpath", "readfast"}:
    from bot import inbound
    from bot.store.kv import RedisConversationStore
    from bot.wiring import TOUCH_EVERY

    _tl = threading.local()
    proc = _state.processor
    conv = _state.services.conversations
    users, clock = _state.users, _state.services.clock
    pipelined = "pipeline" in PATCHES
    seen_until: dict[str, float] = {}  # seencache: user -> until when "seen" is known recorded

    def seen_known(user: str) -> bool:
        if "seencache" not in PATCHES:
            return False
        now = time.monotonic()
        if seen_until.get(user, 0.0) > now:
            return True
        if len(seen_until) > 100_000:
            seen_until.clear()
        seen_until[user] = now + TOUCH_EVERY - 5
        return False

    from handlers import basic as _basic
    from handlers.router import COMMANDS as _COMMANDS
    from handlers.router import normalize as _normalize

    help_words = {w for w, h in _COMMANDS.items() if h is _basic.help_reply}

    from domain.questions import parse_question as _parse_question
    from handlers import schedule as _schedule

    read_only = {"due_range", "current_phase", "next_phase", "countdown", "overdue", "timetable"}

    def read_fast(msg):  # type: ignore[no-untyped-def]
        """The answer to a read-only schedule question without I/O, or None."""
        if _COMMANDS.get(_normalize(msg.text)) is not None:
            return None
        question = _parse_question(msg.text)
        if question is None or question.intent not in read_only or question.unit:
            return None
        campaigns = _state.services.campaigns
        active = campaigns.active()  # in-process cache (+ revcache: one GET a second)
        if len(active) != 1:
            return None
        plan = campaigns.plan(active[0].code)
        if plan is None:
            return None
        pages = _schedule._about_plan(question, plan, msg.user, _state.services)
        if len(pages) != 1:
            return None  # longer answers keep the normal path (their pages are saved)
        return pages[0]

    if pipelined:
        _load, _take_expired = RedisConversationStore.load, RedisConversationStore.take_expired

        def _pf(user: str):  # type: ignore[no-untyped-def]
            pf = getattr(_tl, "prefetch", None)
            return pf if pf is not None and pf["user"] == user else None

        def load(self, user):  # type: ignore[no-untyped-def]
            pf = _pf(user)
            if pf is None or "state" not in pf:
                return _load(self, user)
            raw = pf.pop("state")
            return json.loads(raw) if raw else None

        def take_expired(self, user):  # type: ignore[no-untyped-def]
            pf = _pf(user)
            if pf is None or "open" not in pf:
                return _take_expired(self, user)
            if not pf.pop("open"):
                return False
            return _take_expired(self, user)  # rare: the marker is there, check for real

        RedisConversationStore.load = load  # type: ignore[method-assign]
        RedisConversationStore.take_expired = take_expired  # type: ignore[method-assign]

    def on_inbound(msg):  # type: ignore[no-untyped-def]
        if msg.kind == "event":
            return
        pf = getattr(_tl, "prefetch", None)
        if pf is not None and "fresh" in pf:  # pipelined: the SET NX was in the pipeline
            fresh = pf["fresh"]
        elif seen_known(msg.user):
            fresh = False
        else:
            fresh = proc.kv.set(f"seen:{msg.channel}:{msg.user}", 1, nx=True, ex=TOUCH_EVERY)
        if fresh:
            users.touch(msg.user, clock.now())

    proc.on_inbound = on_inbound

    def _run_with(msg, prefetch):  # type: ignore[no-untyped-def]
        _tl.prefetch = prefetch
        try:
            return proc._run(msg)
        finally:
            _tl.prefetch = None

    def handle(msg):  # type: ignore[no-untyped-def]
        if ("fastpath" in PATCHES and msg.kind == "text"
                and _normalize(msg.text) in help_words):
            on_inbound(msg)
            return _basic.help_reply(msg, _state.services).text
        if "readfast" in PATCHES and msg.kind == "text":
            text = read_fast(msg)
            if text is not None:
                on_inbound(msg)
                return text
        key = f"dedup:{msg.channel}:{msg.dedup_key}"
        prefetch = None
        if pipelined:
            p = proc.kv.pipeline(transaction=False)
            p.set(key, inbound.PENDING, nx=True, ex=inbound.DEDUP_TTL)
            known = msg.kind == "event" or seen_known(msg.user)
            if not known:
                p.set(f"seen:{msg.channel}:{msg.user}", 1, nx=True, ex=TOUCH_EVERY)
            p.get(conv._key("state", msg.user))
            p.exists(conv._key("open", msg.user))
            got = p.execute()
            claimed, state_raw, is_open = got[0], got[-2], got[-1]
            fresh = False if known else bool(got[1])
            prefetch = {"user": msg.user, "fresh": fresh, "state": state_raw,
                        "open": bool(is_open)}
        else:
            claimed = proc.kv.set(key, inbound.PENDING, nx=True, ex=inbound.DEDUP_TTL)
        if not claimed:
            return proc._await_first(key)
        try:
            if "inline" in PATCHES:
                text = _run_with(msg, prefetch)
            else:
                text = proc.pool.submit(_run_with, msg, prefetch).result(timeout=proc.budget)
        except Exception:
            proc.kv.delete(key)
            return inbound.texts.SERVICE_ERROR
        proc.kv.set(key, json.dumps({"t": text}, ensure_ascii=False), ex=inbound.DEDUP_TTL)
        return text

    proc.handle = handle  # type: ignore[method-assign]
