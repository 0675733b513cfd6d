"""Error types shared by every layer: each knows its HTTP status, stable code and safe message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class FieldProblem:
    """One problem with one field of one record."""

    field: str
    message: str
    record: str | None = None

    def to_dict(self) -> dict[str, str]:
        """JSON form used in problem+json bodies and CLI summaries."""
        out = {"field": self.field, "message": self.message}
        if self.record is not None:
            out["record"] = self.record
        return out


@dataclass
class PeaceWatchError(Exception):
    """Base of errors that are safe to show to a user."""

    detail: str
    problems: list[FieldProblem] = field(default_factory=list)
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __str__(self) -> str:
        return self.detail


class ValidationFailed(PeaceWatchError):
    """Input did not pass validation; ``problems`` name each field at fault."""

    status = 422
    code = "validation_failed"
    title = "Invalid input"


class NotFound(PeaceWatchError):
    """The record does not exist or the viewer may not see it (the two are indistinguishable)."""

    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(PeaceWatchError):
    """The request conflicts with stored data."""

    status = 409
    code = "conflict"
    title = "Conflict"


class Forbidden(PeaceWatchError):
    """The viewer may not perform this action."""

    status = 403
    code = "forbidden"
    title = "Forbidden"


class TooLarge(PeaceWatchError):
    """The request is larger than this server accepts."""

    status = 413
    code = "too_large"
    title = "Request too large"


class Unauthenticated(PeaceWatchError):
    """No valid credentials: log in, or send a valid bearer token."""

    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class TooManyRequests(PeaceWatchError):
    """Too many attempts in a short time; try again later."""

    status = 429
    code = "too_many_requests"
    title = "Too many requests"
