"""The statistics and timeline pages over HTTP, on both stores: sign-in and roles, the figures,
CSV downloads, escaping inside the SVG, the CSP, the timeline's today marker and notices."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests.conftest import make_settings
from tests.e2e.test_console import people, sign_in  # noqa: F401 - the accounts fixture
from tests.integration.stats_data import CODE, XSS_TOPIC, seed, seed_plan

REHEARSAL = date(2018, 5, 22)


@pytest.fixture
def settings(backend):  # type: ignore[no-untyped-def]
    return make_settings(backend, today=REHEARSAL, answer_days=5)


@pytest.fixture
def world(client, people):  # type: ignore[no-untyped-def]  # noqa: F811
    seed(people)
    seed_plan(people)
    return client


def rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_signed_out_goes_to_the_login_page(world) -> None:  # type: ignore[no-untyped-def]
    for path in ("/console/stats", "/console/stats/day.csv", f"/console/timeline?campaign={CODE}"):
        page = world.get(path)
        assert page.status_code == 302, path
        assert "/console/login" in page.headers["Location"]


def test_stats_page_shows_the_figures_with_charts_in_svg(world) -> None:  # type: ignore[no-untyped-def]
    sign_in(world, "rev")
    page = world.get(f"/console/stats?campaign={CODE}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;议题" in html  # the topic, escaped in the SVG
    assert 'style="' not in html  # the CSP forbids inline style: presentation attributes only
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
    assert "stats.css" in html and "//cdn" not in html
    kpis = re.findall(r'<div class="kpi"><b>([^<]+)</b>', html)
    assert kpis[:2] == ["7", "4"] and kpis[2] == "4.0" and kpis[4] == "75.0%"
    assert "超时答复 1，超时未答复" in html
    for name in ("day", "topic", "status", "outcome", "unit", "satisfaction", "times"):
        assert f"/console/stats/{name}.csv?campaign={CODE}" in html
    assert 'href="/console/stats"' in world.get("/console/").get_data(as_text=True)  # nav


def test_csv_downloads_have_bom_headers_and_the_rows(world) -> None:  # type: ignore[no-untyped-def]
    sign_in(world, "boss")
    got = world.get(f"/console/stats/status.csv?campaign={CODE}")
    assert got.status_code == 200
    assert got.mimetype == "text/csv"
    assert got.get_data().startswith("\ufeff".encode())
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    found = re.search(r'filename="(stats-status-kjj-2018-\d{4}-\d{2}-\d{2}\.csv)"', disposition)
    assert found and disposition.isascii()
    table = rows(got)
    assert table[0] == ["状态", "建议数", "占比"]
    assert ["待审核", "1", "14.3%"] in table and ["已办结", "2", "28.6%"] in table
    span = "start=2026-12-01&end=2026-12-02"
    days = rows(world.get(f"/console/stats/day.csv?campaign={CODE}&{span}"))
    assert days == [["日期", "建议数", "占比"], ["2026-12-01", "2", "50.0%"],
                    ["2026-12-02", "2", "50.0%"]]  # fmt: skip
    topics = rows(world.get(f"/console/stats/topic.csv?campaign={CODE}"))
    assert [XSS_TOPIC, "1", "14.3%"] in topics  # CSV keeps the text as it is (not HTML)
    times = dict((r[0], r[1]) for r in rows(world.get(f"/console/stats/times.csv?campaign={CODE}")))
    assert times["答复用时中位数（天）"] == "4.0" and times["超时答复"] == "1"
    assert times["满意率（满意+基本满意）"] == "75.0%" and times["答复时限（天）"] == "5"
    assert world.get("/console/stats/nothing.csv").status_code == 404


def test_a_unit_account_sees_only_its_units_figures(world) -> None:  # type: ignore[no-untyped-def]
    sign_in(world, "tech")
    units = rows(world.get(f"/console/stats/unit.csv?campaign={CODE}"))
    assert units == [["承办单位", "建议数", "占比"], ["科技科", "2", "100.0%"]]
    html = world.get(f"/console/stats?campaign={CODE}").get_data(as_text=True)
    assert "科技科" in html and "办公室" not in html.split("<main>")[1]
    statuses = dict((r[0], r[1]) for r in rows(world.get("/console/stats/status.csv"))[1:])
    assert sum(int(n) for n in statuses.values()) == 2


def test_timeline_shows_phases_tasks_today_and_notices(world) -> None:  # type: ignore[no-untyped-def]
    sign_in(world, "rev")
    page = world.get(f"/console/timeline?campaign={CODE}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "宣传发动阶段" in svg and "学习调研阶段" in svg
    assert "召开局党组理论中心组学习会" in svg and "局党组" in svg
    assert "&lt;b&gt;调研成果&lt;/b&gt;" in svg and "<b>" not in svg  # a task title, escaped
    assert "演练日期 5月22日" in svg  # the rehearsal date (BOT_TODAY) is today's marker
    assert 'stroke-dasharray="5 3"' in svg
    assert svg.count("<circle") == 3  # one dot per notice
    assert "学习会&lt;3天后到期&gt;" in html and "学习会<3" not in html
    assert "已发出 2，待发送 1" in html
    assert "送达 3 人次" in html and "失败 1 人次" in html and "等待重试 1 人次" in html
    assert world.get("/console/timeline?campaign=nope").status_code == 404
    assert 'class="scroll"' in html  # a long campaign scrolls inside its own box


def test_timeline_for_a_unit_shows_its_tasks_only_and_no_notices(world) -> None:  # type: ignore[no-untyped-def]
    sign_in(world, "office")
    html = world.get("/console/timeline").get_data(as_text=True)  # default: the first campaign
    assert "总结" in html and "召开局党组理论中心组学习会" not in html
    assert "<circle" not in html and "定时通知的发送情况仅活动办和审核员可见" in html
