"""`python -m bot plan check FILE [--json]` and `plan import DOCUMENT [--year YYYY]`.

Each command writes to the given streams and returns the exit status: 0 on success, 2 for a
bad file or argument, with a one-line error naming the place and the problem.
"""

from __future__ import annotations

import json
from typing import TextIO

from bot.plan_import import PlanImportError, draft_plan
from bot.planfile import MAX_YEAR, MIN_YEAR, check_plan_file
from domain.plan import Plan, plan_to_dict

EXIT_OK, EXIT_BAD = 0, 2


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _summary(path: str, plan: Plan) -> str:
    first, last = plan.phases[0].span, plan.phases[-1].span
    start = min(p.span.start for p in plan.phases)
    end = max(p.span.end for p in plan.phases)
    dated = sum(1 for task in plan.tasks if task.due)
    lines = [
        f"{path}: ok — {plan.code} {plan.name} ({plan.year})",
        f"  {len(plan.phases)} phases, {start.isoformat()} to {end.isoformat()}"
        f" (from {first.text} to {last.text})",
        f"  {len(plan.tasks)} tasks ({dated} with a deadline), {len(plan.topics)} topics",
    ]
    for phase in plan.phases:
        lines.append(
            f"  - {phase.name}: {phase.span.start.isoformat()} – {phase.span.end.isoformat()}"
        )
    return "\n".join(lines) + "\n"


def cmd_check(path: str, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Validate a plan file. Human summary or normalised JSON on `out`; exit 0, or 2 on errors.

    Without --json the first error goes to `err` as one line 'file:line: problem'; with --json
    `out` gets {"ok": false, "errors": [{"line": .., "message": ..}, ...]}.
    """
    plan, errors = check_plan_file(path)
    if as_json:
        if errors or plan is None:
            listed = [{"line": e.line, "message": _one_line(e.message)} for e in errors]
            out.write(json.dumps({"ok": False, "errors": listed}, ensure_ascii=False) + "\n")
            return EXIT_BAD
        document = {"ok": True, **plan_to_dict(plan)}
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if errors or plan is None:
        more = f" (and {len(errors) - 1} more; --json lists all)" if len(errors) > 1 else ""
        err.write(_one_line(str(errors[0])) + more + "\n")
        return EXIT_BAD
    out.write(_summary(path, plan))
    return EXIT_OK


def cmd_import(path: str, year: int | None, out: TextIO, err: TextIO) -> int:
    """Draft a plan file from a .txt or .docx plan document; YAML on `out`, exit 0 or 2."""
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        err.write(f"--year {year}: must be between {MIN_YEAR} and {MAX_YEAR}\n")
        return EXIT_BAD
    try:
        text = draft_plan(path, year)
    except PlanImportError as exc:
        err.write(_one_line(str(exc)) + "\n")
        return EXIT_BAD
    except OSError as exc:
        err.write(_one_line(f"{path}: cannot read the file: {exc.strerror or exc}") + "\n")
        return EXIT_BAD
    out.write(text)
    return EXIT_OK
