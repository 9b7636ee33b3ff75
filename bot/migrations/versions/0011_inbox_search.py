"""inbox: indexes for the console's filters, sort and text search; pg_trgm when available

Both databases: (created_at, id) for the newest/oldest sort, pages and date ranges;
(status, created_at, id) for the status filter (待审核 is the reviewers' queue); (author,
created_at) for an author's other ideas; content_hash for ideas with the same text.

PostgreSQL only:
- inbox_bigrams(text): the text's distinct character pairs (IMMUTABLE), with a GIN index on
  inbox_bigrams(content): a 2-character Chinese search (no trigram to take from it) is
  answered from it; it needs no extension and does not depend on the locale.
- pg_trgm and a GIN trigram index on content, for searches of 3 or more characters and for
  similarity(). CREATE EXTENSION is tried in a savepoint: where the extension is not installed
  on the server, or the role may not create it, the migration says so (a warning) and goes on
  without it; searches then use the bigram index and similar ideas are looked for among the
  newest of the campaign (bot/store/inbox_repo.py). Running this migration again after
  installing postgresql-contrib does not add it: migration 0013 (which moves the search
  indexes to the table suggestion_search) says which two statements to run by hand.

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-03 07:40:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

INDEXES = (
    ("ix_suggestions_created_id", ["created_at", "id"]),
    ("ix_suggestions_status_created", ["status", "created_at", "id"]),
    ("ix_suggestions_author_created", ["author", "created_at"]),
    ("ix_suggestions_content_hash", ["content_hash"]),
)
BIGRAMS = """
CREATE OR REPLACE FUNCTION inbox_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
  FROM generate_series(1, char_length(value) - 1) AS i
$$
"""
TRGM_MISSING = (
    "pg_trgm is not available on this PostgreSQL server (%s): the inbox's text search uses "
    "the bigram index instead, and similar ideas are looked for among the newest of the "
    "campaign. Install postgresql-contrib to have it."
)


def _trigram(bind: sa.engine.Connection) -> None:
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if not available:
        log.warning(TRGM_MISSING, "not installed")
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        bind.execute(
            sa.text(
                "CREATE INDEX IF NOT EXISTS ix_suggestions_content_trgm ON suggestions "
                "USING gin (content gin_trgm_ops)"
            )
        )
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning(TRGM_MISSING, str(exc.orig).strip().splitlines()[0])
        return
    savepoint.commit()


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(BIGRAMS)
    op.execute(
        "CREATE INDEX ix_suggestions_content_bigrams ON suggestions "
        "USING gin (inbox_bigrams(content))"
    )
    _trigram(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_suggestions_content_trgm")
        op.execute("DROP INDEX IF EXISTS ix_suggestions_content_bigrams")
        op.execute("DROP FUNCTION IF EXISTS inbox_bigrams(text)")
        # The pg_trgm extension stays: other databases objects may use it.
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
