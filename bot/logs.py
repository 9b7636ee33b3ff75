"""Logging setup: one line per record, to stderr. Openids and secrets are never passed in."""

from __future__ import annotations

import logging
import os


def setup_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=(level or os.environ.get("BOT_LOG_LEVEL", "INFO")).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # urllib3 logs full URLs at DEBUG, and WeChat puts the access token in the query string.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
