"""Admiralty grading (STANAG 2511): source reliability A-F and information credibility 1-6."""

from __future__ import annotations

import re
from dataclasses import dataclass

from peacewatch.domain.errors import GradeError, quoted

__all__ = ["CREDIBILITY", "RELIABILITY", "Grade"]

RELIABILITY: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}

_GRADE_RE = re.compile(r"^([A-F])([1-6])$")


@dataclass(frozen=True, slots=True, order=True)
class Grade:
    """A source-reliability / information-credibility grade such as B2 (A1 sorts first)."""

    reliability: str
    credibility: int

    def __post_init__(self) -> None:
        reliability = (
            self.reliability.strip().upper() if isinstance(self.reliability, str) else None
        )
        if reliability not in RELIABILITY:
            raise GradeError(
                f"reliability {quoted(self.reliability)} is not one of A-F", field="reliability"
            )
        object.__setattr__(self, "reliability", reliability)
        if (
            isinstance(self.credibility, bool)
            or not isinstance(self.credibility, int)
            or self.credibility not in CREDIBILITY
        ):
            raise GradeError(
                f"credibility {quoted(self.credibility)} is not one of 1-6", field="credibility"
            )

    @classmethod
    def parse(cls, text: str) -> Grade:
        """Read a grade such as 'B2', 'b2' or ' B 2 '."""
        if not isinstance(text, str):
            raise GradeError(f"grade must be text, got {type(text).__name__}", field="grade")
        match = _GRADE_RE.match("".join(text.split()).upper())
        if match is None:
            raise GradeError(
                f"grade {quoted(text.strip())} is not a reliability letter A-F followed by "
                "a credibility digit 1-6, e.g. B2",
                field="grade",
            )
        return cls(match.group(1), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def description(self) -> str:
        """Both parts in words, e.g. 'usually reliable, probably true'."""
        return f"{RELIABILITY[self.reliability]}, {CREDIBILITY[self.credibility]}"
