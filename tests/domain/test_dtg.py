"""Tests for military date-time groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch.domain.dtg import ZONE_OFFSETS, format_dtg, parse_dtg
from peacewatch.domain.errors import DTGError

JUNE_9_1999_NOON = datetime(1999, 6, 9, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["091200ZJUN99", "09 1200Z JUN 99", "091200ZJUN1999", "091200zjun99", " 091200Z JUN1999 "],
)
def test_parse_example(text: str) -> None:
    parsed = parse_dtg(text)
    assert parsed == JUNE_9_1999_NOON
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Z", 12), ("A", 11), ("I", 3), ("K", 2), ("M", 0), ("N", 13), ("Y", 0)],
)
def test_zone_letters_convert_to_utc(zone: str, utc_hour: int) -> None:
    parsed = parse_dtg(f"091200{zone}JUN99")
    assert parsed.hour == utc_hour
    assert parsed.tzinfo is UTC


def test_zone_can_move_the_date() -> None:
    assert parse_dtg("010100BJAN00") == datetime(1999, 12, 31, 23, 0, tzinfo=UTC)


def test_zone_table() -> None:
    assert "J" not in ZONE_OFFSETS
    assert len(ZONE_OFFSETS) == 25
    assert ZONE_OFFSETS["M"] == 12
    assert ZONE_OFFSETS["Y"] == -12


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("010000ZJAN70", 1970),
        ("010000ZJAN99", 1999),
        ("010000ZJAN00", 2000),
        ("010000ZJAN69", 2069),
    ],
)
def test_two_digit_years_use_the_pivot(text: str, year: int) -> None:
    assert parse_dtg(text).year == year


def test_custom_pivot() -> None:
    assert parse_dtg("010000ZJAN99", pivot_year=2000).year == 2099
    assert parse_dtg("010000ZJAN99", pivot_year=1950).year == 1999
    assert parse_dtg("010000ZJAN49", pivot_year=1950).year == 2049


def test_leap_day() -> None:
    assert parse_dtg("291200ZFEB2000").day == 29


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("311200ZJUN99", "day 31"),
        ("291200ZFEB99", "day 29"),
        ("001200ZJUN99", "day 00"),
        ("092400ZJUN99", "hour 24"),
        ("091260ZJUN99", "minute 60"),
        ("091200ZJUX99", "month 'JUX'"),
        ("091200JJUN99", "'J'"),
        ("091200ZJUN0000", "year 0"),
        ("091200JUN99", "DDHHMM"),
        ("0912ZJUN99", "DDHHMM"),
        ("091200ZJUN999", "DDHHMM"),
        ("", "DDHHMM"),
        ("2025-06-09T12:00Z", "DDHHMM"),
    ],
)
def test_parse_errors(text: str, fragment: str) -> None:
    with pytest.raises(DTGError) as info:
        parse_dtg(text)
    assert info.value.field == "dtg"
    assert info.value.code == "invalid_dtg"
    assert fragment in info.value.message


def test_parse_rejects_non_text() -> None:
    with pytest.raises(DTGError) as info:
        parse_dtg(None)  # type: ignore[arg-type]
    assert info.value.field == "dtg"


def test_parse_rejects_a_bad_pivot() -> None:
    with pytest.raises(DTGError) as info:
        parse_dtg("091200ZJUN99", pivot_year="1970")  # type: ignore[arg-type]
    assert info.value.field == "pivot_year"


def test_format_example() -> None:
    assert format_dtg(JUNE_9_1999_NOON) == "091200ZJUN99"
    assert format_dtg(JUNE_9_1999_NOON, four_digit_year=True) == "091200ZJUN1999"
    assert format_dtg(JUNE_9_1999_NOON, zone="B") == "091400BJUN99"
    assert format_dtg(JUNE_9_1999_NOON, zone="y") == "090000YJUN99"


def test_format_converts_other_offsets_and_drops_seconds() -> None:
    local = datetime(1999, 6, 9, 14, 30, 59, tzinfo=timezone(timedelta(hours=2)))
    assert format_dtg(local) == "091230ZJUN99"


def test_format_rejects_naive() -> None:
    with pytest.raises(DTGError) as info:
        format_dtg(datetime(1999, 6, 9, 12, 0))
    assert info.value.field == "dtg"


def test_format_rejects_non_datetime() -> None:
    with pytest.raises(DTGError) as info:
        format_dtg("091200ZJUN99")  # type: ignore[arg-type]
    assert info.value.field == "dtg"


@pytest.mark.parametrize("zone", ["J", "", "ZZ", "1", None])
def test_format_rejects_bad_zone(zone: object) -> None:
    with pytest.raises(DTGError) as info:
        format_dtg(JUNE_9_1999_NOON, zone=zone)  # type: ignore[arg-type]
    assert info.value.field == "zone"


def test_format_rejects_dates_that_overflow_in_the_zone() -> None:
    with pytest.raises(DTGError) as info:
        format_dtg(datetime(9999, 12, 31, 23, 0, tzinfo=UTC), zone="M")
    assert info.value.field == "dtg"


zones = st.sampled_from(sorted(ZONE_OFFSETS))


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2068, 12, 30), timezones=st.just(UTC)
    ),
    zones,
)
@settings(max_examples=200)
def test_round_trip_two_digit_year(dt: datetime, zone: str) -> None:
    assert parse_dtg(format_dtg(dt, zone=zone)) == dt.replace(second=0, microsecond=0)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    zones,
)
@settings(max_examples=200)
def test_round_trip_four_digit_year(dt: datetime, zone: str) -> None:
    text = format_dtg(dt, zone=zone, four_digit_year=True)
    assert parse_dtg(text) == dt.replace(second=0, microsecond=0)


def test_parse_time_reads_every_accepted_form_into_utc() -> None:
    from datetime import timedelta, timezone

    from peacewatch.domain.dtg import parse_time

    expected = datetime(1999, 6, 15, 12, 0, tzinfo=UTC)
    assert parse_time("1999-06-15T12:00:00Z", field="t") == expected
    assert parse_time("1999-06-15T14:00:00+02:00", field="t") == expected
    assert parse_time("151200ZJUN99", field="t") == expected
    aware = datetime(1999, 6, 15, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert parse_time(aware, field="t") == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("1999-06-15T12:00:00", "time zone"),
        (datetime(1999, 6, 15), "time zone"),
        ("yesterday", "ISO 8601"),
        ("", "ISO 8601"),
        (42, "ISO 8601"),
    ],
)
def test_parse_time_names_the_field_and_the_problem(value: object, words: str) -> None:
    from peacewatch.domain.dtg import parse_time

    with pytest.raises(DTGError) as err:
        parse_time(value, field="observed_at")
    assert err.value.field == "observed_at"
    assert words in err.value.message
