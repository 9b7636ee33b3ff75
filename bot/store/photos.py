"""The suggestion_photos table: which photos of which suggestion still need fetching.

Rows are added by the fetcher, not on the webhook's path: `add_missing` finds suggestions
whose attachments have no rows yet (new ones, and any stored before this table existed) and
inserts one row per attachment, ignoring rows another process inserted first. A row is worked
on by one process at a time: `claim` moves its next_attempt_at past a lease in one UPDATE that
only one process can win; a process that dies mid-download leaves the row to be claimed again
after the lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.store.db import Database
from bot.store.models import SuggestionPhotoRow, SuggestionRow

PENDING, FETCHED, FAILED = "pending", "fetched", "failed"
NOT_MEDIA_ID = "no media id: only a picture URL was received"
_ADD_BATCH = 200


@dataclass(frozen=True)
class PhotoJob:
    """One photo to fetch: its row, the suggestion's ticket (for the file name), the id."""

    id: int
    ticket: str
    position: int
    media_id: str
    attempts: int


def _is_media_id(ref: str) -> bool:
    # An image message carries MediaId; the flow falls back to PicUrl when it is missing.
    return bool(ref) and "://" not in ref


class PhotoStore:
    """SQL for the photo fetcher (both databases)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.engine.dialect.name
        self._insert = pg_insert if dialect == "postgresql" else sqlite_insert

    def add_missing(self, now: datetime) -> tuple[int, bool]:
        """Rows for the suggestions with attachments and no rows yet (a batch of them): how
        many rows were added, and whether the batch was full (call again). An attachment that
        is not a media id is recorded failed at once, with the reason."""
        has_rows = exists().where(SuggestionPhotoRow.suggestion_id == SuggestionRow.id)
        query = (
            select(SuggestionRow.id, SuggestionRow.attachments)
            .where(func.json_array_length(SuggestionRow.attachments) > 0, ~has_rows)
            .order_by(SuggestionRow.id)
            .limit(_ADD_BATCH)
        )
        added = 0
        with self.db.session() as s:
            found = s.execute(query).all()
            for suggestion_id, attachments in found:
                rows = [
                    {
                        "suggestion_id": suggestion_id,
                        "position": position,
                        "media_id": str(ref)[:500],
                        "status": PENDING if _is_media_id(str(ref)) else FAILED,
                        "path": "",
                        "content_type": "",
                        "sha256": "",
                        "attempts": 0,
                        "last_error": "" if _is_media_id(str(ref)) else NOT_MEDIA_ID,
                        "created_at": now,
                    }
                    for position, ref in enumerate(attachments or [], start=1)
                ]
                if rows:
                    stmt = self._insert(SuggestionPhotoRow).values(rows).on_conflict_do_nothing()
                    added += s.execute(stmt).rowcount or 0  # type: ignore[attr-defined]
        return added, len(found) == _ADD_BATCH

    def due(self, now: datetime, limit: int) -> list[PhotoJob]:
        """Pending photos whose time has come (new ones first come first)."""
        query = (
            select(
                SuggestionPhotoRow.id,
                SuggestionRow.ticket,
                SuggestionPhotoRow.position,
                SuggestionPhotoRow.media_id,
                SuggestionPhotoRow.attempts,
            )
            .join(SuggestionRow, SuggestionRow.id == SuggestionPhotoRow.suggestion_id)
            .where(
                SuggestionPhotoRow.status == PENDING,
                or_(
                    SuggestionPhotoRow.next_attempt_at.is_(None),
                    SuggestionPhotoRow.next_attempt_at <= now,
                ),
            )
            .order_by(SuggestionPhotoRow.id)
            .limit(limit)
        )
        with self.db.session() as s:
            return [PhotoJob(*row) for row in s.execute(query).all()]

    def claim(self, job: PhotoJob, now: datetime, lease: float) -> bool:
        """Take the row for one attempt (counted now, so a crash still counts it)."""
        stmt = (
            update(SuggestionPhotoRow)
            .where(
                SuggestionPhotoRow.id == job.id,
                SuggestionPhotoRow.status == PENDING,
                SuggestionPhotoRow.attempts == job.attempts,
            )
            .values(
                attempts=job.attempts + 1,
                next_attempt_at=now + timedelta(seconds=lease),
            )
        )
        with self.db.session() as s:
            return bool(s.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def fetched(
        self, job: PhotoJob, path: str, content_type: str, size: int, sha256: str, now: datetime
    ) -> None:
        self._set(
            job,
            status=FETCHED,
            path=path,
            content_type=content_type,
            size=size,
            sha256=sha256,
            next_attempt_at=None,
            last_error="",
            fetched_at=now,
        )

    def retry_at(self, job: PhotoJob, when: datetime, error: str) -> None:
        self._set(job, next_attempt_at=when, last_error=error[:300])

    def failed(self, job: PhotoJob, error: str) -> None:
        self._set(job, status=FAILED, next_attempt_at=None, last_error=error[:300])

    def note_waiting(self, reason: str) -> int:
        """Say why pending photos are not being fetched (no credentials); they stay pending."""
        stmt = (
            update(SuggestionPhotoRow)
            .where(SuggestionPhotoRow.status == PENDING, SuggestionPhotoRow.last_error != reason)
            .values(last_error=reason)
        )
        with self.db.session() as s:
            return int(s.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]

    def next_due(self) -> datetime | None:
        """When the earliest pending photo may be tried (None: none pending)."""
        query = select(func.min(SuggestionPhotoRow.next_attempt_at)).where(
            SuggestionPhotoRow.status == PENDING
        )
        with self.db.session() as s:
            return s.scalar(query)

    def of_ticket(self, ticket: str) -> list[SuggestionPhotoRow]:
        """A suggestion's photo rows in order (for people and tests)."""
        query = (
            select(SuggestionPhotoRow)
            .join(SuggestionRow, SuggestionRow.id == SuggestionPhotoRow.suggestion_id)
            .where(SuggestionRow.ticket == ticket)
            .order_by(SuggestionPhotoRow.position)
        )
        with self.db.session() as s:
            return list(s.scalars(query).all())

    def _set(self, job: PhotoJob, **values: object) -> None:
        with self.db.session() as s:
            s.execute(
                update(SuggestionPhotoRow).where(SuggestionPhotoRow.id == job.id).values(**values)
            )
