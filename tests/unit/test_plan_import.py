"""Plan import: drafts from the seed documents (and a small .docx) reproduce their dates."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest

from bot.cli_plan import cmd_import
from bot.plan_import import PlanImportError, draft_plan
from bot.planfile import check_plan_text

# Copies of ../shared/seeds (the three real campaign plans), kept in the repository so that a
# fresh clone tests them without anything beside it.
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
D = date


def _seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def _draft(path, year=None):
    text = draft_plan(path, year)
    plan, errors = check_plan_text(text, str(path))
    assert errors == [], text
    return plan, text


SEED_PHASES = [
    (
        "000",
        2017,
        [
            ("宣传发动、集中学习阶段", D(2017, 3, 1), D(2017, 3, 10)),
            ("广泛调研、深入讨论阶段", D(2017, 3, 11), D(2017, 4, 10)),
            ("交流成果、总结运用阶段", D(2017, 4, 11), D(2017, 4, 20)),
        ],
    ),
    (
        "002",
        None,
        [
            ("宣传发动阶段", D(2018, 5, 1), D(2018, 5, 20)),
            ("学习调研阶段", D(2018, 5, 21), D(2018, 7, 31)),
            ("实践转化阶段", D(2018, 8, 1), D(2018, 12, 10)),
            ("持续深化阶段", D(2018, 12, 11), D(2018, 12, 31)),
        ],
    ),
    (
        "003",
        None,
        [
            ("宣传发动阶段", D(2018, 6, 1), D(2018, 6, 10)),
            ("学习讨论阶段", D(2018, 6, 11), D(2018, 7, 31)),
            ("实践转化阶段", D(2018, 8, 1), D(2018, 12, 10)),
            ("持续深化阶段", D(2018, 12, 11), D(2018, 12, 31)),
        ],
    ),
]


@pytest.mark.parametrize(("prefix", "year", "phases"), SEED_PHASES)
def test_seed_phases(prefix, year, phases):
    plan, _ = _draft(_seed(prefix), year)
    assert [(p.name, p.span.start, p.span.end) for p in plan.phases] == phases


def test_seed_000_without_year_asks_for_it():
    plan, text = _draft(_seed("000"))
    assert "# FIXME year" in text
    assert [p.span.text for p in plan.phases] == [
        "3月1日～3月10日",
        "3月11日～4月10日",
        "4月11日～4月20日",
    ]
    assert len(plan.topics) == 6 and all(t.startswith("如何增创") for t in plan.topics)


TIMETABLE = [
    ("集中学习", "召开局党组理论中心组学习会", "5月25日前", D(2018, 5, 25)),
    ("集中学习", "举办局领导班子成员集中学习会", "6月10前", D(2018, 6, 10)),
    ("集中学习", "举办智慧经济报告会", "5月30前", D(2018, 5, 30)),
    ("集中调研", "组织“聚力科技创新，服务企业在行动”", "6月15日前", D(2018, 6, 15)),
    ("集中调研", "开展“产学研精准对接”", "6月10前", D(2018, 6, 10)),
    ("集中调研", "开展高质量产业发展主题调研", "6月30日", D(2018, 6, 30)),
    ("集中讨论", "强化创新主体，壮大创新型企业集群研讨", "7月10日前", D(2018, 7, 10)),
    ("集中讨论", "紧扣转型升级，优化配置创新资源研讨", "7月10日前", D(2018, 7, 10)),
    ("集中讨论", "围绕创新服务，优化创新生态研讨", "7月10日前", D(2018, 7, 10)),
]


def test_seed_002_timetable_rows():
    plan, text = _draft(_seed("002"))
    assert plan.year == 2018
    rows = [
        (t.group, t.title, t.due.text, t.deadline) for t in plan.tasks if t.group.startswith("集中")
    ]
    assert rows == TIMETABLE
    first = plan.tasks[0]
    assert first.detail == "传达学习市委有关解放思想大讨论主要精神，对大讨论活动进行动员部署"
    assert "# 具体要求: 1.市级高新技术企业培育库建设；2.加大高企培育服务能力与水平" in text


def test_seed_002_dated_item_and_topics():
    plan, _ = _draft(_seed("002"))
    report = [t for t in plan.tasks if "上报市活动办" in t.title]
    assert [(t.due.text, t.deadline) for t in report] == [("7月底", D(2018, 7, 31))]
    assert plan.topics == (
        "强化创新主体，壮大创新型企业集群",
        "紧扣转型升级，优化配置创新资源",
        "围绕创新服务，优化创新生态",
    )
    assert plan.name == "市科技局开展解放思想大讨论活动实施方案"


def test_seed_003_problem_list():
    plan, _ = _draft(_seed("003"))
    (task,) = plan.dated_tasks()
    assert task.title == "列出问题清单"
    assert (task.due.text, task.deadline, task.owner) == ("7月底前", D(2018, 7, 31), "党组成员")
    assert len(plan.topics) == 4
    assert plan.code == "003-bb6a5b320d3abd60"


@pytest.mark.parametrize(("year", "expected"), [(None, 2019), (2020, 2020)])
def test_year_from_text_or_argument(tmp_path, year, expected):
    path = tmp_path / "plan.txt"
    path.write_text(
        "从2019年3月开始，分两个阶段进行。\n（一）动员阶段（3月上旬）\n", encoding="utf-8"
    )
    plan, _ = _draft(path, year)
    assert plan.year == expected
    assert plan.phases[0].span.start == D(expected, 3, 1)


def test_tab_indented_prose_is_not_a_table(tmp_path):
    path = tmp_path / "indented.txt"
    lines = [
        "\t某局大讨论活动方案",
        "\t（一）动员阶段（6月上旬）。一是动员。二是部署。",
        "\t主要任务是学习，活动名称待定。",
        "\t年底前完成整改。",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan, _ = _draft(path, 2018)
    assert [(p.name, p.span.end) for p in plan.phases] == [("动员阶段", D(2018, 6, 10))]
    assert [(t.title, t.deadline) for t in plan.tasks] == [("完成整改", D(2018, 12, 31))]


def test_text_without_phases_gets_a_placeholder(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("没有日期的文件。\n", encoding="utf-8")
    plan, text = _draft(path, 2018)
    assert "# FIXME phases" in text
    assert len(plan.phases) == 1


def test_unreadable_deadline_becomes_a_comment(tmp_path):
    path = tmp_path / "table.txt"
    rows = ["\t\n\t活动名称\n\t完成期限\n", "\t学习\n\t1.集中学习\n\t尽快\n"]
    path.write_text("（一）学习阶段（5月）\n" + "\n".join(rows), encoding="utf-8")
    plan, text = _draft(path, 2018)
    assert [(t.group, t.title, t.due) for t in plan.tasks] == [("学习", "集中学习", None)]
    assert "# 完成期限 not understood, left undated: 尽快" in text


def _make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某局解放思想大讨论活动方案")
    document.add_paragraph("（一）宣传发动阶段（5月上旬至5月中旬）。一是制定方案。二是动员部署。")
    document.add_paragraph("（二）学习调研阶段（5月下旬至7月底）")
    table = document.add_table(rows=4, cols=5)
    cells = [
        ["", "活动名称", "主要内容", "责任单位", "完成期限"],
        ["集中学习", "1.召开学习会", "传达精神", "局党组", "5月25日前"],
        ["", "2.举办报告会", "专题报告", "局活动办", "6月10前"],
        ["集中调研", "1.企业调研", "走访企业\n了解需求", "", "6月底"],
    ]
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # the group cell spans two rows
    document.save(str(path))


def test_docx_heading_and_table(tmp_path):
    path = tmp_path / "科技局-plan.docx"
    _make_docx(path)
    plan, _ = _draft(path, 2018)
    assert plan.name == "某局解放思想大讨论活动方案"
    assert plan.code == "plan"
    assert [(p.name, p.span.start, p.span.end) for p in plan.phases] == [
        ("宣传发动阶段", D(2018, 5, 1), D(2018, 5, 20)),
        ("学习调研阶段", D(2018, 5, 21), D(2018, 7, 31)),
    ]
    assert plan.phases[0].summary == "制定方案，动员部署"
    got = [(t.group, t.title, t.owner, t.detail, t.deadline) for t in plan.tasks]
    assert got == [
        ("集中学习", "召开学习会", "局党组", "传达精神", D(2018, 5, 25)),
        ("集中学习", "举办报告会", "局活动办", "专题报告", D(2018, 6, 10)),
        ("集中调研", "企业调研", "", "走访企业；了解需求", D(2018, 6, 30)),
    ]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("missing.txt", None, "no such file"),
        ("plan.pdf", b"%PDF", "unsupported"),
        ("broken.docx", b"not a zip", "not a readable .docx"),
    ],
)
def test_unreadable_documents(tmp_path, name, content, fragment):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PlanImportError):
        draft_plan(path)
    out, err = StringIO(), StringIO()
    assert cmd_import(str(path), None, out, err) == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1 and fragment in err.getvalue()


def test_cmd_import_writes_yaml():
    out, err = StringIO(), StringIO()
    assert cmd_import(str(_seed("002")), 2018, out, err) == 0
    assert err.getvalue() == ""
    plan, errors = check_plan_text(out.getvalue())
    assert errors == [] and plan.year == 2018
