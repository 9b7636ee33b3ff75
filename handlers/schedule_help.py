"""When a question is not understood: the two or three closest question forms instead of a
fixed list, and the miss kept (MissedQuestionStore) so the next wording added is the one
people used (`python -m bot questions missed`).

The closeness of a text to a form is counted on normalised text: shared character pairs
count double, shared single characters (beyond particles like 的/吗) once; ties keep the
order of FORMS, which lists the most asked first.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.question_text import normalize
from handlers.ports import MissedQuestion, Services
from handlers.types import Incoming, Reply
from texts import schedule as T

log = logging.getLogger(__name__)

FORMS = T.QUESTION_FORMS
_PARTICLES = frozenset("的了吗呢啊呀吧么是有什我们您你请问一下个")
_MAX_FORMS = 3


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _chars(text: str) -> set[str]:
    return set(text) - _PARTICLES


_FORM_KEYS = tuple((form, _pairs(normalize(form)), _chars(normalize(form))) for form in FORMS)


def closest_forms(text: str, limit: int = _MAX_FORMS) -> list[str]:
    """The question forms nearest to `text` (at most `limit`); the first few when none is."""
    norm = normalize(text)
    pairs, chars = _pairs(norm), _chars(norm)
    scored = []
    for position, (form, form_pairs, form_chars) in enumerate(_FORM_KEYS):
        score = 2 * len(pairs & form_pairs) + len(chars & form_chars)
        if score >= 2:
            scored.append((-score, position, form))
    scored.sort()
    found = [form for _, _, form in scored[:limit]]
    return found or list(FORMS[:limit])


def closest_reply(text: str) -> Reply:
    """The "not understood" answer: what the closest questions look like."""
    lines = [T.CLOSEST_LINE.format(form=form) for form in closest_forms(text)]
    return Reply("\n".join([T.CLOSEST_HEADER, *lines, T.CLOSEST_FOOTER]))


def remember_miss(
    msg: Incoming, services: Services, reply: str, kind: str, campaign_code: str = ""
) -> None:
    """Keep a question that was not (fully) answered. Never fails the answer: a store that
    is down costs the record, not the reply."""
    store = services.missed
    if store is None or not msg.text:
        return
    now: datetime = services.clock.now()
    missed = MissedQuestion(
        user=msg.user,
        text=msg.text.strip()[:500],
        reply=reply[:2000],
        kind=kind,
        campaign_code=campaign_code,
        source_key=msg.dedup_key or msg.msg_id or f"{msg.user}:{now.isoformat()}",
        created_at=now,
    )
    try:
        store.add(missed)
    except Exception:  # noqa: BLE001 - a lost record must not cost the user their answer
        log.exception("could not keep a missed question")


def not_understood(msg: Incoming, services: Services) -> Reply:
    """The router's last answer for text nobody understood: the closest question forms; the
    question is kept as a miss."""
    reply = closest_reply(msg.text)
    if msg.kind in ("text", "voice") and msg.text.strip():
        remember_miss(msg, services, reply.text or "", "unknown")
    return reply
