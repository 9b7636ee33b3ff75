"""The suggestions export on both stores: the staff workbook (headers and their comments, panes,
filter, date cells, sheets per campaign, summary), csv and json columns, formula injection and
the unit scope. Speed and memory are measured by bench/bench_export.py, not here."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot import export, export_xlsx
from bot.store.campaigns_repo import save_plan
from bot.store.models import SuggestionRow
from bot.store.workflow_repo import SqlWorkflowStore
from domain import workflow as wf
from domain.plan import DateSpan, Phase, Plan
from handlers.ports import NewSuggestion
from services import suggestions as uc

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 16:00 in Asia/Shanghai
KJJ = "市科技局解放思想大讨论"
ODD = "孟河镇[2017]:大讨论/试点*?活动\\名称很长很长很长很长很长很长很长很长"
ODD_TITLE = "孟河镇_2017__大讨论_试点__活动_名称很长很长很长很长"  # 31 characters
FORMULAS = [
    '=HYPERLINK("http://x.example","点我")建议',
    "+1建议公交加密",
    "-2 建议",
    "@SUM(A1)建议",
]
BOSS = wf.Actor("boss", wf.ORGANISER)


def _plan(code: str, name: str) -> Plan:
    span = DateSpan(date(2026, 11, 1), date(2026, 12, 31), "11月至年底")
    return Plan(
        code=code, name=name, year=2026, topics=("营商环境",), phases=(Phase("阶段", span),)
    )


def add(state, n: int, content: str, campaign: str = "kjj-2018", minutes: int = 0) -> str:  # type: ignore[no-untyped-def]
    record, _ = state.suggestions.create(
        NewSuggestion(
            user=f"o_secret_{n}", channel="wechat", campaign_code=campaign, topic="营商环境",
            content=content, source_key=f"export-test:{n}",
            created_at=T0 + timedelta(minutes=minutes), attachments=("m1", "m2")[: n % 3],
        )
    )  # fmt: skip
    return record.ticket


@pytest.fixture
def data(state):  # type: ignore[no-untyped-def]
    """kjj-2018: 5 ideas (2 answered and adopted / for reference, 1 assigned to 办公室, 1
    declined, 1 pending, 2 of them rated); the odd-named campaign: the 4 formula-like ideas."""
    save_plan(state.db, _plan("kjj-2018", KJJ))
    save_plan(state.db, _plan("mhz-2017", ODD))
    store = SqlWorkflowStore(state.db)
    t = [add(state, i, f"建议第{i}条：优化政务服务流程", minutes=i) for i in range(5)]
    now = T0 + timedelta(days=1)
    for ticket in t[:3]:
        uc.accept(store, BOSS, ticket, now)
    uc.assign(store, BOSS, t[0], "办公室", now)
    uc.assign(store, BOSS, t[2], "办公室", now)
    uc.publish_answer(store, BOSS, t[0], "已纳入明年计划。", wf.ADOPTED, now)
    uc.publish_answer(store, BOSS, t[1], "感谢建议，留作参考。", wf.FOR_REFERENCE, now)
    uc.close(store, BOSS, t[1], now)
    uc.decline(store, BOSS, t[3], "重复建议", now)
    with state.db.session() as s:
        for ticket, rating in ((t[0], "满意"), (t[1], "不满意")):
            s.execute(
                update(SuggestionRow)
                .where(SuggestionRow.ticket == ticket)
                .values(satisfaction=rating)
            )
    f = [add(state, 10 + i, text, "mhz-2017", minutes=10 + i) for i, text in enumerate(FORMULAS)]
    return state, t, f


def workbook(state, unit: str | None = None, path=None):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    count = export.SqlExport(state.db, state.settings.tz).write("xlsx", out, unit, "范围：测试")
    out.seek(0)
    return count, load_workbook(out), out.getvalue()


def test_campaign_sheets_have_chinese_headers_field_comments_panes_filter_and_dates(data):
    state, t, _ = data
    count, book, _ = workbook(state)
    assert count == 9
    assert book.sheetnames == ["汇总", KJJ, ODD_TITLE]
    ws = book[KJJ]
    assert [c.value for c in ws[1]] == [
        "编号", "活动", "主题", "内容", "状态", "提交时间", "渠道", "提交人", "附件数",
        "办理结果", "责任单位", "答复", "答复时间",
    ]  # fmt: skip
    assert [c.comment.text for c in ws[1]] == export.FIELDS
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M6"
    assert ws.column_dimensions["D"].width == 60 and ws.column_dimensions["A"].width == 9
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == set(t)
    first = rows[t[0]]
    created, replied = first[5], first[12]
    assert isinstance(created.value, datetime) and created.value == datetime(2026, 12, 1, 16, 0)
    assert created.number_format == "yyyy-mm-dd hh:mm" and created.is_date
    assert isinstance(replied.value, datetime) and replied.value == datetime(2026, 12, 2, 16, 0)
    assert first[3].alignment.wrap_text and first[11].alignment.wrap_text
    assert [c.value for c in first[8:12]] == [0, wf.ADOPTED, "办公室", "已纳入明年计划。"]
    assert first[4].value == wf.ANSWERED and first[6].value == "wechat"
    assert first[7].value.startswith("u_")
    pending = rows[t[4]]
    assert pending[4].value == wf.PENDING and pending[12].value is None  # nothing yet: empty


def test_summary_counts_status_outcome_answered_and_satisfaction(data):
    state, _, _ = data
    _, book, _ = workbook(state)
    ws = book["汇总"]
    assert ws.freeze_panes == "C2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["活动", "活动代码", "建议总数"]
    rows = ws.iter_rows(min_row=2, values_only=True)
    lines = {r[0]: dict(zip(header, r, strict=False)) for r in rows}
    kjj = lines[KJJ]
    assert kjj["活动代码"] == "kjj-2018" and kjj["建议总数"] == 5
    assert (kjj["待审核"], kjj["已受理"], kjj["不予受理"], kjj["已交办"]) == (1, 0, 1, 1)
    assert (kjj["已答复"], kjj["已办结"], kjj["已答复（含已办结）"]) == (1, 1, 2)
    assert (kjj["已采纳"], kjj["留作参考"], kjj["未采纳"]) == (1, 1, 0)
    assert (kjj["满意"], kjj["基本满意"], kjj["不满意"]) == (1, 0, 1)
    assert kjj["满意率"] == pytest.approx(0.5)
    odd = lines[ODD]
    assert odd["建议总数"] == 4 and odd["待审核"] == 4 and odd["满意率"] is None  # none rated
    total = lines["合计"]
    assert total["建议总数"] == 9 and total["已答复（含已办结）"] == 2 and total["待审核"] == 5
    assert any(str(k).startswith("导出时间：") for k in lines) and "范围：测试" in lines


def test_sheet_titles_are_valid_and_unique():
    taken = {"汇总"}
    title = export_xlsx.sheet_title
    assert title(ODD, taken) == ODD_TITLE and len(ODD_TITLE) == 31
    assert title("a[b]c:d*e?f/g\\h", taken) == "a_b_c_d_e_f_g_h"
    assert title("汇总", taken) == "汇总(2)"
    assert title("Sheet", taken) == "Sheet" and title("SHEET", taken) == "SHEET(2)"
    assert title("  ''  ", taken) == export_xlsx.NO_CAMPAIGN
    assert title("history", taken) == "history(2)"  # Excel's own name
    long = "很" * 40
    assert title(long, taken) == "很" * 31 and title(long, taken) == "很" * 28 + "(2)"
    assert len(taken) == 10


def test_formula_like_text_never_becomes_a_formula(data):
    state, _, tickets = data
    _, book, raw = workbook(state)
    cells = {r[0].value: r[3] for r in book[ODD_TITLE].iter_rows(min_row=2)}
    for ticket, text in zip(tickets, FORMULAS, strict=True):
        cell = cells[ticket]
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in z.read(n) for n in sheets)

    out = io.BytesIO()
    export.SqlExport(state.db, state.settings.tz).write("csv", out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    by_ticket = {r["ticket"]: r["content"] for r in parsed}
    for ticket, text in zip(tickets, FORMULAS, strict=True):
        assert by_ticket[ticket] == "'" + text  # a spreadsheet shows it as text

    out = io.BytesIO()
    export.SqlExport(state.db, state.settings.tz).write("json", out)
    by_ticket = {r["ticket"]: r["content"] for r in json.loads(out.getvalue())}
    assert [by_ticket[t] for t in tickets] == FORMULAS  # json: exactly what was written


def test_csv_and_json_carry_the_same_columns(data):
    state, t, _ = data
    exporter = export.SqlExport(state.db, state.settings.tz)
    out = io.BytesIO()
    assert exporter.write("csv", out) == 9
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[0] == export.FIELDS and len(rows) == 10
    out = io.BytesIO()
    exporter.write("json", out)
    items = json.loads(out.getvalue())
    assert [list(i) for i in items] == [export.FIELDS] * 9
    answered = next(i for i in items if i["ticket"] == t[0])
    assert answered["outcome"] == wf.ADOPTED and answered["unit"] == "办公室"
    assert answered["reply"] == "已纳入明年计划。"
    assert answered["replied_at"] == "2026-12-02T16:00:00+08:00"
    assert next(i for i in items if i["ticket"] == t[4])["replied_at"] is None
    # Streamed json reads the same as the whole list dumped at once.
    whole = json.dumps(list(export.records(state.db, state.settings.tz)), ensure_ascii=False,
                       indent=2).encode() + b"\n"  # fmt: skip
    assert out.getvalue() == whole
    assert b"o_secret" not in out.getvalue()
    empty = io.BytesIO()
    assert export.write("json", iter(()), empty) == 0 and json.loads(empty.getvalue()) == []


def test_a_unit_scope_exports_only_that_units_rows(data):
    state, t, _ = data
    count, book, _ = workbook(state, unit="办公室")
    assert count == 2
    tickets = {r[0] for r in book[KJJ].iter_rows(min_row=2, values_only=True)}
    assert tickets == {t[0], t[2]}
    assert book[ODD_TITLE].max_row == 1  # the header only
    summary = {r[0]: r for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary[KJJ][2] == 2 and summary["合计"][2] == 2


def test_text_is_kept_exactly_and_bad_characters_dropped(state):
    save_plan(state.db, _plan("kjj-2018", KJJ))
    weird = '  前后有空格 <b>&amp; "引号" \x01控制符\n第二行  '
    ticket = add(state, 1, weird)
    add(state, 2, "没有活动的建议内容", campaign="")
    _, book, _ = workbook(state)
    assert book.sheetnames == ["汇总", KJJ, export_xlsx.NO_CAMPAIGN]
    (row,) = book[KJJ].iter_rows(min_row=2, values_only=True)
    assert row[0] == ticket and row[3] == weird.replace("\x01", "")
