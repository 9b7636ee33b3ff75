"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store.db import Database
from bot.store.models import PG_SEARCH_INDEXES, Base


def _not_search_index(name, kind, parents):  # type: ignore[no-untyped-def]
    return not (kind == "index" and name in PG_SEARCH_INDEXES)


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
        assert "ix_suggestions_content_hash" in indexes  # same-text ideas (0011)
        if backend["name"] == "real":
            assert PG_SEARCH_INDEXES <= indexes
    finally:
        db.dispose()
