"""Report periods: Amsterdam calendar days, ISO weeks, months, quarters, years, ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from balie.domain.parsing import (  # noqa: F401 (FIRST_DAY and LAST_DAY: here too)
    FIRST_DAY,
    LAST_DAY,
    MONTH_ABBREVIATIONS,
    InvalidInput,
    parse_day,
)
from balie.domain.text import fold
from balie.domain.timekeeping import Span, local_days_span

KINDS = ("day", "week", "month", "quarter", "year", "range")
# FIRST_DAY, LAST_DAY: the calendar one can ask balie about (balie.domain.parsing). A
# period's comparisons may reach further back: they are computed, not typed.
KIND_NAMES = {"day": "dag", "week": "week", "month": "maand", "quarter": "kwartaal",
              "year": "jaar", "range": "periode"}
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True)
class Period:
    """A run of whole Amsterdam calendar days, ``first`` to ``last`` inclusive."""

    kind: str
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.last < self.first:
            raise ValueError("a period ends on or after its first day")

    @property
    def span(self) -> Span:
        """The UTC moments of the period, for ``registered_at`` range queries."""
        return local_days_span(self.first, self.last)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative), of the same kind;
        InvalidInput past the end of the calendar."""
        return in_calendar(self._shifted(steps))

    def _shifted(self, steps: int) -> Period:
        if self.kind == "day":
            return containing("day", self.first + timedelta(days=steps))
        if self.kind == "week":
            return containing("week", self.first + timedelta(weeks=steps))
        if self.kind in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.kind] * steps
            return containing(self.kind, self.first + relativedelta(months=months))
        length = (self.last - self.first).days + 1
        return Period("range", self.first + timedelta(days=length * steps),
                      self.last + timedelta(days=length * steps))

    def year_earlier(self) -> Period:
        """The same period a year before, as the annual report compares.

        A day is compared with the same weekday 52 weeks earlier (a Friday with a
        Friday), so the days of a week add up to the week's comparison.
        """
        if self.kind == "day":
            return containing("day", self.first - timedelta(weeks=52))
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            try:
                monday = date.fromisocalendar(year - 1, week, 1)
            except ValueError:  # week 53 in a year that has 52
                monday = date.fromisocalendar(year - 1, 52, 1)
            return containing("week", monday)
        if self.kind == "range":
            return Period("range", self.first - relativedelta(years=1),
                          self.last - relativedelta(years=1))
        return containing(self.kind, self.first - relativedelta(years=1))

    def label(self) -> str:
        """Dutch name of the period: "dinsdag 10 maart 2026", "week 11 van 2026", ..."""
        first, last = self.first, self.last
        if self.kind == "day":
            return f"{WEEKDAYS[first.weekday()]} {first.day} {MONTHS[first.month - 1]} {first.year}"
        if self.kind == "week":
            year, week, _ = first.isocalendar()
            return f"week {week} van {year} ({short(first)} t/m {short(last)})"
        if self.kind == "month":
            return f"{MONTHS[first.month - 1]} {first.year}"
        if self.kind == "quarter":
            return f"{(first.month - 1) // 3 + 1}e kwartaal {first.year}"
        if self.kind == "year":
            return str(first.year)
        return f"{short(first)} {first.year} t/m {short(last)} {last.year}"


def in_calendar(period: Period) -> Period:
    """The period, or InvalidInput when it is not between 1900 and 2199."""
    if period.first < FIRST_DAY or period.last > LAST_DAY:
        raise InvalidInput(f"Kies een periode tussen {FIRST_DAY.year} en {LAST_DAY.year}.")
    return period


def short(day: date) -> str:
    return f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]}"


