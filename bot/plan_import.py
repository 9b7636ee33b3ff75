"""Draft a plan file (YAML) from a plan document (.txt or .docx), for a person to check.

Best effort, by the patterns these documents use: phase headings with their dates
("（一）宣传发动阶段（5月上旬至5月中旬）"), timetable rows with a deadline column, dated
sentences ("7月底前列出问题清单"), the campaign year ("从2018年5月开始") and discussion topics.
What it cannot place becomes a `# ...` comment. The draft always passes check_plan_text.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bot.planfile import MAX_YEAR, MIN_YEAR, check_plan_text
from domain.wording import WordingError, find_deadline_in, parse_due, parse_when

SUPPORTED_SUFFIXES = (".txt", ".docx")
# A .docx may carry pictures; the text of a plan is tens of kilobytes.
MAX_DOCUMENT_BYTES = {".txt": 1024 * 1024, ".docx": 20 * 1024 * 1024}


class PlanImportError(ValueError):
    """The document cannot be read (missing, unsupported type, damaged)."""


@dataclass
class Table:
    """A table's cell texts, row by row."""

    rows: list[list[str]]


Block = str | Table  # a paragraph's text, or a table


@dataclass
class _Phase:
    name: str
    when: str
    summary: str


@dataclass
class _Task:
    title: str
    group: str = ""
    detail: str = ""
    owner: str = ""
    due: str = ""
    notes: list[str] = field(default_factory=list)


# --- reading documents --------------------------------------------------------------------------


def _txt_blocks(text: str) -> list[Block]:
    """Paragraphs, and tables as exported to text: a line starting with a tab starts a cell,
    an untabbed line right after continues that cell, a blank line ends the row."""
    blocks: list[Block] = []
    table: list[list[str]] | None = None
    row: list[str] | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("\t"):
            if table is None:
                table = []
            if row is None:
                row = []
                table.append(row)
            row.append(line[1:].strip())
        elif not line.strip():
            row = None
        elif row is not None:
            row[-1] = f"{row[-1]}\n{line.strip()}"
        else:
            if table is not None:
                blocks += _table_or_paragraphs(table)
                table = None
            blocks.append(line.strip())
    if table is not None:
        blocks += _table_or_paragraphs(table)
    return blocks


def _table_or_paragraphs(rows: list[list[str]]) -> list[Block]:
    """Tab-started lines are a table only under a recognisable header; else indented prose."""
    if any(_header_roles(row) for row in rows):
        return [Table(rows)]
    return [line for row in rows for cell in row for line in cell.split("\n") if line]


