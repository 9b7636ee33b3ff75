"""回访: a resident's rating of the published answer (满意 / 基本满意 / 不满意) and when

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("satisfaction", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("rated_at", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("rated_at")
        batch_op.drop_column("satisfaction")
