"""Building blocks of the schedule answers: dates with the plan's wording, task lists, paging
within WeChat's message size, and loose matching of units, task titles and campaign names."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from domain.plan import DateSpan, Plan, Task
from texts import schedule as T
from texts.chat import MORE_FOOTER  # the router's "更多" footer, appended to later pages

MAX_BYTES = 2048  # per message, UTF-8 (WeCom's documented limit; kept for WeChat as well)
GROUP_THRESHOLD = 6  # lists longer than this are shown in groups
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:\s*[~～至到]\s*\d{4}-\d{2}-\d{2})?$")
_OWNER_SPLIT = re.compile(r"[、,，/;；\s]+")
_NOISE = re.compile(r"[\s“”\"'‘’「」『』《》()（）·,，。、:：;；!！?？\-—~～]+")
_GENERIC_UNIT_CHARS = frozenset("局办组部室科处委会所院站队的各中心")


def nbytes(text: str) -> int:
    """Size of `text` in UTF-8."""
    return len(text.encode("utf-8"))


FOOTER_ROOM = nbytes(MORE_FOOTER.format(remaining=9999))


def fmt_date(day: date, today: date) -> str:
    """M月D日, with the year when it is not this year."""
    if day.year != today.year:
        return T.DATE_WITH_YEAR.format(year=day.year, month=day.month, day=day.day)
    return T.DATE.format(month=day.month, day=day.day)


def _with_wording(shown: str, wording: str) -> str:
    wording = wording.strip()
    if not wording or wording == shown or _ISO.match(wording):
        return shown
    return T.DATE_WITH_WORDING.format(date=shown, wording=wording)


def fmt_due(span: DateSpan, today: date) -> str:
    """The deadline, with the plan's own wording when it says something else: 6月10日（6月10前）."""
    return _with_wording(fmt_date(span.end, today), span.text)


def fmt_span(span: DateSpan, today: date) -> str:
    """A range of days, with the plan's wording: 5月21日—7月31日（5月下旬至7月底）."""
    shown = T.SPAN.format(start=fmt_date(span.start, today), end=fmt_date(span.end, today))
    return _with_wording(shown, span.text)


def _task_block(index: int, task: Task, today: date) -> str:
    owner = T.OWNER.format(owner=task.owner) if task.owner else ""
    title = T.TASK_LINE.format(index=index, title=task.title)
    if task.due is None:
        return f"{title}\n{T.TASK_META_UNDATED.format(owner=owner)}"
    mark = ""
    if task.due.end < today:
        mark = T.MARK_PASSED
    elif task.due.end == today:
        mark = T.MARK_TODAY
    meta = T.TASK_META.format(date=fmt_due(task.due, today), owner=owner, mark=mark)
    return f"{title}\n{meta}"


def _group_key(task: Task, by_group: bool) -> str:
    if by_group:
        return task.group or T.GROUP_OTHER
    if task.due is None:
        return T.GROUP_UNDATED
    return T.GROUP_MONTH.format(month=task.due.end.month)


def task_blocks(tasks: Sequence[Task], today: date) -> list[str]:
    """One block per task (title line, then date and owner), in the given order; longer lists
    are grouped by the tasks' group, or by month when the plan has no groups."""
    if len(tasks) <= GROUP_THRESHOLD:
        return [_task_block(i, task, today) for i, task in enumerate(tasks, 1)]
    by_group = any(task.group for task in tasks)
    groups: dict[str, list[Task]] = {}
    for task in tasks:
        groups.setdefault(_group_key(task, by_group), []).append(task)
    blocks: list[str] = []
    index = 0
    for name, members in groups.items():
        for position, task in enumerate(members):
            index += 1
            block = _task_block(index, task, today)
            if position == 0:
                block = f"{T.GROUP_HEADER.format(group=name)}\n{block}"
            blocks.append(block)
    return blocks


def sorted_tasks(tasks: Iterable[Task]) -> list[Task]:
    """Dated tasks by deadline (plan order for equal dates), then undated ones in plan order."""
    items = list(tasks)
    dated = sorted((t for t in items if t.due), key=lambda t: t.due.end)  # type: ignore[union-attr]
    return dated + [t for t in items if t.due is None]


def _truncate(text: str, limit: int) -> str:
    if nbytes(text) <= limit:
        return text
    room = limit - nbytes(T.TRUNCATED)
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + T.TRUNCATED


