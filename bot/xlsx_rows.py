"""Fast data rows for openpyxl's write-only sheets (the xlsx export, bot/export_xlsx.py).

openpyxl turns every value into a cell object and every cell into XML elements one by one:
about 45 µs a row of 13 columns here, which 100,000 rows cannot afford. `StreamingSheet` keeps
everything else openpyxl's own (the header row and its comments, panes, column widths, the
autofilter, styles, packaging) and takes data rows as XML text that `row_xml` serialises in
one pass: inline strings, numbers, and dates as Excel serials, with style ids openpyxl
registered (`Styles`). Text that a spreadsheet would take for a formula stays a string cell,
marked quote-prefix so Excel keeps it text even when the cell is edited.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.functions import Element

from bot.export_record import FORMULA_STARTS

MAX_TEXT = 32_767  # Excel's limit for one cell
TEXT, WRAP, DATE, NUMBER = "text", "wrap", "date", "number"  # how a column's cells are written
_MARK = "exportrows"  # where the data rows go inside <sheetData>, replaced on close
_MARK_RE = re.compile(rb"<exportrows\s*/>")
# Text that needs more than wrapping in <t>: XML specials, characters XML cannot carry, or
# spaces at either end (kept with xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]|^\s|\s$")


class StreamingSheet(WriteOnlyWorksheet):
    """openpyxl's write-only sheet, plus `append_xml` for data rows serialised by `row_xml`.

    openpyxl writes the sheet as usual (the header row, panes, columns, filter, comments), with
    an empty marker element after the rows given to `append`; the data rows go straight to a
    temporary file of their own, and `close` puts them in the marker's place before openpyxl
    zips the sheet. `_write_rows` is openpyxl 3.1's own plus that marker (requirements.txt pins
    3.1.5); the tests load every file back with openpyxl to hold the result to its reading."""

    _data: IO[bytes] | None = None

    def append_xml(self, xml: str) -> None:
        if self._rows is None:
            raise RuntimeError("append the header row with append() first")
        if self._data is None:
            self._data = tempfile.TemporaryFile()
        self._data.write(xml.encode("utf-8", errors="replace"))

    def _write_rows(self) -> Iterator[None]:  # type: ignore[override]
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    row = self._values_to_row(row, row_idx)
                    self._writer.write_row(xf, row, row_idx)
                    row_idx += 1
            except GeneratorExit:
                xf.write(Element(_MARK))
        self._writer.xf.send(None)

    def close(self) -> None:
        super().close()
        if self._data is None:
            return
        path = self._writer.out
        with open(path, "rb") as fh:
            head, tail = _MARK_RE.split(fh.read(), maxsplit=1)  # small: no data rows in it
        with open(path + ".rows", "wb") as out:
            out.write(head)
            self._data.seek(0)
            shutil.copyfileobj(self._data, out, 1 << 20)
            out.write(tail)
        os.replace(path + ".rows", path)
        self._data.close()
        self._data = None


class Styles:
    """The style ids (as ` s="N"`) data cells use, registered with the workbook once."""

    def __init__(self, ws: WriteOnlyWorksheet, date_format: str) -> None:
        def style(**attrs: Any) -> str:
            cell = WriteOnlyCell(ws)
            for key, value in attrs.items():
                setattr(cell, key, value)
            return f' s="{cell.style_id}"'

        top = Alignment(vertical="top")
        wrap = Alignment(wrap_text=True, vertical="top")
        self.plain = style(alignment=top)
        self.wrap = style(alignment=wrap)
        self.quoted = style(alignment=top, quotePrefix=True)
        self.wrap_quoted = style(alignment=wrap, quotePrefix=True)
        self.date = style(alignment=top, number_format=date_format)


def _text(value: str) -> str:
    if _SPECIAL.search(value) is None and len(value) <= MAX_TEXT:
        return f"<is><t>{value}</t></is>"
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


def row_xml(
    n: int, record: dict[str, Any], cells: Sequence[tuple[str, str, str]], st: Styles
) -> str:
    """Row `n` of `record`, its cells given as (column letter, field, kind). A date field holds
    ISO 8601 text already in local time (written as a local Excel date); None and "" are left
    empty."""
    parts = [f'<row r="{n}">']
    add = parts.append
    for col, field, kind in cells:
        value = record.get(field)
        if value is None or value == "":
            continue
        if kind == DATE:
            local = datetime.fromisoformat(value).replace(tzinfo=None)  # already local time
            add(f'<c r="{col}{n}"{st.date}><v>{to_excel(local)}</v></c>')
        elif kind == NUMBER and isinstance(value, int):
            add(f'<c r="{col}{n}"{st.plain} t="n"><v>{value}</v></c>')
        else:
            text = str(value)
            if text.startswith(FORMULA_STARTS):
                s = st.wrap_quoted if kind == WRAP else st.quoted
            else:
                s = st.wrap if kind == WRAP else st.plain
            add(f'<c r="{col}{n}"{s} t="inlineStr">{_text(text)}</c>')
    add("</row>")
    return "".join(parts)
