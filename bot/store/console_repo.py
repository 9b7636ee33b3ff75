"""SQL adapters for console accounts and the audit log (services/ports.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import AuditRow, ConsoleAccountRow
from bot.store.workflow_repo import audit_row, to_entry
from services.ports import Account, AuditEntry


def _account(row: ConsoleAccountRow) -> Account:
    return Account(
        id=row.id, login=row.login, role=row.role, unit=row.unit,
        password_hash=row.password_hash, disabled=row.disabled, created_at=row.created_at,
    )  # fmt: skip


class SqlAccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, login: str, role: str, unit: str, password_hash: str, now: datetime, audit: AuditEntry
    ) -> Account | None:
        """The new account, or None when the login is taken."""
        try:
            with self.db.session() as s:
                row = ConsoleAccountRow(
                    login=login, role=role, unit=unit, password_hash=password_hash,
                    disabled=False, created_at=now,
                )  # fmt: skip
                s.add(row)
                s.add(audit_row(audit))
                s.flush()
                return _account(row)
        except IntegrityError:
            return None

    def get(self, login: str) -> Account | None:
        with self.db.session() as s:
            row = s.scalars(
                select(ConsoleAccountRow).where(ConsoleAccountRow.login == login)
            ).first()
            return _account(row) if row else None

    def by_id(self, account_id: int) -> Account | None:
        with self.db.session() as s:
            row = s.get(ConsoleAccountRow, account_id)
            return _account(row) if row else None

    def all(self) -> list[Account]:
        with self.db.session() as s:
            rows = s.scalars(select(ConsoleAccountRow).order_by(ConsoleAccountRow.login)).all()
            return [_account(r) for r in rows]

    def set_disabled(self, login: str, disabled: bool, audit: AuditEntry) -> bool:
        with self.db.session() as s:
            result = s.execute(
                update(ConsoleAccountRow)
                .where(ConsoleAccountRow.login == login)
                .values(disabled=disabled)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            s.add(audit_row(audit))
            return True


class SqlAuditStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, entry: AuditEntry) -> None:
        with self.db.session() as s:
            s.add(audit_row(entry))

    def since(self, when: datetime | None, limit: int = 1000) -> list[AuditEntry]:
        """The newest `limit` entries at or after `when`, oldest first."""
        stmt = select(AuditRow)
        if when is not None:
            stmt = stmt.where(AuditRow.at >= when)
        with self.db.session() as s:
            rows = s.scalars(stmt.order_by(AuditRow.id.desc()).limit(limit)).all()
            return [to_entry(r) for r in reversed(rows)]
