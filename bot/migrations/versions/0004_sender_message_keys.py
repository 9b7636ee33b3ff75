"""suggestions: source keys per sender, <channel>:<FromUserName>:<MsgId>

WeChat's MsgIds are not unique across users (WxJava #333 saw two users' messages share one
under load), so a suggestion keyed by `msg:<MsgId>` alone could make a second user's idea look
like a retry of the first's and be dropped. Existing keys are rewritten to the new form:
  msg:<MsgId>        -> <channel>:<user_openid>:<MsgId>
  ev:<user>:<time>…  -> <channel>:ev:<user>:<time>…   (a message without a MsgId)
Keys already in the new form (<channel>:<user>:<time> of the terminal chat) are left alone.

Downgrade leaves the keys as they are: the old code treats them as opaque unique strings, and
turning them back into `msg:<MsgId>` could collide for two users with one MsgId.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 04:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `||` and substr() are the same on SQLite and PostgreSQL; "msg:" is 4 characters.
    op.execute(
        "UPDATE suggestions SET source_key = channel || ':' || user_openid || ':' "
        "|| substr(source_key, 5) WHERE source_key LIKE 'msg:%'"
    )
    op.execute(
        "UPDATE suggestions SET source_key = channel || ':' || source_key "
        "WHERE source_key LIKE 'ev:%'"
    )


def downgrade() -> None:
    pass
