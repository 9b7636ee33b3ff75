"""Use case: download the suggestions (the console's "导出Excel"), scoped and audited.

The file is written in full before anything is sent, so a failure is an error page rather than
half a file; the audit entry says who took how many rows of which scope."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from domain import workflow as wf
from domain.export_rules import export_scope
from services.export_ports import SuggestionExport
from services.ports import AuditEntry, AuditStore
from texts import workflow as texts

EXPORT = "export"  # the audit action


def export(
    exporter: SuggestionExport,
    audit: AuditStore,
    actor: wf.Actor,
    fmt: str,
    out: BinaryIO,
    now: datetime,
) -> int:
    """Write what `actor` may export to `out`; the count. WorkflowError(FORBIDDEN) if nothing."""
    unit = export_scope(actor)
    scope = texts.EXPORT_ALL if unit is None else texts.EXPORT_UNIT.format(unit=unit)
    count = exporter.write(fmt, out, unit, scope)
    after = texts.EXPORT_AUDIT.format(count=count, scope=scope)
    audit.record(AuditEntry(now, actor.login, EXPORT, f"suggestions.{fmt}", "", after))
    return count
