"""delivery reports: the template msgid on deliveries, the customer-service count on users

- ``deliveries.msgid`` (indexed): WeChat's msgid of a template send, so that its later
  TEMPLATESENDJOBFINISH event can mark the delivery failed with the platform's reason.
- ``users.cs_sent`` / ``users.cs_window_at``: customer-service messages sent since the user's
  last message (WeChat allows 5 in the 48 hours after it), counted before each send.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("msgid", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_deliveries_msgid", ["msgid"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cs_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("cs_window_at", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("cs_window_at")
        batch_op.drop_column("cs_sent")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_msgid")
        batch_op.drop_column("msgid")
