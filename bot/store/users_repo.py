"""SQL implementation of the user port (handlers/ports.py `UserStore`): campaign and unit
choices, follow/subscribe state and the "last seen" times."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, case, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from bot.privacy import Pseudonymizer
from bot.store.db import Database
from bot.store.models import UserRow
from bot.store.users_seen import touch_many_pg
from handlers.ports import (
    Profile,
)


def _now() -> datetime:
    return datetime.now(UTC)


_PROFILE = select(UserRow.campaign_code, UserRow.unit, UserRow.subscribed, UserRow.following).where(
    UserRow.openid == bindparam("user")
)


class SqlUserStore:
    """Users' choices (campaign, unit) and follow/subscribe state."""

    def __init__(self, db: Database, pseudonym: Pseudonymizer, channel: str = "wechat") -> None:
        self.db = db
        self.pseudonym = pseudonym
        self.channel = channel

    def _get_or_create(self, s, user: str) -> UserRow:  # type: ignore[no-untyped-def]
        row = s.get(UserRow, user)
        if row is None:
            row = UserRow(
                openid=user,
                pseudonym=self.pseudonym.of(user),
                channel=self.channel,
                following=True,
                subscribed=False,
                updated_at=_now(),
            )
            s.add(row)
        return row

    def _update(self, user: str, **values: object) -> None:
        for attempt in range(2):  # a concurrent first insert of the same user: retry once
            try:
                with self.db.session() as s:
                    row = self._get_or_create(s, user)
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = _now()
                return
            except IntegrityError:
                if attempt:
                    raise

    def profile(self, user: str) -> Profile:
        with self.db.autocommit() as conn:
            row = conn.execute(_PROFILE, {"user": user}).first()
        if row is None:
            return Profile()
        return Profile(row.campaign_code, row.unit, row.subscribed, row.following)

    def set_campaign(self, user: str, code: str) -> None:
        self._update(user, campaign_code=code, unit=None)

    def set_unit(self, user: str, code: str, unit: str) -> None:
        self._update(user, campaign_code=code, unit=unit)

    def set_following(self, user: str, following: bool) -> None:
        if following:
            self._update(user, following=True)
        else:
            self._update(user, following=False, subscribed=False)

    def set_subscribed(self, user: str, subscribed: bool) -> None:
        self._update(user, subscribed=subscribed)

    def touch_many(self, seen: dict[str, datetime]) -> None:
        """Record the last inbound message of many users in one upsert (bot/seen.py batches
        them). A later time wins. A message newer than the row's last change also marks the
        user as following (only followers can write), but one that was queued before an
        unfollow was handled does not undo it."""
        if not seen:
            return
        now = _now()
        if self.db.engine.dialect.name == "postgresql":  # one fixed statement over arrays
            with self.db.autocommit() as conn:
                touch_many_pg(conn, seen, self.pseudonym.of, self.channel, now)
            return
        rows = [
            {
                "openid": user,
                "pseudonym": self.pseudonym.of(user),
                "channel": self.channel,
                "following": True,
                "subscribed": False,
                "last_inbound_at": when,
                "updated_at": now,
            }
            for user, when in sorted(seen.items())  # one lock order for concurrent batches
        ]
        table = UserRow.__table__
        insert = pg_insert if self.db.engine.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(UserRow).values(rows)
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.openid],
            set_={
                "last_inbound_at": case(
                    (
                        or_(
                            table.c.last_inbound_at.is_(None),
                            table.c.last_inbound_at < new.last_inbound_at,
                        ),
                        new.last_inbound_at,
                    ),
                    else_=table.c.last_inbound_at,
                ),
                "following": case(
                    (new.last_inbound_at > table.c.updated_at, true()),
                    else_=table.c.following,
                ),
                "updated_at": case(
                    (new.last_inbound_at > table.c.updated_at, new.updated_at),
                    else_=table.c.updated_at,
                ),
            },
        )
        with self.db.autocommit() as conn:
            conn.execute(stmt)