def _docx_blocks(path: Path) -> list[Block]:
    """Paragraphs and tables of a .docx in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanImportError(f"{path}: not a readable .docx file ({exc})") from exc
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.extend(line.strip() for line in Paragraph(element, document).text.split("\n"))
        elif tag == "tbl":
            rows = []
            for row in DocxTable(element, document).rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is not previous:  # a cell spanning columns comes once
                        cells.append(cell.text.strip())
                    previous = cell._tc
                rows.append(cells)
            blocks.append(Table(rows))
    return [block for block in blocks if block != ""]


def read_blocks(path: str | Path) -> list[Block]:
    """The document's paragraphs and tables; PlanImportError if it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise PlanImportError(f"{path}: unsupported document type '{suffix}' (use .txt or .docx)")
    if not path.is_file():
        raise PlanImportError(f"{path}: no such file")
    limit = MAX_DOCUMENT_BYTES[suffix]
    if path.stat().st_size > limit:  # a plan document is a few pages; refuse before reading
        size = path.stat().st_size / 1024 / 1024
        raise PlanImportError(
            f"{path}: the document is {size:.1f} MB; a {suffix} plan document may be at most "
            f"{limit // 1024 // 1024} MB"
        )
    if suffix == ".docx":
        return _docx_blocks(path)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _txt_blocks(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise PlanImportError(f"{path}: text is neither UTF-8 nor GB18030")


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


def _phase_heading(paragraph: str, year: int) -> tuple[_Phase, str] | None:
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
        return _Phase(name, when, ""), (match.group("rest") or "").strip()
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


def _find_phases(paragraphs: list[str], year: int) -> list[_Phase]:
    phases: list[_Phase] = []
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


_ROLES = (
    ("due", ("期限", "时间", "时限", "截止")),
    ("owner", ("责任", "牵头", "负责", "承办")),
    ("title", ("名称", "活动内容", "工作内容", "项目", "任务", "事项")),
    ("detail", ("内容",)),
    ("requirement", ("要求",)),
)


def _header_roles(row: list[str]) -> dict[str, int] | None:
    """Column index by role when `row` is a header (short cells, one naming the title)."""
    if sum(1 for cell in row if cell) < 2 or any(len(cell) > 10 for cell in row):
        return None
    roles: dict[str, int] = {}
    for column, cell in enumerate(row):
        for role, words in _ROLES:
            if role not in roles and any(word in cell for word in words):
                roles[role] = column
                break
    if "title" not in roles:
        return None
    if 0 not in roles.values():
        roles["group"] = 0
    return roles


def _cell_text(cell: str) -> str:
    return "；".join(line.strip() for line in cell.split("\n") if line.strip())


def _table_tasks(table: Table, year: int, notes: list[str]) -> list[_Task]:
    """One task per row under a header that names at least a title column."""
    headers = ((i, _header_roles(row)) for i, row in enumerate(table.rows))
    found = next(((i, roles) for i, roles in headers if roles), None)
    if found is None:
        first = " | ".join(_cell_text(c) for c in (table.rows or [[]])[0])
        notes.append(f"a table without a recognisable header was skipped: {first}")
        return []
    start, roles = found
    tasks: list[_Task] = []
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
        task = _Task(title, group, cells.get("detail", ""), cells.get("owner", ""))
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


def _dated_items(paragraphs: list[str], year: int) -> list[_Task]:
    """Sentences such as '调研成果7月底上报市活动办' or '7月底前列出问题清单'."""
    tasks: list[_Task] = []
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
                    tasks.append(_Task(title, section, sentence.strip(), who, span.text))
    return tasks


_DISCUSSION_ITEM = re.compile(
    r"^\s*[（(][一二三四五六七八九十\d]+[)）]\s*(.{4,40}?)(?:研讨|讨论)[；;。]?$"
)


def _find_topics(paragraphs: list[str], tasks: list[_Task]) -> list[str]:
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


# --- writing YAML -----------------------------------------------------------------------------


def _scalar(value: str) -> str:
    """A plain YAML scalar when it reads back unchanged, else a double-quoted one."""
    if value and "#" not in value and "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str, indent: str = "") -> str:
    return f"{indent}# {' '.join(text.split())}"


def _code_from(path: Path) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "-", path.stem).strip("-").lower()
    return code or "plan"


def _unique_titles(tasks: list[_Task]) -> None:
    seen: set[tuple[str, str]] = set()
    for task in tasks:
        base, number = task.title, 1
        while (task.group, task.title) in seen:
            number += 1
            task.title = f"{base}（{number}）"
        if number > 1:
            task.notes.append(f"renamed: the document has '{base}' more than once in this group")
        seen.add((task.group, task.title))


def _yaml_lines(head: list[str], topics: list[str], phases: list[_Phase], tasks: list[_Task]):
    lines = list(head)
    if topics:
        lines.append("topics:")
        lines += [f"  - {_scalar(topic)}" for topic in topics]
    lines.append("phases:")
    for phase in phases:
        lines += [f"  - name: {_scalar(phase.name)}", f"    when: {_scalar(phase.when)}"]
        if phase.summary:
            lines.append(f"    summary: {_scalar(phase.summary)}")
    if tasks:
        lines.append("tasks:")
    for task in tasks:
        lines += [_comment(note, "  ") for note in task.notes]
        lines.append(f"  - title: {_scalar(task.title)}")
        for key in ("group", "detail", "owner", "due"):
            if getattr(task, key):
                lines.append(f"    {key}: {_scalar(getattr(task, key))}")
    return lines


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
        phases = [_Phase("整个活动", "年内", "")]
        head.append("# FIXME phases: no dated phase heading found; replace the placeholder.")
    tasks: list[_Task] = []
    for block in blocks:
        if isinstance(block, Table):
            tasks += _table_tasks(block, found_year, notes)
    tasks += _dated_items(paragraphs, found_year)
    _unique_titles(tasks)
    topics = _find_topics(paragraphs, tasks)
    if not topics:
        head.append("# topics: none found; list the suggestion topics here.")
    name = _find_name(paragraphs, full_text, path.stem)
    head += [f"code: {_scalar(_code_from(path))}", f"name: {_scalar(name)}"]
    head.append(f"year: {found_year}")
    lines = _yaml_lines(head, topics, phases, tasks)
    lines += [_comment(f"not placed: {note}") for note in notes]
    text = "\n".join(lines) + "\n"
    _, errors = check_plan_text(text, path.name)
    text += "".join(_comment(f"check: {error}") + "\n" for error in errors)
    return text
