"""Report periods on the Amsterdam calendar."""

from __future__ import annotations

import re
from datetime import date

import pytest

from balie.domain.parsing import InvalidInput
from balie.domain.periods import Period, containing, parse_period

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("kind", "first", "last", "label"),
    [
        ("day", date(2026, 3, 10), date(2026, 3, 10), "dinsdag 10 maart 2026"),
        ("week", date(2026, 3, 9), date(2026, 3, 15), "week 11 van 2026 (9 mrt t/m 15 mrt)"),
        ("month", date(2026, 3, 1), date(2026, 3, 31), "maart 2026"),
        ("quarter", date(2026, 1, 1), date(2026, 3, 31), "1e kwartaal 2026"),
        ("year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_periods_containing_a_day(kind, first, last, label):
    period = containing(kind, TODAY)
    assert (period.first, period.last, period.label()) == (first, last, label)


@pytest.mark.parametrize(
    ("kind", "steps", "first"),
    [("day", -1, date(2026, 3, 9)), ("week", 1, date(2026, 3, 16)),
     ("month", -1, date(2026, 2, 1)), ("quarter", 1, date(2026, 4, 1)),
     ("year", -1, date(2025, 1, 1))],
)
def test_previous_and_next_periods(kind, steps, first):
    assert containing(kind, TODAY).shift(steps).first == first


def test_a_year_earlier_is_the_same_period_last_year():
    # A day: the same weekday 52 weeks earlier (Thursday 29 Feb 2024 -> Thursday 2 March 2023).
    assert containing("day", date(2024, 2, 29)).year_earlier().first == date(2023, 3, 2)
    assert containing("week", TODAY).year_earlier().first == date(2025, 3, 10)  # week 11
    assert containing("week", date(2026, 12, 31)).year_earlier().first == date(2025, 12, 22)
    assert containing("quarter", TODAY).year_earlier().first == date(2025, 1, 1)
    custom = Period("range", date(2026, 1, 5), date(2026, 2, 20)).year_earlier()
    assert (custom.first, custom.last) == (date(2025, 1, 5), date(2025, 2, 20))


def test_a_custom_range_moves_by_its_own_length():
    custom = Period("range", date(2026, 3, 1), date(2026, 3, 10))
    assert custom.shift(1).first == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("kind", "text", "first"),
    [("day", "gisteren", date(2026, 3, 9)), ("day", "12-3", date(2025, 3, 12)),
     ("month", "2024-03", date(2024, 3, 1)), ("month", "maart 2024", date(2024, 3, 1)),
     ("month", "mrt 2024", date(2024, 3, 1)), ("month", "okt 2024", date(2024, 10, 1)),
     ("month", "15-2-2024", date(2024, 2, 1)), ("quarter", "2024-Q3", date(2024, 7, 1)),
     ("quarter", "q2 2025", date(2025, 4, 1)), ("year", "2023", date(2023, 1, 1)),
     ("week", None, date(2026, 3, 9))],
)
def test_periods_are_typed_the_dutch_way(kind, text, first):
    assert parse_period(kind, text, TODAY).first == first


@pytest.mark.parametrize(("kind", "text"), [("month", "2024-13"), ("month", "blauw 2024"),
                                            ("day", "31-2")])
def test_bad_periods_get_a_message(kind, text):
    with pytest.raises(InvalidInput):
        parse_period(kind, text, TODAY)


@pytest.mark.parametrize(
    ("kind", "text", "label"),
    [("month", "3", "maart 2026"), ("month", "12", "december 2025"),
     ("month", "maart", "maart 2026"), ("month", "april", "april 2025"),
     ("month", "mrt", "maart 2026"), ("quarter", "1", "1e kwartaal 2026"),
     ("quarter", "Q4", "4e kwartaal 2025")],
)
def test_a_month_or_quarter_alone_is_the_latest_one(kind, text, label):
    """``--month 3`` gave January (dateutil read "3" as the 3rd of January)."""
    assert parse_period(kind, text, TODAY).label() == label


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [("month", "13", "Er is geen maand 13"), ("month", "0", "Er is geen maand 0"),
     ("month", "blauw", "'blauw' is geen maand; bijvoorbeeld 3 of maart"),
     ("quarter", "5", "Er is geen kwartaal 5"), ("year", "abc", "'abc' is geen jaar"),
     ("week", "x", "'x' is geen week"), ("day", "today", "bedoelt u vandaag?"),
     ("day", "yesterday", "bedoelt u gisteren?"), ("day", "3", "typ ook de maand"),
     ("day", "blauw", "bijvoorbeeld vandaag, gisteren")],
)
def test_a_mistyped_period_is_answered_for_its_own_kind(kind, text, says):
    """No day examples for a month; English day words get their Dutch word."""
    with pytest.raises(InvalidInput, match=re.escape(says)):
        parse_period(kind, text, TODAY)
