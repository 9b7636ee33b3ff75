"""The console's lookup table on PostgreSQL (migration 0013): `suggestion_search`, one row per
suggestion (its id, content, content_hash and author), carrying the indexes only the console
reads: the two GIN indexes of the text search and "similar ideas" (character pairs, and pg_trgm's
trigrams where the extension is), content_hash (the same text) and author (an author's ideas).

Why a table of its own: those indexes cost each submission more than everything else it does in
PostgreSQL (the GIN ones: two index expressions, ~65 index entries and ~2 KB of WAL per row;
the two b-trees on random keys: a page each, written whole after a checkpoint; issue 12,
bench/README.md). A resident's message waits for every index of `suggestions` to be written;
it should not wait for the console's lookups. So the submission writes `suggestions` only,
and the lookup table is filled *when it is read*: every lookup first copies the suggestions it
lacks, so it is never stale. The copy is a bulk insert (cheaper per row
than one insert per submission) done by the console, whose user can wait a millisecond more.

Which suggestions it lacks: those past its newest id, less a margin of MARGIN ids, that it does
not hold (ids are taken in order but committed in any order: a submission that took its id
before later ones committed is still found, as long as fewer than MARGIN later ids were taken
in between; a hot-path statement lasts at most the statement timeout, 1.5 s). Each process
also does a full pass (every suggestion it does not hold) on its first search and every
FULL_EVERY seconds, which finds anything the margin missed (a long import transaction).
A suggestion's content and author never change after the insert; a deleted suggestion's row
goes with it (ON DELETE CASCADE).
"""

from __future__ import annotations

import time

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, text

from bot.store.db import Database

TABLE = "suggestion_search"
MARGIN = 1000
FULL_EVERY = 300.0  # seconds between one process's full passes

# Not in the models' metadata: PostgreSQL only, made by migration 0013 in SQL (autogenerate
# must leave it alone; bot/store/models.py PG_SEARCH_TABLES).
search_table = Table(
    TABLE,
    MetaData(),
    Column("suggestion_id", Integer, primary_key=True),
    Column("content", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("author", String(32), nullable=False),
)

CHUNK = 2000  # rows per statement: each stays well within the statement timeout

_MISSING = f"""
INSERT INTO {TABLE} (suggestion_id, content, content_hash, author)
SELECT s.id, s.content, s.content_hash, s.author FROM suggestions s
WHERE {{since}} NOT EXISTS (SELECT 1 FROM {TABLE} t WHERE t.suggestion_id = s.id)
ORDER BY s.id LIMIT :chunk
ON CONFLICT (suggestion_id) DO NOTHING
"""
# The bound is looked up first and given as a value: as a subquery, the planner could not
# tell how few rows it leaves and joined against the whole table (43 ms at 143,000 rows,
# against well under 1 ms with the value).
_NEWEST = text(f"SELECT coalesce(max(suggestion_id), 0) FROM {TABLE}")
_RECENT = text(_MISSING.format(since="s.id > :floor AND"))
_ALL = text(_MISSING.format(since=""))


# Monotonic time of this process's last full pass, per database URL: shared by every
# SearchTable of the process (the console builds its stores per request).
FULL_AT: dict[str, float] = {}


class SearchTable:
    """Brings the lookup table up to date before the console reads it (see the module's doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def catch_up(self) -> int:
        """Copy the suggestions the table lacks, CHUNK rows per statement, each committed by
        itself (a backlog larger than one statement's timeout allows, after a quiet weekend or
        an import, is copied in several, and what is copied stays copied even if the request
        is cut short); how many were copied."""
        now = time.monotonic()
        last = FULL_AT.get(self.db.url)
        full = last is None or now - last >= FULL_EVERY
        copied = 0
        with self.db.autocommit() as conn:
            while True:
                if full:
                    statement, params = _ALL, {"chunk": CHUNK}
                else:
                    newest = int(conn.execute(_NEWEST).scalar() or 0)
                    statement, params = _RECENT, {"chunk": CHUNK, "floor": newest - MARGIN}
                result = conn.execute(statement, params)
                count = int(getattr(result, "rowcount", 0) or 0)
                copied += count
                if count < CHUNK:
                    break
        if full:
            FULL_AT[self.db.url] = now
        return copied
