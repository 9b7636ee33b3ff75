"""Suggestions export (INTERFACES.md "Export record"): json, csv (with BOM) and xlsx."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.store.db import Database
from bot.store.models import SuggestionRow

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
]
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


def records(db: Database, tz: ZoneInfo) -> Iterator[dict[str, Any]]:
    """Every suggestion as an export record, oldest first. The openid never leaves the database."""
    with db.session() as s:
        rows = s.execute(
            select(
                SuggestionRow.ticket,
                SuggestionRow.campaign_code,
                SuggestionRow.topic,
                SuggestionRow.content,
                SuggestionRow.status,
                SuggestionRow.created_at,
                SuggestionRow.channel,
                SuggestionRow.author,
                SuggestionRow.attachments,
            )
            .order_by(SuggestionRow.created_at, SuggestionRow.id)
            .execution_options(yield_per=500)
        )
        for row in rows:
            yield {
                "ticket": row.ticket,
                "campaign": row.campaign_code,
                "topic": row.topic,
                "content": row.content,
                "status": row.status,
                "created_at": row.created_at.astimezone(tz).isoformat(timespec="seconds"),
                "channel": row.channel,
                "author": row.author,
                "attachments": len(row.attachments or []),
            }


def write(fmt: str, rows: Iterator[dict[str, Any]], out: BinaryIO) -> int:
    """Write `rows` to `out` in `fmt`; returns the count written."""
    if fmt == "json":
        items = list(rows)
        out.write(json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8"))
        out.write(b"\n")
        return len(items)
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(text, fieldnames=FIELDS)
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("建议")
        ws.append(FIELDS)
        count = 0
        for row in rows:
            ws.append([row[f] for f in FIELDS])
            count += 1
        wb.save(out)
        return count
    raise ValueError(f"unknown format {fmt!r}")
