"""STANAG 4774 confidentiality labels: classification, releasability and who may see what."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from peacewatch.domain.errors import LabelError, quoted

__all__ = [
    "RELEASE_CODE_PATTERN",
    "Classification",
    "Label",
    "Viewer",
    "can_see",
    "can_write",
    "most_restrictive",
    "validate_release_code",
]


class Classification(IntEnum):
    """NATO classification levels, ordered from least to most restrictive."""

    NATO_UNCLASSIFIED = 0
    NATO_RESTRICTED = 1
    NATO_CONFIDENTIAL = 2
    NATO_SECRET = 3

    @property
    def marking(self) -> str:
        """The marking as printed on a document, e.g. 'NATO SECRET'."""
        return self.name.replace("_", " ")

    @property
    def abbrev(self) -> str:
        """The short form, e.g. 'NS'."""
        return _ABBREVIATIONS[self]

    @classmethod
    def parse(cls, text: str) -> Classification:
        """Read a marking ('NATO SECRET'), abbreviation ('NS') or enum name ('NATO_SECRET')."""
        if not isinstance(text, str):
            raise LabelError(
                f"classification must be text, got {type(text).__name__}", field="classification"
            )
        key = " ".join(text.replace("_", " ").split()).upper()
        found = _CLASSIFICATION_LOOKUP.get(key)
        if found is None:
            raise LabelError(
                f"unknown classification {quoted(text.strip())}; expected one of "
                f"{', '.join(c.marking for c in cls)} (or {', '.join(c.abbrev for c in cls)})",
                field="classification",
            )
        return found


_ABBREVIATIONS: dict[Classification, str] = {
    Classification.NATO_UNCLASSIFIED: "NU",
    Classification.NATO_RESTRICTED: "NR",
    Classification.NATO_CONFIDENTIAL: "NC",
    Classification.NATO_SECRET: "NS",
}
_CLASSIFICATION_LOOKUP: dict[str, Classification] = {
    **{c.marking: c for c in Classification},
    **{c.abbrev: c for c in Classification},
}

# Nation trigraphs (ISO 3166-1 alpha-3: GBR, FRA, USA) and community names (NATO, KFOR, EU, UN).
# The second character must be a letter too, so a typo such as 'K4' is refused rather than
# silently becoming a community nobody belongs to.
RELEASE_CODE_PATTERN = r"^[A-Z]{2}[A-Z0-9_]{0,14}$"
_RELEASE_CODE_RE = re.compile(RELEASE_CODE_PATTERN)
_NATION_RE = re.compile(r"^[A-Z]{3}$")
# Words of the marking grammar; as codes they would make a marking ambiguous to read back.
_MARKING_WORDS = frozenset({"REL", "TO", "NOT", "RELEASABLE"})
_REL_TO_RE = re.compile(r"\bREL\s+TO\b", re.IGNORECASE)
_NOT_RELEASABLE_RE = re.compile(r"\s+NOT\s+RELEASABLE$", re.IGNORECASE)
_CODE_SEPARATOR_RE = re.compile(r"[,\s]+")
_POLICY_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


def validate_release_code(code: str) -> str:
    """Return a release code (nation trigraph or community name) in canonical upper case."""
    if not isinstance(code, str):
        raise LabelError(
            f"release code must be text, got {type(code).__name__}", field="releasable_to"
        )
    normalised = code.strip().upper()
    if normalised in _MARKING_WORDS:
        raise LabelError(
            f"release code {quoted(code)} is a word of the marking, not a nation or community",
            field="releasable_to",
        )
    if not _RELEASE_CODE_RE.match(normalised):
        raise LabelError(
            f"release code {quoted(code)} is not a nation trigraph or community name "
            "(expected 2-16 letters, digits or '_' starting with two letters, "
            "e.g. GBR, NATO, KFOR)",
            field="releasable_to",
        )
    return normalised


def _split_codes(text: str) -> list[str]:
    return [part for part in _CODE_SEPARATOR_RE.split(text) if part]


def _codes_from(releasable_to: object, *, field: str) -> frozenset[str]:
    if isinstance(releasable_to, str):
        raise LabelError(
            "releasable_to must be a collection of release codes, not one string "
            "(use Label.from_parts to read 'KFOR, NATO')",
            field=field,
        )
    if not isinstance(releasable_to, Iterable):
        raise LabelError(
            f"releasable_to must be a collection of release codes, "
            f"got {type(releasable_to).__name__}",
            field=field,
        )
    codes: set[str] = set()
    for code in releasable_to:
        try:
            codes.add(validate_release_code(code))
        except LabelError as exc:
            raise LabelError(exc.message, field=field) from None
    return frozenset(codes)


def _coerce_classification(value: object, *, field: str) -> Classification:
    if isinstance(value, Classification):
        return value
    if isinstance(value, str):
        try:
            return Classification.parse(value)
        except LabelError as exc:
            raise LabelError(exc.message, field=field) from None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return Classification(value)
        except ValueError:
            pass
    raise LabelError(
        f"classification {quoted(value)} is not one of "
        f"{', '.join(c.marking for c in Classification)}",
        field=field,
    )


@dataclass(frozen=True, slots=True)
class Label:
    """A confidentiality label: classification plus the nations/communities it is releasable to."""

    classification: Classification
    releasable_to: frozenset[str]
    policy: str = "NATO"

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise through object.__setattr__ so equal labels compare equal.
        object.__setattr__(
            self,
            "classification",
            _coerce_classification(self.classification, field="classification"),
        )
        object.__setattr__(
            self, "releasable_to", _codes_from(self.releasable_to, field="releasable_to")
        )
        policy = self.policy.strip().upper() if isinstance(self.policy, str) else self.policy
        if not isinstance(policy, str) or not _POLICY_RE.match(policy):
            raise LabelError(
                f"policy {quoted(self.policy)} is not a policy identifier such as 'NATO'",
                field="policy",
            )
        object.__setattr__(self, "policy", policy)

    @property
    def marking(self) -> str:
        """Canonical marking, e.g. 'NATO RESTRICTED REL TO KFOR, NATO'."""
        if not self.releasable_to:
            return f"{self.classification.marking} NOT RELEASABLE"
        return f"{self.classification.marking} REL TO {', '.join(sorted(self.releasable_to))}"

    @property
    def releasable_key(self) -> str:
        """Release codes sorted and joined with ',' (stable key for storage and indexing)."""
        return ",".join(sorted(self.releasable_to))

    def __str__(self) -> str:
        return self.marking

    @classmethod
    def parse(cls, text: str) -> Label:
        """Read a marking '<classification> [REL TO A, B]'; without REL TO it is NATO-only."""
        if not isinstance(text, str):
            raise LabelError(f"label must be text, got {type(text).__name__}", field="label")
        clean = " ".join(text.split())
        if not clean:
            raise LabelError(
                "label is empty; expected '<classification> [REL TO <codes>]', "
                "e.g. 'NATO RESTRICTED REL TO KFOR, NATO'",
                field="label",
            )
        rel_to = _REL_TO_RE.search(clean)
        codes: list[str]
        if rel_to is not None:
            classification_text = clean[: rel_to.start()]
            codes = _split_codes(clean[rel_to.end() :])
            if not codes:
                raise LabelError(
                    "'REL TO' must be followed by at least one release code, "
                    "e.g. 'REL TO KFOR, NATO'",
                    field="label",
                )
        elif (not_releasable := _NOT_RELEASABLE_RE.search(clean)) is not None:
            classification_text = clean[: not_releasable.start()]
            codes = []
        else:
            classification_text = clean
            codes = ["NATO"]
        try:
            classification = Classification.parse(classification_text)
            releasable = frozenset(validate_release_code(code) for code in codes)
        except LabelError as exc:
            raise LabelError(exc.message, field="label") from None
        return cls(classification, releasable)

    @classmethod
    def from_parts(
        cls, classification: str | Classification, releasable_to: Iterable[str] | str
    ) -> Label:
        """Build a label from a classification and release codes (a list or 'KFOR, NATO')."""
        level = _coerce_classification(classification, field="classification")
        codes = _split_codes(releasable_to) if isinstance(releasable_to, str) else releasable_to
        return cls(level, _codes_from(codes, field="releasable_to"))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form with the classification marking and sorted release codes."""
        return {
            "classification": self.classification.marking,
            "releasable_to": sorted(self.releasable_to),
            "policy": self.policy,
            "marking": self.marking,
        }


