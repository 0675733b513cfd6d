"""STANAG 4774 XML and JSON forms of labels round-trip and say what the marking says."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peacewatch.domain import stanag4774
from peacewatch.domain.labels import Classification, Label

labels = st.builds(
    Label,
    st.sampled_from(list(Classification)),
    st.sets(st.sampled_from(["GBR", "FRA", "USA", "UKR", "NATO", "KFOR", "PARTNER"]), max_size=4),
)


@given(labels)
def test_xml_round_trips(label: Label) -> None:
    assert stanag4774.from_xml(stanag4774.to_xml(label)) == label


def test_xml_and_json_carry_policy_classification_and_releasability() -> None:
    label = Label.parse("NATO SECRET REL TO NATO, KFOR")
    xml = stanag4774.to_xml(label)
    assert "<slab:Classification>SECRET</slab:Classification>" in xml
    assert '<slab:Category TagName="Releasable To" Type="PERMISSIVE">' in xml
    assert xml.index("KFOR") < xml.index("NATO</slab:GenericValue>")
    doc = stanag4774.to_json(label)
    info = doc["ConfidentialityInformation"]
    assert info["PolicyIdentifier"] == "NATO" and info["Classification"] == "SECRET"
    assert info["Category"][0]["GenericValue"] == ["KFOR", "NATO"]
    assert doc["marking"] == "NATO SECRET REL TO KFOR, NATO"


def test_hostile_or_broken_xml_is_a_label_error() -> None:
    import pytest

    from peacewatch.domain.errors import LabelError

    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    for text in (bomb, "<not closed"):
        with pytest.raises(LabelError):
            stanag4774.from_xml(text)
