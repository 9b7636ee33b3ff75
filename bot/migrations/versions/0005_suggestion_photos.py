"""suggestion_photos: the photos of a suggestion, downloaded from WeChat's temporary media

Existing suggestions with attachments need no data step here: the photo fetcher finds every
suggestion whose attachments have no rows yet and adds them (bot/photo_fetcher.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "suggestion_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("fetched_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("suggestion_id", "position", name="uq_suggestion_photos_position"),
    )
    op.create_index(
        "ix_suggestion_photos_status_next", "suggestion_photos", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_suggestion_photos_status_next", table_name="suggestion_photos")
    op.drop_table("suggestion_photos")