def most_restrictive(labels: Iterable[Label]) -> Label:
    """Label for a record derived from others: highest classification, shared releasability."""
    items = list(labels)
    if not items:
        raise LabelError("cannot derive a label from no labels", field="labels")
    policies = sorted({label.policy for label in items})
    if len(policies) > 1:
        raise LabelError(
            f"labels under different policies ({', '.join(policies)}) cannot be combined",
            field="labels",
        )
    classification = max(label.classification for label in items)
    releasable = frozenset.intersection(*(label.releasable_to for label in items))
    return Label(classification, releasable, policies[0])


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person reading or writing records: nation, clearance and community memberships."""

    name: str
    nation: str
    clearance: Classification
    communities: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise LabelError("viewer name must be non-empty text", field="name")
        nation = self.nation.strip().upper() if isinstance(self.nation, str) else ""
        if not _NATION_RE.match(nation) or nation in _MARKING_WORDS:
            raise LabelError(
                f"nation {quoted(self.nation)} is not an ISO 3166-1 alpha-3 trigraph such as GBR",
                field="nation",
            )
        object.__setattr__(self, "nation", nation)
        object.__setattr__(
            self, "clearance", _coerce_classification(self.clearance, field="clearance")
        )
        object.__setattr__(self, "communities", _codes_from(self.communities, field="communities"))

    @property
    def codes(self) -> frozenset[str]:
        """Every release code this viewer answers to: their nation and their communities."""
        return frozenset({self.nation}) | self.communities


def can_see(viewer: Viewer, label: Label) -> bool:
    """True when the viewer is cleared for the level and is in one of the release codes."""
    return viewer.clearance >= label.classification and not label.releasable_to.isdisjoint(
        viewer.codes
    )


def can_write(viewer: Viewer, label: Label) -> bool:
    """True when the viewer may create a record under the label (and could still see it)."""
    return (
        label.classification <= viewer.clearance
        and bool(label.releasable_to)
        and can_see(viewer, label)
    )
