"""Plan files over the limits are refused quickly, with the limit named."""

from __future__ import annotations

import time

import pytest

from bot.plan_limits import LIMITS, MAX_ITEMS
from bot.planfile import PlanFileError, check_plan_file, check_plan_text, load_plan

HEAD = "code: big-1\nname: 大计划\nyear: 2018\nphases:\n  - name: 阶段一\n    when: 5月\n"


def _tasks(count: int, flow: bool = False) -> str:
    if flow:  # as dense as YAML gets: ~12 bytes a task
        return HEAD + "tasks:\n" + "".join(f"- {{title: t{i}}}\n" for i in range(count))
    return (
        HEAD
        + "tasks:\n"
        + "".join(f"  - title: 任务{i}\n    due: 5月25日前\n" for i in range(count))
    )


def test_a_15_mb_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEAD + "tasks:\n")
        line = "  - title: 召开理论中心组学习会暨专题研讨会第{}次\n    due: 5月25日前\n"
        while fh.tell() < 15 * 1024 * 1024:
            fh.write(line.format(fh.tell()) * 1000)
    started = time.perf_counter()
    plan, errors = check_plan_file(path)
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert time.perf_counter() - started < 2.0
    assert plan is None and "at most 1 MB" in str(errors[0]) and "1 MB" in str(info.value)


def test_200000_tasks_are_refused_in_under_two_seconds(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(_tasks(200_000), encoding="utf-8")
    started = time.perf_counter()
    plan, errors = check_plan_file(path)
    assert time.perf_counter() - started < 2.0
    assert plan is None and "1 MB" in str(errors[0])


def test_too_many_tasks_under_1_mb_are_refused_by_count(tmp_path):
    path = tmp_path / "dense.yaml"
    path.write_text(_tasks(50_000, flow=True), encoding="utf-8")
    assert path.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    plan, errors = check_plan_file(path)
    assert time.perf_counter() - started < 2.0
    assert plan is None and len(errors) == 1
    assert (
        f"more than {MAX_ITEMS:,} entries" in errors[0].message and "'tasks'" in errors[0].message
    )
    assert errors[0].line == HEAD.count("\n") + 1 + MAX_ITEMS + 1  # the first one over


def test_the_limit_itself_is_accepted():
    plan, errors = check_plan_text(_tasks(MAX_ITEMS))
    assert errors == [] and plan is not None and len(plan.tasks) == MAX_ITEMS
    _, errors = check_plan_text(_tasks(MAX_ITEMS + 1))
    assert "2,000" in errors[0].message


@pytest.mark.parametrize("key", ["phases", "topics"])
def test_phases_and_topics_have_limits(key):
    limit = LIMITS[key]
    if key == "phases":
        body = "".join(f"  - name: 阶段{i}\n    when: 5月\n" for i in range(limit + 1))
    else:
        body = "".join(f"  - 议题{i}\n" for i in range(limit + 1))
    text = "code: x-1\nname: 测试\nyear: 2018\n" + f"{key}:\n" + body
    plan, errors = check_plan_text(text)
    assert plan is None and f"'{key}' lists more than {limit:,}" in errors[0].message


def test_nested_lists_do_not_count_as_entries():
    text = HEAD + "topics:\n" + "".join(f"  - 议题{i}\n" for i in range(LIMITS["topics"]))
    plan, errors = check_plan_text(text)
    assert errors == [] and plan is not None and len(plan.topics) == LIMITS["topics"]


def test_plan_import_refuses_an_oversized_document(tmp_path):
    from bot.plan_import import PlanImportError, draft_plan

    doc = tmp_path / "方案.txt"
    doc.write_text("一、宣传发动阶段（5月上旬至5月中旬）\n" * 60_000, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PlanImportError) as info:
        draft_plan(doc, 2018)
    assert time.perf_counter() - started < 2.0 and "at most 1 MB" in str(info.value)
