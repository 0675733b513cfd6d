"""Domain error types: each carries a stable code, the offending field and a safe message."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "DTGError",
    "DomainError",
    "GeometryError",
    "GradeError",
    "GridError",
    "LabelError",
    "SIDCError",
    "quoted",
]


class DomainError(ValueError):
    """A value broke a domain rule; the message is safe to show to users."""

    code: ClassVar[str] = "invalid"
    # Domain errors are always bad input; the API layer maps this to its response.
    status: ClassVar[int] = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


class LabelError(DomainError):
    """A confidentiality label, classification or release code is not valid."""

    code: ClassVar[str] = "invalid_label"


class GradeError(DomainError):
    """An Admiralty (STANAG 2511) grade is not valid."""

    code: ClassVar[str] = "invalid_grade"


class SIDCError(DomainError):
    """A symbol identification code (MIL-STD-2525 / APP-6) is not valid."""

    code: ClassVar[str] = "invalid_sidc"


class DTGError(DomainError):
    """A military date-time group is not valid."""

    code: ClassVar[str] = "invalid_dtg"


class GridError(DomainError):
    """An MGRS grid reference is not valid or a position has no MGRS reference."""

    code: ClassVar[str] = "invalid_grid"


class GeometryError(DomainError):
    """A coordinate or geometry is not valid."""

    code: ClassVar[str] = "invalid_geometry"


def quoted(value: object, *, limit: int = 40) -> str:
    """Quote a user-supplied value for an error message, shortened so messages stay bounded."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
