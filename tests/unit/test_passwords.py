"""Password hashes: scrypt, salted, verified in constant time, garbage refused."""

from __future__ import annotations

import pytest

from services.passwords import hash_password, verify_password


def test_hash_is_salted_scrypt_and_verifies():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$32768$8$1$") and first != second
    assert "correct horse" not in first
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct hors", first)
    assert not verify_password("", first)


@pytest.mark.parametrize(
    "stored", ["", "plain", "md5$1$2$3$4$5", "scrypt$x$8$1$AAAA$AAAA", "scrypt$$$$$"]
)
def test_a_damaged_hash_never_matches(stored):  # type: ignore[no-untyped-def]
    assert verify_password("anything", stored) is False
