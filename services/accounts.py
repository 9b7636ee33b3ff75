"""Use cases on console accounts: add, list, disable, sign in (throttled and audited).

Sign-in throttling: 5 failures for one login, or 20 from one address, within 15 minutes
block further attempts for that login or address until the window passes (the console
answers 429). A success clears the login's count. Failed sign-ins are audited; throttled
attempts are not (a flood would fill the log), they are refused before any password check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain import workflow as wf
from services.passwords import DUMMY_HASH, hash_password, verify_password
from services.ports import Account, AccountStore, AuditEntry, AuditStore, Throttle
from texts import workflow as T

LOGIN_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 200
LOGIN_FAILURES = 5
ADDRESS_FAILURES = 20

OK = "ok"
BAD = "bad"
THROTTLED = "throttled"


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why (in English for
    the command line; `zh` for the console's pages)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def add_account(
    store: AccountStore, by: str, login: str, role: str, unit: str, password: str, now: datetime
) -> Account:
    unit = unit.strip()
    if not LOGIN_RE.match(login):
        raise AccountError(
            "login must be 2-64 letters, digits, '.', '_' or '-'",
            T.ACCOUNT_LOGIN_RULE,
        )
    if role not in wf.ROLES:
        raise AccountError(f"role must be one of {', '.join(wf.ROLES)}", T.ACCOUNT_ROLE_REQUIRED)
    if role == wf.UNIT and not unit:
        raise AccountError("a unit account needs --unit NAME", T.ACCOUNT_UNIT_REQUIRED)
    if role != wf.UNIT and unit:
        raise AccountError("--unit is only for unit accounts", T.ACCOUNT_UNIT_ONLY)
    if len(unit) > wf.MAX_UNIT:
        raise AccountError("unit name too long", T.UNIT_NAME_TOO_LONG)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters",
            T.ACCOUNT_PASSWORD_LENGTH.format(least=MIN_PASSWORD, most=MAX_PASSWORD),
        )
    after = f"{role}" + (f" · {unit}" if unit else "")
    entry = AuditEntry(now, by, "account_add", f"account:{login}", "", after)
    account = store.add(login, role, unit, hash_password(password), now, entry)
    if account is None:
        raise AccountError(f"login {login!r} already exists", T.ACCOUNT_EXISTS.format(login=login))
    return account


def set_disabled(store: AccountStore, by: str, login: str, disabled: bool, now: datetime) -> None:
    if disabled and by == login:
        raise AccountError("you cannot disable your own account", T.ACCOUNT_NOT_SELF)
    before, after = ("active", "disabled") if disabled else ("disabled", "active")
    action = "account_disable" if disabled else "account_enable"
    entry = AuditEntry(now, by, action, f"account:{login}", before, after)
    if not store.set_disabled(login, disabled, entry):
        raise AccountError(f"no account {login!r}", T.ACCOUNT_MISSING.format(login=login))


def actor_of(account: Account) -> wf.Actor:
    return wf.Actor(account.login, account.role, account.unit)


@dataclass(frozen=True)
class SignIn:
    result: str  # OK | BAD | THROTTLED
    account: Account | None = None


def sign_in(
    accounts: AccountStore,
    audit: AuditStore,
    throttle: Throttle,
    login: str,
    password: str,
    address: str,
    now: datetime,
) -> SignIn:
    login = login.strip()[:64]
    login_key, address_key = f"login:{login.lower()}", f"addr:{address}"
    if (
        throttle.count(login_key) >= LOGIN_FAILURES
        or throttle.count(address_key) >= ADDRESS_FAILURES
    ):
        return SignIn(THROTTLED)
    account = accounts.get(login) if LOGIN_RE.match(login) else None
    valid = verify_password(
        password[:MAX_PASSWORD], account.password_hash if account else DUMMY_HASH
    )
    if account is None or not valid or account.disabled:
        throttle.fail(login_key)
        throttle.fail(address_key)
        why = "disabled" if account and valid else "wrong login or password"
        audit.record(AuditEntry(now, login or "-", "signin_failed", f"address:{address}", "", why))
        return SignIn(BAD)
    throttle.clear(login_key)
    audit.record(AuditEntry(now, account.login, "signin", f"address:{address}", "", account.role))
    return SignIn(OK, account)
