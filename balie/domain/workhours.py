"""Working hours of the team inboxes: how long an inquiry has really been waiting.

An inquiry that nobody picked up within N working hours is waiting too long. The rules:

* Only office hours count: by default 09:00-17:00 on the Europe/Amsterdam wall clock,
  whatever the UTC offset of the day is (summer time or winter time).
* Only working days count: Monday to Friday, except Dutch public holidays as the
  ``holidays`` package (python-holidays, country "NL", category "public") lists them.
  That list has Nieuwjaarsdag, Goede Vrijdag, Tweede Paasdag, Koningsdag (27 April, or
  Saturday the 26th when the 27th is a Sunday), Hemelvaartsdag, Tweede Pinksterdag and
  both Christmas days; Bevrijdingsdag (5 May) only in lustrum years (2025, 2030, ...),
  as many collective agreements have it (the library's choice, not the law's).
* Urgent inquiries (spoed) are always highlighted, whatever the hours.
* The lists show waiting times in working time too ("35 min", "5 u", "3 wd"), the way
  the highlighting counts them, so that a red "te lang" never stands beside a small
  number; :func:`describe_wait` (calendar time) is for what is not about working hours.

All moments passed in are timezone-aware; moments returned are UTC. The Amsterdam clock
changes on Sunday nights, never on a working day, so every working day's office window
lasts exactly as long as its wall-clock hours; windows are still built as aware Amsterdam
datetimes and compared in UTC so the partial first and last days are exact.

This runs for every row of a list on every refresh, so it is cheap: the holiday calendar
of a year is built once (the ``holidays`` module itself is imported on first use), and
whole days between the first and the last day of a span are counted arithmetically
instead of visited one by one.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from balie.domain.parsing import InvalidInput
from balie.domain.periods import MONTHS, WEEKDAYS
from balie.domain.timekeeping import AMSTERDAM


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


@dataclass(frozen=True)
class OfficeHours:
    """The part of a working day that counts, as Amsterdam wall-clock times [start, end)."""

    start: time = time(9, 0)
    end: time = time(17, 0)

    def __post_init__(self) -> None:
        if _seconds(self.end) <= _seconds(self.start):
            raise ValueError(f"office hours end ({self.end}) is not after start ({self.start})")

    @property
    def hours_per_day(self) -> float:
        """Length of the office window of one working day, in hours (8.0 for 9-17)."""
        return (_seconds(self.end) - _seconds(self.start)) / 3600


DEFAULT_OFFICE_HOURS = OfficeHours()
DEFAULT_MAX_WAIT_HOURS = 8.0
"""One working day: an inquiry not picked up by then is waiting too long."""


# --- parsing ---------------------------------------------------------------------------

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?\s*u?"
_RANGE = re.compile(rf"\s*{_CLOCK}\s*(?:-|–|—|tot)\s*{_CLOCK}\s*", re.IGNORECASE)


def _clock(hour: str, minute: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise InvalidInput(f"{h}:{m:02d} is geen tijd op de klok.")
    return time(h, m)


def parse_office_hours(text: str) -> OfficeHours:
    """Office hours typed as begin-end: "9:00-17:00", "09:00 - 17:30", "8-16", "8.30-16u"."""
    match = _RANGE.fullmatch(text)
    if match is None:
        raise InvalidInput("Vul kantoortijden in als begin-eind, zoals 9:00-17:00 of 8-16.")
    start = _clock(match.group(1), match.group(2))
    end = _clock(match.group(3), match.group(4))
    if end <= start:
        raise InvalidInput(
            f"De eindtijd ({end:%H:%M}) moet na de begintijd ({start:%H:%M}) liggen."
        )
    return OfficeHours(start, end)


# --- the calendar ----------------------------------------------------------------------


@cache
def _holidays_of(year: int) -> dict[date, str]:
    """Dutch public holidays of one year, {day: Dutch name}, built once per year."""
    import holidays  # imported on first use: the package takes tens of milliseconds to load

    # language="nl": without it the names follow the process locale (English under C.UTF-8).
    calendar = holidays.country_holidays("NL", years=year, language="nl")
    # A plain dict: a holidays object grows itself when asked about another year.
    return dict(calendar.items())


@cache
def _weekday_holidays(year: int) -> tuple[date, ...]:
    """The holidays of a year that fall on Monday to Friday, sorted (for counting)."""
    return tuple(sorted(day for day in _holidays_of(year) if day.weekday() < 5))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def holiday_name(day: date) -> str | None:
    """The Dutch name of the public holiday on ``day`` ("Koningsdag"), or None."""
    return _holidays_of(day.year).get(day)


def _working_days_in(first: date, stop: date) -> int:
    """How many working days there are in [first, stop), without visiting them one by one."""
    if stop <= first:
        return 0
    weeks, rest = divmod((stop - first).days, 7)
    weekday = first.weekday()
    count = weeks * 5 + sum(1 for i in range(rest) if (weekday + i) % 7 < 5)
    for year in range(first.year, stop.year + 1):
        listed = _weekday_holidays(year)
        count -= bisect.bisect_left(listed, stop) - bisect.bisect_left(listed, first)
    return count


# --- arithmetic ------------------------------------------------------------------------


def _window(day: date, office: OfficeHours) -> tuple[datetime, datetime]:
    """The office window of an Amsterdam calendar day, as aware UTC moments."""
    return (
        datetime.combine(day, office.start, tzinfo=AMSTERDAM).astimezone(UTC),
        datetime.combine(day, office.end, tzinfo=AMSTERDAM).astimezone(UTC),
    )


def _overlap(day: date, start: datetime, end: datetime, office: OfficeHours) -> timedelta:
    """Office time of ``day`` within [start, end) (UTC moments); nothing on a day off."""
    if not is_working_day(day):
        return timedelta(0)
    opens, closes = _window(day, office)
    return max(timedelta(0), min(closes, end) - max(opens, start))


def _office_length(office: OfficeHours) -> timedelta:
    return timedelta(seconds=_seconds(office.end) - _seconds(office.start))


def working_hours_between(
    start: datetime, end: datetime, office: OfficeHours = DEFAULT_OFFICE_HOURS
) -> float:
    """Hours of office time on working days within [start, end); 0.0 if end <= start."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    first, last = start.astimezone(AMSTERDAM).date(), end.astimezone(AMSTERDAM).date()
    total = _overlap(first, start, end, office)
    if last > first:
        total += _overlap(last, start, end, office)
        # Every day strictly between first and last lies wholly inside the span.
        total += _working_days_in(first + timedelta(days=1), last) * _office_length(office)
    return total.total_seconds() / 3600


