"""Plan files: the three transcribed seeds load with exact dates; bad files name their line."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest

from bot.cli_plan import cmd_check
from bot.planfile import (
    PlanFileError,
    check_plan_text,
    load_plan,
    parse_plan_text,
)
from domain.plan import plan_to_dict

PLANS = Path(__file__).resolve().parents[2] / "config" / "plans"
D = date

PHASES = {
    "kjj-2018.yaml": [
        ("宣传发动阶段", "5月上旬至5月中旬", D(2018, 5, 1), D(2018, 5, 20)),
        ("学习调研阶段", "5月下旬至7月底", D(2018, 5, 21), D(2018, 7, 31)),
        ("实践转化阶段", "8月上旬至12月上旬", D(2018, 8, 1), D(2018, 12, 10)),
        ("持续深化阶段", "12月中旬至年底", D(2018, 12, 11), D(2018, 12, 31)),
    ],
    "menghe-2017.yaml": [
        ("宣传发动、集中学习阶段", "3月1日～3月10日", D(2017, 3, 1), D(2017, 3, 10)),
        ("广泛调研、深入讨论阶段", "3月11日～4月10日", D(2017, 3, 11), D(2017, 4, 10)),
        ("交流成果、总结运用阶段", "4月11日～4月20日", D(2017, 4, 11), D(2017, 4, 20)),
    ],
    "yhrd-2018.yaml": [
        ("宣传发动阶段", "6月上旬", D(2018, 6, 1), D(2018, 6, 10)),
        ("学习讨论阶段", "6月中旬至7月底", D(2018, 6, 11), D(2018, 7, 31)),
        ("实践转化阶段", "8月上旬至12月上旬", D(2018, 8, 1), D(2018, 12, 10)),
        ("持续深化阶段", "12月中旬至年底", D(2018, 12, 11), D(2018, 12, 31)),
    ],
}


@pytest.mark.parametrize("filename", sorted(PHASES))
def test_seed_plan_phases(filename):
    plan = load_plan(PLANS / filename)
    got = [(p.name, p.span.text, p.span.start, p.span.end) for p in plan.phases]
    assert got == PHASES[filename]


@pytest.mark.parametrize(
    ("filename", "code", "year", "topics", "tasks", "dated"),
    [
        ("kjj-2018.yaml", "kjj-2018", 2018, 3, 10, 10),
        ("menghe-2017.yaml", "menghe-2017", 2017, 6, 6, 0),
        ("yhrd-2018.yaml", "yhrd-2018", 2018, 4, 8, 1),
    ],
)
def test_seed_plan_shape(filename, code, year, topics, tasks, dated):
    plan = load_plan(PLANS / filename)
    assert (plan.code, plan.year) == (code, year)
    assert len(plan.topics) == topics
    assert len(plan.tasks) == tasks
    assert len(plan.dated_tasks()) == dated


def test_kjj_timetable_deadlines():
    plan = load_plan(PLANS / "kjj-2018.yaml")
    by_title = {t.title: t for t in plan.tasks}
    on_june_10 = sorted(t.title for t in plan.tasks if t.deadline == D(2018, 6, 10))
    assert on_june_10 == ["举办局领导班子成员集中学习会", "开展“产学研精准对接”"]
    assert all(by_title[t].due.text == "6月10前" for t in on_june_10)
    assert by_title["召开局党组理论中心组学习会"].deadline == D(2018, 5, 25)
    assert by_title["举办智慧经济报告会"].deadline == D(2018, 5, 30)
    assert by_title["开展高质量产业发展主题调研"].deadline == D(2018, 6, 30)
    assert by_title["调研成果上报市活动办"].deadline == D(2018, 7, 31)
    assert {t.group for t in plan.tasks} == {"集中学习", "集中调研", "集中讨论"}
    discussions = [t for t in plan.tasks if t.group == "集中讨论"]
    assert [t.deadline for t in discussions] == [D(2018, 7, 10)] * 3
    assert plan.topics[0] == "强化创新主体，壮大创新型企业集群"
    assert all(t.owner for t in plan.tasks)


def test_yhrd_problem_list_deadline():
    plan = load_plan(PLANS / "yhrd-2018.yaml")
    (dated,) = plan.dated_tasks()
    assert "问题清单" in dated.title
    assert (dated.due.text, dated.deadline) == ("7月底前", D(2018, 7, 31))


def test_menghe_tasks_are_undated_series():
    plan = load_plan(PLANS / "menghe-2017.yaml")
    assert [t.title for t in plan.tasks] == [
        "系列学习",
        "系列讲堂",
        "系列座谈",
        "系列对话",
        "系列活动",
        "系列报道",
    ]
    assert plan.dated_tasks() == []
    assert plan.phase_on(D(2017, 3, 15)).name == "广泛调研、深入讨论阶段"


def test_plan_to_dict_is_normalised_json():
    data = plan_to_dict(load_plan(PLANS / "kjj-2018.yaml"))
    json.dumps(data, ensure_ascii=False)
    assert data["phases"][0] == {
        "name": "宣传发动阶段",
        "when": "5月上旬至5月中旬",
        "start": "2018-05-01",
        "end": "2018-05-20",
        "summary": "制定方案，动员部署，舆论先导",
    }
    first = data["tasks"][0]
    assert first["due"] == "5月25日前"
    assert (first["due_start"], first["deadline"]) == ("2018-05-25", "2018-05-25")
    assert set(first) == {"title", "group", "detail", "owner", "due", "due_start", "deadline"}


GOOD = """\
code: demo-1
name: 演示
year: 2018
phases:
  - name: 阶段一
    when: 5月上旬
