"""Tests for STANAG 4774 labels, release codes and the visibility rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch.domain.errors import LabelError
from peacewatch.domain.labels import (
    RELEASE_CODE_PATTERN,
    Classification,
    Label,
    Viewer,
    can_see,
    can_write,
    most_restrictive,
    validate_release_code,
)

NU, NR, NC, NS = (
    Classification.NATO_UNCLASSIFIED,
    Classification.NATO_RESTRICTED,
    Classification.NATO_CONFIDENTIAL,
    Classification.NATO_SECRET,
)
KNOWN_CODES = ["NATO", "KFOR", "EU", "UN", "PARTNER", "GBR", "FRA", "USA", "DEU", "ITA"]

codes = st.one_of(
    st.sampled_from(KNOWN_CODES),
    st.from_regex(RELEASE_CODE_PATTERN, fullmatch=True).filter(
        lambda c: c not in {"REL", "TO", "NOT", "RELEASABLE"}
    ),
)
code_sets = st.frozensets(codes, max_size=5)
classifications = st.sampled_from(list(Classification))
labels = st.builds(Label, classifications, code_sets)
nations = st.sampled_from(["GBR", "FRA", "USA", "DEU", "ITA", "SRB"])
viewers = st.builds(
    Viewer,
    name=st.just("analyst"),
    nation=nations,
    clearance=classifications,
    communities=st.frozensets(st.sampled_from(KNOWN_CODES), max_size=4),
)


class TestClassification:
    def test_marking_and_abbrev(self) -> None:
        assert NR.marking == "NATO RESTRICTED"
        assert [c.abbrev for c in Classification] == ["NU", "NR", "NC", "NS"]

    def test_levels_are_ordered(self) -> None:
        assert NU < NR < NC < NS

    @pytest.mark.parametrize(
        "text",
        [
            "NATO SECRET",
            "nato secret",
            "nato_secret",
            "  NATO   SECRET ",
            "NS",
            "ns",
            "NATO_SECRET",
        ],
    )
    def test_parse_accepts_marking_abbrev_and_name(self, text: str) -> None:
        assert Classification.parse(text) is NS

    @pytest.mark.parametrize("text", ["SECRET", "", "NATO", "COSMIC TOP SECRET", "N S"])
    def test_parse_rejects_unknown(self, text: str) -> None:
        with pytest.raises(LabelError) as info:
            Classification.parse(text)
        assert info.value.field == "classification"
        assert info.value.code == "invalid_label"
        assert "unknown classification" in info.value.message

    def test_parse_rejects_non_text(self) -> None:
        with pytest.raises(LabelError) as info:
            Classification.parse(3)  # type: ignore[arg-type]
        assert info.value.field == "classification"


class TestReleaseCodes:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("GBR", "GBR"), ("kfor", "KFOR"), (" eu ", "EU"), ("NATO_2", "NATO_2")],
    )
    def test_normalises(self, raw: str, expected: str) -> None:
        assert validate_release_code(raw) == expected

    @pytest.mark.parametrize(
        "raw", ["k4", "K", "", "NATO!", "4GB", "ABCDEFGHIJKLMNOPQ", "REL", "to"]
    )
    def test_rejects(self, raw: str) -> None:
        with pytest.raises(LabelError) as info:
            validate_release_code(raw)
        assert info.value.field == "releasable_to"

    def test_rejects_non_text(self) -> None:
        with pytest.raises(LabelError) as info:
            validate_release_code(None)  # type: ignore[arg-type]
        assert info.value.field == "releasable_to"


class TestLabel:
    def test_marking_sorts_codes(self) -> None:
        label = Label(NR, frozenset({"NATO", "KFOR"}))
        assert label.marking == "NATO RESTRICTED REL TO KFOR, NATO"
        assert str(label) == label.marking
        assert label.releasable_key == "KFOR,NATO"

    def test_empty_releasability_is_not_releasable(self) -> None:
        label = Label(NS, frozenset())
        assert label.marking == "NATO SECRET NOT RELEASABLE"
        assert label.releasable_key == ""

    def test_to_dict(self) -> None:
        assert Label(NR, frozenset({"NATO", "KFOR"})).to_dict() == {
            "classification": "NATO RESTRICTED",
            "releasable_to": ["KFOR", "NATO"],
            "policy": "NATO",
            "marking": "NATO RESTRICTED REL TO KFOR, NATO",
        }

    def test_constructor_normalises(self) -> None:
        label = Label(2, frozenset({"kfor"}), policy=" nato ")  # type: ignore[arg-type]
        assert label.classification is NC
        assert label.releasable_to == frozenset({"KFOR"})
        assert label.policy == "NATO"
        assert label == Label(NC, frozenset({"KFOR"}))

    def test_constructor_accepts_other_collections(self) -> None:
        label = Label(NR, ["GBR", "gbr"])  # type: ignore[arg-type]
        assert label.releasable_to == frozenset({"GBR"})

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"classification": NR, "releasable_to": "NATO"}, "releasable_to"),
            ({"classification": NR, "releasable_to": 5}, "releasable_to"),
            ({"classification": NR, "releasable_to": frozenset({"k4"})}, "releasable_to"),
            ({"classification": 7, "releasable_to": frozenset()}, "classification"),
            ({"classification": True, "releasable_to": frozenset()}, "classification"),
            ({"classification": "TOP SECRET", "releasable_to": frozenset()}, "classification"),
            ({"classification": NR, "releasable_to": frozenset(), "policy": ""}, "policy"),
            ({"classification": NR, "releasable_to": frozenset(), "policy": 4}, "policy"),
        ],
    )
    def test_constructor_errors(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(LabelError) as info:
            Label(**kwargs)  # type: ignore[arg-type]
        assert info.value.field == field

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("NATO RESTRICTED REL TO KFOR, NATO", Label(NR, frozenset({"KFOR", "NATO"}))),
            ("nato restricted rel to kfor nato", Label(NR, frozenset({"KFOR", "NATO"}))),
            ("NR REL TO GBR,USA , FRA", Label(NR, frozenset({"GBR", "USA", "FRA"}))),
            ("NATO SECRET", Label(NS, frozenset({"NATO"}))),
            ("NATO_CONFIDENTIAL", Label(NC, frozenset({"NATO"}))),
            ("NATO SECRET NOT RELEASABLE", Label(NS, frozenset())),
            ("NU Rel To EU", Label(NU, frozenset({"EU"}))),
        ],
    )
    def test_parse(self, text: str, expected: Label) -> None:
        assert Label.parse(text) == expected

    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("TOP SECRETISH", "unknown classification 'TOP SECRETISH'"),
            ("NR REL TO KFOR, k4", "release code 'k4' is not a nation trigraph or community name"),
            ("NR REL TO", "must be followed by at least one release code"),
            ("", "label is empty"),
            ("   ", "label is empty"),
            ("REL TO NATO", "unknown classification"),
            ("NATO SECRET REL TO GBR REL TO USA", "word of the marking"),
        ],
    )
    def test_parse_errors(self, text: str, fragment: str) -> None:
        with pytest.raises(LabelError) as info:
            Label.parse(text)
        assert info.value.field == "label"
        assert fragment in info.value.message

    def test_parse_rejects_non_text(self) -> None:
        with pytest.raises(LabelError) as info:
            Label.parse(None)  # type: ignore[arg-type]
        assert info.value.field == "label"

    def test_from_parts(self) -> None:
        expected = Label(NR, frozenset({"KFOR", "NATO"}))
        assert Label.from_parts("NATO RESTRICTED", "KFOR, nato") == expected
        assert Label.from_parts(NR, ["KFOR", "NATO"]) == expected
        assert Label.from_parts("nr", "KFOR NATO") == expected
        assert Label.from_parts(NS, "").releasable_to == frozenset()

    @pytest.mark.parametrize(
        ("classification", "releasable", "field"),
        [
            ("SECRET", "NATO", "classification"),
            (NR, "NATO, k4", "releasable_to"),
            (NR, [1], "releasable_to"),
        ],
    )
    def test_from_parts_errors(
        self, classification: object, releasable: object, field: str
    ) -> None:
        with pytest.raises(LabelError) as info:
            Label.from_parts(classification, releasable)  # type: ignore[arg-type]
        assert info.value.field == field

    @given(labels)
    @settings(max_examples=200)
    def test_marking_round_trip(self, label: Label) -> None:
        assert Label.parse(label.marking) == label

    @given(labels)
    @settings(max_examples=100)
    def test_marking_round_trip_is_case_and_space_insensitive(self, label: Label) -> None:
        messy = "  " + label.marking.lower().replace(", ", " ,  ").replace(" ", "  ")
        assert Label.parse(messy) == label


class TestMostRestrictive:
    def test_example(self) -> None:
        derived = most_restrictive(
            [Label(NR, frozenset({"KFOR", "NATO"})), Label(NC, frozenset({"NATO", "GBR"}))]
        )
        assert derived == Label(NC, frozenset({"NATO"}))

    def test_disjoint_releasability_releases_to_nobody(self) -> None:
        derived = most_restrictive([Label(NU, frozenset({"GBR"})), Label(NU, frozenset({"FRA"}))])
        assert derived.releasable_to == frozenset()

    def test_empty_input(self) -> None:
        with pytest.raises(LabelError) as info:
            most_restrictive([])
        assert info.value.field == "labels"

    def test_mixed_policies(self) -> None:
        with pytest.raises(LabelError) as info:
            most_restrictive(
                [Label(NU, frozenset({"EU"}), "EU"), Label(NU, frozenset({"EU"}), "NATO")]
            )
        assert info.value.field == "labels"

    @given(st.lists(labels, min_size=1, max_size=4))
    def test_is_at_least_as_restrictive_as_each_input(self, items: list[Label]) -> None:
        derived = most_restrictive(items)
        for label in items:
            assert derived.classification >= label.classification
            assert derived.releasable_to <= label.releasable_to


class TestViewer:
    def test_codes_and_normalisation(self) -> None:
        viewer = Viewer("ana", "gbr", NS, frozenset({"nato", "KFOR"}))
        assert viewer.nation == "GBR"
        assert viewer.codes == frozenset({"GBR", "NATO", "KFOR"})

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"name": "", "nation": "GBR", "clearance": NS}, "name"),
            ({"name": "a", "nation": "UK", "clearance": NS}, "nation"),
            ({"name": "a", "nation": "NATO", "clearance": NS}, "nation"),
            ({"name": "a", "nation": 1, "clearance": NS}, "nation"),
            ({"name": "a", "nation": "GBR", "clearance": 9}, "clearance"),
            ({"name": "a", "nation": "GBR", "clearance": NS, "communities": "NATO"}, "communities"),
            ({"name": "a", "nation": "GBR", "clearance": NS, "communities": {"k4"}}, "communities"),
        ],
    )
    def test_errors(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(LabelError) as info:
            Viewer(**kwargs)  # type: ignore[arg-type]
        assert info.value.field == field


class TestAccess:
    viewer = Viewer("ana", "GBR", NC, frozenset({"NATO", "KFOR"}))

    @pytest.mark.parametrize(
        ("label", "visible"),
        [
            (Label(NR, frozenset({"KFOR"})), True),
            (Label(NC, frozenset({"GBR"})), True),
            (Label(NS, frozenset({"NATO"})), False),  # clearance too low
            (Label(NU, frozenset({"FRA", "EU"})), False),  # not released to any of her codes
            (Label(NU, frozenset()), False),
        ],
    )
    def test_can_see(self, label: Label, visible: bool) -> None:
        assert can_see(self.viewer, label) is visible

    @pytest.mark.parametrize(
        ("label", "writable"),
        [
            (Label(NC, frozenset({"KFOR", "FRA"})), True),
            (Label(NS, frozenset({"KFOR"})), False),
            (Label(NR, frozenset({"FRA"})), False),  # would create a record she cannot see
            (Label(NR, frozenset()), False),
        ],
    )
    def test_can_write(self, label: Label, writable: bool) -> None:
        assert can_write(self.viewer, label) is writable

    @given(viewers, labels, classifications)
    def test_raising_clearance_never_hides(
        self, viewer: Viewer, label: Label, level: Classification
    ) -> None:
        cleared = Viewer(
            viewer.name, viewer.nation, max(level, viewer.clearance), viewer.communities
        )
        if can_see(viewer, label):
            assert can_see(cleared, label)

    @given(viewers, labels, codes)
    def test_joining_a_community_never_hides(self, viewer: Viewer, label: Label, code: str) -> None:
        joined = Viewer(viewer.name, viewer.nation, viewer.clearance, viewer.communities | {code})
        if can_see(viewer, label):
            assert can_see(joined, label)

    @given(viewers, st.lists(labels, min_size=1, max_size=4))
    def test_seeing_a_derived_record_implies_seeing_its_sources(
        self, viewer: Viewer, items: list[Label]
    ) -> None:
        if can_see(viewer, most_restrictive(items)):
            assert all(can_see(viewer, label) for label in items)

    @given(viewers, labels)
    def test_writers_can_see_what_they_write(self, viewer: Viewer, label: Label) -> None:
        if can_write(viewer, label):
            assert can_see(viewer, label)
            assert label.releasable_to
