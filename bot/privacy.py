"""Pseudonyms: a stable keyed hash of an openid, used in exports and logs instead of the id."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    """`of(openid)` gives the same short pseudonym for the same openid and key, always."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonym key is required")
        self._key = key.encode("utf-8")

    def of(self, openid: str) -> str:
        digest = hmac.new(self._key, openid.encode("utf-8"), hashlib.sha256).hexdigest()
        return "u_" + digest[:16]

    __call__ = of
