"""units and answer templates: the console's editable unit list and reusable answers

`units` holds every unit name ever used: active ones fill the assign list and the account
form; retired ones (and the old names of renamed ones, with `renamed_to`) stay so that a later
plan load does not bring them back. Seeded here from the plans' task owners, the units already
assigned and the unit accounts.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 07:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    units = op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("renamed_to", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "answer_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    conn = op.get_bind()
    names: set[str] = set()
    for query in (
        "SELECT DISTINCT owner FROM tasks",
        "SELECT DISTINCT unit FROM suggestions WHERE unit IS NOT NULL",
        "SELECT DISTINCT unit FROM console_accounts",
    ):
        names.update((r[0] or "").strip() for r in conn.execute(sa.text(query)))
    now = datetime.now(UTC)
    rows = [
        {"name": n, "retired": False, "renamed_to": None, "created_at": now}
        for n in sorted(names)
        if n and len(n) <= 200
    ]
    if rows:
        op.bulk_insert(units, rows)


def downgrade() -> None:
    op.drop_table("answer_templates")
    op.drop_table("units")
