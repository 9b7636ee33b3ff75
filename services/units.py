"""Use cases on the list of responsible units (承办单位): seed, add, rename, retire.

The list starts from the plans' task owners (on `plan load`, and lazily whenever it is read,
so plans loaded before the list existed count too) and the unit accounts' units; organisers
then edit it. The assign list and the console's account form offer the active units.

Rules:
- a name is 1-200 characters, unique among every name ever used;
- retiring keeps the name (assigned ideas keep it as history) but stops offering it; adding
  a retired name again restores it;
- renaming re-points the suggestions assigned to the unit and the unit's accounts, audits the
  unit and each re-pointed ticket, and keeps the old name as retired (a plan reloaded with the
  old owner does not bring it back).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain import workflow as wf
from domain.plan import Plan
from services.ports import AuditEntry
from services.unit_ports import Renamed, Unit, UnitStore
from texts import workflow as texts

SEED_ACTOR = "plan"


def plan_owners(plans: Iterable[Plan | None]) -> list[str]:
    """The task owners the plans name (the list is seeded from them)."""
    return [t.owner for plan in plans if plan for t in plan.tasks if t.owner]


class UnitError(ValueError):
    """A unit change that cannot be done: English for the command line, `zh` for pages."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def clean(name: str) -> str:
    value = " ".join((name or "").split())
    if not value:
        raise UnitError("a unit name is required", texts.UNIT_NAME_REQUIRED)
    if len(value) > wf.MAX_UNIT:
        raise UnitError("unit name too long", texts.UNIT_NAME_TOO_LONG)
    return value


def seed(
    store: UnitStore, names: Iterable[str], now: datetime, actor: str = SEED_ACTOR
) -> list[str]:
    """Add the names never seen before (retired and renamed ones stay away); those added."""
    known = {u.name for u in store.all()}
    added = []
    for raw in sorted({" ".join((n or "").split()) for n in names}):
        if not raw or len(raw) > wf.MAX_UNIT or raw in known:
            continue
        entry = AuditEntry(now, actor, "unit_add", f"unit:{raw}", "", texts.UNIT_SEEDED)
        if store.add(raw, now, entry):
            added.append(raw)
    return added


def listing(store: UnitStore, plan_owners: Iterable[str], now: datetime) -> list[Unit]:
    """Every unit, active first; seeds the plans' owners and account units not yet listed."""
    units = store.all()
    known = {u.name for u in units}
    wanted = {" ".join(n.split()) for n in [*plan_owners, *store.account_units()] if n}
    if wanted - known and seed(store, wanted, now):
        units = store.all()
    return sorted(units, key=lambda u: (u.retired, u.name))


def active_names(store: UnitStore, plan_owners: Iterable[str], now: datetime) -> list[str]:
    return [u.name for u in listing(store, plan_owners, now) if not u.retired]


def require_active(store: UnitStore, name: str, plan_owners: Iterable[str], now: datetime) -> str:
    """The cleaned name if it is an active unit (after seeding), else UnitError."""
    value = clean(name)
    if value not in active_names(store, plan_owners, now):
        raise UnitError(
            f"unit {value!r} is not in the list of units",
            texts.UNIT_NOT_LISTED.format(value=value),
        )
    return value


def _find(store: UnitStore, name: str) -> Unit | None:
    return next((u for u in store.all() if u.name == name), None)


def add(store: UnitStore, by: str, name: str, now: datetime) -> str:
    """Add a unit (or restore a retired one); 'added' or 'restored'."""
    value = clean(name)
    found = _find(store, value)
    if found and not found.retired:
        raise UnitError(f"unit {value!r} already exists", texts.UNIT_EXISTS.format(value=value))
    if found:
        entry = AuditEntry(now, by, "unit_restore", f"unit:{value}", texts.UNIT_RETIRED, "")
        store.restore(value, entry)
        return "restored"
    if not store.add(value, now, AuditEntry(now, by, "unit_add", f"unit:{value}", "", "")):
        raise UnitError(f"unit {value!r} already exists", texts.UNIT_EXISTS.format(value=value))
    return "added"


def rename(store: UnitStore, by: str, old: str, new: str, now: datetime) -> Renamed:
    """Rename an active unit; its suggestions and accounts follow."""
    old_name, new_name = clean(old), clean(new)
    found = _find(store, old_name)
    if found is None or found.retired:
        raise UnitError(f"no active unit {old_name!r}", texts.UNIT_NOT_FOUND.format(value=old_name))
    if new_name == old_name:
        raise UnitError("the new name is the same", texts.UNIT_SAME_NAME)
    if _find(store, new_name) is not None:
        raise UnitError(
            f"the name {new_name!r} is already used",
            texts.UNIT_NAME_TAKEN.format(value=new_name),
        )

    def ticket_entry(ticket: str) -> AuditEntry:
        return AuditEntry(
            now, by, "unit_rename", ticket,
            texts.UNIT_LABEL.format(unit=old_name), texts.UNIT_LABEL.format(unit=new_name),
        )  # fmt: skip

    unit_entry = AuditEntry(now, by, "unit_rename", f"unit:{old_name}", old_name, new_name)
    result = store.rename(old_name, new_name, now, unit_entry, ticket_entry)
    if result is None:
        raise UnitError(
            f"unit {old_name!r} could not be renamed",
            texts.UNIT_RENAME_FAILED.format(value=old_name),
        )
    return result


def retire(store: UnitStore, by: str, name: str, now: datetime) -> None:
    value = clean(name)
    entry = AuditEntry(now, by, "unit_retire", f"unit:{value}", "", texts.UNIT_RETIRED)
    if not store.retire(value, entry):
        raise UnitError(f"no active unit {value!r}", texts.UNIT_NOT_FOUND.format(value=value))