def due_moment(
    start: datetime, max_hours: float, office: OfficeHours = DEFAULT_OFFICE_HOURS
) -> datetime:
    """The first moment (UTC) at which ``max_hours`` working hours have passed since ``start``.

    Friday 16:00 plus 8 hours with office hours 9-17 is Monday 16:00 (Tuesday 16:00 when
    that Monday is a holiday).
    """
    start = start.astimezone(UTC)
    if max_hours <= 0:
        return start
    if not math.isfinite(max_hours):
        raise ValueError(f"max_hours must be finite, not {max_hours}")
    remaining = timedelta(hours=max_hours)
    day = start.astimezone(AMSTERDAM).date()
    if is_working_day(day):
        opens, closes = _window(day, office)
        begin = max(opens, start)
        if begin < closes:
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
    length = _office_length(office)
    # Skip whole weeks at once. A week holds at most five working days, so more than two
    # days' worth stays for the day-by-day walk below, which finds the exact moment.
    while remaining > 7 * length:
        remaining -= _working_days_in(day + timedelta(days=1), day + timedelta(days=8)) * length
        day += timedelta(days=7)
    while True:
        day += timedelta(days=1)
        if is_working_day(day):
            if remaining <= length:
                return _window(day, office)[0] + remaining
            remaining -= length


def waiting_too_long(
    since: datetime,
    now: datetime,
    *,
    urgent: bool,
    max_hours: float = DEFAULT_MAX_WAIT_HOURS,
    office: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> bool:
    """Whether an inquiry waiting since ``since`` should be highlighted at ``now``.

    Urgent inquiries (spoed) are highlighted at once; others after ``max_hours`` working hours.
    """
    if urgent:
        return True
    return working_hours_between(since, now, office) >= max_hours


def describe_wait(since: datetime, now: datetime) -> str:
    """Elapsed calendar time for a list column: "12 min", "3 u", "2 d" (rounded down).

    Minutes under an hour, hours under 48 hours, days from then on; never negative.
    """
    seconds = max(0, int((now.astimezone(UTC) - since.astimezone(UTC)).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} u"
    return f"{seconds // 86400} d"


# --- callbacks -------------------------------------------------------------------------


def off_hours(moment: datetime, office: OfficeHours = DEFAULT_OFFICE_HOURS) -> str | None:
    """Why nobody will be there to call back at ``moment``, in Dutch, or None.

    "zaterdag 14 maart is geen werkdag", "maandag 6 april is Tweede Paasdag, geen
    werkdag", "dinsdag 10 maart 18:30 is buiten kantoortijd (09:00-17:00)". The form
    and the callback list both ask the desk to confirm such a moment.
    """
    local = moment.astimezone(AMSTERDAM)
    day = local.date()
    name = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    holiday = holiday_name(day)
    if holiday is not None:
        return f"{name} is {holiday}, geen werkdag"
    if not is_working_day(day):
        return f"{name} is geen werkdag"
    if not office.start <= local.time() < office.end:
        return (f"{name} {local:%H:%M} is buiten kantoortijd "
                f"({office.start:%H:%M}-{office.end:%H:%M})")
    return None

def describe_working_time(since: datetime, now: datetime,
                          office: OfficeHours = DEFAULT_OFFICE_HOURS) -> str:
    """Working time since ``since`` for a list column, the way "te lang" counts it:
    "35 min", "5 u", "3 wd" (working days of the office hours; rounded down).

    Minutes under an hour, hours under two working days, working days from then on.
    """
    hours = working_hours_between(since, now, office)
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 2 * office.hours_per_day:
        return f"{int(hours)} u"
    return f"{int(hours // office.hours_per_day)} wd"
