"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store.db import Database
from bot.store.models import Base


def test_migrations_match_the_models(backend):  # type: ignore[no-untyped-def]
    db = Database(backend["database_url"])
    try:
        db.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("suggestions")}
        assert "ix_suggestions_user_created" in indexes
        assert "ix_suggestions_content_hash" not in indexes
    finally:
        db.dispose()
