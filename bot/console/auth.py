"""Sign-in and sign-out. The rules (throttle, audit, password check) are in services.accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from bot.console.blueprint import bp, console
from domain import workflow as wf
from services import accounts
from services.ports import Account, AuditEntry
from texts import console as texts


class ConsoleUser(UserMixin):
    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)

    @property
    def actor(self) -> wf.Actor:
        return accounts.actor_of(self.account)


def load_user(user_id: str) -> ConsoleUser | None:
    """Every request re-reads the account: a disabled one is signed out at once."""
    try:
        account = console().accounts.by_id(int(user_id))
    except ValueError:
        return None
    return ConsoleUser(account) if account and not account.disabled else None


def _address() -> str:
    return request.remote_addr or "-"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("console.inbox"))
        return render_template("console/login.html", error="")
    c = console()
    result = accounts.sign_in(
        c.accounts,
        c.audit,
        c.throttle,
        request.form.get("login", ""),
        request.form.get("password", ""),
        _address(),
        datetime.now(UTC),
    )
    if result.result == accounts.THROTTLED:
        return render_template("console/login.html", error=texts.SIGNIN_THROTTLED), 429
    if result.account is None:
        return render_template("console/login.html", error=texts.SIGNIN_FAILED), 200
    session.clear()  # nothing from before the sign-in carries over
    session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME)
    login_user(ConsoleUser(result.account))
    return redirect(url_for("console.inbox"))


@bp.post("/logout")
@login_required
def logout() -> Response:
    who = current_user.account.login
    c = console()
    c.audit.record(AuditEntry(datetime.now(UTC), who, "signout", f"address:{_address()}"))
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


def current_actor() -> wf.Actor:
    if not current_user.is_authenticated:
        abort(401)
    return current_user.actor  # type: ignore[no-any-return]
