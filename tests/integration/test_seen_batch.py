"""The batched "last seen" upsert stays one statement, whatever the batch's size, and stores
what the row-by-row rules say (PostgreSQL runs it over arrays: bot/store/users_seen.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from bot.store.models import UserRow

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_a_big_batch_is_one_statement_and_stores_every_user(state):
    statements: list[str] = []
    engines = [state.db.engine]
    with state.db.autocommit() as conn:
        engines.append(conn.engine)

    def on_sql(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_sql)
    try:
        seen = {f"o_batch_{i:03d}": T0 + timedelta(seconds=i) for i in range(300)}
        state.users.touch_many(seen)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", on_sql)
    assert len(statements) == 1
    with state.db.session() as s:
        rows = {r.openid: r for r in s.scalars(select(UserRow))}
    assert set(rows) == set(seen)
    row = rows["o_batch_007"]
    assert row.last_inbound_at == T0 + timedelta(seconds=7) and row.following
    assert row.pseudonym == state.pseudonym.of("o_batch_007") and row.channel == "wechat"
    assert not row.subscribed and row.cs_sent == 0
