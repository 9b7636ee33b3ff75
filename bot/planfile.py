"""Read a plan file (YAML, UTF-8; INTERFACES.md "Plan file") into a domain.plan.Plan.

The file is composed into YAML nodes, not plain objects, so that every problem can name the
line it is on. `check_plan_text` collects every problem; `parse_plan_text` and `load_plan`
raise the first one.

Size and entry limits are checked first, before anything is composed (bot/plan_limits.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.plan_limits import MAX_PLAN_BYTES, over_limit
from domain.plan import DateSpan, Phase, Plan, Task
from domain.wording import WordingError, parse_due, parse_when

CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]+$")
MIN_YEAR, MAX_YEAR = 1990, 2100

_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_PLAN_KEYS = {"code": True, "name": True, "year": True, "topics": False}
_PLAN_KEYS.update({"phases": True, "tasks": False})  # key -> required
_PHASE_KEYS = {"name": True, "when": True, "summary": False}
_TASK_KEYS = {"title": True, "group": False, "detail": False, "owner": False, "due": False}


class PlanFileError(ValueError):
    """A problem in a plan file: str() is 'path:line: message' ('path: message' without a line)."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Checker:
    """Walks the composed document, collecting errors and building the plan's parts."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[PlanFileError] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(PlanFileError(self.source, line, message))

    def mapping(self, node: Node, what: str, keys: dict[str, bool]) -> dict[str, Node] | None:
        """The mapping's values by key; reports a non-mapping, unknown, duplicate, missing keys."""
        if not isinstance(node, MappingNode):
            self.error(_line(node), f"{what} must be a mapping of keys to values")
            return None
        values: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in keys:
                shown = key if key is not None else "(not a plain key)"
                known = ", ".join(keys)
                self.error(_line(key_node), f"unknown key '{shown}' in {what} (known: {known})")
            elif key in values:
                self.error(_line(key_node), f"duplicate key '{key}' in {what}")
            else:
                values[key] = value_node
        for key, required in keys.items():
            value = values.get(key)
            if not required:
                continue
            if value is None:
                self.error(_line(node), f"{what} has no '{key}'")
            elif isinstance(value, ScalarNode) and self.text(value, key) is None:
                self.error(_line(value), f"{what} '{key}' is empty")
        return values

    def text(self, node: Node | None, what: str, report: bool = False) -> str | None:
        """A scalar's text, stripped; None for a missing, null or blank value."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            if report:
                self.error(_line(node), f"{what} must be a single value, not a list or mapping")
            return None
        if node.tag == _NULL:
            return None
        return node.value.strip() or None

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        """A list's items; null counts as an empty list."""
        if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL):
            return []
        if not isinstance(node, SequenceNode):
            self.error(_line(node), f"{what} must be a list")
            return []
        return list(node.value)


