"""Migration 0004 rewrites suggestions' source keys to <channel>:<FromUserName>:<MsgId>, on
both databases, starting from a database at 0003 holding rows in the old form."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.store.db import MIGRATIONS_DIR, Database
from handlers.ports import NewSuggestion


@pytest.fixture
def fresh_db(backend, tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    """An empty database of the backend's kind, its own (the session's is already at head)."""
    if backend["name"] == "embedded":
        db = Database(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
        yield db
        db.dispose()
        return
    from tests.conftest import PG_ADMIN_URL

    backend_url = make_url(backend["database_url"])
    name = f"bot_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(backend_url.set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade(db: Database, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


ROW = text(
    "INSERT INTO suggestions (ticket, campaign_code, topic, content, content_hash, status,"
    " created_at, channel, user_openid, author, source_key, attachments) VALUES"
    " (:ticket, 'kjj', '其他', :content, :ticket, '待审核', :at, :channel, :user, 'p',"
    " :key, '[]')"
)


def test_old_source_keys_are_rewritten_per_sender(fresh_db):
    from datetime import UTC, datetime

    _upgrade(fresh_db, "0003")
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    old = [
        ("AAAA11", "wechat", "oA", "msg:6200000000000000001"),
        ("BBBB22", "chat", "oB", "ev:oB:1700000000:text"),  # a message without a MsgId
        ("CCCC33", "wechat", "oC", "wechat:oC:2026-11-30T16:00:00+08:00"),  # already new
    ]
    with fresh_db.engine.begin() as conn:
        for ticket, channel, user, key in old:
            conn.execute(
                ROW,
                {
                    "ticket": ticket,
                    "content": "建议" + ticket,
                    "at": at,
                    "channel": channel,
                    "user": user,
                    "key": key,
                },
            )
    _upgrade(fresh_db, "head")
    with fresh_db.engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT ticket, source_key FROM suggestions")).all())
    assert keys == {
        "AAAA11": "wechat:oA:6200000000000000001",
        "BBBB22": "chat:ev:oB:1700000000:text",
        "CCCC33": "wechat:oC:2026-11-30T16:00:00+08:00",
    }
    # A retry of the rewritten message is recognised under the key the code now makes.
    from bot.privacy import Pseudonymizer
    from bot.store.suggestions_repo import SqlSuggestionStore

    store = SqlSuggestionStore(fresh_db, Pseudonymizer("k"))
    found = store.by_source("wechat:oA:6200000000000000001")
    assert found is not None and found.ticket == "AAAA11"
    # Another user's message with the same MsgId is a new suggestion, not that one.
    other = NewSuggestion(
        user="oZ",
        channel="wechat",
        campaign_code="kjj",
        topic="其他",
        content="建议在老街口增设路灯",
        source_key="wechat:oZ:6200000000000000001",
        created_at=at,
    )
    record, created = store.create(other)
    assert created and record.ticket != "AAAA11"
