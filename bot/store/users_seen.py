"""The batched "last seen" upsert on PostgreSQL (bot/seen.py writes it once a second).

One fixed statement over three arrays (unnest), instead of a VALUES list built and compiled for
every batch: SQLAlchemy spent ~170 µs of CPU per user compiling that list — 50 ms for a batch of
300 new users, held in a web worker while its requests waited (issue 12). Here a batch costs a
few µs per user (the pseudonym's HMAC, the arrays' adaptation by psycopg2). The rules are
SqlUserStore.touch_many's: a later time wins; a message newer than the row's last change marks
the user as following, one queued before an unfollow was handled does not undo it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

TOUCH_MANY = """
INSERT INTO users AS u (openid, pseudonym, channel, following, subscribed, last_inbound_at,
                        updated_at)
SELECT t.openid, t.pseudonym, %(channel)s, true, false, t.seen, %(now)s
FROM unnest(%(openids)s::text[], %(pseudonyms)s::text[], %(seen)s::timestamptz[])
     AS t(openid, pseudonym, seen)
ORDER BY t.openid
ON CONFLICT (openid) DO UPDATE SET
  last_inbound_at = CASE
    WHEN u.last_inbound_at IS NULL OR u.last_inbound_at < excluded.last_inbound_at
    THEN excluded.last_inbound_at ELSE u.last_inbound_at END,
  following = CASE WHEN excluded.last_inbound_at > u.updated_at
    THEN true ELSE u.following END,
  updated_at = CASE WHEN excluded.last_inbound_at > u.updated_at
    THEN excluded.updated_at ELSE u.updated_at END
"""


def touch_many_pg(
    conn: Connection,
    seen: dict[str, datetime],
    pseudonym: Callable[[str], str],
    channel: str,
    now: datetime,
) -> None:
    """Upsert every user of `seen` (openid -> time of their last message) in one statement;
    the rows are inserted in openid order (one lock order for concurrent batches)."""
    openids = list(seen)
    conn.exec_driver_sql(
        TOUCH_MANY,
        {
            "channel": channel,
            "now": now,
            "openids": openids,
            "pseudonyms": [pseudonym(user) for user in openids],
            "seen": [seen[user] for user in openids],
        },
    )
