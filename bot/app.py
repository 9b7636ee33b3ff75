"""The Flask app factory. Flask knows the HTTP paths; the work is in the state it is given."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from bot.app_state import AppState
from config.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, state: AppState | None = None) -> Flask:
    """An app serving /wechat and /healthz over `state` (built from `settings` if not given)."""
    if state is None:
        from bot.wiring import build_state

        state = build_state(settings or Settings.from_env())
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None  # the webhook checks sizes itself (413)
    app.extensions["bot"] = state

    from bot.webhook import bp as wechat_bp

    app.register_blueprint(wechat_bp)
    proxies = state.settings.trusted_proxies
    if proxies:  # behind Nginx: the client's address and scheme from the proxy's headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    from bot.webhook_wsgi import WebhookFastPath

    # GET/POST /wechat answered in front of Flask, without its per-request work.
    app.wsgi_app = WebhookFastPath(app.wsgi_app, state)  # type: ignore[method-assign]

    from bot.answer_page import init_answer_page
    from bot.console.setup import init_console  # the organisers' console at /console/

    init_console(app, state)
    init_answer_page(app, state.settings, state.db)  # the resident's page, /a/<token>

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        db_ok = state.db.ping()
        try:
            redis_ok = bool(state.kv.ping())
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            redis_ok = False
        scheduler = state.scheduler_status
        body = {
            "status": "ok" if db_ok and redis_ok else "degraded",
            "database": "ok" if db_ok else "unreachable",
            "redis": ("ok" if redis_ok else "unreachable")
            + ("" if state.settings.redis_url else " (embedded, single process)"),
            "scheduler": scheduler() if callable(scheduler) else scheduler,
            "rehearsal_date": state.settings.today.isoformat() if state.settings.today else None,
            "outbound": _outbound(state),
        }
        return jsonify(body), 200 if db_ok and redis_ok else 503

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return Response(exc.description or exc.name, status=exc.code, mimetype="text/plain")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Never a stack trace to WeChat: it would show the user "该公众号暂时无法提供服务".
        log.exception("unhandled error")
        return Response("success", status=200, mimetype="text/plain")

    return app


def _outbound(state: AppState) -> dict[str, object] | str:
    """The last outbound API result (time, ok or errcode). Informational: replies to WeChat do
    not depend on it, so it never turns the status to 503."""
    monitor = getattr(state.sender, "monitor", None)
    if monitor is None:
        return "not configured (WECHAT_APPID/SECRET unset): sends are recorded, not sent"
    return monitor.last() or "no call yet"
