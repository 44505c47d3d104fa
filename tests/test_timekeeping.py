from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from balie.domain.timekeeping import (
    from_db,
    local_day,
    local_days_span,
    start_of_local_day,
    to_db,
)


def test_stored_format_is_fixed_width_utc_and_round_trips():
    moment = datetime(2026, 7, 1, 14, 5, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    text = to_db(moment)
    assert text == "2026-07-01T12:05:09Z"
    assert from_db(text) == moment.replace(microsecond=0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        to_db(datetime(2026, 1, 1, 12, 0))


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 29), 23),  # summer time starts: 02:00 -> 03:00
        (date(2026, 10, 25), 25),  # summer time ends: 03:00 -> 02:00
        (date(2026, 6, 1), 24),
    ],
)
def test_amsterdam_days_have_their_real_length(day, hours):
    span = local_days_span(day, day)
    assert span.end - span.start == timedelta(hours=hours)


def test_day_bounds_are_amsterdam_midnight_in_utc():
    assert to_db(start_of_local_day(date(2026, 1, 15))) == "2026-01-14T23:00:00Z"
    assert to_db(start_of_local_day(date(2026, 7, 15))) == "2026-07-14T22:00:00Z"
    # 23:30 UTC on 14 January is already the 15th in Beilen.
    assert local_day(datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == date(2026, 1, 15)


def test_span_db_bounds_select_exactly_the_day():
    lower, upper = local_days_span(date(2026, 3, 29), date(2026, 3, 29)).db_bounds
    assert (lower, upper) == ("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z")
