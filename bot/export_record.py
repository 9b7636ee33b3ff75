"""The export record's columns (INTERFACES.md "Export record"), shared by every format."""

from __future__ import annotations

FIELDS = [
    "ticket",
    "campaign",
    "topic",
    "content",
    "status",
    "created_at",
    "channel",
    "author",
    "attachments",
    "outcome",
    "unit",
    "reply",
    "replied_at",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV / formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A csv cell a spreadsheet will not run: text that looks like a formula gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
