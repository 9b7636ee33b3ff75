"""The phrasing corpus (tests/data/questions/corpus.yaml) expanded and asked: each question
goes through the router, as a WeChat message would, over in-memory services holding one seed
plan (config/plans/) on a rehearsal date; it passes when every page of the answer holds every
expected fact, none of the absent ones, and fits the reply limit.

Shared by tests/unit/test_question_corpus.py and `python -m bench.question_corpus`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.planfile import check_plan_text
from domain.plan import Plan
from handlers.router import MAX_REPLY_BYTES, route
from handlers.types import Incoming
from tests.fakes.memory import make_services

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "questions" / "corpus.yaml"
KINDS = (
    "ordinal_phase",
    "campaign",
    "relative_period",
    "bound",
    "until_since",
    "unit",
    "colloquial",
    "voice",
)


@dataclass(frozen=True)
class Case:
    kind: str
    plan: str  # plan code
    today: date
    text: str
    facts: tuple[str, ...]
    absent: tuple[str, ...] = ()
    voice: bool = False


@dataclass
class Result:
    case: Case
    answer: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@lru_cache(maxsize=8)
def seed_plan(code: str) -> Plan:
    plan, errors = check_plan_text((ROOT / "config" / "plans" / f"{code}.yaml").read_text(), code)
    if plan is None:
        raise ValueError(f"seed plan {code} does not load: {errors}")
    return plan


def _facts(spec: Any, day: str) -> tuple[str, ...]:
    if isinstance(spec, dict):
        by_day = {str(key): value for key, value in spec.items()}  # YAML reads dates as dates
        return tuple(by_day.get("all") or ()) + tuple(by_day.get(day) or ())
    return tuple(spec or ())


def load_cases(path: Path = CORPUS) -> list[Case]:
    """Every question of the corpus: patterns × cases × each case's dates."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    plans: dict[str, str] = data["plans"]
    cases: list[Case] = []
    for group in data["groups"]:
        for spec in group["cases"]:
            slots = {k: v for k, v in spec.items() if k not in ("facts", "absent")}
            days = [str(d) for d in spec["facts"] if str(d) != "all"]
            for pattern in group["patterns"]:
                for day in days:
                    cases.append(
                        Case(
                            kind=group["kind"],
                            plan=plans[group["plan"]],
                            today=date.fromisoformat(day),
                            text=pattern.format(**slots),
                            facts=_facts(spec["facts"], day),
                            absent=_facts(spec.get("absent"), day),
                            voice=bool(group.get("voice")),
                        )
                    )
    return cases


def ask(case: Case) -> Result:
    """Ask one question as user u1 and check the answer."""
    services = make_services([seed_plan(case.plan)], case.today)
    kind = "voice" if case.voice else "text"
    reply = route(Incoming("chat", "u1", kind, text=case.text), services)
    pages = [reply.text or "", *(reply.more or ())]
    answer = "\n".join(pages)
    problems = [f"missing {fact!r}" for fact in case.facts if fact not in answer]
    problems += [f"has {word!r}" for word in case.absent if word in answer]
    problems += [
        f"page of {n} bytes" for page in pages if (n := len(page.encode())) > MAX_REPLY_BYTES
    ]
    return Result(case, answer, problems)


def run(path: Path = CORPUS) -> list[Result]:
    return [ask(case) for case in load_cases(path)]


def summary(results: list[Result]) -> tuple[float, dict[str, tuple[int, int]]]:
    """The share passed, and (passed, total) per kind."""
    total: Counter[str] = Counter(r.case.kind for r in results)
    passed: Counter[str] = Counter(r.case.kind for r in results if r.passed)
    share = sum(passed.values()) / len(results) if results else 0.0
    return share, {kind: (passed[kind], total[kind]) for kind in total}
