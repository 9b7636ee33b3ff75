"""Ports of the units list and the answer templates (services/units.py, services/templates.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.ports import AuditEntry


@dataclass(frozen=True)
class Unit:
    name: str
    retired: bool = False
    renamed_to: str | None = None


@dataclass(frozen=True)
class Renamed:
    """What a unit's rename changed: the tickets re-pointed and how many accounts."""

    tickets: tuple[str, ...]
    accounts: int


class UnitStore(Protocol):
    """Unit names; each change is written with its audit entries in one transaction."""

    def all(self) -> list[Unit]: ...

    def account_units(self) -> list[str]: ...

    def add(self, name: str, now: datetime, audit: AuditEntry) -> bool: ...

    def restore(self, name: str, audit: AuditEntry) -> bool: ...

    def retire(self, name: str, audit: AuditEntry) -> bool: ...

    def rename(
        self, old: str, new: str, now: datetime, audit: AuditEntry,
        ticket_audit: Callable[[str], AuditEntry],
    ) -> Renamed | None: ...  # fmt: skip


@dataclass(frozen=True)
class AnswerTemplate:
    id: int
    name: str
    text: str
    campaign: str
    updated_at: datetime


class TemplateStore(Protocol):
    def all(self) -> list[AnswerTemplate]: ...

    def get(self, template_id: int) -> AnswerTemplate | None: ...

    def save(
        self, template_id: int | None, name: str, text: str, campaign: str, now: datetime,
        audit: AuditEntry,
    ) -> AnswerTemplate | None: ...  # fmt: skip

    def delete(self, template_id: int, audit: AuditEntry) -> bool: ...
