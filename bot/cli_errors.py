"""The CLI's one error layer: known failures become one line naming the setting or path and
what to do (exit 2), whichever `python -m bot` command met them.

`bot/cli.py` main() sends every exception through :func:`explain`; a command therefore never
needs its own try/except for a bad DATABASE_URL, an unreachable PostgreSQL or Redis, a missing
folder. Only exceptions nobody recognises keep their traceback: those are bugs, and the
traceback is what an engineer needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.store.db import SchemaNotReady
from config.settings import Settings, SettingsError, hide_password


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(text: str) -> str:
    for line in str(text).splitlines():
        line = line.strip()
        if line:  # the host and port are named beside it already
            line = re.sub(r"^connection to server at [^:]*failed:\s*", "", line)
            return re.sub(r"^FATAL:\s*", "", line)
    return ""


def _where(url: str) -> str:
    """host:port/db of a URL, or the SQLite path: what the operator recognises."""
    if url.startswith("sqlite"):
        return url.split(":///", 1)[-1] or "(in memory)"
    return hide_password(url).split("://", 1)[-1].split("@")[-1]


def _database(exc: BaseException, url: str) -> str | None:
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    detail = _first_line(str(exc.orig) if exc.orig is not None else str(exc))
    low = detail.lower()
    where = _where(url)
    if "no such table" in low or ("relation" in low and "does not exist" in low):
        return (
            f"the database at {where} has no tables yet ({detail}): "
            "run `python -m bot db upgrade` first"
        )
    if "unable to open database file" in low:
        return (
            f"DATABASE_URL: cannot open the SQLite file {where}: check that its folder exists "
            "and is writable"
        )
    if "password authentication failed" in low or ("role" in low and "does not exist" in low):
        return (
            f"DATABASE_URL: PostgreSQL at {where} refused the login ({detail}): "
            "fix the user or password in DATABASE_URL"
        )
    if "database" in low and "does not exist" in low:
        name = url.rsplit("/", 1)[-1].split("?")[0]
        return (
            f"DATABASE_URL: {detail}: create it (createdb {name}) "
            "or fix the database name in DATABASE_URL"
        )
    if "could not translate host name" in low or "name or service not known" in low:
        return f"DATABASE_URL: unknown host in {where}: fix the host name in DATABASE_URL"
    if "connection refused" in low or "could not connect" in low or "timeout" in low:
        return (
            f"DATABASE_URL: cannot connect to PostgreSQL at {where} ({detail}): "
            "start the server or fix the host and port in DATABASE_URL"
        )
    return f"DATABASE_URL: database error at {where}: {detail}"


def _redis(exc: BaseException, url: str) -> str | None:
    import redis

    where = hide_password(url)
    if isinstance(exc, redis.AuthenticationError):
        return (
            f"REDIS_URL: Redis at {where} refused the password ({exc}): "
            "fix the password in REDIS_URL"
        )
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return (
            f"REDIS_URL: cannot reach Redis at {where} ({_first_line(str(exc))}): start Redis, "
            "fix REDIS_URL, or unset it for the embedded store (single process only)"
        )
    if isinstance(exc, redis.ResponseError) and "DB index" in str(exc):
        return f"REDIS_URL: {exc} at {where}: use a database number Redis has (usually 0-15)"
    return None


def _alembic(exc: BaseException, url: str) -> str | None:
    from alembic.util.exc import CommandError

    if not isinstance(exc, CommandError):
        return None
    detail = _first_line(str(exc))
    if "Can't locate revision" in detail:
        return (
            f"DATABASE_URL: the database at {_where(url)} was migrated by a newer version of "
            f"the assistant ({detail}): run that version, or point DATABASE_URL elsewhere"
        )
    return f"DATABASE_URL: migrating the database at {_where(url)} failed: {detail}"


def _path(exc: BaseException) -> str | None:
    if not isinstance(exc, OSError) or not exc.filename:
        return None
    what = {
        FileNotFoundError: "does not exist",
        IsADirectoryError: "is a folder, not a file",
        NotADirectoryError: "is not inside a folder",
        PermissionError: "may not be written or read (permissions)",
    }.get(type(exc), exc.strerror or "cannot be used")
    return f"{exc.filename}: {what}"


def explain(exc: BaseException, settings: Settings | None) -> str | None:
    """One line for a failure the user can fix, or None for one we do not recognise."""
    db_url = settings.effective_database_url if settings else ""
    redis_url = settings.redis_url if settings else ""
    for item in _chain(exc):
        if isinstance(item, CliError | SettingsError | SchemaNotReady):
            return " ".join(str(item).split())
        for found in (_database(item, db_url), _redis(item, redis_url), _alembic(item, db_url)):
            if found:
                return found
    for item in _chain(exc):
        found = _path(item)
        if found:
            return found
    return None