def containing(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day`` (for "range": just that day)."""
    if kind in ("day", "range"):
        return Period(kind, day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        first = day.replace(day=1)
        return Period("month", first, first + relativedelta(months=1) - timedelta(days=1))
    if kind == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period("quarter", first, first + relativedelta(months=3) - timedelta(days=1))
    if kind == "year":
        return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


def parse_period(kind: str, text: str | None, today: date) -> Period:
    """The period of ``kind`` named by what someone typed (None: the current one).

    A day, or any day inside the period, in the forms of
    :func:`balie.domain.parsing.parse_day`; also "2024-03" or "maart 2024" for a month,
    "2024-Q1" or "Q1 2024" for a quarter and "2024" for a year.
    """
    try:
        return in_calendar(_parse_period(kind, text, today))
    except (ValueError, OverflowError) as error:
        if isinstance(error, InvalidInput):
            raise
        raise InvalidInput(f"'{(text or '').strip()}' is geen bruikbare periode.") from None


PERIOD_EXAMPLES = {
    "week": "een dag in die week, bijvoorbeeld vandaag, 12-3 of 2024-03-12",
    "month": "bijvoorbeeld 3 of maart (de laatste maart), 2024-03 of maart 2024",
    "quarter": "bijvoorbeeld 1 (het laatste eerste kwartaal), 2024-Q1 of Q1 2024",
    "year": "bijvoorbeeld 2024",
}
"""What to type for each kind of period, for the message after a mistake."""


def _parse_period(kind: str, text: str | None, today: date) -> Period:
    if text is None or not text.strip():
        return containing(kind, today)
    raw = fold(text)
    if kind == "year" and re.fullmatch(r"\d{4}", raw):
        return containing("year", date(int(raw), 1, 1))
    if kind == "quarter":
        match = re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", raw)
        if match:
            year = int(match.group(1) or match.group(4))
            quarter = int(match.group(2) or match.group(3))
            return containing("quarter", date(year, 3 * quarter - 2, 1))
        alone = re.fullmatch(r"q?\s*(\d{1,2})", raw)
        if alone:
            quarter = int(alone.group(1))
            if not 1 <= quarter <= 4:
                raise InvalidInput(f"Er is geen kwartaal {quarter}; "
                                   f"{PERIOD_EXAMPLES['quarter']}.")
            return _latest(kind, 3 * quarter - 2, today)
    if kind == "month":
        return _month(text, raw, today)
    try:
        return containing(kind, parse_day(text, today, prefer="past"))
    except InvalidInput:
        if kind not in PERIOD_EXAMPLES:  # a day (or the first day of a range)
            raise
        raise InvalidInput(f"'{text.strip()}' is geen {KIND_NAMES[kind]}; "
                           f"{PERIOD_EXAMPLES[kind]}.") from None


def _latest(kind: str, month: int, today: date) -> Period:
    """The month or quarter beginning in ``month`` of this year, or of last year when
    that one is still to come: ``--month 3`` in January is last March."""
    first = date(today.year, month, 1)
    return containing(kind, first if first <= today else first.replace(year=today.year - 1))


def _month(text: str, raw: str, today: date) -> Period:
    """A month: "3", "maart", "2024-03", "maart 2024", or any day in it."""
    wrong = f"'{text.strip()}' is geen maand; {PERIOD_EXAMPLES['month']}."
    number = re.fullmatch(r"(\d{1,2})", raw)
    year_month = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    named = re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", raw)
    if number:
        month = int(number.group(1))
        if not 1 <= month <= 12:
            raise InvalidInput(f"Er is geen maand {month}; een maand is 1 t/m 12, "
                               f"{PERIOD_EXAMPLES['month']}.")
        return _latest("month", month, today)
    if year_month:
        month = int(year_month.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput(wrong)
        return containing("month", date(int(year_month.group(1)), month, 1))
    if named:
        word = named.group(1)  # "maart", "mrt" (as balie writes it), "maa"
        month = next((i for i, (m, short) in enumerate(zip(MONTHS, MONTH_ABBREVIATIONS), 1)
                      if word == short or (len(word) >= 3 and m.startswith(word))), None)
        if month is None:
            raise InvalidInput(wrong)
        if named.group(2) is None:
            return _latest("month", month, today)
        return containing("month", date(int(named.group(2)), month, 1))
    try:
        return containing("month", parse_day(text, today, prefer="past"))
    except InvalidInput:
        raise InvalidInput(wrong) from None
