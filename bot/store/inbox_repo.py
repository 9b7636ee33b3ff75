"""SQL for the inbox and the detail page (services/ports.py InboxStore), on both databases.

Search in the text (a Chinese substring, so no word splitting) on PostgreSQL: the GIN indexes
live on the search table `suggestion_search` (migration 0013, bot/store/search_table.py, filled
when read, so that a submission does not write them); a search is `id IN (ids of the search
table that match)`.
- 3 or more characters: `content LIKE '%…%'`, served by the pg_trgm GIN index
  (ix_suggestion_search_trgm). pg_trgm keeps CJK characters only when the database's
  LC_CTYPE classifies them as letters: true under C.UTF-8 or zh_CN.UTF-8, false under C/POSIX
  (there it extracts no trigram and the index scan degenerates to reading the whole index).
- 2 characters: no trigram can be taken from the query, so pg_trgm cannot narrow it. The
  bigram GIN index (ix_suggestion_search_bigrams, on inbox_bigrams(content), a text[] of the
  content's character pairs) answers `inbox_bigrams(content) @> ARRAY['食堂']`, with the LIKE
  kept as the exact check. It does not depend on the locale, and it also serves 3+ characters
  when pg_trgm is not installed.
- 1 character: a plain LIKE on suggestions (a scan; one Chinese character matches too much to
  index well).
SQLite: LIKE (a scan; fine for a town's campaign).
An author's ideas and ideas with the same text (content_hash): from the lookup table's b-tree
indexes on PostgreSQL, a scan on SQLite.
Similar ideas: same content_hash, then nearly the same text by domain.similarity over a bounded
candidate set: the `content % text` pg_trgm neighbours on PostgreSQL, else the newest ideas of
the same campaign.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import ARRAY, Text, and_, case, func, literal, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from bot.store.cases import to_case
from bot.store.db import Database
from bot.store.models import SuggestionPhotoRow, SuggestionRow
from bot.store.search_table import SearchTable, search_table
from domain import inbox
from domain import similarity as sim
from domain import workflow as wf
from domain.suggestion import normalize_ticket
from services.ports import Case, CaseQuery, Photo, Similar

log = logging.getLogger(__name__)
S = SuggestionRow
T = search_table.c
TRGM_MISSING = (
    "pg_trgm is not installed in this database: searches of 3 or more characters use the "
    "bigram index, and similar ideas are looked for among the newest %d of the campaign"
)
TRGM_BLIND = (
    "LC_CTYPE is %s: pg_trgm sees no letters in Chinese text, so the inbox's search uses the "
    "bigram index only, and similar ideas are looked for among the newest of the campaign"
)
_WORD3 = re.compile(r"[^\W_]{3}")  # three letters in a row: a trigram pg_trgm can look up
TRGM_CANDIDATES = 200  # pg_trgm neighbours the domain rule then judges
RECENT_CANDIDATES = 2000  # without pg_trgm: the newest ideas of the campaign
TRGM_THRESHOLD = 0.4  # pg_trgm's own score, only to find candidates


def like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def char_bigrams(value: str) -> list[str]:
    """The raw character pairs of a search, as inbox_bigrams() takes them from the content."""
    return sorted({value[i : i + 2] for i in range(len(value) - 1)})


class SqlInbox:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.pg = db.engine.dialect.name == "postgresql"
        self._trgm: bool | None = None
        self.search_table = SearchTable(db)

    def has_trgm(self) -> bool:
        """Whether pg_trgm is installed here (migration 0011 installs it when it can) and sees
        Chinese characters as letters (not so under a C/POSIX LC_CTYPE)."""
        if self._trgm is None:
            self._trgm = False
            if self.pg:
                with self.db.session() as s:
                    found = s.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
                    ctype = str(s.scalar(text("SHOW lc_ctype")))
                    # Ask pg_trgm itself: under some LC_CTYPEs it sees no letters in Chinese.
                    sees = found and s.scalar(text("SELECT cardinality(show_trgm('社区'))"))
                self._trgm = bool(found and sees)
                if not found:
                    log.warning(TRGM_MISSING, RECENT_CANDIDATES)
                elif not self._trgm:
                    log.warning(TRGM_BLIND, ctype)
        return self._trgm

    def _indexed(self, value: str) -> bool:
        """Whether a search for `value` reads the lookup table (PostgreSQL, 2+ characters)."""
        return self.pg and len(value) >= 2

    def _looks_up(self, q: CaseQuery) -> bool:
        """Whether the query reads the lookup table (which is then brought up to date)."""
        return (self.pg and bool(q.author)) or self._indexed(inbox.search_text(q.text))

    def _lookup(self, column: str, value: str) -> ColumnElement[bool]:
        """suggestions.<column> = value, from the lookup table's index on PostgreSQL."""
        if self.pg:
            return S.id.in_(select(T.suggestion_id).where(T[column] == value))
        return getattr(S, column) == value  # type: ignore[no-any-return]

    def _text(self, value: str) -> ColumnElement[bool]:
        cond: ColumnElement[bool] = S.content.like(like_pattern(value), escape="\\")
        if self._indexed(value):
            match: ColumnElement[bool] = T.content.like(like_pattern(value), escape="\\")
            if not (self.has_trgm() and _WORD3.search(value) is not None):
                grams = literal(char_bigrams(value), ARRAY(Text))
                match = and_(func.inbox_bigrams(T.content).op("@>")(grams), match)
            cond = S.id.in_(select(T.suggestion_id).where(match))
        ticket = normalize_ticket(value)
        return or_(cond, S.ticket == ticket) if ticket else cond

    def conditions(self, q: CaseQuery) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        for column, value in (
            (S.campaign_code, q.campaign), (S.status, q.status), (S.unit, q.unit),
            (S.topic, q.topic), (S.outcome, q.outcome),
        ):  # fmt: skip
            if value:
                conds.append(column == value)
        if q.author:
            conds.append(self._lookup("author", q.author))
        if q.only_unit is not None:
            conds.append(S.unit == q.only_unit)
        if q.created_from is not None:
            conds.append(S.created_at >= q.created_from)
        if q.created_to is not None:
            conds.append(S.created_at < q.created_to)
        if q.has_photos is not None:
            count = func.json_array_length(S.attachments)
            conds.append(count > 0 if q.has_photos else count == 0)
        value = inbox.search_text(q.text)
        if value:
            conds.append(self._text(value))
        return conds

    def search(self, q: CaseQuery) -> tuple[list[Case], int]:
        conds = self.conditions(q)
        order: list[ColumnElement[Any]]
        if q.sort == inbox.OLDEST:
            order = [S.created_at.asc(), S.id.asc()]
        elif q.sort == inbox.BY_STATUS and not q.status:
            rank = case({status: n for n, status in enumerate(wf.STATUSES)}, value=S.status)
            order = [rank, S.created_at.desc(), S.id.desc()]
        else:
            order = [S.created_at.desc(), S.id.desc()]
        per_page = max(1, min(q.per_page, 200))
        offset = (max(1, q.page) - 1) * per_page
        if self._looks_up(q):
            self.search_table.catch_up()
        with self.db.session() as s:
            total = s.scalar(select(func.count()).select_from(S).where(*conds)) or 0
            # The page's ids first (from the indexes alone where the filters allow: a deep
            # page skips index entries, not rows), then those rows.
            page = select(S.id).where(*conds).order_by(*order).limit(per_page).offset(offset)
            rows = s.scalars(select(S).where(S.id.in_(page.scalar_subquery())).order_by(*order))
            return [to_case(r) for r in rows.all()], total

    def units(self) -> list[str]:
        """The units on suggestions, from the unit index: one lookup per unit (a recursive
        "loose index scan"), not a pass over every assigned suggestion."""
        sql = text(
            "WITH RECURSIVE u(unit) AS ("
            " SELECT min(unit) FROM suggestions WHERE unit IS NOT NULL"
            " UNION ALL"
            " SELECT (SELECT min(unit) FROM suggestions WHERE unit > u.unit) FROM u"
            " WHERE u.unit IS NOT NULL)"
            " SELECT unit FROM u WHERE unit IS NOT NULL AND unit <> ''"
        )
        with self.db.session() as s:
            return sorted(s.scalars(sql).all())

    def photos(self, ticket: str) -> list[Photo]:
        p = SuggestionPhotoRow
        query = (
            select(p.position, p.status, p.content_type, p.path)
            .join(S, S.id == p.suggestion_id)
            .where(S.ticket == ticket)
            .order_by(p.position)
        )
        with self.db.session() as s:
            return [Photo(*row) for row in s.execute(query).all()]

    def by_author(
        self, author: str, only_unit: str | None, exclude: str, limit: int
    ) -> tuple[list[Case], int]:
        conds = [self._lookup("author", author), S.ticket != exclude]
        if only_unit is not None:
            conds.append(S.unit == only_unit)
        if self.pg:
            self.search_table.catch_up()
        with self.db.session() as s:
            total = s.scalar(select(func.count()).select_from(S).where(*conds)) or 0
            rows = s.scalars(
                select(S).where(*conds).order_by(S.created_at.desc(), S.id.desc()).limit(limit)
            ).all()
            return [to_case(r) for r in rows], total

    def similar(self, case: Case, only_unit: str | None, limit: int) -> list[Similar]:
        if self.pg:
            self.search_table.catch_up()
        with self.db.session() as s:
            own = s.execute(select(S.id, S.content_hash).where(S.ticket == case.ticket)).first()
            if own is None:
                return []
            scope = [S.id != own.id] + ([S.unit == only_unit] if only_unit is not None else [])
            same_rows = s.scalars(
                select(S).where(self._lookup("content_hash", own.content_hash), *scope)
                .order_by(S.created_at.desc(), S.id.desc()).limit(limit)
            ).all()  # fmt: skip
            found = [Similar(to_case(r), 1.0, True) for r in same_rows]
            scope.append(S.content_hash != own.content_hash)
            if self.has_trgm():
                # The index finds the neighbours; their number is bounded (taken as found, not
                # ranked: ranking every neighbour of a common phrasing reads thousands of rows).
                s.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {TRGM_THRESHOLD}"))
                # Bounded in the lookup table itself, before the join (a unit's account, whose
                # scope drops most of them, looks at more).
                neighbours = (
                    select(T.suggestion_id)
                    .where(T.content.op("%")(case.content), T.suggestion_id != own.id,
                           T.content_hash != own.content_hash)
                    .limit(TRGM_CANDIDATES * (1 if only_unit is None else 10))
                )  # fmt: skip
                # Their ids first: as a subquery the planner joined it against every
                # suggestion (a scan of the table) rather than looking the few up by id.
                ids = list(s.scalars(neighbours).all())
                near = select(S).where(S.id.in_(ids), *scope).limit(TRGM_CANDIDATES)
            else:
                near = select(S).where(S.campaign_code == case.campaign, *scope)
                near = near.order_by(S.created_at.desc(), S.id.desc()).limit(RECENT_CANDIDATES)
            rows = {r.ticket: r for r in s.scalars(near).all()}
            ranked = sim.most_similar(case.content, ((t, r.content) for t, r in rows.items()),
                                      limit - len(found))  # fmt: skip
            found += [Similar(to_case(rows[t]), score, False) for t, score in ranked]
            return found
