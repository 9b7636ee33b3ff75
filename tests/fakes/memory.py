"""In-memory implementations of the ports in handlers/ports.py, for unit tests and benchmarks.

They follow the protocols' docstrings (ordering, duplicate source_key, 30-minute expiry of
conversations) so tests written against them hold for the real stores too.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from domain.plan import Plan
from domain.suggestion import TICKET_ALPHABET, TICKET_LENGTH, fingerprint
from handlers.ports import (
    CampaignInfo,
    Limits,
    NewSuggestion,
    Opening,
    Profile,
    Services,
    Submitted,
    SuggestionRecord,
    submit_in_steps,
)

LISTS = ("parts", "attachments")  # a conversation's lists, as in bot/store/kv.py
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


class FixedClock:
    """A clock standing still at `today` `at` (Asia/Shanghai) until moved with `advance`/`set`."""

    def __init__(self, today: date, at: time = time(9, 0)) -> None:
        self.moment = datetime.combine(today, at, tzinfo=SHANGHAI)

    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        return self.moment

    def today(self) -> date:
        """The current day."""
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        """Move the clock forward, e.g. `advance(minutes=31)`."""
        self.moment += timedelta(**delta)

    def set(self, today: date, at: time = time(9, 0)) -> None:
        """Jump to another day."""
        self.moment = datetime.combine(today, at, tzinfo=SHANGHAI)


class MemoryCampaignStore:
    """Loaded campaigns, from plans handed in (add/remove to load and unload)."""

    def __init__(self, plans: list[Plan] | None = None) -> None:
        self._plans: dict[str, Plan] = {}
        self._active: list[CampaignInfo] = []
        for plan in plans or []:
            self.add(plan)

    def add(self, plan: Plan) -> None:
        """Load (or replace) a campaign by its code."""
        self._plans[plan.code] = plan
        self._refresh()

    def remove(self, code: str) -> None:
        """Unload a campaign."""
        self._plans.pop(code, None)
        self._refresh()

    def _refresh(self) -> None:
        infos = [CampaignInfo(p.code, p.name, p.topics) for p in self._plans.values()]
        self._active = sorted(infos, key=lambda c: c.name)

    def active(self) -> list[CampaignInfo]:
        """Every loaded campaign, ordered by name."""
        return list(self._active)

    def plan(self, code: str) -> Plan | None:
        """The campaign's plan, or None when it is not loaded."""
        return self._plans.get(code)


class MemoryUserStore:
    """Profiles; the unit is remembered per campaign, so switching back restores it."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile] = {}
        self._units: dict[tuple[str, str], str] = {}

    def profile(self, user: str) -> Profile:
        """The user's profile (a default one for a stranger)."""
        profile = self._profiles.get(user, Profile())
        unit = self._units.get((user, profile.campaign_code or ""))
        return replace(profile, unit=unit)

    def set_campaign(self, user: str, code: str) -> None:
        """Choose the user's campaign."""
        self._profiles[user] = replace(self._profiles.get(user, Profile()), campaign_code=code)

    def set_unit(self, user: str, code: str, unit: str) -> None:
        """Remember the user's unit in campaign `code`."""
        self._units[(user, code)] = unit

    def set_following(self, user: str, following: bool) -> None:
        """Follow / unfollow. Unfollowing also ends every subscription at once."""
        profile = replace(self._profiles.get(user, Profile()), following=following)
        if not following:
            profile = replace(profile, subscribed=False)
        self._profiles[user] = profile

    def set_subscribed(self, user: str, subscribed: bool) -> None:
        """Subscribe to or unsubscribe from reminders."""
        self._profiles[user] = replace(self._profiles.get(user, Profile()), subscribed=subscribed)


