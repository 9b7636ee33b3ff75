"""Draft a plan file (YAML) from a plan document (.txt or .docx), for a person to check.

Best effort, by the patterns these documents use: phase headings with their dates
("（一）宣传发动阶段（5月上旬至5月中旬）"), timetable rows with a deadline column, dated
sentences ("7月底前列出问题清单"), the campaign year ("从2018年5月开始") and discussion topics.
What it cannot place becomes a `# ...` comment. The draft always passes check_plan_text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from bot.plan_documents import (  # noqa: F401 - re-exported: bot.plan_import.PlanImportError
    MAX_DOCUMENT_BYTES,
    SUPPORTED_SUFFIXES,
    PlanImportError,
    Table,
    header_roles,
    read_blocks,
)
from bot.plan_yaml import (
    DraftPhase,
    DraftTask,
    code_from,
    comment,
    scalar,
    unique_titles,
    yaml_lines,
)
from bot.planfile import MAX_YEAR, MIN_YEAR, check_plan_text
from domain.wording import WordingError, find_deadline_in, parse_due, parse_when

# --- finding the plan's parts ---------------------------------------------------------------

_ENUM = r"(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、．.]|\d+\s*[.．、])"
_STRIP_ENUM = re.compile(rf"^\s*(?:{_ENUM}|[一二三四五六七八九十]是)\s*")
_PHASE_HEADING = re.compile(
    rf"^\s*{_ENUM}?\s*(?P<name>[^（()）。，；：:\s]{{1,30}}?阶段)\s*"
    r"[（(](?P<when>[^（()）]{2,40})[)）][。．.：:]?\s*(?P<rest>.*)$",
    re.S,
)
_PHASE_HEADING_PLAIN = re.compile(
    r"^\s*(?P<name>第[一二三四五六七八九十\d]+阶段)\s*[：:，,]?\s*"
    r"(?P<when>[^。；，,（()）]{2,40}?)\s*(?:[。；，,]\s*(?P<rest>.*))?$",
    re.S,
)
_REPORT_VERB = re.compile(r"^(?:上报|报送|报|提交|完成|交|列出|形成)")
_OWNER = re.compile(r"^([^，,。；]{2,8}?)要")


def _strip_enum(text: str) -> str:
    return _STRIP_ENUM.sub("", text).strip()


def _phase_heading(paragraph: str, year: int) -> tuple[DraftPhase, str] | None:
    """A phase heading with dates that parse, and the rest of its paragraph."""
    for pattern in (_PHASE_HEADING, _PHASE_HEADING_PLAIN):
        match = pattern.match(paragraph)
        if not match:
            continue
        when = match.group("when").strip()
        try:
            parse_when(when, year)
        except WordingError:
            continue
        name = _strip_enum(match.group("name"))
        return DraftPhase(name, when, ""), (match.group("rest") or "").strip()
    return None


def _summary(text: str) -> str:
    """'一是制定方案。二是动员部署。' -> '制定方案，动员部署'; else the first sentence, short."""
    items = re.findall(r"[一二三四五六七八九十]是([^。；，,]{2,20})[。；，,]", text)
    if len(items) >= 2:
        return "，".join(items)
    first = re.split(r"[。；;\n]", _strip_enum(text), maxsplit=1)[0]
    first = re.sub(r"^主要任务是", "", first).strip()
    if len(first) > 80:
        cut = first.rfind("，", 0, 80)
        first = first[: cut if cut > 0 else 80]
    return first


def _find_year(text: str) -> int | None:
    """The campaign year, from wording such as '从2018年5月开始' or '2018年5月'."""
    flat = unicodedata.normalize("NFKC", text)
    for pattern in (r"从\s*(\d{4})\s*年", r"(\d{4})\s*年\s*\d{1,2}\s*月"):
        for match in re.finditer(pattern, flat):
            if MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
                return int(match.group(1))
    return None


def _find_name(paragraphs: list[str], text: str, fallback: str) -> str:
    """The title lines at the top, else '现提出……方案', else the file name."""
    title: list[str] = []
    for paragraph in paragraphs[:6]:
        if re.fullmatch(r"附件\s*\d*", paragraph):
            continue
        if len(paragraph) > 40 or paragraph.endswith(("。", "：", ":")):
            break
        title.append(paragraph)
    joined = "".join(title)
    if re.search("方案|计划|安排", joined):
        return joined
    match = re.search(r"现(?:提出|制定)(.{4,40}?方案)", text)
    return match.group(1) if match else fallback


def _find_phases(paragraphs: list[str], year: int) -> list[DraftPhase]:
    phases: list[DraftPhase] = []
    for index, paragraph in enumerate(paragraphs):
        found = _phase_heading(paragraph, year)
        if not found or any(p.name == found[0].name for p in phases):
            continue
        phase, rest = found
        if not rest and index + 1 < len(paragraphs):
            following = paragraphs[index + 1]
            rest = "" if _phase_heading(following, year) else following
        phase.summary = _summary(rest)
        phases.append(phase)
    return phases


def _cell_text(cell: str) -> str:
    return "；".join(line.strip() for line in cell.split("\n") if line.strip())


def _table_tasks(table: Table, year: int, notes: list[str]) -> list[DraftTask]:
    """One task per row under a header that names at least a title column."""
    headers = ((i, header_roles(row)) for i, row in enumerate(table.rows))
    found = next(((i, roles) for i, roles in headers if roles), None)
    if found is None:
        first = " | ".join(_cell_text(c) for c in (table.rows or [[]])[0])
        notes.append(f"a table without a recognisable header was skipped: {first}")
        return []
    start, roles = found
    tasks: list[DraftTask] = []
    group = ""
    for row in table.rows[start + 1 :]:
        cells = {
            role: _cell_text(row[col]) if col < len(row) else "" for role, col in roles.items()
        }
        if not any(cells.values()):
            continue
        group = cells.get("group") or group
        title = _strip_enum(cells["title"].split("；")[0]) if cells["title"] else ""
        if not title:
            notes.append(f"a table row without a title was skipped: {' | '.join(row)}")
            continue
        task = DraftTask(title, group, cells.get("detail", ""), cells.get("owner", ""))
        if cells.get("requirement"):
            task.notes.append(f"具体要求: {cells['requirement']}")
        wording = cells.get("due", "")
        if wording:
            task.due = _deadline(wording, year, task.notes)
        tasks.append(task)
    return tasks


def _deadline(wording: str, year: int, notes: list[str]) -> str:
    """The deadline wording to write, or '' with a note when it is not understood."""
    try:
        return parse_due(wording, year).text
    except WordingError:
        pass
    found = find_deadline_in(wording, year)
    if found:
        notes.append(f"完成期限 as written: {wording}")
        return found.text
    notes.append(f"完成期限 not understood, left undated: {wording}")
    return ""


def _dated_items(paragraphs: list[str], year: int) -> list[DraftTask]:
    """Sentences such as '调研成果7月底上报市活动办' or '7月底前列出问题清单'."""
    tasks: list[DraftTask] = []
    section = ""
    for paragraph in paragraphs:
        found = _phase_heading(paragraph, year)
        body = paragraph
        if found:
            section, body = found[0].name, found[1]
        elif len(paragraph) <= 30 and not paragraph.endswith("。") and _STRIP_ENUM.match(paragraph):
            section = _strip_enum(paragraph)
            continue
        for sentence in re.split(r"[。；;！？!?\n]", body):
            owner = _OWNER.match(sentence.strip())
            for clause in re.split(r"[，,]", sentence):
                span = find_deadline_in(clause, year)
                if span is None:
                    continue
                at = clause.find(span.text)
                after = clause[at + len(span.text) :]
                if not (span.text.endswith("前") or _REPORT_VERB.match(after)):
                    continue
                title = _strip_enum((clause[:at] + after).strip(" ：:"))
                if len(title) >= 2:
                    who = owner.group(1) if owner else ""
                    tasks.append(DraftTask(title, section, sentence.strip(), who, span.text))
    return tasks


_DISCUSSION_ITEM = re.compile(
    r"^\s*[（(][一二三四五六七八九十\d]+[)）]\s*(.{4,40}?)(?:研讨|讨论)[；;。]?$"
)


def _find_topics(paragraphs: list[str], tasks: list[DraftTask]) -> list[str]:
    """Discussion themes: '“如何……”' questions, '（一）……研讨' items, 'X，就是要……' parts."""
    topics: list[str] = []
    for paragraph in paragraphs:
        topics += re.findall(r"“(如何[^”]{4,60})”", paragraph)
        item = _DISCUSSION_ITEM.match(paragraph)
        if item:
            topics.append(item.group(1))
        part = re.match(r"^([^，,。\s]{3,10})，就是要", paragraph)
        if part:
            topics.append(part.group(1))
    for task in tasks:
        if "讨论" in task.group:
            topics.append(re.sub(r"(?:研讨|讨论)$", "", task.title))
    return list(dict.fromkeys(t.strip() for t in topics if t.strip()))


def draft_plan(path: str | Path, year: int | None = None) -> str:
    """A draft plan file (YAML text) for the document at `path` (.txt or .docx).

    `year` is the campaign year; without it the year is read from the text, and failing that
    a comment asks a person to fill it in. Raises PlanImportError if the file cannot be read.
    """
    path = Path(path)
    blocks = read_blocks(path)
    paragraphs = [b for b in blocks if isinstance(b, str)]
    full_text = "\n".join(paragraphs)
    notes: list[str] = []
    head = [f"# Draft plan from {path.name}; check every line before `plan load`."]
    head.append("# code: derived from the file name; change it to a short campaign id.")
    found_year = year or _find_year(full_text)
    if found_year is None:
        found_year = date.today().year
        head.append(f"# FIXME year: the document does not say; {found_year} is a placeholder.")
    elif year is None:
        head.append(f"# year: read from the document ({found_year}).")
    phases = _find_phases(paragraphs, found_year)
    if not phases:
        phases = [DraftPhase("整个活动", "年内", "")]
        head.append("# FIXME phases: no dated phase heading found; replace the placeholder.")
    tasks: list[DraftTask] = []
    for block in blocks:
        if isinstance(block, Table):
            tasks += _table_tasks(block, found_year, notes)
    tasks += _dated_items(paragraphs, found_year)
    unique_titles(tasks)
    topics = _find_topics(paragraphs, tasks)
    if not topics:
        head.append("# topics: none found; list the suggestion topics here.")
    name = _find_name(paragraphs, full_text, path.stem)
    head += [f"code: {scalar(code_from(path))}", f"name: {scalar(name)}"]
    head.append(f"year: {found_year}")
    lines = yaml_lines(head, topics, phases, tasks)
    lines += [comment(f"not placed: {note}") for note in notes]
    text = "\n".join(lines) + "\n"
    _, errors = check_plan_text(text, path.name)
    text += "".join(comment(f"check: {error}") + "\n" for error in errors)
    return text
