"""Time as balie stores it and as people in Midden-Drenthe count it.

Timestamps are stored as UTC text in one fixed format (``2026-03-29T01:30:00Z``) so that
they are unambiguous, sort correctly as text, and can be compared with plain range
predicates that use an index. Days, weeks and months are Europe/Amsterdam calendar
periods: a day is not always 24 hours (23 on the last Sunday of March, 25 on the last
Sunday of October), so its bounds are computed here and never by adding hours in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
"""The calendar that reports, 'today' and opening hours use."""

DB_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Fixed-width UTC format of every stored timestamp (sorts as text)."""


def utc_now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Format an aware datetime for storage (UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: balie only stores timezone-aware moments")
    return moment.astimezone(UTC).strftime(DB_FORMAT)


def from_db(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime.

    ``fromisoformat`` reads the stored form (``2026-03-29T01:30:00Z``) about twenty
    times faster than ``strptime``, which counts when a list reads thousands of rows.
    """
    if len(text) != 20 or text[-1] != "Z":
        raise ValueError(f"not a stored timestamp: {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def local(moment: datetime) -> datetime:
    """The same moment on the Amsterdam wall clock."""
    return moment.astimezone(AMSTERDAM)


def local_day(moment: datetime) -> date:
    """The Amsterdam calendar day a moment falls on."""
    return local(moment).date()


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of an Amsterdam calendar day, as an aware UTC moment."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


@dataclass(frozen=True)
class Span:
    """A half-open range of moments [start, end), with its stored-text bounds."""

    start: datetime
    end: datetime

    @property
    def db_bounds(self) -> tuple[str, str]:
        """Bounds for ``registered_at >= ? AND registered_at < ?``."""
        return to_db(self.start), to_db(self.end)


def local_days_span(first: date, last: date) -> Span:
    """All moments from the start of ``first`` up to the end of ``last`` (Amsterdam days)."""
    if last < first:
        raise ValueError("last day before first day")
    return Span(start_of_local_day(first), start_of_local_day(last + timedelta(days=1)))


def _offset_hours(moment: datetime) -> int:
    return int(moment.astimezone(AMSTERDAM).utcoffset().total_seconds() // 3600)


def offset_segments(span: Span) -> list[tuple[str, str, int]]:
    """Split a span where the Amsterdam clock changes: [(start, end, UTC offset in hours)].

    Within one segment, local time is UTC plus a fixed number of hours, so SQL can
    compute local hours and days with plain arithmetic. Changes happen on the hour.
    """
    segments = []
    start = span.start
    offset = _offset_hours(start)
    probe = start
    while probe < span.end:
        step = min(probe + timedelta(days=1), span.end)
        if _offset_hours(step) != offset or step == span.end:
            if _offset_hours(step) != offset:
                # Find the hour of the change between probe and step.
                change = probe
                while _offset_hours(change) == offset:
                    change += timedelta(hours=1)
                step = change
            segments.append((to_db(start), to_db(step), offset))
            start, offset = step, _offset_hours(step)
        probe = step
    return segments