def paginate(header: str, blocks: Sequence[str], limit: int = MAX_BYTES) -> list[str]:
    """Pages of `header` + `blocks` (joined by newlines), without footers. One page fits `limit`
    bytes of UTF-8; when there are several, each leaves FOOTER_ROOM for the "更多" footer that
    `with_more_footer` (first page) and the router's "更多" answer (later pages) append."""
    whole = "\n".join([header, *blocks])
    if nbytes(whole) <= limit:
        return [whole]
    budget = limit - FOOTER_ROOM
    first_line = header.split("\n", 1)[0]
    continued = _truncate(T.CONTINUED.format(header=first_line), budget // 4)
    pages: list[list[str]] = [[_truncate(header, budget // 2)]]
    size = nbytes(pages[0][0])
    for raw in blocks:
        block = _truncate(raw, budget - nbytes(continued) - 1)
        if size + 1 + nbytes(block) > budget:
            pages.append([continued])
            size = nbytes(continued)
        pages[-1].append(block)
        size += 1 + nbytes(block)
    return ["\n".join(lines) for lines in pages]


def with_more_footer(page: str, remaining: int) -> str:
    """`page` with the "更多" footer when `remaining` pages follow (the router's wording, so
    every page of an answer ends the same way)."""
    return page + MORE_FOOTER.format(remaining=remaining) if remaining else page


# --- Loose matching --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)  # the same owners and titles are compared per question
def squash(text: str) -> str:
    """Text for comparison: half-width, lower case, no spaces, quotes or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


@functools.lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def best_matches(query: str, names: Sequence[str], *, fuzzy: bool = True) -> list[int]:
    """Indexes of the names that best match `query`: equal, then containment either way, then
    (when `fuzzy`) most shared character pairs, at least half of the query's."""
    q = squash(query)
    if not q:
        return []
    squashed = [squash(name) for name in names]
    for test in (
        lambda n: n == q,
        lambda n: len(q) >= 2 and q in n,
        lambda n: len(n) >= 2 and n in q,
    ):
        found = [i for i, n in enumerate(squashed) if n and test(n)]
        if found:
            return found
    if not fuzzy or len(q) < 2:
        return []
    pairs = _bigrams(q)
    scores = [len(pairs & _bigrams(n)) / len(pairs) for n in squashed]
    top = max(scores, default=0.0)
    return [i for i, s in enumerate(scores) if s == top] if top >= 0.5 else []


def match_units(query: str, units: Sequence[str]) -> list[str]:
    """The plan's owner units that `query` names, loosely: "党组" finds "局党组"; "活动办公室"
    finds "局活动办" (shared characters beyond generic ones like 局/办/组)."""
    found = best_matches(query, units, fuzzy=False)
    if found:
        return [units[i] for i in found]
    wanted = set(squash(query)) - _GENERIC_UNIT_CHARS
    if len(wanted) < 2:
        return []
    scores = [len(wanted & set(squash(unit))) for unit in units]
    top = max(scores, default=0)
    if top < 2 or top / len(wanted) < 0.6:
        return []
    return [unit for unit, score in zip(units, scores, strict=True) if score == top]


_UNIT_CACHE: dict[int, tuple[Plan, tuple[str, ...]]] = {}


def owner_units(plan: Plan) -> tuple[str, ...]:
    """The distinct owner units of the plan's tasks ("局党组、局活动办" counts as two), in plan
    order. Cached per plan object: plans are immutable."""
    cached = _UNIT_CACHE.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    seen: dict[str, None] = {}
    for task in plan.tasks:
        for unit in _OWNER_SPLIT.split(task.owner):
            if unit:
                seen.setdefault(unit, None)
    units = tuple(seen)
    if len(_UNIT_CACHE) > 512:
        _UNIT_CACHE.clear()
    _UNIT_CACHE[id(plan)] = (plan, units)
    return units


def tasks_of_units(plan: Plan, units: Sequence[str]) -> list[Task]:
    """The plan's tasks owned (alone or jointly) by any of `units`."""
    wanted = set(units)
    return [t for t in plan.tasks if wanted.intersection(_OWNER_SPLIT.split(t.owner))]


def closest_units(query: str, units: Sequence[str], limit: int = 3) -> list[str]:
    """Up to `limit` units nearest to `query` when none matches: most shared characters
    beyond the generic ones (局/办/科 …), then most shared character pairs; [] when none
    shares anything."""
    wanted = set(squash(query)) - _GENERIC_UNIT_CHARS
    pairs = _bigrams(squash(query))
    scored = []
    for position, unit in enumerate(units):
        name = squash(unit)
        score = (len(wanted & set(name)), len(pairs & _bigrams(name)))
        if score > (0, 0):
            scored.append((score, -position, unit))
    scored.sort(reverse=True)
    return [unit for _, _, unit in scored[:limit]]
