"""Writing a draft plan as YAML (for bot/plan_import.py): plain scalars where they read back
unchanged, comments for what a person must check."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class DraftPhase:
    name: str
    when: str
    summary: str


@dataclass
class DraftTask:
    title: str
    group: str = ""
    detail: str = ""
    owner: str = ""
    due: str = ""
    notes: list[str] = field(default_factory=list)


# --- writing YAML -----------------------------------------------------------------------------


def scalar(value: str) -> str:
    """A plain YAML scalar when it reads back unchanged, else a double-quoted one."""
    if value and "#" not in value and "\n" not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def comment(text: str, indent: str = "") -> str:
    return f"{indent}# {' '.join(text.split())}"


def code_from(path: Path) -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "-", path.stem).strip("-").lower()
    return code or "plan"


def unique_titles(tasks: list[DraftTask]) -> None:
    seen: set[tuple[str, str]] = set()
    for task in tasks:
        base, number = task.title, 1
        while (task.group, task.title) in seen:
            number += 1
            task.title = f"{base}（{number}）"
        if number > 1:
            task.notes.append(f"renamed: the document has '{base}' more than once in this group")
        seen.add((task.group, task.title))


def yaml_lines(
    head: list[str], topics: list[str], phases: list[DraftPhase], tasks: list[DraftTask]
):
    lines = list(head)
    if topics:
        lines.append("topics:")
        lines += [f"  - {scalar(topic)}" for topic in topics]
    lines.append("phases:")
    for phase in phases:
        lines += [f"  - name: {scalar(phase.name)}", f"    when: {scalar(phase.when)}"]
        if phase.summary:
            lines.append(f"    summary: {scalar(phase.summary)}")
    if tasks:
        lines.append("tasks:")
    for task in tasks:
        lines += [comment(note, "  ") for note in task.notes]
        lines.append(f"  - title: {scalar(task.title)}")
        for key in ("group", "detail", "owner", "due"):
            if getattr(task, key):
                lines.append(f"    {key}: {scalar(getattr(task, key))}")
    return lines
