"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store.db import Database
from bot.store.models import PG_LOOKUP_INDEXES, PG_SEARCH_INDEXES, PG_SEARCH_TABLES, Base


def _not_search_index(name, kind, parents):  # type: ignore[no-untyped-def]
    return not (kind == "index" and name in PG_SEARCH_INDEXES) and not (
        kind == "table" and name in PG_SEARCH_TABLES
    )


def test_migrations_match_the_models(backend):  # type: ignore[no-untyped-def]
    db = Database(backend["database_url"])
    try:
        db.upgrade()
        with db.engine.connect() as conn:
            opts = {"compare_type": False, "include_name": _not_search_index}
            context = MigrationContext.configure(conn, opts=opts)
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("suggestions")}
        assert "ix_suggestions_user_created" in indexes
        # A submission writes no index only the console reads (0013): those live on the
        # lookup table (PostgreSQL) or nowhere (SQLite scans).
        assert {"ix_suggestions_content_hash", "ix_suggestions_author_created"}.isdisjoint(indexes)
        unit = next(ix for ix in inspect(db.engine).get_indexes("suggestions")
                    if ix["name"] == "ix_suggestions_unit")  # fmt: skip
        where = unit.get("dialect_options", {}).get(f"{db.engine.dialect.name}_where")
        assert "unit IS NOT NULL" in str(where)  # a new suggestion (no unit) is not in it
        if backend["name"] == "real":
            # The search indexes live on the search table, not on suggestions (0013).
            assert not PG_SEARCH_INDEXES & indexes
            assert not {"ix_suggestions_content_bigrams", "ix_suggestions_content_trgm"} & indexes
            search = {ix["name"] for ix in inspect(db.engine).get_indexes("suggestion_search")}
            assert PG_SEARCH_INDEXES | PG_LOOKUP_INDEXES <= search
    finally:
        db.dispose()
