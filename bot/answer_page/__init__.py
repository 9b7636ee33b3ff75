"""The resident's answer page, `GET /a/<token>`: public (no sign-in), linked from the template
message sent outside the 48-hour window (services/answers.py). The token is the ticket signed
with BOT_SECRET_KEY (services/answer_links.py); a bad or tampered one is 404. The page shows the
ticket, status, outcome and answer and nothing else (no openid, no pseudonym, no other idea),
every value escaped by Jinja; it is sized for a phone and never cached, framed or indexed, and
it sends no Referer (the token must not leak to another site).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, render_template

from bot.store.db import Database
from bot.store.workflow_repo import SqlWorkflowStore
from config.settings import Settings
from domain import workflow as wf
from services import resident
from services.answer_links import AnswerLinks
from texts import chat as chat_texts

bp = Blueprint(
    "answer_page",
    __name__,
    url_prefix="/a",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
NOT_FOUND = chat_texts.ANSWER_PAGE_NOT_FOUND


def init_answer_page(app: Flask, settings: Settings, db: Database) -> None:
    """Register the page on `app`, signing with BOT_SECRET_KEY (or the instance's key)."""
    links = AnswerLinks(settings.effective_secret_key(), settings.public_url)
    app.extensions["answer_page"] = (links, SqlWorkflowStore(db))
    app.register_blueprint(bp)


@bp.get("/<token>")
def page(token: str) -> str:
    links, store = current_app.extensions["answer_page"]
    info = resident.answer_page(store, links, token)
    if info is None:
        abort(404, description=NOT_FOUND)
    may_rate = info.status in (wf.ANSWERED, wf.CLOSED) and not info.satisfaction
    return render_template("answer/page.html", info=info, may_rate=may_rate)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
