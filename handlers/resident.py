"""Answers and 回访 in chat, around the router (bot/wiring.py wraps `route` with `with_answers`):

- a rating reply ("1"/"2"/"3", "满意"/"基本满意"/"不满意") is taken as a rating only while one is
  awaited (the user's answer reached them within domain.workflow.RATING_WINDOW and is not
  rated) and no conversation of theirs is open; otherwise it goes to the router unchanged, so a
  number answering a conversation's question keeps its meaning;
- a published answer that waited (outside the 48-hour window, no template) comes first in the
  reply to the user's next message, once: services.resident.take_waiting marks it sent before
  it is added. A schedule question answered without a dedup claim (router.is_read_only) does
  not carry it (a retry would not repeat it): the scheduler sends it then, the window being open.
"""

from __future__ import annotations

from collections.abc import Callable

from domain import workflow as wf
from handlers import router
from handlers.ports import Opening, Services
from handlers.schedule_format import nbytes, with_more_footer
from handlers.suggest_lookup import split_pages
from handlers.types import Incoming, Reply
from services import resident as uc
from texts import chat as texts

Route = Callable[[Incoming, Services, Opening | None, router.Decision | None], Reply]


def with_answers(route: Route) -> Route:
    """`route`, with ratings taken and waiting answers told (see the module docstring).
    `decision` is the router's classification of `msg`, when the caller made it."""

    def routed(
        msg: Incoming,
        services: Services,
        opening: Opening | None = None,
        decision: router.Decision | None = None,
    ) -> Reply:
        if services.resident is None or msg.kind not in ("text", "voice"):
            return route(msg, services, opening, decision)
        if wf.parse_rating(msg.text) is not None:  # no I/O for any other message
            if opening is None:
                opening = services.conversations.begin(msg.user)
            if not opening.state:
                rated = rate(msg, services)
                if rated is not None and opening.expired:  # said once: say it here
                    rated = Reply(texts.EXPIRED + "\n\n" + (rated.text or ""))
                if rated is not None:
                    return tell_waiting(msg, services, rated, decision)
        return tell_waiting(msg, services, route(msg, services, opening, decision), decision)

    return routed


def rate(msg: Incoming, services: Services) -> Reply | None:
    """The thanks for a rating, or None when no rating is awaited."""
    assert services.resident is not None
    rated = uc.rate(services.resident, msg.user, msg.text, services.clock.now())
    if rated is None:
        return None
    words = texts.RATED_REOPENED if rated.reopened else texts.RATED_THANKS
    return Reply(words.format(ticket=rated.ticket, satisfaction=rated.satisfaction))


def tell_waiting(
    msg: Incoming, services: Services, reply: Reply, decision: router.Decision | None = None
) -> Reply:
    """`reply` with the user's waiting answers before it (pages when too long together)."""
    store = services.resident
    if store is None or reply.text is None or not store.may_have_waiting(msg.user):
        return reply
    if decision is None or decision.text != msg.text:  # not decided on this text: decide now
        decision = router.classify(msg)
    if decision.lane == router.READ_ONLY:
        return reply
    told = uc.take_waiting(store, msg.user, services.clock.now())
    if not told:
        return reply
    answers = "\n\n".join(told)
    combined = answers + texts.TOLD_THEN + reply.text
    if nbytes(combined) <= router.MAX_REPLY_BYTES:
        return Reply(combined, reply.more)
    rest = tuple(reply.more or ())
    own = reply.text
    if rest:  # its footer counted its own pages only
        own = own.removesuffix(texts.MORE_FOOTER.format(remaining=len(rest)))
    pages = [*split_pages(answers), own, *rest]
    services.conversations.save_pages(msg.user, pages[1:])
    return Reply(with_more_footer(pages[0], len(pages) - 1))
