"""Following up a referral: "nabellen over 2 weken: is het gelukt?".

A referral (or information given at the desk) can get a follow-up call, with the
caller's consent and phone number, like a callback. It appears in the callback list
(F4) when it is due; the call records one of :data:`RESULTS`. Until then its result is
``pending``. The time is a personal detail (erased with the phone number); the result
is what the reports count, and stays.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from balie.domain.parsing import CALLBACK_DAY_START, InvalidInput, Moment, parse_moment
from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM

PENDING = "pending"
RESULTS: tuple[tuple[str, str], ...] = (
    ("helped", "geholpen"),
    ("in_progress", "nog bezig"),
    ("not_helped", "niet geholpen"),
    ("not_reached", "niet bereikt"),
    ("declined", "cliënt wil geen contact"),
)
"""(code, Dutch label) of what a follow-up call found, in the order they are offered
(a digit picks one: 1 is geholpen)."""
RESULT_NAMES = dict(RESULTS)
FOLLOWUP_CODES = (PENDING, *RESULT_NAMES)
"""Every value of ``inquiry.followup_result`` (the migration's CHECK lists the same)."""
PENDING_NAME = "nog nabellen"

DEFAULT_WEEKS = 2
"""What "j" (or "ja") in the follow-up field means: in two weeks."""

_RELATIVE = re.compile(
    r"^(?:over\s+)?(\d{1,3})\s*(w|wk|wkn|week|weken|d|dg|dag|dagen)$")


def parse_followup(text: str, now: datetime) -> Moment:
    """When to follow up: "j" (in two weeks), "2w", "over 2 weken", "10 dagen", or any
    moment a callback takes ("vr", "24-3 10u"). A day without a time means the start of
    that working day."""
    raw = " ".join(fold(text).split())
    if raw in ("j", "ja", "y"):
        return _days_ahead(7 * DEFAULT_WEEKS, now)
    match = _RELATIVE.match(raw)
    if match:
        count = int(match[1])
        days = count * 7 if match[2].startswith("w") else count
        if not 1 <= days <= 366:
            raise InvalidInput("Nabellen kan van morgen tot een jaar vooruit.")
        return _days_ahead(days, now)
    try:
        return parse_moment(text, now)
    except InvalidInput as error:
        raise InvalidInput(f"{error.message} Of: j (over {DEFAULT_WEEKS} weken), 2w, "
                           "10 dagen.") from None


def _days_ahead(days: int, now: datetime) -> Moment:
    day = now.astimezone(AMSTERDAM).date() + timedelta(days=days)
    return Moment(datetime.combine(day, CALLBACK_DAY_START, tzinfo=AMSTERDAM), False)


def parse_result(text: str) -> tuple[str, str | None]:
    """A follow-up's result as typed on the callback list's line: a digit or the start
    of a result's name, then an optional note ("1 kon meteen terecht"). Returns
    (code, note)."""
    words = text.strip().split(maxsplit=1)
    if not words:
        raise InvalidInput(_choose())
    first, note = words[0], (words[1] if len(words) > 1 else None)
    if first.isascii() and first.isdigit():
        if not 1 <= int(first) <= len(RESULTS):
            raise InvalidInput(_choose())
        return RESULTS[int(first) - 1][0], note
    typed = fold(text.strip())
    # A label may be typed whole ("niet bereikt") or by its start ("geh").
    for code, label in sorted(RESULTS, key=lambda r: -len(r[1])):
        if typed.startswith(fold(label)):
            rest = text.strip()[len(label):].strip()
            return code, rest or None
    matches = [code for code, label in RESULTS if fold(label).startswith(fold(first))]
    if len(matches) == 1:
        return matches[0], note
    raise InvalidInput(_choose())


def choices_text() -> str:
    return ", ".join(f"{n} {label}" for n, (_, label) in enumerate(RESULTS, start=1))


def _choose() -> str:
    return f"Kies de uitkomst met een cijfer: {choices_text()}."
