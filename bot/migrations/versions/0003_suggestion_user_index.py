"""suggestions: one (user_openid, created_at) index for the hot path's checks

The per-hour count, the same-text-today lookup and "我的建议" all ask for one user's
suggestions since a time; one composite index answers all three. The single-column indexes
on user_openid, created_at and content_hash served nothing else and cost every insert.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 13:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_suggestions_user_created", ["user_openid", "created_at"], unique=False
        )
        batch_op.drop_index("ix_suggestions_user_openid")
        batch_op.drop_index("ix_suggestions_created_at")
        batch_op.drop_index("ix_suggestions_content_hash")


def downgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.create_index("ix_suggestions_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_suggestions_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_suggestions_user_openid", ["user_openid"], unique=False)
        batch_op.drop_index("ix_suggestions_user_created")
