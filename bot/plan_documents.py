"""Reading a plan document (.txt or .docx) into blocks: paragraphs and tables (for
bot/plan_import.py)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".docx")
# A .docx may carry pictures; the text of a plan is tens of kilobytes.
MAX_DOCUMENT_BYTES = {".txt": 1024 * 1024, ".docx": 20 * 1024 * 1024}


class PlanImportError(ValueError):
    """The document cannot be read (missing, unsupported type, damaged)."""


@dataclass
class Table:
    """A table's cell texts, row by row."""

    rows: list[list[str]]


Block = str | Table  # a paragraph's text, or a table


# --- reading documents --------------------------------------------------------------------------


def _txt_blocks(text: str) -> list[Block]:
    """Paragraphs, and tables as exported to text: a line starting with a tab starts a cell,
    an untabbed line right after continues that cell, a blank line ends the row."""
    blocks: list[Block] = []
    table: list[list[str]] | None = None
    row: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("\t"):
            if table is None:
                table = []
            if row is None:
                row = []
                table.append(row)
            row.append(line[1:].strip())
        elif not line.strip():
            row = None
        elif row is not None:
            row[-1] = f"{row[-1]}\n{line.strip()}"
        else:
            if table is not None:
                blocks += _table_or_paragraphs(table)
                table = None
            blocks.append(line.strip())
    if table is not None:
        blocks += _table_or_paragraphs(table)
    return blocks


def _table_or_paragraphs(rows: list[list[str]]) -> list[Block]:
    """Tab-started lines are a table only under a recognisable header; else indented prose."""
    if any(header_roles(row) for row in rows):
        return [Table(rows)]
    return [line for row in rows for cell in row for line in cell.split("\n") if line]


def _docx_blocks(path: Path) -> list[Block]:
    """Paragraphs and tables of a .docx in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanImportError(f"{path}: not a readable .docx file ({exc})") from exc
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.extend(line.strip() for line in Paragraph(element, document).text.split("\n"))
        elif tag == "tbl":
            rows = []
            for row in DocxTable(element, document).rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is not previous:  # a cell spanning columns comes once
                        cells.append(cell.text.strip())
                    previous = cell._tc
                rows.append(cells)
            blocks.append(Table(rows))
    return [block for block in blocks if block != ""]


def read_blocks(path: str | Path) -> list[Block]:
    """The document's paragraphs and tables; PlanImportError if it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise PlanImportError(f"{path}: unsupported document type '{suffix}' (use .txt or .docx)")
    if not path.is_file():
        raise PlanImportError(f"{path}: no such file")
    limit = MAX_DOCUMENT_BYTES[suffix]
    if path.stat().st_size > limit:  # a plan document is a few pages; refuse before reading
        size = path.stat().st_size / 1024 / 1024
        raise PlanImportError(
            f"{path}: the document is {size:.1f} MB; a {suffix} plan document may be at most "
            f"{limit // 1024 // 1024} MB"
        )
    if suffix == ".docx":
        return _docx_blocks(path)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _txt_blocks(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise PlanImportError(f"{path}: text is neither UTF-8 nor GB18030")


ROLES = (
    ("due", ("期限", "时间", "时限", "截止")),
    ("owner", ("责任", "牵头", "负责", "承办")),
    ("title", ("名称", "活动内容", "工作内容", "项目", "任务", "事项")),
    ("detail", ("内容",)),
    ("requirement", ("要求",)),
)


def header_roles(row: list[str]) -> dict[str, int] | None:
    """Column index by role when `row` is a header (short cells, one naming the title)."""
    if sum(1 for cell in row if cell) < 2 or any(len(cell) > 10 for cell in row):
        return None
    roles: dict[str, int] = {}
    for column, cell in enumerate(row):
        for role, words in ROLES:
            if role not in roles and any(word in cell for word in words):
                roles[role] = column
                break
    if "title" not in roles:
        return None
    if 0 not in roles.values():
        roles["group"] = 0
    return roles
