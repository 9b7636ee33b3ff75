"""Logging setup: one line per record, to stderr. Openids and secrets are never passed in."""

from __future__ import annotations

import logging
import re

from config.settings import log_level

_OPENID_IN_QUERY = re.compile(r"(openid=)[^&\s\"]+")


class RedactOpenid(logging.Filter):
    """WeChat appends `openid=` to the callback URL; access logs must not carry it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _OPENID_IN_QUERY.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        record.msg = _OPENID_IN_QUERY.sub(r"\1***", str(record.msg))
        return True


def setup_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=(level or log_level()).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # urllib3 logs full URLs at DEBUG, and WeChat puts the access token in the query string.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin otherwise
    for name in ("werkzeug", "gunicorn.access"):
        logging.getLogger(name).addFilter(RedactOpenid())
