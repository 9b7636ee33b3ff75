"""Recognising an idea offered in one message: "献一策 建议在…", "我有个金点子：…", "【建议】…".

Pure, standard library only. `recognise(text)` finds the prefix a resident put before an idea
and returns the idea (their own characters after it, Chinese punctuation kept); None means the
text is not an offered idea and the router tries commands, schedule questions and the fallback.

Three kinds of opening (matched on a width-folded copy; the body is cut from the original):
- labels in brackets: 【献一策】 [建议] 「金点子」 #献一策# "献一策" — always a label, stripped;
- offering phrases: 献一策, 我为发展献一策, 建言献策, (富民)金点子, 我有个想法, 提点意见,
  我想提个建议, 关于…的建议 … — stripped, with whatever separator or none ("献一策建议在…");
- words that are also the first word of the idea itself: 建议, 我建议, 意见, 提议, 我的建议是 …
  Only a colon (or a new line) makes them a label; otherwise the WHOLE text is the idea
  ("建议在老街口增设公交站" is stored as written).

Without a colon, a text that reads as a question ("建议什么时候截止", "金点子征集结果出来了吗")
or as talk about the process ("建议已经提交了") is not an idea: asking about the campaign must
never produce a ticket. Those, and everything unrecognised, may still be offered to the user as
a suggestion by the router's fallback (`worth_offering`), which asks once before storing.
A phrase with nothing after it ("我有个金点子", "提点意见") is an `Offered` with an empty body:
the router starts the guided conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from domain.suggestion import content_length

OFFER_MIN_CHARS = 12  # meaningful characters before a plain text is offered as a suggestion


@dataclass(frozen=True)
class Offered:
    """An idea offered in one message. `body` is "" when only the opening phrase was sent."""

    body: str
    prefix: str  # the opening as recognised (width-folded), for tests and logs


# --- the openings ---------------------------------------------------------------------------

_GIVE = "献一策|献一计|献良策|献计献策|建言献策|出谋划策|建言|献计|献策"
_NOUN = "意见建议|建议意见|金点子|好点子|小点子|点子|建议|意见|想法|提议|看法|主意|心声"
_QTY = (
    "这么一个|这样一个|一个|一点|一条|一些|几点|几个|几条|两点|两个|三点|以下|如下|下面"
    "|个|点|条|些|几"
)
_ADJ = "合理化|个人|宝贵|小|好|金|新|富民"
_STRONG = tuple(
    re.compile(p)
    for p in (
        # 我为发展献一策, 为家乡建言献策, 我要为老街献计
        rf"(?:我们?(?:要|想|来|也|再|还)*)?为[^\s:,.;!?、。]{{1,15}}?(?:{_GIVE})",
        # "献策湖南：…", "献计丹棱：…" — a campaign's own name for itself, before a colon
        rf"(?:{_GIVE}|金点子)[^\s:,.;!?、。]{{1,8}}(?=:)",
        # 献一策, 我要献策, 我来献一策
        rf"(?:我们?(?:要|想|来|也|再|还)*)?(?:{_GIVE})",
        # 提个建议, 我想提个建议, 提点意见, 说几点想法, 我来提个小建议, 谈谈看法
        # (not "给个建议": that is more often asking for advice than giving it)
        rf"(?:我们?)?(?:想|要|来|再|也|还|就)*(?:提出|提|说说|说|出|讲讲|讲|谈谈|谈|献|分享|补充)"
        rf"(?:一下|下)?(?:我的)?(?:{_QTY})?(?:{_ADJ})*(?:{_NOUN})",
        # 我有个金点子, 我有个想法, 我有一个建议, 我有几点意见, 我还有个建议
        rf"我们?(?:还|也)?有(?:{_QTY})?(?:{_ADJ})*(?:{_NOUN})",
        # 金点子, 富民金点子, 我的富民金点子, 合理化建议, 小建议, 意见建议
        r"(?:我的)?(?:富民)?(?:金点子|好点子|小点子)|合理化建议|小建议|意见建议|建议意见",
    )
)
# Labels that are ordinary words too: a label only when a separator follows ("留言：…").
_NEEDS_SEP = re.compile(r"(?:我要|我想|我来)?留言|点子")
# "关于老街口交通的建议：…" — the title is part of what the resident wrote: kept whole.
_TITLE = re.compile(r"关于[^\n:]{2,30}?的(?:建议|意见|提议|金点子|想法|几点建议)(?=[:\n])")
# Words that begin the idea itself ("建议在老街口…"): a label only before a colon.
_WEAK = re.compile(
    r"我们?(?:的)?(?:建议|提议|意见|想法|看法|金点子)(?:是|就是)?|个人建议|我们?建议|我们?提议"
    r"|建议|提议|意见"
)
_OPEN = "【[「『《(“\"‘'#〔〖"
_CLOSE = "】]」』》)”\"’'#〕〗"
_BRACKET = re.compile(
    rf"[{re.escape(_OPEN)}]\s*(?P<label>[^{re.escape(_CLOSE)}\n]{{1,15}}?)\s*[{re.escape(_CLOSE)}]"
)
_LABEL_WORD = re.compile(r"建议|意见|献|点子|想法|建言|提议|留言")
_GREETING = re.compile(
    r"(?:(?:你们好|你好|您好|领导好|领导您好|领导你好|小编好|小编你好|小编您好|小编|尊敬的领导|各位领导"
    r"|hello(?![a-z])|hi(?![a-z])|嗨|嗯|哦|噢|呃|额|那个)[\s,.:;!~、。…]*)+",
    re.I,
)
_SEP = r"\s:,.;!~、。…—\-|/>·"
_TAIL = re.compile(
    rf"(?P<sep1>(?:[{_SEP}]|啊|呀|哈|吧|哦|嘛|呢)*)(?P<conn>(?:就是|是这样的|是这样|如下|是)(?!否|不是|非|什么|啥|哪)|)"
    rf"(?P<sep2>[{_SEP}]*)"
)
_QUICK = re.compile(r"[建议意献策点想言留看主]")

# --- what is not an idea ----------------------------------------------------------------------

_ASK_END = re.compile(r"(?:[?？]|吗|呢|么|嘛|没有)[\s.!~。…！～]*$")  # past _HEAD: unfolded
_ASK_WORDS = re.compile(
    r"什么时候|啥时候|哪天|何时|几号|几点|多久|多长时间|怎么|怎样|咋|如何(?:提|交|写|参与|参加|查)|在哪|哪里"
    r"|哪儿|去哪|多少|几天|是否|能否|可否|可不可以|能不能|有没有|行不行|是不是|要不要|什么|啥"
)
_PROCESS = re.compile(
    r"提交|采纳|办理|进度|回复|答复|征集|截止|编号|查询|查看|状态|审核|结果|收到|模板|格式|活动|大赛"
    r"|比赛|评选|奖|字数|入口|渠道|二维码|链接|箱|板|功能"
)
_WEAK_MIN = 5  # meaningful characters after a bare "建议" for the text to count as an idea


# Full-width ASCII forms (U+FF01–FF5E) and the ideographic space, folded one to one — what
# NFKC would do for the characters that matter here, at a fraction of its cost on CJK text
# (NFKC costs ~1 µs per Chinese character; this runs on every message). One to one, so a
# position in the folded text is the same position in the user's own text.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_HEAD = 64  # openings (greeting, brackets, "我为…献一策") lie within the first characters


def _is_question_or_process(rest: str) -> bool:
    """Whether the words after an opening ask something or talk about the campaign itself
    (short texts only: a long one with "如何" or "活动" in it is an idea)."""
    stripped = rest.strip()
    if _ASK_END.search(stripped):
        return True
    if _ASK_WORDS.search(stripped):
        return content_length(stripped, 20) < 20
    return bool(_PROCESS.search(stripped)) and content_length(stripped, 15) < 15


def _longest_strong(norm: str, pos: int) -> re.Match[str] | None:
    best: re.Match[str] | None = None
    for pattern in _STRONG:
        m = pattern.match(norm, pos)
        if m and (best is None or m.end() > best.end()):
            best = m
    return best


def recognise(text: str) -> Offered | None:
    """The idea `text` offers after an opening phrase, or None (see the module docstring)."""
    if not text or not _QUICK.search(text, 0, 80):
        return None
    head = text[:_HEAD]
    norm = head.translate(_FOLD) + text[_HEAD:] if _WIDE.search(head) else text

    def cut(at: int) -> str:  # the user's own text from position `at`, trimmed
        return text[at:].strip()

    pos = len(norm) - len(norm.lstrip())
    greeting = _GREETING.match(norm, pos)
    if greeting and greeting.end() < len(norm):
        pos = greeting.end()

    bracket = _BRACKET.match(norm, pos)
    if bracket and _LABEL_WORD.search(bracket.group("label")):
        tail = _TAIL.match(norm, bracket.end())
        assert tail is not None  # every group may be empty
        return Offered(cut(tail.end()), bracket.group("label").strip())

    title = _TITLE.match(norm, pos)
    if title:
        return Offered(cut(pos), title.group(0))

    if norm.startswith("#", pos):  # "#献一策 …" without the closing mark
        pos += 1
    strong = _longest_strong(norm, pos)
    if strong:
        return _after(strong, norm, cut, weak=False)
    label = _NEEDS_SEP.match(norm, pos)
    if label and re.match(rf"[{_SEP}]", norm[label.end() : label.end() + 1]):
        return _after(label, norm, cut, weak=False)
    weak = _WEAK.match(norm, pos)
    if weak:
        return _after(weak, norm, cut, weak=True)
    return None


def _after(
    opening: re.Match[str], norm: str, cut: Callable[[int], str], *, weak: bool
) -> Offered | None:
    """Decide what an opening means from what follows it."""
    tail = _TAIL.match(norm, opening.end())
    assert tail is not None
    rest = norm[tail.end() :]
    seps = tail.group("sep1") + tail.group("sep2")
    hard = ":" in seps or "\n" in seps
    prefix = opening.group(0)
    if not rest.strip():
        # "我有个金点子" alone starts the guided conversation; "建议" alone is not an idea.
        return None if weak else Offered("", prefix)
    if hard:
        return Offered(cut(tail.end()), prefix)
    if _is_question_or_process(rest):
        return None
    if weak:
        if content_length(rest, _WEAK_MIN) < _WEAK_MIN:
            return None
        return Offered(cut(opening.start()), prefix)  # the opening is part of the idea
    return Offered(cut(tail.end()), prefix)


def worth_offering(text: str, min_chars: int = OFFER_MIN_CHARS) -> bool:
    """Whether a text nobody recognised is long enough to ask "submit this as a suggestion?"."""
    return content_length(text, min_chars) >= min_chars
