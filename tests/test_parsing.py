"""Parsers and validators of the intake fields: Dutch input in, clean values or a message out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.domain.parsing import (
    InvalidInput,
    clean_text,
    describe_moment,
    elfproef,
    find_bsn,
    format_phone,
    parse_age,
    parse_day,
    parse_moment,
    parse_name,
    parse_phone,
    parse_postcode,
    parse_summary,
)
from balie.domain.timekeeping import AMSTERDAM

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 10:30 in Beilen


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06-12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06 123 456 78", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031 6 1234 5678", "+31612345678"),
        ("0593-123456", "+31593123456"),
        ("0593 12 34 56", "+31593123456"),
        ("020-1234567", "+31201234567"),
        ("+49 30 1234567", "+49 30 1234567"),  # foreign: kept as typed
        ("0049 30 1234567", "0049 30 1234567"),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "06-1234567", "telefoon", "+49 12", "06-123456789",
                                   "0000000000", "+00 1234567", "+49 ３0 1234567"])
def test_impossible_phone_numbers_get_a_dutch_message(typed):
    with pytest.raises(InvalidInput, match="telefoonnummer"):
        parse_phone(typed)


def test_stored_phone_numbers_are_shown_the_dutch_way():
    assert format_phone("+31612345678") == "06 12345678"
    assert format_phone("+31593123456") == "0593 123 456"
    assert format_phone("+49 30 1234567") == "+49 30 1234567"
    assert parse_phone(format_phone("+31593123456")) == "+31593123456"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1234ab", "1234 AB"), ("1234 AB", "1234 AB"), (" 9411  xy ", "9411 XY"), ("", None)],
)
def test_postcodes(typed, stored):
    assert parse_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["123 AB", "0123 AB", "1234 SS", "1234", "ABCD 12", "1234 ABC",
                                   "9４１１ AB", "9٤١١ AB"])
def test_bad_postcodes(typed):
    with pytest.raises(InvalidInput, match="9411 AB"):
        parse_postcode(typed)


@pytest.mark.parametrize(
    ("typed", "age"),
    [("78", 78), ("78 jaar", 78), ("0", 0), ("1948", 78), ("9-3-1948", 78),
     ("10-3-1948", 78), ("11-3-1948", 77), ("", None), ("  ", None)],
)
def test_age_or_birth_year_becomes_the_age_at_intake(typed, age):
    assert parse_age(typed, TODAY) == age


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2031", "toekomst"), ("121", "120"), ("1850", "120"), ("oud", "leeftijd"),
     ("12345", "leeftijd"), ("31-2-1950", "leeftijd"), ("9" * 5000, "leeftijd")],
)
def test_bad_ages(typed, message):
    with pytest.raises(InvalidInput, match=message):
        parse_age(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "prefer", "day"),
    [
        ("vandaag", "past", TODAY),
        ("gisteren", "past", date(2026, 3, 9)),
        ("morgen", "future", date(2026, 3, 11)),
        ("vr", "past", date(2026, 3, 6)),
        ("vr", "future", date(2026, 3, 13)),
        ("vrijdag", "future", date(2026, 3, 13)),
        ("di", "past", TODAY),
        ("12-3", "future", date(2026, 3, 12)),
        ("12-3", "past", date(2025, 3, 12)),
        ("8 maart", "past", date(2026, 3, 8)),
        ("8 mrt 2024", "past", date(2024, 3, 8)),
        ("2024-03-12", "past", date(2024, 3, 12)),
        ("12-03-2024", "future", date(2024, 3, 12)),
        ("29-2-2024", "past", date(2024, 2, 29)),
        ("12-3-48", "past", date(1948, 3, 12)),
        ("12-3-24", "past", date(2024, 3, 12)),
        ("12-3-27", "future", date(2027, 3, 12)),
    ],
)
def test_dutch_days(typed, prefer, day):
    assert parse_day(typed, TODAY, prefer=prefer) == day


@pytest.mark.parametrize("typed", ["31-2", "30-2-2024", "32-1", "12-13", "blauw", "29-2-2025"])
def test_impossible_days_are_rejected(typed):
    with pytest.raises(InvalidInput):
        parse_day(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "local", "has_time"),
    [
        ("14:30", datetime(2026, 3, 10, 14, 30), True),
        ("14.30", datetime(2026, 3, 10, 14, 30), True),
        ("9:00", datetime(2026, 3, 11, 9, 0), True),  # already past today: tomorrow
        ("morgen 10u", datetime(2026, 3, 11, 10, 0), True),
        ("morgen om 10 uur", datetime(2026, 3, 11, 10, 0), True),
        ("14u30", datetime(2026, 3, 10, 14, 30), True),
        ("vr", datetime(2026, 3, 13, 9, 0), False),
        ("12-3", datetime(2026, 3, 12, 9, 0), False),
        ("12-3 9.30", datetime(2026, 3, 12, 9, 30), True),
        ("vandaag", datetime(2026, 3, 10, 10, 30), False),
        ("1-4-2026 11:00", datetime(2026, 4, 1, 11, 0), True),  # summer time by then
    ],
)
def test_callback_moments(typed, local, has_time):
    moment = parse_moment(typed, NOW)
    assert moment.at == local.replace(tzinfo=AMSTERDAM)
    assert moment.has_time is has_time


@pytest.mark.parametrize(
    ("typed", "message"),
    [("gisteren", "voorbij"), ("25:00", "klok"), ("31-2", "bestaat niet"),
     ("1-1-2030", "jaar vooruit"), ("", "tijd")],
)
def test_bad_callback_moments(typed, message):
    with pytest.raises(InvalidInput, match=message):
        parse_moment(typed, NOW)


def test_moments_are_read_back_in_words():
    assert describe_moment(parse_moment("14:30", NOW).at, NOW) == "vandaag 14:30"
    assert describe_moment(parse_moment("morgen 10u", NOW).at, NOW) == "morgen 10:00"
    assert describe_moment(parse_moment("vr", NOW).at, NOW) == "vr 13 mrt 09:00"


@pytest.mark.parametrize("name", ["'t Hart", "d'Ancona", "Ëlla", "Müller-Lüdenscheidt",
                                  "Jan  de   Vries"])
def test_names_are_kept_exactly_as_typed(name):
    assert parse_name(name) == name


def test_names_are_normalised_to_nfc():
    decomposed = "E\u0308lla"  # E + combining diaeresis
    assert parse_name(decomposed) == "Ëlla"


def test_text_is_nfc_also_where_a_control_character_was_removed():
    # The marks a pasted control character kept apart end up in canonical order.
    assert parse_name("\u0300\x1f\u0316") == parse_name("\u0316\u0300") == "\u0316\u0300"


def test_control_characters_never_reach_the_screen():
    assert clean_text("Jan\x1b[31m\x07 Bos\x00") == "Jan[31m Bos"
    assert parse_summary("regel 1\r\nregel 2\tkolom") == "regel 1\nregel 2 kolom"


def test_a_summary_has_a_clear_limit():
    with pytest.raises(InvalidInput, match="hooguit 2000"):
        parse_summary("x" * 2001)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("bsn 111222333 genoemd", ["111222333"]),
        ("nummer 123.456.782", ["123456782"]),
        ("123 456 782", ["123456782"]),
        ("tel 06-12345678", []),
        ("123456789", []),  # fails the elfproef
        ("0612345678", []),  # ten digits: not a BSN
        ("geen cijfers", []),
    ],
)
def test_bsn_detection_uses_the_elfproef(text, found):
    assert find_bsn(text) == found


@given(st.text())
def test_clean_text_never_keeps_control_characters(text):
    cleaned = clean_text(text, multiline=True)
    assert all(c == "\n" or ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F for c in cleaned)


@given(st.text(max_size=40))
def test_every_parser_answers_with_a_value_or_a_dutch_message(text):
    """No input makes a parser fail in any other way than InvalidInput."""
    for parse in (parse_phone, parse_postcode, parse_name, parse_summary,
                  lambda t: parse_age(t, TODAY), lambda t: parse_day(t, TODAY),
                  lambda t: parse_moment(t, NOW)):
        try:
            parse(text)
        except InvalidInput as error:
            assert error.message


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_elfproef_matches_its_definition(number):
    digits = f"{number:09d}"
    weighted = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    assert elfproef(digits) == (weighted % 11 == 0 and number != 0)


@given(st.dates(min_value=date(1910, 1, 1), max_value=TODAY))
def test_a_birth_date_gives_a_consistent_age(born):
    age = parse_age(f"{born.day}-{born.month}-{born.year}", TODAY)

    def birthday(years: int) -> date:  # 29 February is celebrated on 1 March
        try:
            return born.replace(year=born.year + years)
        except ValueError:
            return date(born.year + years, 3, 1)

    assert birthday(age) <= TODAY < birthday(age + 1)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
       st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_a_typed_clock_time_is_the_next_such_moment(now, hour, minute):
    now = now.replace(tzinfo=AMSTERDAM)
    moment = parse_moment(f"{hour}:{minute:02d}", now).at
    assert (moment.hour, moment.minute) == (hour, minute)
    assert now.replace(second=0, microsecond=0) <= moment < now + timedelta(days=1, minutes=1)
