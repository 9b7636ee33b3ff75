"""Schedule wording made plain before it is read (domain/wording.py): full-width forms and
spaces folded (NFKC), Chinese numerals as digits; and WordingError, which names the text.
Standard library only."""

from __future__ import annotations

import re
import unicodedata


class WordingError(ValueError):
    """Date wording that the grammar does not understand; `.text` is the wording itself."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f'cannot read date wording "{text}": {reason}')


_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_CN_DIGIT.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_RUN = re.compile("[〇零一二三四五六七八九十]+")


def _cn_number(run: str) -> int | None:
    """'二〇一八' -> 2018, '十二' -> 12, '二十五' -> 25, '十' -> 10; None if malformed."""
    if "十" not in run:
        return int("".join(str(_CN_DIGIT[c]) for c in run))
    tens, _, ones = run.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    ten_value = _CN_DIGIT[tens] if tens else 1
    one_value = _CN_DIGIT[ones] if ones else 0
    if ten_value == 0 or (ones and one_value == 0):
        return None
    return ten_value * 10 + one_value


def normalise(text: str) -> str:
    """NFKC (full-width digits and tildes), no white space, Chinese numerals as digits."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))

    def number(match: re.Match[str]) -> str:
        value = _cn_number(match.group())
        if value is None:
            raise WordingError(text, f"malformed Chinese numeral {match.group()}")
        return str(value)

    return _CN_RUN.sub(number, flat)
