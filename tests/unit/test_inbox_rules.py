"""domain.similarity, domain.inbox and the inbox form's parsing: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.console.inbox_form import parse
from domain import inbox
from domain import similarity as sim

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_bigrams_fold_width_case_and_punctuation() -> None:
    assert sim.bigrams("社区食堂") == {"社区", "区食", "食堂"}
    assert sim.bigrams("社区，食堂！") == sim.bigrams("社区 食堂")
    assert sim.bigrams("ＡＢ") == sim.bigrams("ab") == {"ab"}
    assert sim.bigrams("食") == {"食"}
    assert sim.bigrams("，。") == frozenset()


def test_similarity_scores() -> None:
    base = "建议在社区增设老年食堂，方便老人就餐。"
    assert sim.similarity(base, "建议在社区增设老年食堂 方便老人就餐！") == 1.0
    added = sim.similarity(base, base + "价格要实惠。")
    assert sim.SIMILAR <= added < 1.0
    assert sim.similarity(base, "建议增设夜间公交线路，方便加班族回家。") < 0.2
    assert sim.similarity("", base) == 0.0
    assert sim.is_similar(base, base + "谢谢") and not sim.is_similar(base, "优化审批流程")


def test_most_similar_ranks_and_bounds() -> None:
    base = "建议在社区增设老年食堂，方便老人就餐。"
    candidates = [
        ("far", "优化审批流程，减少办事材料。"),
        ("near", base + "价格要实惠，菜品要丰富。"),
        ("same", base),
        ("close", base + "谢谢"),
    ]
    ranked = sim.most_similar(base, candidates, limit=2)
    assert [key for key, _ in ranked] == ["same", "close"]
    assert ranked[0][1] == 1.0
    assert [key for key, _ in sim.most_similar(base, candidates, limit=9)] == [
        "same", "close", "near",
    ]  # fmt: skip


def test_day_range_is_local_days_in_utc() -> None:
    low, high = inbox.day_range(date(2026, 12, 2), date(2026, 12, 2), SHANGHAI)
    assert low == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert high == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert inbox.day_range(None, None, SHANGHAI) == (None, None)
    backwards = inbox.day_range(date(2026, 12, 5), date(2026, 12, 1), SHANGHAI)
    assert backwards == inbox.day_range(date(2026, 12, 1), date(2026, 12, 5), SHANGHAI)
    assert inbox.parse_day("2026-12-02") == date(2026, 12, 2)
    assert inbox.parse_day("12/02/2026") is None and inbox.parse_day(None) is None


def test_form_keeps_what_is_valid() -> None:
    form = parse(
        {
            "campaign": " kjj-2018 ", "status": "已交办", "outcome": "乱写", "unit": "科技科",
            "from": "2026-12-05", "to": "2026-12-01", "photos": "yes", "q": "  食堂 ",
            "sort": "oldest", "page": "3", "topic": "民生服务", "author": "u00001",
        },
        SHANGHAI,
    )  # fmt: skip
    q = form.query
    assert (q.campaign, q.status, q.outcome, q.unit, q.text) == (
        "kjj-2018", "已交办", "", "科技科", "食堂",
    )  # fmt: skip
    assert (q.page, q.sort, q.has_photos, q.topic, q.author) == (3, "oldest", True, "民生服务",
                                                                 "u00001")  # fmt: skip
    assert q.created_from == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert q.created_to == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    assert form.values["from"] == "2026-12-01" and form.values["to"] == "2026-12-05"
    odd = parse({"status": "<b>", "page": "abc", "sort": "drop table", "photos": "x"}, SHANGHAI)
    assert odd.query.status == "" and odd.query.page == 1 and odd.query.sort == inbox.NEWEST
    assert odd.query.has_photos is None and odd.values == {}
    assert parse({"page": "-4"}, SHANGHAI).query.page == 1
    assert parse({"page": "99999999"}, SHANGHAI).query.page == 100_000
    assert parse({"photos": "no"}, SHANGHAI).query.has_photos is False
    assert len(parse({"q": "字" * 500}, SHANGHAI).query.text) == inbox.MAX_QUERY
