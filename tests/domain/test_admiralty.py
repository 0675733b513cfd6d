"""Tests for Admiralty (STANAG 2511) grades."""

from __future__ import annotations

import itertools

import pytest

from peacewatch.domain.admiralty import CREDIBILITY, RELIABILITY, Grade
from peacewatch.domain.errors import GradeError

ALL_GRADES = [Grade(r, c) for r, c in itertools.product(RELIABILITY, CREDIBILITY)]


def test_there_are_36_grades() -> None:
    assert len(set(ALL_GRADES)) == 36


@pytest.mark.parametrize("grade", ALL_GRADES, ids=str)
def test_round_trip(grade: Grade) -> None:
    text = str(grade)
    assert len(text) == 2
    assert Grade.parse(text) == grade
    assert Grade.parse(f" {text[0].lower()} {text[1]} ") == grade
    assert (
        grade.description == f"{RELIABILITY[grade.reliability]}, {CREDIBILITY[grade.credibility]}"
    )


def test_example() -> None:
    grade = Grade.parse("b2")
    assert grade == Grade("B", 2)
    assert str(grade) == "B2"
    assert grade.description == "usually reliable, probably true"


def test_order_puts_best_first() -> None:
    assert sorted([Grade("F", 6), Grade("B", 2), Grade("A", 1), Grade("B", 1)]) == [
        Grade("A", 1),
        Grade("B", 1),
        Grade("B", 2),
        Grade("F", 6),
    ]


def test_constructor_normalises_case() -> None:
    assert Grade("c", 3) == Grade("C", 3)


@pytest.mark.parametrize("text", ["G1", "A7", "A0", "A", "2", "", "A12", "AB", "1A", "B-2"])
def test_parse_errors(text: str) -> None:
    with pytest.raises(GradeError) as info:
        Grade.parse(text)
    assert info.value.field == "grade"
    assert info.value.code == "invalid_grade"


def test_parse_rejects_non_text() -> None:
    with pytest.raises(GradeError) as info:
        Grade.parse(12)  # type: ignore[arg-type]
    assert info.value.field == "grade"


@pytest.mark.parametrize(
    ("reliability", "credibility", "field"),
    [
        ("G", 1, "reliability"),
        ("", 1, "reliability"),
        (1, 1, "reliability"),
        ("A", 0, "credibility"),
        ("A", 7, "credibility"),
        ("A", "1", "credibility"),
        ("A", True, "credibility"),
        ("A", 1.0, "credibility"),
    ],
)
def test_constructor_errors(reliability: object, credibility: object, field: str) -> None:
    with pytest.raises(GradeError) as info:
        Grade(reliability, credibility)  # type: ignore[arg-type]
    assert info.value.field == field
