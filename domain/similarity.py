"""When two ideas say the same or nearly the same thing. Pure, standard library only.

The rule: compare the texts' character bigrams (pairs of neighbouring characters) after folding
width and case and dropping whitespace and punctuation, and take the Jaccard index (shared
bigrams over all bigrams). Bigrams suit Chinese, where two characters usually make a word and
there are no spaces. 1.0 is the same text; at SIMILAR or above two ideas are "nearly the same"
(a sentence added, a word changed). The console's detail page lists such ideas; the command line
(`suggestions similar`) is meant to use the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

SIMILAR = 0.5  # the Jaccard index from which two texts count as nearly the same
_NOT_ALNUM = re.compile(r"[\W_]+")
T = TypeVar("T")


def fold(text: str) -> str:
    """The characters that carry meaning: NFKC, lower case, no whitespace or punctuation."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text)).lower()


def bigrams(text: str) -> frozenset[str]:
    """The folded text's character bigrams (a one-character text is its own single gram)."""
    core = fold(text)
    if len(core) < 2:
        return frozenset({core}) if core else frozenset()
    return frozenset(core[i : i + 2] for i in range(len(core) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(a: str, b: str) -> float:
    return jaccard(bigrams(a), bigrams(b))


def is_similar(a: str, b: str, threshold: float = SIMILAR) -> bool:
    return similarity(a, b) >= threshold


def most_similar(
    text: str, candidates: Iterable[tuple[T, str]], limit: int, threshold: float = SIMILAR
) -> list[tuple[T, float]]:
    """The candidates (key, text) at or above the threshold, most similar first, at most
    `limit`; ties keep the candidates' order."""
    mine = bigrams(text)
    scored = [(key, jaccard(mine, bigrams(other))) for key, other in candidates]
    kept = [(key, score) for key, score in scored if score >= threshold]
    kept.sort(key=lambda pair: -pair[1])
    return kept[:limit]
