"""Suggestion lifecycle rules: tickets, statuses, content checks. Pure, standard library only."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

# Statuses in the order a suggestion moves through them; review arrives with a later issue.
PENDING = "待审核"
ACCEPTED = "已采纳"
REPLIED = "已答复"
FILED = "已归档"
STATUSES = (PENDING, ACCEPTED, REPLIED, FILED)

# No 0/O, 1/I/L: a ticket read aloud over the phone or copied by hand stays unambiguous.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_LENGTH = 6
_TICKET_RE = re.compile(rf"^[{TICKET_ALPHABET}]{{{TICKET_LENGTH}}}$")


_TICKETS = len(TICKET_ALPHABET) ** TICKET_LENGTH


def new_ticket() -> str:
    """A short random ticket (31^6 ≈ 8.9e8 values; the database keeps it unique): one uniform
    draw from the OS's generator, written in the alphabet's base (one draw, not one per
    character: each costs a system call)."""
    n = secrets.randbelow(_TICKETS)
    chars = []
    for _ in range(TICKET_LENGTH):
        n, digit = divmod(n, len(TICKET_ALPHABET))
        chars.append(TICKET_ALPHABET[digit])
    return "".join(chars)


def normalize_ticket(text: str) -> str | None:
    """The ticket a user typed ("jy 7k3q9a" → None, " k3q9a7 " → "K3Q9A7"), or None."""
    candidate = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    return candidate if _TICKET_RE.match(candidate) else None


def clean_content(text: str) -> str:
    """Content as stored: the user's own characters, trimmed, runs of blank lines collapsed."""
    text = text.replace("\r\n", "\n").strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def content_length(text: str, enough: int | None = None) -> int:
    """Characters that carry meaning (no whitespace or punctuation) — what 'too short' counts.
    With `enough`, counting stops there (a 5000-character essay is not counted to the end
    just to learn it is longer than 5)."""
    count = 0
    for ch in text:
        if not ch.isspace() and unicodedata.category(ch)[0] != "P":
            count += 1
            if count == enough:
                break
    return count


# str.isalnum() characters: re's \w is exactly those plus "_" (see the re docs).
_NOT_ALNUM = re.compile(r"[\W_]+")


def fingerprint(text: str) -> str:
    """A hash of the content ignoring whitespace and punctuation, to spot the same text twice."""
    folded = unicodedata.normalize("NFKC", clean_content(text))
    core = _NOT_ALNUM.sub("", folded).lower()
    return hashlib.sha256(core.encode("utf-8")).hexdigest()
