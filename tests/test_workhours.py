"""Working hours of the team inboxes: office hours, weekends, Dutch holidays, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balie.domain.parsing import InvalidInput
from balie.domain.timekeeping import AMSTERDAM
from balie.domain.workhours import (
    DEFAULT_MAX_WAIT_HOURS,
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    describe_wait,
    due_moment,
    holiday_name,
    is_working_day,
    parse_office_hours,
    waiting_too_long,
    working_hours_between,
)


def ams(*args: int) -> datetime:
    """An Amsterdam wall-clock moment."""
    return datetime(*args, tzinfo=AMSTERDAM)


def hours(start: datetime, end: datetime, office: OfficeHours = DEFAULT_OFFICE_HOURS) -> float:
    return working_hours_between(start, end, office)


# --- office hours ----------------------------------------------------------------------


def test_default_office_hours_are_nine_to_five_and_one_working_day_of_waiting():
    assert DEFAULT_OFFICE_HOURS == OfficeHours(time(9), time(17))
    assert DEFAULT_OFFICE_HOURS.hours_per_day == 8.0
    assert DEFAULT_MAX_WAIT_HOURS == 8.0
    assert OfficeHours(time(8, 30), time(12, 45)).hours_per_day == 4.25


def test_office_hours_that_end_before_they_start_are_refused():
    with pytest.raises(ValueError):
        OfficeHours(time(17), time(9))
    with pytest.raises(ValueError):
        OfficeHours(time(9), time(9))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("9:00-17:00", time(9), time(17)),
        ("09:00 - 17:30", time(9), time(17, 30)),
        ("8-16", time(8), time(16)),
        (" 8.30–16u ", time(8, 30), time(16)),
        ("9 tot 12:15", time(9), time(12, 15)),
    ],
)
def test_office_hours_are_parsed_in_their_usual_forms(text, start, end):
    assert parse_office_hours(text) == OfficeHours(start, end)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "zoals 9:00-17:00"),
        ("9-", "zoals 9:00-17:00"),
        ("negen tot vijf", "zoals 9:00-17:00"),
        ("9:00-17:00-18:00", "zoals 9:00-17:00"),
        ("9:5-17", "zoals 9:00-17:00"),
        ("17-9", "eindtijd (09:00) moet na de begintijd (17:00)"),
        ("9:00-9:00", "eindtijd (09:00) moet na de begintijd (09:00)"),
        ("8-25", "25:00 is geen tijd op de klok"),
        ("8-24", "24:00 is geen tijd op de klok"),
        ("9:75-17", "9:75 is geen tijd op de klok"),
    ],
)
def test_malformed_office_hours_get_a_dutch_message(text, says):
    with pytest.raises(InvalidInput) as caught:
        parse_office_hours(text)
    assert says in caught.value.message


# --- the calendar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag"),  # a Monday
        (date(2026, 5, 14), "Hemelvaartsdag"),  # a Thursday
        (date(2026, 5, 25), "Tweede pinksterdag"),  # a Monday
        (date(2026, 12, 25), "Eerste kerstdag"),  # a Friday
        (date(2025, 12, 25), "Eerste kerstdag"),  # a Thursday
        (date(2025, 12, 26), "Tweede kerstdag"),  # a Friday
        # Bevrijdingsdag is a day off in lustrum years only (as the library has it).
        (date(2025, 5, 5), "Bevrijdingsdag"),
        # The library counts Goede Vrijdag as a public holiday (the Algemene termijnenwet
        # does not); balie follows the library.
        (date(2026, 4, 3), "Goede vrijdag"),
    ],
)
def test_dutch_public_holidays_on_weekdays_are_no_working_days(day, name):
    assert day.weekday() < 5
    assert holiday_name(day) == name
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 10),  # an ordinary Tuesday
        date(2026, 4, 28),  # the day after Koningsdag
        date(2026, 5, 5),  # Bevrijdingsdag outside a lustrum year
        date(2026, 5, 15),  # the Friday after Hemelvaartsdag
        date(2026, 12, 24),  # Christmas Eve
        date(2026, 12, 31),  # New Year's Eve
        date(2025, 4, 28),  # Koningsdag 2025 was not moved to this Monday
    ],
)
def test_ordinary_weekdays_are_working_days(day):
    assert holiday_name(day) is None
    assert is_working_day(day)


def test_weekends_are_no_working_days_even_without_a_holiday():
    assert holiday_name(date(2026, 3, 14)) is None
    assert not is_working_day(date(2026, 3, 14))  # Saturday
    assert not is_working_day(date(2026, 3, 15))  # Sunday


def test_koningsdag_on_a_sunday_moves_to_the_saturday_before():
    # 27 April 2025 was a Sunday: Koningsdag was Saturday 26 April, costing no working day.
    assert date(2025, 4, 27).weekday() == 6
    assert holiday_name(date(2025, 4, 26)) == "Koningsdag"
    assert holiday_name(date(2025, 4, 27)) is None
    assert hours(ams(2025, 4, 25, 16), ams(2025, 4, 28, 10)) == 2.0


# --- working hours between two moments -------------------------------------------------


def test_hours_within_one_day():
    assert hours(ams(2026, 3, 9, 10), ams(2026, 3, 9, 12, 30)) == 2.5
    # The same moments in UTC (winter time: Amsterdam is UTC+1).
    assert hours(datetime(2026, 3, 9, 9, tzinfo=UTC), datetime(2026, 3, 9, 11, 30, tzinfo=UTC)) \
        == 2.5


def test_time_outside_office_hours_counts_nothing():
    assert hours(ams(2026, 3, 9, 7), ams(2026, 3, 9, 9)) == 0.0
    assert hours(ams(2026, 3, 9, 17), ams(2026, 3, 9, 23, 59)) == 0.0
    assert hours(ams(2026, 3, 9, 7), ams(2026, 3, 9, 18)) == 8.0
    assert hours(ams(2026, 3, 9, 8), ams(2026, 3, 9, 9, 15)) == 0.25


def test_an_inquiry_from_the_evening_starts_counting_next_morning():
    assert hours(ams(2026, 3, 9, 20), ams(2026, 3, 10, 10, 30)) == 1.5
    assert hours(ams(2026, 3, 9, 20), ams(2026, 3, 10, 8, 59)) == 0.0


def test_no_hours_when_the_end_is_not_after_the_start():
    assert hours(ams(2026, 3, 9, 12), ams(2026, 3, 9, 12)) == 0.0
    assert hours(ams(2026, 3, 10, 12), ams(2026, 3, 9, 10)) == 0.0


def test_a_weekend_counts_nothing():
    assert hours(ams(2026, 3, 13, 16), ams(2026, 3, 16, 10)) == 2.0  # Friday -> Monday
    assert hours(ams(2026, 3, 14, 9), ams(2026, 3, 15, 17)) == 0.0  # Saturday -> Sunday


def test_koningsdag_2026_counts_nothing():
    # Friday 24 April 16:00 -> Tuesday 28 April 10:00: Monday 27 April is Koningsdag.
    assert hours(ams(2026, 4, 24, 16), ams(2026, 4, 28, 10)) == 2.0
    assert hours(ams(2026, 4, 27, 9), ams(2026, 4, 27, 17)) == 0.0


def test_hemelvaart_pinksteren_and_christmas_count_nothing():
    # Wednesday 13 May 16:00 -> Friday 15 May 10:00 (Hemelvaartsdag in between).
    assert hours(ams(2026, 5, 13, 16), ams(2026, 5, 15, 10)) == 2.0
    # Friday 22 May 16:00 -> Tuesday 26 May 10:00 (Tweede Pinksterdag on the Monday).
    assert hours(ams(2026, 5, 22, 16), ams(2026, 5, 26, 10)) == 2.0
    # Wednesday 24 December 2025 16:00 -> Monday 29 December 10:00 (both Christmas days).
    assert hours(ams(2025, 12, 24, 16), ams(2025, 12, 29, 10)) == 2.0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Summer time starts in the night to Sunday 29 March 2026.
        (ams(2026, 3, 27, 15), ams(2026, 3, 30, 11)),
        (datetime(2026, 3, 27, 14, tzinfo=UTC), datetime(2026, 3, 30, 9, tzinfo=UTC)),
        # Winter time starts in the night to Sunday 25 October 2026.
        (ams(2026, 10, 23, 15), ams(2026, 10, 26, 11)),
        (datetime(2026, 10, 23, 13, tzinfo=UTC), datetime(2026, 10, 26, 10, tzinfo=UTC)),
    ],
)
def test_clock_changes_do_not_shift_office_hours(start, end):
    assert hours(start, end) == 4.0


def test_a_full_week_in_summer_and_in_winter():
    assert hours(ams(2026, 3, 23, 9), ams(2026, 3, 30, 9)) == 40.0  # over the clock change
    assert hours(ams(2026, 7, 6, 9), ams(2026, 7, 13, 9)) == 40.0
    assert hours(ams(2026, 1, 12, 9), ams(2026, 1, 19, 9)) == 40.0


def test_a_whole_year():
    # 2026 has 261 weekdays; 7 public holidays fall on one (Nieuwjaarsdag, Goede Vrijdag,
    # Tweede Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag, Eerste Kerstdag).
    assert hours(ams(2026, 1, 1), ams(2027, 1, 1)) == (261 - 7) * 8
    assert hours(ams(2026, 1, 1), ams(2027, 1, 1), OfficeHours(time(8, 30), time(12))) \
        == (261 - 7) * 3.5


def minute_count(start: datetime, end: datetime, office: OfficeHours) -> float:
    """Brute force: visit every minute and look at the Amsterdam wall clock."""
    count, moment = 0, start
    while moment < end:
        wall = moment.astimezone(AMSTERDAM)
        if is_working_day(wall.date()) and office.start <= wall.time() < office.end:
            count += 1
        moment += timedelta(minutes=1)
    return count / 60


ANCHORS = [
    datetime(2026, 3, 26, tzinfo=UTC),  # summer time
    datetime(2026, 10, 22, tzinfo=UTC),  # winter time
    datetime(2027, 3, 25, tzinfo=UTC),  # Goede Vrijdag, Easter and summer time at once
    datetime(2026, 4, 23, tzinfo=UTC),  # Koningsdag
    datetime(2025, 12, 23, tzinfo=UTC),  # Christmas and New Year
    datetime(2026, 6, 10, tzinfo=UTC),  # nothing special
]
office_hours = st.sampled_from([
    DEFAULT_OFFICE_HOURS,
    OfficeHours(time(8, 30), time(16, 45)),
    OfficeHours(time(0, 30), time(4)),  # includes the hour the clock skips or repeats
])


@settings(max_examples=40, deadline=None)
@given(
    anchor=st.sampled_from(ANCHORS),
    offset=st.integers(0, 4 * 24 * 60),
    length=st.integers(0, 5 * 24 * 60),
    office=office_hours,
)
def test_hours_agree_with_counting_minutes(anchor, offset, length, office):
    start = anchor + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert hours(start, end, office) == pytest.approx(minute_count(start, end, office))


# --- the moment an inquiry becomes due -------------------------------------------------


def test_due_after_one_working_day_over_a_weekend():
    due = due_moment(ams(2026, 3, 13, 16), 8)  # Friday 16:00
    assert due == ams(2026, 3, 16, 16)  # Monday 16:00
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 16, 15, tzinfo=UTC)


def test_due_over_koningsdag_is_the_tuesday():
    assert due_moment(ams(2026, 4, 24, 16), 8) == ams(2026, 4, 28, 16)


def test_due_is_the_first_moment_the_hours_are_reached():
    assert due_moment(ams(2026, 3, 9, 9), 8) == ams(2026, 3, 9, 17)  # not Tuesday 9:00
    assert due_moment(ams(2026, 3, 9, 17), 1) == ams(2026, 3, 10, 10)
    assert due_moment(ams(2026, 3, 9, 6), 0.5) == ams(2026, 3, 9, 9, 30)
    assert due_moment(ams(2026, 3, 14, 11), 1) == ams(2026, 3, 16, 10)  # from a Saturday
    assert due_moment(ams(2026, 3, 9, 9), 40) == ams(2026, 3, 13, 17)


def test_due_after_a_long_time_skips_weeks_correctly():
    # All of 2026's working hours, counted from New Year: the end of the last working day.
    assert due_moment(ams(2026, 1, 1), (261 - 7) * 8) == ams(2026, 12, 31, 17)
    assert due_moment(ams(2026, 1, 1), (261 - 7) * 8 + 0.25) == ams(2027, 1, 4, 9, 15)


def test_nothing_to_wait_for_is_due_at_once():
    start = ams(2026, 3, 14, 11)
    assert due_moment(start, 0) == start
    assert due_moment(start, -3) == start


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    max_hours=st.floats(min_value=0.02, max_value=300, allow_nan=False),
    office=office_hours,
)
def test_due_moment_agrees_with_working_hours_between(start, max_hours, office):
    due = due_moment(start, max_hours, office)
    assert due > start
    assert hours(start, due, office) == pytest.approx(max_hours, abs=1e-6)
    assert hours(start, due - timedelta(minutes=1), office) < max_hours


# --- highlighting and the waiting column -----------------------------------------------


def test_urgent_inquiries_wait_too_long_at_once():
    since = ams(2026, 3, 14, 11)  # a Saturday: not a single working hour has passed
    assert waiting_too_long(since, since, urgent=True)
    assert not waiting_too_long(since, since + timedelta(hours=30), urgent=False)


def test_other_inquiries_wait_too_long_after_one_working_day():
    since = ams(2026, 3, 13, 16)  # Friday 16:00
    assert not waiting_too_long(since, ams(2026, 3, 16, 15, 59), urgent=False)
    assert waiting_too_long(since, ams(2026, 3, 16, 16), urgent=False)
    assert not waiting_too_long(since, ams(2026, 3, 13, 16, 59), urgent=False, max_hours=1)
    assert waiting_too_long(since, ams(2026, 3, 16, 9), urgent=False, max_hours=1)
    short_day = OfficeHours(time(9), time(13))
    assert waiting_too_long(ams(2026, 3, 16, 9), ams(2026, 3, 16, 13), urgent=False,
                            office=short_day, max_hours=4)
    assert not waiting_too_long(ams(2026, 3, 16, 9), ams(2026, 3, 16, 13), urgent=False)


@pytest.mark.parametrize(
    ("elapsed", "shown"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=12, seconds=59), "12 min"),
        (timedelta(minutes=59, seconds=59), "59 min"),
        (timedelta(hours=1), "1 u"),
        (timedelta(hours=3, minutes=40), "3 u"),
        (timedelta(hours=47, minutes=59), "47 u"),
        (timedelta(hours=48), "2 d"),
        (timedelta(days=10, hours=23), "10 d"),
        (timedelta(minutes=-5), "0 min"),
        (timedelta(days=-3), "0 min"),
    ],
)
def test_describe_wait(elapsed, shown):
    now = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert describe_wait(now - elapsed, now) == shown


def test_describe_wait_counts_real_time_over_a_clock_change():
    # Saturday noon to Sunday noon when summer time starts: 23 hours really passed.
    assert describe_wait(ams(2026, 3, 28, 12), ams(2026, 3, 29, 12)) == "23 u"
    assert describe_wait(ams(2026, 10, 24, 12), ams(2026, 10, 25, 12)) == "25 u"
    assert describe_wait(ams(2026, 3, 9, 10), datetime(2026, 3, 9, 9, 12, tzinfo=UTC)) \
        == "12 min"
