"""Migration 0012 seeds the units list from what the database already names: the plans' task
owners, the units already assigned and the unit accounts; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from tests.integration.test_sender_key_migration import _upgrade, fresh_db  # noqa: F401

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_units_are_seeded_from_existing_rows(fresh_db):  # type: ignore[no-untyped-def]  # noqa: F811
    _upgrade(fresh_db, "0009")
    with fresh_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO campaigns (id, code, name, year, topics, revision, source, updated_at)"
                " VALUES (1, 'kjj', '科技局', 2018, '[]', 1, '', :at)"
            ),
            {"at": AT},
        )
        for seq, owner in enumerate(("局党组", "局党组", "", "局活动办")):
            conn.execute(
                text(
                    'INSERT INTO tasks (campaign_id, seq, title, "group", detail, owner,'
                    " due_text) VALUES (1, :seq, '任务', '', '', :owner, '')"
                ),
                {"seq": seq, "owner": owner},
            )
        conn.execute(
            text(
                "INSERT INTO suggestions (ticket, campaign_code, topic, content, content_hash,"
                " status, created_at, channel, user_openid, author, source_key, attachments,"
                " unit) VALUES ('T1', 'kjj', '其他', '建议', 'h', '已交办', :at, 'wechat', 'u',"
                " 'p', 'k1', '[]', '财务科')"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO console_accounts (login, role, unit, password_hash, disabled,"
                " created_at) VALUES ('office', 'unit', '办公室', 'x', false, :at),"
                " ('rev', 'reviewer', '', 'x', false, :at)"
            ),
            {"at": AT},
        )
    _upgrade(fresh_db, "head")
    with fresh_db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, retired FROM units ORDER BY name")).all()
    assert sorted(r[0] for r in rows) == sorted(["局党组", "局活动办", "财务科", "办公室"])
    assert not any(r[1] for r in rows)
