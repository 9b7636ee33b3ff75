"""SQL adapters for the list of units and the answer templates (services/ports.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import AnswerTemplateRow, ConsoleAccountRow, SuggestionRow, UnitRow
from bot.store.workflow_repo import audit_row
from services.ports import AuditEntry
from services.unit_ports import AnswerTemplate, Renamed, Unit


class SqlUnitStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def all(self) -> list[Unit]:
        with self.db.session() as s:
            rows = s.scalars(select(UnitRow).order_by(UnitRow.id)).all()
            return [Unit(r.name, r.retired, r.renamed_to) for r in rows]

    def account_units(self) -> list[str]:
        with self.db.session() as s:
            rows = s.scalars(select(ConsoleAccountRow.unit).distinct()).all()
            return [u for u in rows if u]

    def add(self, name: str, now: datetime, audit: AuditEntry) -> bool:
        """False when the name is already there (another process may have just added it)."""
        try:
            with self.db.session() as s:
                s.add(UnitRow(name=name, retired=False, renamed_to=None, created_at=now))
                s.add(audit_row(audit))
                s.flush()
            return True
        except IntegrityError:
            return False

    def _set_retired(self, name: str, retired: bool, audit: AuditEntry) -> bool:
        with self.db.session() as s:
            result = s.execute(
                update(UnitRow)
                .where(UnitRow.name == name, UnitRow.retired.is_(not retired))
                .values(retired=retired, renamed_to=None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            s.add(audit_row(audit))
            return True

    def restore(self, name: str, audit: AuditEntry) -> bool:
        return self._set_retired(name, False, audit)

    def retire(self, name: str, audit: AuditEntry) -> bool:
        return self._set_retired(name, True, audit)

    def rename(
        self, old: str, new: str, now: datetime, audit: AuditEntry,
        ticket_audit: Callable[[str], AuditEntry],
    ) -> Renamed | None:  # fmt: skip
        """Rename, re-point suggestions and accounts, keep the old name retired; all or
        nothing. None when the unit is gone or the new name is taken."""
        try:
            with self.db.session() as s:
                row = s.scalars(
                    select(UnitRow).where(UnitRow.name == old, UnitRow.retired.is_(False))
                    .with_for_update()
                ).one_or_none()  # fmt: skip
                if row is None:
                    return None
                tickets = tuple(
                    s.scalars(
                        select(SuggestionRow.ticket)
                        .where(SuggestionRow.unit == old)
                        .order_by(SuggestionRow.id)
                        .with_for_update()
                    ).all()
                )
                s.execute(update(SuggestionRow).where(SuggestionRow.unit == old).values(unit=new))
                accounts = s.execute(
                    update(ConsoleAccountRow).where(ConsoleAccountRow.unit == old).values(unit=new)
                ).rowcount  # type: ignore[attr-defined]
                row.name = new
                s.flush()  # the new name's uniqueness is checked here
                s.add(UnitRow(name=old, retired=True, renamed_to=new, created_at=now))
                s.add(audit_row(audit))
                s.add_all(audit_row(ticket_audit(t)) for t in tickets)
                s.flush()
                return Renamed(tickets, int(accounts or 0))
        except IntegrityError:
            return None


def _template(row: AnswerTemplateRow) -> AnswerTemplate:
    return AnswerTemplate(row.id, row.name, row.text, row.campaign, row.updated_at)


class SqlTemplateStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def all(self) -> list[AnswerTemplate]:
        with self.db.session() as s:
            rows = s.scalars(select(AnswerTemplateRow).order_by(AnswerTemplateRow.id)).all()
            return [_template(r) for r in rows]

    def get(self, template_id: int) -> AnswerTemplate | None:
        with self.db.session() as s:
            row = s.get(AnswerTemplateRow, template_id)
            return _template(row) if row else None

    def save(
        self, template_id: int | None, name: str, text: str, campaign: str, now: datetime,
        audit: AuditEntry,
    ) -> AnswerTemplate | None:  # fmt: skip
        """Add (template_id None) or update one; None when the one to update is gone."""
        with self.db.session() as s:
            if template_id is None:
                row = AnswerTemplateRow()
                s.add(row)
            else:
                found = s.get(AnswerTemplateRow, template_id, with_for_update=True)
                if found is None:
                    return None
                row = found
            row.name, row.text, row.campaign, row.updated_at = name, text, campaign, now
            s.add(audit_row(audit))
            s.flush()
            return _template(row)

    def delete(self, template_id: int, audit: AuditEntry) -> bool:
        with self.db.session() as s:
            row = s.get(AnswerTemplateRow, template_id, with_for_update=True)
            if row is None:
                return False
            s.delete(row)
            s.add(audit_row(audit))
            return True