tasks:
  - title: 任务
    due: 5月10日前
"""


def test_minimal_plan_and_iso_dates():
    plan = parse_plan_text(GOOD)
    assert plan.tasks[0].deadline == D(2018, 5, 10)
    iso = GOOD.replace("5月上旬", "2018-05-01~2018-05-10").replace("5月10日前", "2018-05-10")
    plan = parse_plan_text(iso)
    assert plan.phases[0].span.end == D(2018, 5, 10)
    assert plan.tasks[0].due.text == "2018-05-10"


# (file text, expected line of the first error, a fragment of its message)
BAD = [
    (GOOD.replace("demo-1", "demo 1"), 1, "code"),
    (GOOD.replace("demo-1", "演示"), 1, "code"),
    (GOOD.replace("name: 演示\n", ""), 1, "'name'"),
    (GOOD.replace("year: 2018", "year: twenty"), 3, "year"),
    (GOOD.replace("year: 2018", "year: 1989"), 3, "year"),
    (GOOD.replace("year: 2018", "year: 2101"), 3, "year"),
    (GOOD.replace("year: 2018", 'year: "2018"'), 3, "year"),
    (GOOD.replace("    when: 5月上旬\n", ""), 5, "'when'"),
    (GOOD.replace("5月上旬", "下个月"), 6, "下个月"),
    (GOOD.replace("5月上旬", "5月32日"), 6, "5月32日"),
    (GOOD.replace("5月10日前", "13月"), 9, "13月"),
    (GOOD.replace("    when: 5月上旬\n", "    when: 5月上旬\n    colour: red\n"), 7, "colour"),
    (GOOD.replace("year: 2018\n", "year: 2018\nowner: x\n"), 4, "owner"),
    (GOOD.replace("phases:\n  - name: 阶段一\n    when: 5月上旬\n", "phases: []\n"), 4, "phase"),
    (GOOD.replace("phases:\n  - name: 阶段一\n    when: 5月上旬\n", ""), 1, "'phases'"),
    (GOOD + "  - title: 任务\n", 10, "duplicate task"),
    (GOOD + "  - title: 任务\n    group: 另一组\n", None, None),
    (GOOD.replace("name: 演示", "name: [演示"), 3, "YAML"),
    (GOOD.replace("    due:", "  due:"), 9, "YAML"),
    (GOOD.replace("year: 2018\n", "year: 2018\nyear: 2019\n"), 4, "duplicate key"),
    (GOOD + "topics: 一个\n", 10, "topics"),
    ("", None, "empty"),
    ("- a\n- b\n", 1, "mapping"),
    ("code: x\n---\ncode: y\n", 2, "YAML"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), BAD)
def test_bad_plans_name_the_line(text, line, fragment):
    plan, errors = check_plan_text(text, "demo.yaml")
    if fragment is None:
        assert errors == [] and plan is not None
        return
    assert plan is None and errors
    assert errors[0].line == line
    assert fragment in errors[0].message
    assert errors[0].path == "demo.yaml"
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "demo.yaml")
    expected = f"demo.yaml:{line}: " if line else "demo.yaml: "
    assert str(caught.value).startswith(expected)


def test_all_errors_are_collected_in_line_order():
    text = "code: a b\nname: x\nyear: 3000\nphases:\n  - name: p\n    when: abc\nextra: 1\n"
    _, errors = check_plan_text(text, "f.yaml")
    assert [e.line for e in errors] == [1, 3, 6, 7]


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(GOOD.encode("utf-8").replace("演示".encode(), b"\xff\xfe"))
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    assert caught.value.line == 2
    assert "UTF-8" in caught.value.message
    assert str(caught.value).startswith(f"{path}:2: ")


def test_missing_file(tmp_path):
    with pytest.raises(PlanFileError) as caught:
        load_plan(tmp_path / "none.yaml")
    assert caught.value.line is None


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_plan(path).code == "demo-1"


def test_cmd_check_ok_and_json():
    out, err = StringIO(), StringIO()
    assert cmd_check(str(PLANS / "kjj-2018.yaml"), False, out, err) == 0
    assert "kjj-2018" in out.getvalue() and err.getvalue() == ""
    out = StringIO()
    assert cmd_check(str(PLANS / "kjj-2018.yaml"), True, out, err) == 0
    data = json.loads(out.getvalue())
    assert data["ok"] is True
    assert data["phases"][3]["end"] == "2018-12-31"


def test_cmd_check_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("5月上旬", "下个月"), encoding="utf-8")
    out, err = StringIO(), StringIO()
    assert cmd_check(str(path), False, out, err) == 2
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith(f"{path}:6: ") and "下个月" in err.getvalue()
    out = StringIO()
    assert cmd_check(str(path), True, out, StringIO()) == 2
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    assert data["errors"][0]["line"] == 6
    out, err = StringIO(), StringIO()
    assert cmd_check(str(tmp_path / "none.yaml"), False, out, err) == 2
    assert err.getvalue().count("\n") == 1
