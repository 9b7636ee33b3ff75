"""Suggestions export (INTERFACES.md "Export record"): json, csv (with BOM) and xlsx.

All three stream: rows come from the database in batches (bot/store/export_rows.py) and go out
one by one, so 100,000 suggestions never sit in memory together. They carry the same columns,
FIELDS, in that order; xlsx shows them with Chinese headers for staff (bot/export_xlsx.py).

Formula injection (a resident writing "=HYPERLINK(…)" or "+1…" as an idea): json carries the
text as it is; csv puts a ' before any value that starts with = + - @ (or a tab or carriage
return), as OWASP advises, since spreadsheets evaluate such csv cells; xlsx keeps the exact text
in a string cell (never a formula) marked "quote prefix", so Excel shows it as text even when
the cell is edited.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from bot.export_record import FIELDS, csv_safe
from bot.store import export_rows
from bot.store.db import Database

FORMATS = ("csv", "json", "xlsx")


def target_problem(out: str) -> str | None:
    """Why `--out` cannot be written (one line naming the path and what to do), or None."""
    target = Path(out)
    if target.is_dir():
        example = target / "suggestions.csv"
        return f"--out {out}: is a folder; give a file name inside it, e.g. {example}"
    folder = target.parent
    if not folder.exists():
        return (
            f"--out {out}: the folder {folder} does not exist; create it first (mkdir -p {folder})"
        )
    if not folder.is_dir():
        return f"--out {out}: {folder} is a file, not a folder"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return f"--out {out}: no permission to write there; choose another place"
    return None


def records(db: Database, tz: ZoneInfo, unit: str | None = None) -> Iterator[dict[str, Any]]:
    """Every suggestion (or only those assigned to `unit`) as an export record, oldest first.
    Times are ISO 8601 in the campaign time zone; a field with nothing yet is None (json null,
    an empty csv or xlsx cell). The openid never leaves the database."""
    for row in export_rows.stream(db, unit):
        yield {
            "ticket": row.ticket,
            "campaign": row.campaign,
            "topic": row.topic,
            "content": row.content,
            "status": row.status,
            "created_at": row.created_at.astimezone(tz).isoformat(timespec="seconds"),
            "channel": row.channel,
            "author": row.author,
            "attachments": len(row.attachments or []),
            "outcome": row.outcome,
            "unit": row.unit,
            "reply": row.reply,
            "replied_at": (
                row.replied_at.astimezone(tz).isoformat(timespec="seconds")
                if row.replied_at
                else None
            ),
        }


def _json(rows: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """The same bytes as json.dumps(list(rows), indent=2), one record at a time."""
    count = 0
    for row in rows:
        item = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write((",\n  " if count else "[\n  ").encode("utf-8") + item.encode("utf-8"))
        count += 1
    out.write(b"\n]\n" if count else b"[]\n")
    return count


def _csv(rows: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # BOM: Excel reads UTF-8
    writer = csv.writer(text)
    writer.writerow(FIELDS)
    count = 0
    for row in rows:
        writer.writerow([csv_safe(row.get(f)) for f in FIELDS])
        count += 1
    text.flush()
    text.detach()
    return count


def write(
    fmt: str,
    rows: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    campaigns: dict[str, str] | None = None,
    ratings: dict[str, Any] | None = None,
    scope: str = "",
    tz: ZoneInfo | None = None,
) -> int:
    """Write `rows` (records) to `out` in `fmt`; returns the count written. For xlsx,
    `campaigns` (code -> name) names the sheets, `ratings` (code -> Counter) feeds the summary's
    satisfaction, `scope` is a line saying whose rows these are, `tz` dates the summary."""
    if fmt == "json":
        return _json(rows, out)
    if fmt == "csv":
        return _csv(rows, out)
    if fmt == "xlsx":
        from bot import export_xlsx

        return export_xlsx.write(rows, out, campaigns or {}, ratings or {}, scope, tz)
    raise ValueError(f"unknown format {fmt!r}")


class SqlExport:
    """The export as the use case sees it (services/ports.py SuggestionExport)."""

    def __init__(self, db: Database, tz: ZoneInfo) -> None:
        self.db = db
        self.tz = tz

    def write(self, fmt: str, out: BinaryIO, unit: str | None = None, scope: str = "") -> int:
        rows = records(self.db, self.tz, unit)
        if fmt != "xlsx":
            return write(fmt, rows, out)
        return write(
            fmt,
            rows,
            out,
            campaigns=export_rows.campaign_names(self.db),
            ratings=export_rows.satisfaction(self.db, unit),
            scope=scope,
            tz=self.tz,
        )
