"""The console's blueprint: CSRF on every POST, security headers, error pages."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from texts import console as texts

log = logging.getLogger(__name__)
csrf = CSRFProtect()  # checked for this blueprint only (see _csrf)

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def console() -> Any:
    """The app's Console (bot.console.Console)."""
    return current_app.extensions["console"]


@bp.before_request
def _csrf() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # 400 without a valid token


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.path.startswith("/console/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("local")
def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(console().state.settings.tz).strftime("%Y-%m-%d %H:%M")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    message = texts.ERRORS.get(code, exc.name)
    return render_template("console/error.html", code=code, message=message), code


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> tuple[str, int]:
    log.exception("console error")
    return render_template("console/error.html", code=500, message=texts.ERRORS[500]), 500


@bp.context_processor
def _texts() -> dict[str, Any]:
    return {"texts": texts}