class MemoryConversationStore:
    """Per-user state and pages, forgotten after `minutes` of inactivity on the given clock."""

    def __init__(self, now: Any = None, minutes: int = 30) -> None:
        self._now = now or (lambda: datetime.now(SHANGHAI))
        self._ttl = timedelta(minutes=minutes)
        self._states: dict[str, tuple[dict[str, Any], datetime]] = {}
        self._pages: dict[str, tuple[list[str], datetime]] = {}
        self._expired: set[str] = set()

    def _fresh(self, stamp: datetime) -> bool:
        return self._now() - stamp < self._ttl

    def save(
        self, user: str, state: dict[str, Any], lists: dict[str, list[str]] | None = None
    ) -> None:
        """Keep `state` for 30 minutes of inactivity; its lists change only through
        append() or `lists`, as in the Redis store."""
        self._expired.discard(user)
        kept = self._states.get(user)
        old = kept[0] if kept is not None and self._fresh(kept[1]) else {}
        new = {k: v for k, v in state.items() if k not in LISTS}
        for name in LISTS:
            items = (lists or {}).get(name, old.get(name, []))
            if items:
                new[name] = list(items)
        self._states[user] = (new, self._now())

    def append(self, user: str, name: str, value: str) -> list[str] | None:
        """Add `value` to the open conversation's list `name`; None when none is open."""
        kept = self._states.get(user)
        if kept is None or not self._fresh(kept[1]):
            return None
        items = [*kept[0].get(name, []), value]
        self._states[user] = ({**kept[0], name: items}, self._now())
        return list(items)

    def clear(self, user: str) -> None:
        """Forget the user's state (a finished or cancelled conversation)."""
        self._states.pop(user, None)
        self._expired.discard(user)

    def begin(self, user: str) -> Opening:
        """The open state, whether one expired unfinished (reported once), waiting pages."""
        has_pages = self._has_pages(user)
        kept = self._states.get(user)
        if kept is not None and self._fresh(kept[1]):
            state = {k: list(v) if isinstance(v, list) else v for k, v in kept[0].items()}
            return Opening(state, False, has_pages)
        if kept is not None:
            del self._states[user]
            self._expired.add(user)
        if user in self._expired:
            self._expired.discard(user)
            return Opening(None, True, has_pages)
        return Opening(None, False, has_pages)

    def _has_pages(self, user: str) -> bool:
        kept = self._pages.get(user)
        return kept is not None and bool(kept[0]) and self._fresh(kept[1])

    def save_pages(self, user: str, pages: list[str]) -> None:
        """Keep the remaining pages of a long answer (an empty list forgets older ones)."""
        if pages:
            self._pages[user] = (list(pages), self._now())
        else:
            self._pages.pop(user, None)

    def next_page(self, user: str) -> tuple[str, int] | None:
        """The next stored page and how many remain after it, or None."""
        kept = self._pages.get(user)
        if kept is None or not kept[0]:
            return None
        if not self._fresh(kept[1]):
            del self._pages[user]
            return None
        pages = kept[0]
        page = pages.pop(0)
        if pages:
            self._pages[user] = (pages, self._now())
        else:
            del self._pages[user]
        return page, len(pages)


class MemorySuggestionStore:
    """Suggestions in memory; tickets are 6 characters, deterministic for a given seed."""

    def __init__(self, status: str = "received", seed: int = 2018) -> None:
        self.status = status
        self._rng = random.Random(seed)
        self._rows: list[tuple[str, SuggestionRecord]] = []  # (user, record), oldest first
        self._by_source: dict[str, SuggestionRecord] = {}
        self._tickets: set[str] = set()

    def _new_ticket(self) -> str:
        while True:
            ticket = "".join(self._rng.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))
            if ticket not in self._tickets:
                self._tickets.add(ticket)
                return ticket

    def create(self, new: NewSuggestion) -> tuple[SuggestionRecord, bool]:
        """Store a suggestion; (record, True), or (the existing record, False) for a source_key
        that was already stored (a retried message)."""
        existing = self._by_source.get(new.source_key)
        if existing is not None:
            return existing, False
        record = SuggestionRecord(
            ticket=self._new_ticket(),
            campaign_code=new.campaign_code,
            topic=new.topic,
            content=new.content,
            status=self.status,
            created_at=new.created_at,
            attachments=len(new.attachments),
        )
        self._rows.append((new.user, record))
        self._by_source[new.source_key] = record
        return record, True

    def submit(
        self, new: NewSuggestion, hour_since: datetime, day_since: datetime, per_hour: int
    ) -> Submitted:
        """Store unless refused (see the port)."""
        return submit_in_steps(self, new, hour_since, day_since, per_hour)

    def by_source(self, source_key: str) -> SuggestionRecord | None:
        return self._by_source.get(source_key)

    def recent(
        self, user: str, content: str, hour_since: datetime, day_since: datetime
    ) -> tuple[int, str | None]:
        """The hourly count and the first same-content ticket today (see the port)."""
        mark = fingerprint(content)
        same = next(
            (
                r
                for who, r in self._rows
                if who == user and r.created_at >= day_since and fingerprint(r.content) == mark
            ),
            None,
        )
        count = sum(1 for who, r in self._rows if who == user and r.created_at >= hour_since)
        return count, same.ticket if same else None

    def for_user(self, user: str, limit: int = 10) -> tuple[list[SuggestionRecord], int]:
        """The user's newest suggestions and their total count."""
        mine = [(r.created_at, i, r) for i, (who, r) in enumerate(self._rows) if who == user]
        mine.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [r for _, _, r in mine[:limit]], len(mine)

    def by_ticket(self, user: str, ticket: str) -> SuggestionRecord | None:
        """The suggestion with that ticket if it belongs to `user` (otherwise None)."""
        for who, record in self._rows:
            if record.ticket == ticket:
                return record if who == user else None
        return None

    def all(self) -> list[SuggestionRecord]:
        """Every suggestion, oldest first (what an export sees)."""
        return [record for _, record in self._rows]


def make_services(plans: list[Plan], today: date, limits: Limits | None = None) -> Services:
    """Services over in-memory stores and a clock fixed at 09:00 on `today`."""
    clock = FixedClock(today)
    return Services(
        suggestions=MemorySuggestionStore(),
        campaigns=MemoryCampaignStore(plans),
        users=MemoryUserStore(),
        conversations=MemoryConversationStore(clock.now),
        clock=clock,
        limits=limits or Limits(),
    )
