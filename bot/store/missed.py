"""Questions the assistant could not answer, in the database (handlers.ports.MissedQuestionStore).

Only the pseudonym of the asker is stored (bot/privacy.py); the message's dedup key is unique,
so WeChat's retries of one message are kept once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.privacy import Pseudonymizer
from bot.store.db import Database
from bot.store.models import MissedQuestionRow
from handlers.ports import MissedQuestion


@dataclass(frozen=True)
class MissedRecord:
    """One kept miss, as `questions missed` shows it."""

    created_at: datetime
    author: str
    campaign_code: str
    kind: str
    text: str
    reply: str

    def as_json(self) -> dict[str, str]:
        return {
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "campaign": self.campaign_code,
            "kind": self.kind,
            "text": self.text,
            "reply": self.reply,
        }


class SqlMissedQuestionStore:
    def __init__(self, db: Database, pseudonym: Pseudonymizer) -> None:
        self.db = db
        self.pseudonym = pseudonym
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        self._insert = insert(MissedQuestionRow).on_conflict_do_nothing()

    def add(self, missed: MissedQuestion) -> None:
        """Keep `missed` once per source_key (a retried message adds nothing)."""
        values = {
            "created_at": missed.created_at,
            "author": self.pseudonym.of(missed.user),
            "campaign_code": missed.campaign_code,
            "kind": missed.kind,
            "text": missed.text,
            "reply": missed.reply,
            "source_key": missed.source_key,
        }
        with self.db.autocommit() as conn:
            conn.execute(self._insert, values)

    def since(self, moment: datetime | None = None, limit: int = 1000) -> list[MissedRecord]:
        """The misses kept since `moment` (all when None), oldest first, at most `limit`."""
        query = select(MissedQuestionRow).order_by(MissedQuestionRow.created_at)
        if moment is not None:
            query = query.where(MissedQuestionRow.created_at >= moment)
        with self.db.session() as s:
            rows = s.scalars(query.limit(limit)).all()
            return [
                MissedRecord(r.created_at, r.author, r.campaign_code, r.kind, r.text, r.reply)
                for r in rows
            ]
