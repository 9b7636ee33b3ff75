"""An in-memory MissedQuestionStore (handlers/ports.py), kept apart from memory.py so tests
that look at misses opt in: `services.missed = MemoryMissedStore()`."""

from __future__ import annotations

from handlers.ports import MissedQuestion


class MemoryMissedStore:
    """Misses in a list, once per source_key, like the database's unique key."""

    def __init__(self) -> None:
        self.kept: list[MissedQuestion] = []

    def add(self, missed: MissedQuestion) -> None:
        if all(m.source_key != missed.source_key for m in self.kept):
            self.kept.append(missed)


class BrokenMissedStore:
    """A store that is down: the answer must not suffer."""

    def add(self, missed: MissedQuestion) -> None:
        raise ConnectionError("database unavailable")
