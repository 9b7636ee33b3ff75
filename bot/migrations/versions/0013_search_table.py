"""console lookups off the submission: a lookup table on PostgreSQL, fewer indexes on suggestions

A submission writes every index of `suggestions` while the resident waits for the answer
(issue 12, "Where the time goes" in bench/README.md). The indexes only the console reads move:

- PostgreSQL: `suggestion_search` (suggestion_id, content, content_hash, author) gets the
  suggestions' values and the console's lookup indexes: the two GIN indexes of 0011 (character
  pairs; pg_trgm's trigrams where the extension is installed), content_hash (ideas with the
  same text) and author (an author's other ideas). The console fills it when it reads it
  (bot/store/search_table.py).
- Both databases: those indexes leave `suggestions` (SQLite scans for them: a town's campaign),
  and the unit index keeps assigned suggestions only (`WHERE unit IS NOT NULL`): a new one has
  no unit yet.

Where pg_trgm is installed later (postgresql-contrib): `CREATE EXTENSION pg_trgm;` then
`CREATE INDEX ix_suggestion_search_trgm ON suggestion_search USING gin (content gin_trgm_ops);`

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 10:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

MOVED = (  # from suggestions (0011) to the lookup table (PostgreSQL) or nowhere (SQLite)
    ("ix_suggestions_author_created", ["author", "created_at"]),
    ("ix_suggestions_content_hash", ["content_hash"]),
)
PARTIAL_UNIT = sa.text("unit IS NOT NULL")


def _has_trgm(bind: sa.engine.Connection) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
    return found.scalar() is not None


def _lookup_table(bind: sa.engine.Connection) -> None:
    op.execute(
        "CREATE TABLE suggestion_search ("
        " suggestion_id integer PRIMARY KEY REFERENCES suggestions (id) ON DELETE CASCADE,"
        " content text NOT NULL, content_hash varchar(64) NOT NULL, author varchar(32) NOT NULL)"
    )
    op.execute(
        "INSERT INTO suggestion_search (suggestion_id, content, content_hash, author) "
        "SELECT id, content, content_hash, author FROM suggestions"
    )
    op.execute(
        "CREATE INDEX ix_suggestion_search_bigrams ON suggestion_search "
        "USING gin (inbox_bigrams(content))"
    )
    if _has_trgm(bind):
        op.execute(
            "CREATE INDEX ix_suggestion_search_trgm ON suggestion_search "
            "USING gin (content gin_trgm_ops)"
        )
    op.execute("CREATE INDEX ix_suggestion_search_hash ON suggestion_search (content_hash)")
    op.execute("CREATE INDEX ix_suggestion_search_author ON suggestion_search (author)")
    op.execute("DROP INDEX IF EXISTS ix_suggestions_content_bigrams")
    op.execute("DROP INDEX IF EXISTS ix_suggestions_content_trgm")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _lookup_table(bind)
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        for name, _ in MOVED:
            batch_op.drop_index(name)
        batch_op.drop_index("ix_suggestions_unit")
        batch_op.create_index(
            "ix_suggestions_unit",
            ["unit"],
            unique=False,
            postgresql_where=PARTIAL_UNIT,
            sqlite_where=PARTIAL_UNIT,
        )


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestions_unit")
        batch_op.create_index("ix_suggestions_unit", ["unit"], unique=False)
        for name, columns in MOVED:
            batch_op.create_index(name, columns, unique=False)
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_suggestions_content_bigrams ON suggestions "
        "USING gin (inbox_bigrams(content))"
    )
    if _has_trgm(bind):
        op.execute(
            "CREATE INDEX ix_suggestions_content_trgm ON suggestions "
            "USING gin (content gin_trgm_ops)"
        )
    op.execute("DROP TABLE suggestion_search")
