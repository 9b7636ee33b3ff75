"""The xlsx export, for 活动办 staff: a summary sheet first, then one sheet per campaign.

Each campaign sheet has Chinese headers in the export record's column order (FIELDS), column
widths, a frozen header row, an autofilter, real date cells in the campaign time zone and
wrapped long text. The columns are the same as csv and json (INTERFACES.md: "csv and xlsx carry
the same columns"): only the header *labels* are Chinese, and each header cell carries the
English field name as its comment, so a script can map a column by its comment.

Memory and speed: openpyxl's write-only workbook, where every sheet streams to a temporary file
as rows are appended and nothing is kept per row (strings are written inline, not into a
shared-strings table). Data rows take a shorter road than openpyxl's per-cell one: each row is
serialised once as XML text and streamed to a temporary file of its own (bot/xlsx_rows.py).
The per-cell road costs about four times as much CPU, which 100,000 rows within 15 s cannot
afford (bench/bench_export.py runs both). Headers, comments, styles, panes, filters, the summary
and the packaging are openpyxl's own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from bot import xlsx_rows
from bot.export_record import FIELDS
from bot.xlsx_rows import DATE, NUMBER, TEXT, WRAP, StreamingSheet, Styles
from domain import workflow as wf
from domain.stats import SATISFACTION_LEVELS, satisfied_share

# What staff read (Simplified Chinese), in FIELDS order.
HEADERS = {
    "ticket": "编号",
    "campaign": "活动",
    "topic": "主题",
    "content": "内容",
    "status": "状态",
    "created_at": "提交时间",
    "channel": "渠道",
    "author": "提交人",
    "attachments": "附件数",
    "outcome": "办理结果",
    "unit": "责任单位",
    "reply": "答复",
    "replied_at": "答复时间",
}
WIDTHS = {
    "ticket": 9, "campaign": 14, "topic": 22, "content": 60, "status": 9, "created_at": 17,
    "channel": 8, "author": 20, "attachments": 7, "outcome": 10, "unit": 16, "reply": 50,
    "replied_at": 17,
}  # fmt: skip
SUMMARY_TITLE = "汇总"
NO_CAMPAIGN = "未分活动"
RATINGS = SATISFACTION_LEVELS  # 回访 (suggestions.satisfaction)
ANSWERED = "已答复（含已办结）"
RATE = "满意率"
EXPORTED_AT = "导出时间：{when}"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
KINDS = {"created_at": DATE, "replied_at": DATE, "attachments": NUMBER, "content": WRAP,
         "reply": WRAP, "topic": WRAP}  # fmt: skip
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
COLUMNS = [get_column_letter(i) for i in range(1, len(FIELDS) + 1)]
CELLS = [(col, f, KINDS.get(f, TEXT)) for col, f in zip(COLUMNS, FIELDS, strict=True)]


def sheet_title(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name for `wanted`: none of []:*?/\\ (each becomes _), at most
    31 characters, not blank, no quote at either end, unique ignoring case (a (2), (3) … suffix
    when needed); `taken` holds the casefolded names used so far and gets this one."""
    name = BAD_TITLE.sub("_", wanted).strip().strip("'").strip() or NO_CAMPAIGN
    name = base = name[:31]
    n = 2
    while name.casefold() in taken or name.casefold() == "history":  # History: Excel's own
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


class _CampaignSheet:
    """One campaign's sheet and its running counts for the summary."""

    def __init__(self, wb: Workbook, code: str, name: str, taken: set[str]) -> None:
        self.code, self.name = code, name
        self.ws = StreamingSheet(parent=wb, title=sheet_title(name or code, taken))
        wb._add_sheet(self.ws)
        self.rows = 0
        self.status: Counter[str] = Counter()
        self.outcome: Counter[str] = Counter()
        self.answered = 0
        ws = self.ws
        ws.freeze_panes = "A2"
        for col, field in zip(COLUMNS, FIELDS, strict=True):
            ws.column_dimensions[col].width = WIDTHS[field]
        ws.append([_header(ws, HEADERS[f], comment=f) for f in FIELDS])

    def add(self, record: dict[str, Any], st: Styles) -> None:
        self.rows += 1
        self.ws.append_xml(xlsx_rows.row_xml(self.rows + 1, record, CELLS, st))
        self.status[record["status"]] += 1
        if record.get("outcome"):
            self.outcome[record["outcome"]] += 1
        if record.get("replied_at"):
            self.answered += 1

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{COLUMNS[-1]}{self.rows + 1}"