def _read_year(checker: _Checker, node: Node | None) -> int | None:
    if node is None:
        return None
    if not isinstance(node, ScalarNode) or node.tag != _INT:
        checker.error(_line(node), "year must be a whole number such as 2018")
        return None
    try:
        year = int(node.value.replace("_", ""), 0)
    except ValueError:
        checker.error(_line(node), "year must be a whole number such as 2018")
        return None
    if not MIN_YEAR <= year <= MAX_YEAR:
        checker.error(_line(node), f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")
        return None
    return year


def _read_topics(checker: _Checker, node: Node | None) -> list[str]:
    topics: list[str] = []
    for item in checker.sequence(node, "topics"):
        topic = checker.text(item, "a topic", report=True)
        if topic is None:
            if isinstance(item, ScalarNode):
                checker.error(_line(item), "a topic is empty")
        elif topic in topics:
            checker.error(_line(item), f"duplicate topic '{topic}'")
        else:
            topics.append(topic)
    return topics


def _read_span(checker: _Checker, node: Node, year: int, key: str) -> DateSpan | None:
    """A phase's `when` (key 'when') or a task's `due` (key 'due') as a DateSpan."""
    wording = checker.text(node, key, report=True)
    if wording is None:
        return None
    try:
        return parse_when(wording, year) if key == "when" else parse_due(wording, year)
    except WordingError as exc:
        checker.error(_line(node), f"{key}: {exc}")
        return None


def _read_phases(checker: _Checker, node: Node | None, year: int) -> list[Phase]:
    items = checker.sequence(node, "phases")
    if isinstance(node, SequenceNode) and not items:
        checker.error(_line(node), "phases must list at least one phase")
    phases: list[Phase] = []
    seen: dict[str, int] = {}
    for item in items:
        values = checker.mapping(item, "a phase", _PHASE_KEYS)
        if values is None:
            continue
        name = checker.text(values.get("name"), "phase name", report=True)
        summary = checker.text(values.get("summary"), "phase summary", report=True) or ""
        span = _read_span(checker, values["when"], year, "when") if "when" in values else None
        if name and name in seen:
            checker.error(
                _line(values["name"]), f"duplicate phase '{name}' (see line {seen[name]})"
            )
        elif name:
            seen[name] = _line(values["name"])
        if name and span:
            phases.append(Phase(name=name, span=span, summary=summary))
    return phases


def _read_tasks(checker: _Checker, node: Node | None, year: int) -> list[Task]:
    tasks: list[Task] = []
    seen: dict[tuple[str, str], int] = {}
    for item in checker.sequence(node, "tasks"):
        values = checker.mapping(item, "a task", _TASK_KEYS)
        if values is None:
            continue
        fields = {
            key: checker.text(values.get(key), f"task {key}", report=True) or ""
            for key in ("title", "group", "detail", "owner")
        }
        due = _read_span(checker, values["due"], year, "due") if "due" in values else None
        title, group = fields["title"], fields["group"]
        if title and (group, title) in seen:
            where = f"group '{group}'" if group else "no group"
            first = seen[(group, title)]
            checker.error(
                _line(values["title"]), f"duplicate task '{title}' in {where} (see line {first})"
            )
        elif title:
            seen[(group, title)] = _line(values["title"])
        if title:
            tasks.append(Task(due=due, **fields))
    return tasks


def _compose(checker: _Checker, text: str) -> Node | None:
    over = over_limit(text)
    if over is not None:
        checker.error(*over)
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem:
            where = f" (line {exc.context_mark.line + 1})" if exc.context_mark else ""
            problem = f"{problem}, {exc.context}{where}"
        checker.error(mark.line + 1 if mark else None, f"YAML syntax: {problem}")
        return None
    except yaml.YAMLError as exc:
        checker.error(None, f"YAML syntax: {exc}")
        return None
    if root is None:
        checker.error(None, "the file is empty")
    return root


def check_plan_text(text: str, source: str = "<text>") -> tuple[Plan | None, list[PlanFileError]]:
    """Read plan YAML; returns (plan, []) or (None, every error found, in line order)."""
    checker = _Checker(source)
    root = _compose(checker, text.removeprefix("\ufeff"))
    if root is None:
        return None, checker.errors
    values = checker.mapping(root, "the plan", _PLAN_KEYS)
    if values is None:
        return None, checker.errors
    code = checker.text(values.get("code"), "code", report=True)
    if code and not CODE_PATTERN.match(code):
        checker.error(_line(values["code"]), f"code '{code}' may hold only letters, digits and '-'")
    name = checker.text(values.get("name"), "name", report=True)
    year = _read_year(checker, values.get("year"))
    topics = _read_topics(checker, values.get("topics"))
    # With a bad year, the wording is still checked (against a stand-in year) to report more.
    phases = _read_phases(checker, values.get("phases"), year or 2000)
    tasks = _read_tasks(checker, values.get("tasks"), year or 2000)
    if checker.errors:
        errors = sorted(checker.errors, key=lambda e: e.line or 0)
        return None, errors
    plan = Plan(
        code=code or "",
        name=name or "",
        year=year or 0,
        topics=tuple(topics),
        phases=tuple(phases),
        tasks=tuple(tasks),
    )
    return plan, []


def parse_plan_text(text: str, source: str = "<text>") -> Plan:
    """Read plan YAML into a Plan; raises the first PlanFileError."""
    plan, errors = check_plan_text(text, source)
    if errors or plan is None:
        raise errors[0]
    return plan


def read_plan_file(path: str | Path) -> str:
    """The file's text; PlanFileError if it cannot be read or is not UTF-8 (with its line)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_PLAN_BYTES:
            raise PlanFileError(
                str(path),
                None,
                f"the file is {size / 1024 / 1024:.1f} MB; a plan file may be at most 1 MB",
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError(str(path), None, f"cannot read the file: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise PlanFileError(str(path), line, message) from exc


def check_plan_file(path: str | Path) -> tuple[Plan | None, list[PlanFileError]]:
    """check_plan_text for a file, including read and encoding errors."""
    try:
        text = read_plan_file(path)
    except PlanFileError as exc:
        return None, [exc]
    return check_plan_text(text, str(path))


def load_plan(path: str | Path) -> Plan:
    """Read a plan file into a Plan; raises the first PlanFileError."""
    return parse_plan_text(read_plan_file(path), str(path))
