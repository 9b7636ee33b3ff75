"""Pseudonyms: a stable keyed hash of an openid, used in exports and logs instead of the id."""

from __future__ import annotations

import hashlib
import hmac

KNOWN_MAX = 50_000  # pseudonyms kept per process (~8 MB at most)


class Pseudonymizer:
    """`of(openid)` gives the same short pseudonym for the same openid and key, always."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonym key is required")
        self._key = key.encode("utf-8")
        # Every submission and most log lines ask for one; the same residents write again.
        self._known: dict[str, str] = {}

    def of(self, openid: str) -> str:
        known = self._known.get(openid)
        if known is None:
            digest = hmac.new(self._key, openid.encode("utf-8"), hashlib.sha256).hexdigest()
            known = "u_" + digest[:16]
            if len(self._known) >= KNOWN_MAX:
                self._known.clear()  # bounded; refilled by whoever writes next
            self._known[openid] = known
        return known

    __call__ = of
