"""Database engine and sessions. Created on demand by the wiring, never at import time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.store.hot_sql import HotConnections

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def normalize_url(url: str) -> str:
    """`postgresql://…` and `postgres://…` mean the psycopg2 driver we ship (SQLAlchemy 2.1
    would otherwise pick psycopg 3, which is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(
    url: str,
    autocommit: bool = False,
    statement_timeout: float | None = None,
    connect_timeout: int = 10,
) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys. `autocommit`:
    every statement commits by itself and a returned connection needs no reset (no
    ROLLBACK round trip on check-in). PostgreSQL: `statement_timeout` (seconds) cancels any
    statement that runs longer, set once per connection (no round trip per statement), and
    `connect_timeout` bounds a new connection; a host that stops answering mid-statement is
    given up after the same time (tcp_user_timeout)."""
    extra: dict[str, object] = (
        {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}
    )
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 15, "check_same_thread": False},
            hide_parameters=True,  # error messages would otherwise carry openids
            **extra,  # type: ignore[arg-type]
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # No pool_pre_ping: it costs a round trip on every checkout. A connection the server
    # dropped fails one request (answered politely, its dedup claim released so WeChat's retry
    # succeeds) and SQLAlchemy then replaces the whole pool; pool_recycle retires idle ones.
    # A server that does not answer fails the start in seconds, not after TCP's minutes.
    return create_engine(
        url,
        connect_args=pg_connect_args(statement_timeout, connect_timeout),
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        hide_parameters=True,
        **extra,  # type: ignore[arg-type]
    )


def pg_connect_args(statement_timeout: float | None, connect_timeout: int) -> dict[str, object]:
    """psycopg2's connect() arguments that bound every round trip (see make_engine)."""
    args: dict[str, object] = {"connect_timeout": max(2, int(connect_timeout))}
    if statement_timeout:
        ms = int(statement_timeout * 1000)
        args |= {"options": f"-c statement_timeout={ms}", "tcp_user_timeout": ms}
    return args


class SchemaNotReady(RuntimeError):
    """The database has no tables, or an older schema than this code: `db upgrade` first."""


class Database:
    """An engine and its session factory. `statement_timeout` and `connect_timeout` (seconds,
    PostgreSQL only) bound every round trip; `io_bound` says how long one may take."""

    def __init__(
        self, url: str, statement_timeout: float | None = None, connect_timeout: int = 10
    ) -> None:
        self.url = url = normalize_url(url)
        self.statement_timeout, self.connect_timeout = statement_timeout, connect_timeout
        self.engine = make_engine(url, False, statement_timeout, connect_timeout)
        self._autocommit_engine: Engine | None = None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._hot: HotConnections | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection where each statement commits by itself: one round trip per statement,
        for the hot path's single reads and single writes (no BEGIN/COMMIT around them)."""
        if self._autocommit_engine is None:
            self._autocommit_engine = make_engine(
                self.url, True, self.statement_timeout, self.connect_timeout
            )
        with self._autocommit_engine.connect() as conn:
            yield conn

    @property
    def hot(self) -> HotConnections:
        """PostgreSQL only: the hot path's held connections (bot/store/hot_sql.py), with the
        engine's connection parameters and bounds."""
        if self._hot is None:
            import psycopg2

            cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
            cparams = {**cparams, **pg_connect_args(self.statement_timeout, self.connect_timeout)}
            self._hot = HotConnections(lambda: psycopg2.connect(*cargs, **cparams))
        return self._hot

    def upgrade(self) -> None:
        """Apply the Alembic migrations up to head."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":  # a migration may rewrite a big table
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @property
    def io_bound(self) -> float:
        """The longest one statement can take, connecting included (seconds): the statement
        timeout plus the connect timeout on PostgreSQL; unbounded without a statement timeout,
        and on SQLite (a writer waits for the file lock; no server cancels it)."""
        if not self.statement_timeout or self.engine.dialect.name != "postgresql":
            return math.inf
        return self.statement_timeout + max(2, self.connect_timeout)

    def ping(self) -> bool:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def migration_status(self) -> tuple[str | None, str | None]:
        """(the database's Alembic revision or None, the code's head revision)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision(), head

    def require_schema(self) -> None:
        """Raise SchemaNotReady when the tables are missing or older than the code (a process
        that does not migrate would otherwise start and fail on every query). A revision this
        code does not know is newer: allowed, so that old workers keep running during an
        upgrade."""
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError

        current, head = self.migration_status()
        if current == head:
            return
        where = self.url.split("@")[-1]
        if current is None:
            raise SchemaNotReady(
                f"the database at {where} has no tables yet: run `python -m bot db upgrade`"
            )
        try:
            ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(current)
        except CommandError:
            return
        raise SchemaNotReady(
            f"the database at {where} is at migration {current}, this code needs {head}: "
            "run `python -m bot db upgrade`"
        )

    def dispose(self) -> None:
        if self._hot is not None:
            self._hot.close()
        self.engine.dispose()
        if self._autocommit_engine is not None:
            self._autocommit_engine.dispose()


def insert_ignoring_conflicts(dialect: str, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for `dialect` ("postgresql" or "sqlite")."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).on_conflict_do_nothing()
