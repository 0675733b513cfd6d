"""Password hashing with argon2id (argon2-cffi) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from peacewatch.errors import FieldProblem, ValidationFailed

MIN_LENGTH = 12
_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# Verified against when the user does not exist, so a wrong name costs as long as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY = _HASHER.hash("not a password of anyone")


def check_strength(password: str, *, username: str = "") -> None:
    """Refuse passwords that are short or are the user name."""
    problems = []
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        problems.append(FieldProblem("password", f"must be at least {MIN_LENGTH} characters"))
    elif username and password.lower() == username.lower():
        problems.append(FieldProblem("password", "must not be the user name"))
    if problems:
        raise ValidationFailed("the password is too weak", problems)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; a missing hash costs the same and fails."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
