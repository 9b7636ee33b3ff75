"""Builds the console into an app: settings, session cookies, CSRF, sign-in, the blueprint
(bot/console/__init__.py says why each setting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager

from bot.console.blueprint import csrf
from bot.store.console_repo import SqlAccountStore, SqlAuditStore
from bot.store.stats_repo import SqlStatsStore
from bot.store.throttle import RedisThrottle
from bot.store.workflow_repo import SqlOutbox, SqlWorkflowStore
from config.settings import instance_secret

if TYPE_CHECKING:  # not imported at run time: it pulls in the whole bot
    from bot.app_state import AppState

IDLE = timedelta(minutes=30)


@dataclass
class Console:
    """What the console's pages use, built once per app from the process's state."""

    state: AppState
    workflow: SqlWorkflowStore
    accounts: SqlAccountStore
    audit: SqlAuditStore
    outbox: SqlOutbox
    throttle: RedisThrottle
    stats: SqlStatsStore  # statistics and the timeline (bot/console/stats_views.py)


class _SessionInterface(SecureCookieSessionInterface):
    """Secure cookies whenever the browser reached us over HTTPS, even through a proxy."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Only the console has sessions: the webhook's hot path neither reads nor signs one.
        if not request.path.startswith("/console"):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
        return bool(super().get_cookie_secure(app) or request.is_secure or forwarded == "https")


def init_console(app: Flask, state: AppState) -> None:
    settings = state.settings
    app.secret_key = settings.secret_key or instance_secret("console.key")
    app.config.update(
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=IDLE,
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the console's blueprint only
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout bounds the token's life
    )
    app.session_interface = _SessionInterface()
    app.extensions["console"] = Console(
        state=state,
        workflow=SqlWorkflowStore(state.db),
        accounts=SqlAccountStore(state.db),
        audit=SqlAuditStore(state.db),
        outbox=SqlOutbox(state.db),
        throttle=RedisThrottle(state.kv, settings.redis_prefix),
        stats=SqlStatsStore(state.db),
    )
    csrf.init_app(app)
    login = LoginManager()
    login.login_view = "console.login"
    login.login_message = None  # type: ignore[assignment]
    login.session_protection = "strong"
    login.init_app(app)

    # each adds its routes to bp
    import bot.console.downloads  # noqa: F401 - GET /console/export.xlsx
    from bot.console import admin, auth, bulk, photos, views, workflow_pages  # noqa: F401
    from bot.console import stats_views as _stats  # noqa: F401 - statistics, timeline

    login.user_loader(auth.load_user)
    app.register_blueprint(views.bp)
