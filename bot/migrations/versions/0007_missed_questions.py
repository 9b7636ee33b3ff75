"""missed_questions: questions the assistant could not answer, kept pseudonymous

Shown by `python -m bot questions missed`, so the next wording added is the one people used.
source_key (the message's dedup key) is unique: a retried message is kept once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "missed_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=32), nullable=False),
        sa.Column("campaign_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("missed_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_missed_questions_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("missed_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missed_questions_created_at"))
    op.drop_table("missed_questions")
