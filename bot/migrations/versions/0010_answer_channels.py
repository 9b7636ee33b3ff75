"""answer channels: how each published answer reached the resident, and how often we tried

- ``answer_outbox.via``: ``cs`` (customer-service message inside the 48-hour window),
  ``template`` (template message linking to the signed answer page) or ``reply`` (told in the
  reply to the resident's next message); NULL until sent.
- ``answer_outbox.attempts``: sends tried (a retry-later error queues the row again, up to a
  limit); ``answer_outbox.msgid``: WeChat's msgid of a template send.
- an index on ``answer_outbox.openid``: the reply path asks for one user's waiting answers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("msgid", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_answer_outbox_openid", ["openid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_outbox_openid")
        batch_op.drop_column("msgid")
        batch_op.drop_column("attempts")
        batch_op.drop_column("via")
