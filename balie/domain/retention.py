"""Retention periods as people count them, and inquiry numbers written compactly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from balie.domain.numbers import count
from balie.domain.timekeeping import local


def retention_cutoff(now: datetime, months: int) -> datetime:
    """The moment ``months`` calendar months before ``now`` on the Amsterdam calendar:
    an inquiry closed before it is past a retention period of that many months.

    Calendar months, not blocks of 30 days; where a month is too short the calendar's
    last day counts (on 28 February, six months back is 28 August), so an inquiry
    closed on 29, 30 or 31 August is due from 1 March.
    """
    return (local(now) - relativedelta(months=months)).astimezone(UTC)


def retention_end(closed_at: datetime, months: int) -> datetime:
    """From when the details of an inquiry closed at ``closed_at`` are due to go: the
    first moment at which :func:`retention_cutoff` has passed it (for the export)."""
    closed = local(closed_at)
    end = closed + relativedelta(months=months)
    if end.day != closed.day:  # 31 August + 6 months: no 31 February
        end = datetime.combine(end.date() + timedelta(days=1), time(0), tzinfo=end.tzinfo)
    return end.astimezone(UTC)


def inquiries(n: int) -> str:
    """``1 vraag``, ``3 vragen`` (thousands with a dot, as Dutch readers expect)."""
    return count(n) + (" vraag" if n == 1 else " vragen")


def number_ranges(numbers: Iterable[int]) -> str:
    """Inquiry numbers as runs: ``1-4, 7, 9-10`` (sorted, without duplicates)."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def parse_number_ranges(text: str) -> set[int]:
    """The numbers of a text written by :func:`number_ranges` (``1-4, 7``)."""
    numbers: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            numbers.update(range(int(first), int(last or first) + 1))
    return numbers