_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header(ws: WriteOnlyWorksheet, label: str, comment: str = "") -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=label)
    cell.font, cell.fill, cell.alignment = _BOLD, _FILL, _CENTRE
    if comment:
        cell.comment = Comment(comment, "export", height=24, width=120)
    return cell


def _summary(
    ws: WriteOnlyWorksheet,
    sheets: list[_CampaignSheet],
    ratings: dict[str, Counter[str]],
    scope: str,
    tz: ZoneInfo | None,
) -> None:
    """Per campaign: total, counts by status and outcome, answered, satisfaction; a total row."""
    labels = ["活动", "活动代码", "建议总数", *wf.STATUSES, *wf.OUTCOMES, ANSWERED, *RATINGS, RATE]
    for i in range(1, len(labels) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 24 if i == 1 else 11
    ws.freeze_panes = "C2"
    ws.append([_header(ws, label) for label in labels])

    def line(name: str, code: str, total: int, status: Counter[str], outcome: Counter[str],
             answered: int, rated: Counter[str]) -> list[Any]:  # fmt: skip
        share = satisfied_share(rated)  # the statistics page's rule: 满意 + 基本满意
        count = sum(rated[r] for r in RATINGS)
        rate: Any = ""
        if share is not None:
            rate = WriteOnlyCell(ws, value=share)
            rate.number_format = "0.0%"
        return [
            name, code, total, *(status[s] for s in wf.STATUSES),
            *(outcome[o] for o in wf.OUTCOMES), answered,
            *((rated[r] if count else "") for r in RATINGS), rate,
        ]  # fmt: skip

    all_status: Counter[str] = Counter()
    all_outcome: Counter[str] = Counter()
    all_rated: Counter[str] = Counter()
    for sh in sheets:
        rated = ratings.get(sh.code, Counter())
        ws.append(line(sh.name, sh.code, sh.rows, sh.status, sh.outcome, sh.answered, rated))
        all_status.update(sh.status)
        all_outcome.update(sh.outcome)
        all_rated.update(rated)
    total = sum(sh.rows for sh in sheets)
    answered = sum(sh.answered for sh in sheets)
    ws.append(line("合计", "", total, all_status, all_outcome, answered, all_rated))
    ws.append([])
    when = datetime.now(tz).strftime("%Y-%m-%d %H:%M")
    ws.append([EXPORTED_AT.format(when=when)])
    if scope:
        ws.append([scope])


def write(
    rows: Iterable[dict[str, Any]],
    out: BinaryIO,
    campaigns: dict[str, str],
    ratings: dict[str, Counter[str]],
    scope: str = "",
    tz: ZoneInfo | None = None,
) -> int:
    """Write the records to `out` as the staff workbook; the count written."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(SUMMARY_TITLE)  # first; filled in at the end
    taken = {SUMMARY_TITLE.casefold()}
    sheets = {code: _CampaignSheet(wb, code, name, taken) for code, name in campaigns.items()}
    styles = Styles(summary, DATE_FORMAT)
    count = 0
    for record in rows:
        code = record["campaign"] or ""
        sheet = sheets.get(code)
        if sheet is None:
            sheet = sheets[code] = _CampaignSheet(wb, code, code or NO_CAMPAIGN, taken)
        sheet.add(record, styles)
        count += 1
    for sheet in sheets.values():
        sheet.finish()
    _summary(summary, list(sheets.values()), ratings, scope, tz)
    # openpyxl's save_workbook, at deflate level 1 instead of 6: three times faster on Chinese
    # text (about 20 ms a MB instead of 60, and 100,000 ideas are 100+ MB of sheet XML), for a
    # file a little larger.
    wb.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    with ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
        ExcelWriter(wb, archive).save()
    return count
