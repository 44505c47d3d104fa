"""Settings that all desks share, kept in the database (JSON values)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.domain.parsing import InvalidInput
from balie.domain.timekeeping import to_db
from balie.domain.workhours import (
    DEFAULT_MAX_WAIT_HOURS,
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    parse_office_hours,
)


def get_setting(db: BalieDatabase, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: BalieDatabase, key: str, value: Any, now: datetime) -> None:
    with db.write():
        db.execute(
            "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            [key, json.dumps(value), to_db(now)],
        )


def first_time_today(db: BalieDatabase, key: str, day: date, now: datetime) -> bool:
    """True once per ``day`` for ``key`` (e.g. a notice at the start), whichever desk
    asks first; the answer is recorded in the same transaction, so two desks starting
    at once do not both get True."""
    with db.write():
        if get_setting(db, key) == day.isoformat():
            return False
        set_setting(db, key, day.isoformat(), now)
        return True


def is_demo(db: BalieDatabase) -> bool:
    """Whether the database holds made-up data (filled by balie demo)."""
    return bool(get_setting(db, "demo", False))


MAX_WAIT_HOURS = "inbox.max_wait_hours"
OFFICE_HOURS = "inbox.office_hours"


MAX_WAIT_LIMIT = 400


def _parse_hours(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise InvalidInput("Geef een aantal werkuren, bijv. 8 (één werkdag) of 4,5.") from None
    if not 0 < value <= MAX_WAIT_LIMIT:
        raise InvalidInput(f"Het aantal werkuren moet tussen 0 en {MAX_WAIT_LIMIT} liggen.")
    return value


def _office_text(text: str) -> str:
    office = parse_office_hours(text)
    return f"{office.start:%H:%M}-{office.end:%H:%M}"


ADJUSTABLE: dict[str, tuple[str, Callable[[str], Any], Any, str]] = {
    "max-wait-hours": (MAX_WAIT_HOURS, _parse_hours, DEFAULT_MAX_WAIT_HOURS,
                       "werkuren dat een nieuwe vraag in een teamlijst mag wachten "
                       "(spoed: altijd gemarkeerd)"),
    "office-hours": (OFFICE_HOURS, _office_text,
                     f"{DEFAULT_OFFICE_HOURS.start:%H:%M}-{DEFAULT_OFFICE_HOURS.end:%H:%M}",
                     "kantoortijden op werkdagen (ma-vr, zonder feestdagen) die meetellen"),
}
"""Settings beheer may change with ``balie settings``: name -> (key, parse, default,
Dutch description). ``parse`` raises InvalidInput with a message for bad input."""


def adjust_setting(db: BalieDatabase, actor: Actor, name: str, text: str,
                   now: datetime) -> Any:
    """Validate and store one adjustable setting (beheer); returns the value stored."""
    key, parse, _, _ = ADJUSTABLE[name]
    value = parse(text)
    with db.write():
        require(db, actor, "settings")
        set_setting(db, key, value, now)
        audit(db, actor, "settings", now, detail=f"{name} = {text}")
    return value


KEYMAP = "keys.keymap"
"""The organisation's keys: binding id -> Textual's key names ("app.new": "f8,ctrl+n")."""


def keymap_setting(db: BalieDatabase) -> dict[str, str]:
    """The stored keymap; anything that is not one (a hand-edited value) counts as none."""
    stored = get_setting(db, KEYMAP, {})
    if not isinstance(stored, dict):
        return {}
    return {str(k): v for k, v in stored.items() if isinstance(v, str)}


def set_keymap(db: BalieDatabase, actor: Actor, keymap: dict[str, str], now: datetime,
               detail: str) -> None:
    """Store the organisation's keymap (beheer; checked by the caller against the
    bindings, see balie.domain.keymap)."""
    with db.write():
        require(db, actor, "settings")
        set_setting(db, KEYMAP, keymap, now)
        audit(db, actor, "settings", now, detail=f"toetsen: {detail}")


def office_settings(db: BalieDatabase) -> tuple[float, OfficeHours]:
    """How long an inquiry may wait in a team's list (working hours) and the office
    hours that count; a setting that cannot be read gives the default, never a crash."""
    max_hours = get_setting(db, MAX_WAIT_HOURS, DEFAULT_MAX_WAIT_HOURS)
    if not isinstance(max_hours, int | float) or isinstance(max_hours, bool) \
            or not 0 <= max_hours <= MAX_WAIT_LIMIT:  # JSON's NaN and Infinity too
        max_hours = DEFAULT_MAX_WAIT_HOURS
    try:
        office = parse_office_hours(get_setting(db, OFFICE_HOURS, "") or "")
    except (InvalidInput, TypeError):
        office = DEFAULT_OFFICE_HOURS
    return float(max_hours), office
