"""Question text made regular before it is read: standard library only.

Typed and spoken questions differ in surface only: full-width forms, spaces and trailing "。"
from voice recognition, 的/地/得 slips, 那 for 哪, numbers written as words ("六月二十号",
"未来十天"), colloquial words (啥, 咋, 多久). `normalize` removes those differences so the
parsers in domain/questions.py see one spelling per meaning.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
# Numbers before a unit of time become digits; "第三阶段" and "周三" keep their words (ordinals
# and weekdays are read by their own patterns).
_CN_NUMBER = re.compile(r"(?<![第周])([零〇一二两三四五六七八九十]{1,3})(?=月|日|号|天|个?周|个月)")
TRAILING = "。.？?！!~～、，,；; \t\r\n"
# Rewrites applied in this order (longer forms first): "这个星期" → "这周", "六月份" → "六月".
_SYNONYMS = tuple(
    tuple(pair.split("="))
    for pair in (
        "星期天=周日 星期=周 礼拜天=周日 礼拜=周 週=周 这一个=这 这个=这 这一=这 下一个=下 下个=下 "
        "下一=下 上一个=上 上个=上 上一=上 月份=月 截至=截止 距离=离 多少天=几天 多长时间=几天 "
        "多久=几天 多长=几天 哪一=哪 距=离 还剩下=还有 还剩=还有 剩下几天=还有几天 剩几天=还有几天 "
        "咋样=怎么样 咋=怎么 啥时候=什么时候 啥时=什么时候 甚么=什么 什么时间=什么时候 "
        "有木有=有没有 有没=有没有 有没有有=有没有 那个阶段=哪个阶段 那些=哪些 那天=哪天 "
        "截止日=截止日期 截止日期期=截止日期 deadline=截止 ddl=截止"
    ).split()
)
# Voice recognition writes 地/得 for 的 ("党组地任务"); only before the words a question uses.
_DE_SLIP = re.compile(r"[地得](?=任务|工作|事|安排|截止|时间|期限|阶段|同志|人|日期|计划)")
_POLITE = re.compile(
    r"^(?:请问一下|请问|麻烦问一下|麻烦问下|问一下|问下|想问一下|想问下|我想问一下|我想问|我想知道"
    r"|你好|您好|小助手|助手|那么|那|另外|请|帮我查一下|帮我查下|帮我查|查一下|查下|帮我看看"
    r"|帮我看一下|帮我看下|看一下|看下|看看|告诉我|嗯|呃|那个|就是|我问一下|我问下|问问|对了"
    r"|哎|喂|老师|领导)[,]?"
)


def cn_to_int(word: str) -> int:
    """一..九十九 written in Chinese numerals (digits pass through)."""
    if word.isdigit():
        return int(word)
    if "十" not in word:
        value = 0
        for char in word:
            value = value * 10 + _DIGITS[char]
        return value
    tens, _, ones = word.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def normalize(text: str) -> str:
    """Full-width to half-width, no inner spaces, synonyms unified, Chinese numbers of days,
    weeks and months as digits, trailing punctuation removed."""
    text = unicodedata.normalize("NFKC", text or "").strip().strip(TRAILING)
    text = re.sub(r"\s+", "", text).replace("“", "").replace("”", "").replace('"', "")
    if text.isascii():
        text = text.lower()
    for old, new in _SYNONYMS:
        text = text.replace(old, new)
    text = _DE_SLIP.sub("的", text)
    text = _CN_NUMBER.sub(lambda m: str(cn_to_int(m.group(1))), text)
    return text.strip(TRAILING)


def strip_polite(text: str) -> str:
    """Without the greetings and "请问" a question starts with."""
    previous = None
    while previous != text:
        previous = text
        text = _POLITE.sub("", text)
    return text
