"""The signed link to a resident's answer page (`GET /a/<token>`, bot/answer_page.py).

The token is the ticket signed with BOT_SECRET_KEY (itsdangerous, salt "answer-page"): a
ticket alone is short and guessable, its signature is not, and a tampered token reads as
nothing (404). The page shows the ticket, status, outcome and answer only.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "answer-page"
PATH = "/a/"


class AnswerLinks:
    def __init__(self, secret: str, public_url: str = "") -> None:
        self._signer = URLSafeSerializer(secret, salt=SALT)
        self.public_url = public_url.rstrip("/")

    def token(self, ticket: str) -> str:
        return self._signer.dumps({"t": ticket})

    def ticket(self, token: str) -> str | None:
        """The ticket a token carries; None for a bad or tampered one."""
        if not token or len(token) > 200:
            return None
        try:
            value = self._signer.loads(token)
        except BadSignature:
            return None
        ticket = value.get("t") if isinstance(value, dict) else None
        return ticket if isinstance(ticket, str) and ticket else None

    def url(self, ticket: str) -> str | None:
        """The page's public address; None without BOT_PUBLIC_URL (no link is sent)."""
        if not self.public_url:
            return None
        return self.public_url + PATH + self.token(ticket)
