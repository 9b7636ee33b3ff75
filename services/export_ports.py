"""The port of the suggestions download (services/exports.py; bot/export.py SqlExport)."""

from __future__ import annotations

from typing import BinaryIO, Protocol


class SuggestionExport(Protocol):
    """Writes every suggestion, or only those assigned to `unit`, as an export file in `fmt`
    (csv, json, xlsx) to `out`; `scope` is a line the xlsx summary shows. The count written."""

    def write(self, fmt: str, out: BinaryIO, unit: str | None = None, scope: str = "") -> int: ...
