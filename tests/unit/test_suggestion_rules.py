"""Suggestion rules: tickets, content cleaning, fingerprints."""

from __future__ import annotations

from domain import suggestion as rules


def test_tickets_are_short_readable_and_varied():
    tickets = {rules.new_ticket() for _ in range(2000)}
    assert len(tickets) > 1990
    for t in list(tickets)[:50]:
        assert len(t) == 6 and not set(t) & set("01OIL")
        assert rules.normalize_ticket(t.lower()) == t
        assert rules.normalize_ticket(" " + t[:3] + " " + t[3:]) == t


def test_normalize_ticket_refuses_other_text():
    for text in ("", "12", "ABCDEFG", "ABC!23", "本周到期"):
        assert rules.normalize_ticket(text) is None
    assert rules.normalize_ticket("ＫＡ２３ＢＣ") == "KA23BC"  # full-width input


def test_content_keeps_chinese_punctuation_and_counts_meaning():
    text = "  第一，建议设立基金。\r\n\r\n\r\n\r\n第二，引导资本！ "
    clean = rules.clean_content(text)
    assert clean == "第一，建议设立基金。\n\n第二，引导资本！"
    assert rules.content_length("。。。！！") == 0
    assert rules.content_length("建议设基金。") == 5
    assert rules.content_length("建议，设立科技创新基金。", enough=5) == 5  # stops counting
    assert rules.content_length("建 议。", enough=5) == 2


def test_fingerprint_ignores_punctuation_width_and_spacing():
    a = rules.fingerprint("建议在菜市场设置便民服务站")
    assert a == rules.fingerprint("建议在菜市场，设置便民服务站。")
    assert a == rules.fingerprint(" 建议 在菜市场设置便民服务站! ")
    assert a != rules.fingerprint("建议在超市设置便民服务站")
    assert rules.fingerprint("Road_No.5 加宽") == rules.fingerprint("road no 5加宽")
