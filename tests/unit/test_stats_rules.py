"""Statistics rules, the SVG builders and the CSV tables, without a store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from bot.console import stats_tables
from bot.console.svg import bar_chart, day_chart, fit, nice_top
from bot.console.timeline_svg import timeline_chart
from config.settings import Settings, SettingsError
from domain import stats as rules
from domain.plan import DateSpan, Phase, Task
from services.ports import AnswerTimes, NoticeTally
from services.stats import Report, Timeline

SCRIPT = '<script>alert("x")</script>&'
TZ = ZoneInfo("Asia/Shanghai")


def test_median_odd_even_and_empty() -> None:
    assert rules.median([5, 1, 3]) == 3
    assert rules.median([4, 1, 3, 10]) == 3.5
    assert rules.median([7]) == 7
    assert rules.median([]) is None


def test_satisfied_share() -> None:
    assert rules.satisfied_share({"满意": 2, "基本满意": 1, "不满意": 1}) == 0.75
    assert rules.satisfied_share({"不满意": 3}) == 0
    assert rules.satisfied_share({}) is None
    assert rules.share_text(0.755) == "75.5%" and rules.share_text(None) == "-"


def test_fill_days_and_ordering() -> None:
    filled = rules.fill_days([(date(2026, 12, 3), 2), (date(2026, 12, 1), 1)])
    assert filled == [(date(2026, 12, 1), 1), (date(2026, 12, 2), 0), (date(2026, 12, 3), 2)]
    far = rules.fill_days([(date(2020, 1, 1), 1), (date(2026, 1, 1), 1)])
    assert len(far) == 2  # years apart: not thousands of empty days
    assert rules.ordered([("b", 1), ("x", 5), ("a", 1)], ("a", "z")) == [
        ("a", 1), ("z", 0), ("x", 5), ("b", 1),
    ]  # fmt: skip


def test_answer_days_setting() -> None:
    assert Settings.from_env({}, dotenv=False).answer_days == 15
    assert Settings.from_env({"BOT_ANSWER_DAYS": "30"}, dotenv=False).answer_days == 30
    for bad in ("abc", "0", "-3", "400", "1.5"):
        with pytest.raises(SettingsError) as info:
            Settings.from_env({"BOT_ANSWER_DAYS": bad}, dotenv=False)
        assert info.value.variable == "BOT_ANSWER_DAYS" and "\n" not in str(info.value)


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML: nothing broke out of a text node


def test_charts_escape_labels_and_stay_well_formed() -> None:
    svg = str(bar_chart([(SCRIPT, 3), ("科技科", 1)], SCRIPT))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "style=" not in svg
    texts = [e.text for e in _parse(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith("<script>") for t in texts)  # shown as text, cut to fit
    days = str(day_chart([(date(2026, 12, 1), 3), (date(2026, 12, 2), 0)], SCRIPT))
    assert "<script>" not in days
    _parse(days)
    assert "暂无数据" in str(bar_chart([], "空"))


def test_fit_and_axis_top() -> None:
    assert fit("短", 100, 12) == "短"
    cut = fit("很长很长很长很长很长很长很长", 60, 12)
    assert cut.endswith("…") and len(cut) <= 5
    assert [nice_top(v) for v in (0, 3, 7, 100, 101)] == [4, 4, 8, 100, 200]


def _timeline(today: date) -> Timeline:
    due = datetime(2018, 5, 21, 1, tzinfo=UTC)
    return Timeline(
        code="kjj",
        name=SCRIPT,
        today=today,
        phases=(Phase(SCRIPT, DateSpan(date(2018, 5, 1), date(2018, 5, 20), "5月")),),
        tasks=[
            Task(
                SCRIPT, owner="<i>单位</i>", due=DateSpan(date(2018, 5, 25), date(2018, 5, 25), "x")
            ),
            Task("未定", owner="办公室"),
        ],
        notices=[NoticeTally(SCRIPT, "deadline", due, "done", 2, 1, 0)],
        notices_shown=True,
    )


def test_timeline_svg_escapes_and_marks_today() -> None:
    svg = str(timeline_chart(_timeline(date(2018, 5, 10)), TZ, "演练日期"))
    _parse(svg)
    assert "<script>" not in svg and "<i>" not in svg and "style=" not in svg
    assert "演练日期 5月10日" in svg and 'stroke-dasharray="5 3"' in svg
    assert "5月25日 · &lt;i&gt;单位&lt;/i&gt;" in svg and "未定期限 · 办公室" in svg
    assert svg.count("<circle") == 1 and "已发 2，失败 1，待发 0" in svg
    width = float(_parse(svg).attrib["width"])
    assert width <= 1180  # a short campaign fits a 1366 px screen
    far = str(timeline_chart(_timeline(date(2026, 12, 3)), TZ, "今天"))
    assert "今天 2026-12-03（在活动结束之后 →）" in far and "stroke-dasharray" not in far


def test_tables_and_csv() -> None:
    report = Report(
        limit_days=15,
        total=3,
        by_day=[(date(2026, 12, 1), 3)],
        by_topic=[("=HYPERLINK(1)", 2), ("", 1)],
        times=AnswerTimes(2, 1.5 * 86400, 1, 0),
    )
    tables = stats_tables.tables(report)
    assert set(tables) == {"times", "day", "topic", "status", "outcome", "unit", "satisfaction"}
    data = stats_tables.to_csv(tables["topic"])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["议题,建议数,占比", "'=HYPERLINK(1),2,66.7%", "未选议题,1,33.3%"]
    times = stats_tables.to_csv(tables["times"]).decode("utf-8-sig")
    assert "答复用时中位数（天）,1.5" in times and "满意率（满意+基本满意）,-" in times
    assert (
        stats_tables.filename("day", "kjj-2018", "2026-12-03")
        == "stats-day-kjj-2018-2026-12-03.csv"
    )
    assert stats_tables.filename("day", "科技局", "2026-12-03") == "stats-day-all-2026-12-03.csv"


def test_a_long_campaign_is_wider_than_the_screen_and_scrolls_in_its_box() -> None:
    long = Timeline(
        code="long",
        name="两年活动",
        today=date(2018, 3, 1),
        phases=(Phase("全程", DateSpan(date(2018, 1, 1), date(2019, 12, 31), "两年")),),
        tasks=[],
        notices=[],
        notices_shown=False,
    )
    svg = str(timeline_chart(long, TZ, "今天"))
    assert float(_parse(svg).attrib["width"]) > 1180  # at least 3 px a day
    assert "2019年1月" in svg and "暂无任务" in svg and "<circle" not in svg
