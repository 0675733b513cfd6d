"""Passwords (argon2id) and the per-address login throttle."""

from __future__ import annotations

import pytest

from peacewatch.errors import TooManyRequests, ValidationFailed
from peacewatch.security.credentials import Throttle
from peacewatch.security.passwords import check_strength, hash_password, verify_password


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough password")
    assert not verify_password(stored, "a long enough passworD")
    assert not verify_password(None, "a long enough password")  # no account, no match
    assert not verify_password("not a hash", "a long enough password")


def test_weak_passwords_are_refused_with_the_field_named() -> None:
    for weak, name in (("short", "someone"), ("someone.else", "someone.else")):
        with pytest.raises(ValidationFailed) as err:
            check_strength(weak, username=name)
        assert err.value.problems[0].field == "password"


def test_throttle_counts_failures_per_address_in_a_window() -> None:
    throttle = Throttle(limit=2, window_s=60)
    throttle.failed("10.0.0.1")
    throttle.check("10.0.0.1")
    throttle.failed("10.0.0.1")
    with pytest.raises(TooManyRequests):
        throttle.check("10.0.0.1")
    throttle.check("10.0.0.2")  # another address is not affected
    expired = Throttle(limit=1, window_s=0)
    expired.failed("10.0.0.1")
    expired.check("10.0.0.1")  # the window has passed
