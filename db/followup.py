"""Follow-up calls of referrals: "is het gelukt?".

A follow-up is a callback with a purpose: it is made from the same list (F4), by the
same people (the action ``callbacks`` on the inquiry's route), and its time is erased
like a callback's (:mod:`balie.db.erasure`). Its result, one of
:data:`balie.domain.followup.RESULTS`, is counted by the reports and stays.

History: a line of kind ``callback`` with field ``followup`` and, as new value, the
result's code or ``retry`` (nobody answered; a new time is set). The audit log
gets a ``followup`` row with the same code. The times themselves stay out of both.
"""

from __future__ import annotations

from datetime import datetime

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.inbox import RETRY, InboxConflict, _reason
from balie.domain.followup import PENDING, RESULT_NAMES
from balie.domain.parsing import InvalidInput
from balie.domain.timekeeping import to_db


def _open_followup(db: BalieDatabase, actor: Actor, inquiry_id: int,
                   expected_at: datetime) -> None:
    row = db.execute("SELECT route_id, followup_at, followup_result FROM inquiry WHERE id = ?",
                     [inquiry_id]).fetchone()
    if row is None:
        raise InboxConflict(f"Nummer {inquiry_id} bestaat niet.")
    route_id, followup_at, result = row
    require(db, actor, "callbacks", route_id=route_id)
    if followup_at is None or result != PENDING:
        raise InboxConflict(f"Het nabellen van nummer {inquiry_id} is al gedaan. De lijst "
                            "is bijgewerkt.")
    if followup_at != to_db(expected_at):
        raise InboxConflict(f"Het nabellen van nummer {inquiry_id} is intussen verzet. De "
                            "lijst is bijgewerkt.")


def _history(db: BalieDatabase, inquiry_id: int, actor: Actor, now: datetime, new: str,
             note: str | None) -> None:
    db.execute(
        """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, field, new_value, reason)
           VALUES (?, ?, ?, 'callback', 'followup', ?, ?)""",
        [inquiry_id, to_db(now), actor.staff_id, new, note])
    audit(db, actor, "followup", now, inquiry_id=inquiry_id, detail=new)


def followup_done(db: BalieDatabase, inquiry_id: int, expected_at: datetime, result: str,
                  actor: Actor, now: datetime, note: str | None = None) -> None:
    """The follow-up call was made and found ``result``; ``expected_at`` is the time the
    list showed (a follow-up moved meanwhile is refused, not overwritten)."""
    if result not in RESULT_NAMES:
        raise InvalidInput("Onbekende uitkomst van het nabellen.")
    why = _reason(note, required=False, what="een notitie")
    stamp = to_db(now)
    with db.write():
        _open_followup(db, actor, inquiry_id, expected_at)
        db.execute("UPDATE inquiry SET followup_result = ?, followup_done_at = ?, "
                   "updated_at = ?, version = version + 1 WHERE id = ?",
                   [result, stamp, stamp, inquiry_id])
        _history(db, inquiry_id, actor, now, result, why)


def followup_not_reached(db: BalieDatabase, inquiry_id: int, expected_at: datetime,
                         again_at: datetime, actor: Actor, now: datetime,
                         note: str | None = None) -> None:
    """Nobody answered: try again at ``again_at`` (later than now)."""
    if again_at <= now:
        raise InvalidInput("Het nieuwe tijdstip moet later zijn dan nu.")
    why = _reason(note, required=False, what="een notitie")
    stamp = to_db(now)
    with db.write():
        _open_followup(db, actor, inquiry_id, expected_at)
        db.execute("UPDATE inquiry SET followup_at = ?, updated_at = ?, version = version + 1 "
                   "WHERE id = ?", [to_db(again_at), stamp, inquiry_id])
        _history(db, inquiry_id, actor, now, RETRY, why)
