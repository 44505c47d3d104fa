"""Inquiries: saving, reading back, correcting, and their history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from balie.db.access import Actor, audit, require, require_view
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.db.importing import FINISHED
from balie.domain.followup import PENDING
from balie.domain.models import PERSONAL_FIELDS, InquiryInput
from balie.domain.parsing import clean_text
from balie.domain.reference_data import ROUTE_TEAM
from balie.domain.timekeeping import Span, from_db, to_db

STATUS_NEW, STATUS_PICKED_UP, STATUS_CLOSED = "new", "picked_up", "closed"

FIELDS_WITHOUT_VALUES = (*PERSONAL_FIELDS, "summary")
"""Corrections of these are recorded by field name only: their old text (a name, or a
BSN that was removed from the summary) must not live on in the history."""
MAX_REASON = 200


@dataclass(frozen=True)
class Inquiry(InquiryInput):
    """A saved inquiry."""

    id: int = 0
    registered_at: datetime | None = None
    registered_by: int = 0
    status: str = STATUS_NEW
    updated_at: datetime | None = None
    version: int = 1
    intake_route_id: int | None = None
    """Where the desk sent it; ``route_id`` is where it is now (after transfers)."""
    owner_id: int | None = None
    """Who picked it up (status picked_up, and who closed it)."""
    queued_at: datetime | None = None
    """Since when it waits in its team's list."""
    closed_at: datetime | None = None
    outcome_id: int | None = None
    callback_done_at: datetime | None = None
    followup_result: str | None = None
    """'pending' until the follow-up call found a result (balie.domain.followup)."""
    followup_done_at: datetime | None = None


@dataclass(frozen=True)
class InquiryEvent:
    """One line of an inquiry's history."""

    id: int
    at: datetime
    staff_name: str
    kind: str
    from_route_id: int | None
    to_route_id: int | None
    field: str | None
    old_value: str | None
    new_value: str | None
    reason: str | None


def _status_for_route(db: BalieDatabase, route_id: int) -> str:
    (kind,) = db.execute("SELECT kind FROM route WHERE id = ?", [route_id]).fetchone()
    # Desk and external routes end at the desk: nothing is left to pick up.
    return STATUS_NEW if kind == ROUTE_TEAM else STATUS_CLOSED


class EditConflict(StoreError):
    """Someone else changed the inquiry after it was opened for correction."""


def save_inquiry(
    db: BalieDatabase,
    data: InquiryInput,
    actor: Actor,
    now: datetime,
    *,
    draft_id: int | None = None,
) -> Inquiry:
    """Register a new inquiry with its topics and a 'created' history line.

    The draft it was typed in is deleted in the same transaction: after a crash there
    is either the draft or the inquiry, never both and never neither.
    """
    stamp = to_db(now)
    staff_id = actor.staff_id
    with db.write():
        require(db, actor, "register")
        status = _status_for_route(db, data.route_id)
        row = data.columns() | {
            "registered_at": stamp,
            "registered_by": staff_id,
            "status": status,
            "updated_at": stamp,
            "intake_route_id": data.route_id,
            "followup_result": PENDING if data.followup_at is not None else None,
        } | _placement(status, stamp)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = db.execute(f"INSERT INTO inquiry ({names}) VALUES ({marks})", list(row.values()))
        inquiry_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)",
            [(inquiry_id, t) for t in sorted(set(data.topic_ids))],
        )
        _store_referrals(db, inquiry_id, data.referral_ids)
        db.execute(
            """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, to_route_id)
               VALUES (?, ?, ?, 'created', ?)""",
            [inquiry_id, stamp, staff_id, data.route_id],
        )
        if draft_id is not None:
            db.execute("DELETE FROM draft WHERE id = ?", [draft_id])
        audit(db, actor, "register", now, inquiry_id=inquiry_id)
        return load_inquiry(db, inquiry_id)


def get_inquiry(db: BalieDatabase, actor: Actor, inquiry_id: int, now: datetime, *,
                purpose: str) -> Inquiry:
    """An inquiry in full, for someone allowed to see it. Seeing personal details is
    written to the audit log with ``purpose`` (which screen, which task)."""
    with db.write():
        require_view(db, actor, inquiry_id)
        inquiry = load_inquiry(db, inquiry_id)
        reasons = db.execute("SELECT EXISTS (SELECT 1 FROM inquiry_event WHERE inquiry_id = ? "
                             "AND reason IS NOT NULL)", [inquiry_id]).fetchone()[0]
        if inquiry.has_personal_details or reasons:  # the history's reasons are free text
            audit(db, actor, "view", now, inquiry_id=inquiry_id, detail=purpose)
    return inquiry


def load_inquiry(db: BalieDatabase, inquiry_id: int) -> Inquiry:
    """An inquiry as stored, without a check or log: for the data layer itself."""
    with db.snapshot():
        row = next(db.query("SELECT * FROM inquiry WHERE id = ?", [inquiry_id]), None)
        if row is None:
            raise LookupError(f"inquiry {inquiry_id} does not exist")
        topics = tuple(
            r[0]
            for r in db.execute(
                "SELECT topic_id FROM inquiry_topic WHERE inquiry_id = ? ORDER BY topic_id",
                [inquiry_id],
            )
        )
        referrals = tuple(r[0] for r in db.execute(
            "SELECT entry_id FROM inquiry_referral WHERE inquiry_id = ? ORDER BY position",
            [inquiry_id]))
    return _inquiry(row, topics, referrals)


def _store_referrals(db: BalieDatabase, inquiry_id: int, entry_ids: tuple[int, ...]) -> None:
    db.conn.executemany(
        "INSERT INTO inquiry_referral (inquiry_id, entry_id, position) VALUES (?, ?, ?)",
        [(inquiry_id, entry_id, n) for n, entry_id in enumerate(dict.fromkeys(entry_ids), 1)])


def _placement(status: str, stamp: str) -> dict[str, Any]:
    """The inbox columns of an inquiry that (newly) has this status on its route:
    waiting in a team's list since now, or closed now (desk and external routes)."""
    return {
        "owner_id": None,
        "queued_at": stamp if status == STATUS_NEW else None,
        "closed_at": stamp if status == STATUS_CLOSED else None,
        "outcome_id": None,
        "wait_minutes": None,
    }


def _moment(text: str | None) -> datetime | None:
    return from_db(text) if text else None


def _inquiry(row: dict[str, Any], topic_ids: tuple[int, ...],
             referral_ids: tuple[int, ...]) -> Inquiry:
    return Inquiry(
        id=row["id"],
        registered_at=from_db(row["registered_at"]),
        registered_by=row["registered_by"],
        channel_id=row["channel_id"],
        village_id=row["village_id"],
        route_id=row["route_id"],
        topic_ids=topic_ids,
        age=row["age"],
        gender=row["gender"],
        summary=row["summary"],
        referral_ids=referral_ids,
        urgent=bool(row["urgent"]),
        consent=bool(row["consent"]),
        person_name=row["person_name"],
        phone=row["phone"],
        postcode=row["postcode"],
        callback_at=_moment(row["callback_at"]),
        followup_at=_moment(row["followup_at"]),
        status=row["status"],
        updated_at=from_db(row["updated_at"]),
        version=row["version"],
        intake_route_id=row["intake_route_id"],
        owner_id=row["owner_id"],
        queued_at=_moment(row["queued_at"]),
        closed_at=_moment(row["closed_at"]),
        outcome_id=row["outcome_id"],
        callback_done_at=_moment(row["callback_done_at"]),
        followup_result=row["followup_result"],
        followup_done_at=_moment(row["followup_done_at"]),
    )


def correct_inquiry(
    db: BalieDatabase,
    inquiry_id: int,
    data: InquiryInput,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
    draft_id: int | None = None,
) -> list[str]:
    """Apply a correction; every changed field lands in the history. Returns their names.

    A changed route is a routing event (from, to, why); other fields are corrections.
    Personal fields are recorded by name only, so history never holds personal data.
    With ``expected_version``, a change made by someone else since the inquiry was
    opened is refused (EditConflict) instead of silently overwritten.
    """
    stamp = to_db(now)
    staff_id = actor.staff_id
    reason = clean_text(reason)[:MAX_REASON] or None if reason else None
    with db.write():
        require(db, actor, "register")
        require_view(db, actor, inquiry_id)
        before = load_inquiry(db, inquiry_id)
        if expected_version is not None and before.version != expected_version:
            raise EditConflict(
                f"Nummer {inquiry_id} is intussen door iemand anders gewijzigd. Open het "
                "opnieuw uit de lijst om de nieuwste gegevens te zien."
            )
        if draft_id is not None:
            db.execute("DELETE FROM draft WHERE id = ?", [draft_id])
        old, new = before.columns(), data.columns()
        changed = [name for name in new if new[name] != old[name]]
        if "route_id" in changed and before.outcome_id is not None:
            raise EditConflict(
                f"Nummer {inquiry_id} is door het team afgerond. De route verandert pas na "
                "heropenen in de werkvoorraad (F3), zodat de uitkomst niet verloren gaat."
            )
        if "route_id" in changed and before.status == STATUS_PICKED_UP:
            # Someone in the team works on it: moving it is a transfer (a team lead's).
            require(db, actor, "transfer")
        if set(data.topic_ids) != set(before.topic_ids):
            changed.append("topic_ids")
        if tuple(dict.fromkeys(data.referral_ids)) != before.referral_ids:
            changed.append("referral_ids")
        if not changed:
            return []
        for name in changed:
            if name == "route_id":
                db.execute(
                    """INSERT INTO inquiry_event
                       (inquiry_id, at, staff_id, kind, from_route_id, to_route_id, reason)
                       VALUES (?, ?, ?, 'route', ?, ?, ?)""",
                    [inquiry_id, stamp, staff_id, before.route_id, data.route_id, reason],
                )
                continue
            if name == "topic_ids":
                old_value = ",".join(map(str, sorted(before.topic_ids)))
                new_value = ",".join(map(str, sorted(set(data.topic_ids))))
            elif name == "referral_ids":
                old_value = ",".join(map(str, before.referral_ids)) or None
                new_value = ",".join(map(str, dict.fromkeys(data.referral_ids))) or None
            elif name in FIELDS_WITHOUT_VALUES:
                old_value = new_value = None
            else:
                old_value, new_value = _text(old[name]), _text(new[name])
            db.execute(
                """INSERT INTO inquiry_event
                   (inquiry_id, at, staff_id, kind, field, old_value, new_value, reason)
                   VALUES (?, ?, ?, 'correction', ?, ?, ?, ?)""",
                [inquiry_id, stamp, staff_id, name, old_value, new_value, reason],
            )
        # A correction after an erasure may bring new personal details (and its reason
        # is free text): the inquiry is due for retention again (balie.db.retention).
        row = new | {"updated_at": stamp, "erased_at": None}
        if "route_id" in changed:
            # A new route is a new start there: out of its owner's hands, waiting in
            # the new team's list (or closed at the desk). Until a team has passed it
            # on, the desk's correction is also where it came in.
            status = _status_for_route(db, data.route_id)
            row |= _placement(status, stamp)
            transferred = db.execute(
                "SELECT EXISTS (SELECT 1 FROM inquiry_event WHERE inquiry_id = ? "
                "AND kind = 'transfer')", [inquiry_id]).fetchone()[0]
            if not transferred:
                row["intake_route_id"] = data.route_id
            if status != before.status:
                row["status"] = status
                db.execute(
                    """INSERT INTO inquiry_event
                       (inquiry_id, at, staff_id, kind, old_value, new_value, reason)
                       VALUES (?, ?, ?, 'status', ?, ?, ?)""",
                    [inquiry_id, stamp, staff_id, before.status, status, reason],
                )
        if "callback_at" in changed:
            row["callback_done_at"] = None  # a new time is a callback still to make
        if "followup_at" in changed:
            # A new time is a follow-up still to make; taking the time away cancels one
            # that was still to make (a result already found stays, with its moment).
            if data.followup_at is not None:
                row |= {"followup_done_at": None, "followup_result": PENDING}
            elif before.followup_result == PENDING:
                row["followup_result"] = None
        assignments = ", ".join(f"{name} = ?" for name in row)
        db.execute(
            f"UPDATE inquiry SET {assignments}, version = version + 1 WHERE id = ?",
            [*row.values(), inquiry_id],
        )
        if "topic_ids" in changed:
            db.execute("DELETE FROM inquiry_topic WHERE inquiry_id = ?", [inquiry_id])
            db.conn.executemany(
                "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)",
                [(inquiry_id, t) for t in sorted(set(data.topic_ids))],
            )
        if "referral_ids" in changed:
            db.execute("DELETE FROM inquiry_referral WHERE inquiry_id = ?", [inquiry_id])
            _store_referrals(db, inquiry_id, data.referral_ids)
        audit(db, actor, "correct", now, inquiry_id=inquiry_id, detail=", ".join(changed))
    return changed


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def history(db: BalieDatabase, actor: Actor, inquiry_id: int) -> list[InquiryEvent]:
    """Every event of an inquiry, oldest first (for someone allowed to see it)."""
    with db.snapshot():
        require_view(db, actor, inquiry_id)
        return _history(db, inquiry_id)


def _history(db: BalieDatabase, inquiry_id: int) -> list[InquiryEvent]:
    return [
        InquiryEvent(
            id=r["id"],
            at=from_db(r["at"]),
            staff_name=r["staff_name"],
            kind=r["kind"],
            from_route_id=r["from_route_id"],
            to_route_id=r["to_route_id"],
            field=r["field"],
            old_value=r["old_value"],
            new_value=r["new_value"],
            reason=r["reason"],
        )
        for r in db.query(
            """SELECT inquiry_event.*, staff.display_name AS staff_name
               FROM inquiry_event JOIN staff ON staff.id = inquiry_event.staff_id
               WHERE inquiry_id = ? ORDER BY inquiry_event.id""",
            [inquiry_id],
        )
    ]


@dataclass(frozen=True)
class DeskRow:
    """One line of a desk's list of today's registrations (no personal data)."""

    id: int
    registered_at: datetime
    village: str
    route: str
    topics: str
    urgent: bool
    callback: bool
    progress: str = ""
    """Where a team's inquiry stands: " · bij Anna", " · afgerond" (empty if new)."""


def desk_inquiries(db: BalieDatabase, actor: Actor, span: Span) -> list[DeskRow]:
    """The actor's own registrations in a period (e.g. today), newest first."""
    lower, upper = span.db_bounds
    with db.snapshot():
        require(db, actor, "desk_list")
        return _desk_rows(db, actor.staff_id, lower, upper)


def _desk_rows(db: BalieDatabase, staff_id: int, lower: str, upper: str) -> list[DeskRow]:
    return [
        DeskRow(
            r["id"], from_db(r["registered_at"]), r["village"], r["route"], r["topics"] or "",
            bool(r["urgent"]), bool(r["callback"]),
            _progress(r["kind"], r["status"], r["owner"]),
        )
        for r in db.query(
            f"""SELECT inquiry.id, inquiry.registered_at, village.name AS village,
                      route.name AS route, route.kind, inquiry.urgent, inquiry.status,
                      owner.display_name AS owner,
                      inquiry.callback_at IS NOT NULL AS callback,
                      (SELECT group_concat(topic.name, ', ') FROM inquiry_topic
                       JOIN topic ON topic.id = inquiry_topic.topic_id
                       WHERE inquiry_topic.inquiry_id = inquiry.id) AS topics
               FROM inquiry
               JOIN village ON village.id = inquiry.village_id
               JOIN route ON route.id = inquiry.route_id
               LEFT JOIN staff AS owner ON owner.id = inquiry.owner_id
               WHERE inquiry.registered_by = ?
                 AND inquiry.registered_at >= ? AND inquiry.registered_at < ?
                 AND {FINISHED}
               ORDER BY inquiry.registered_at DESC, inquiry.id DESC""",
            [staff_id, lower, upper],
        )
    ]


def _progress(route_kind: str, status: str, owner: str | None) -> str:
    if route_kind != ROUTE_TEAM or status == STATUS_NEW:
        return ""
    if status == STATUS_CLOSED:
        return " · afgerond"
    return f" · bij {owner}" if owner else " · opgepakt"


def last_channel_code(db: BalieDatabase, staff_id: int) -> str | None:
    """The channel of this staff member's latest registration: the desk's usual channel."""
    row = db.execute(
        """SELECT channel.code FROM inquiry JOIN channel ON channel.id = inquiry.channel_id
           WHERE inquiry.registered_by = ? ORDER BY inquiry.registered_at DESC LIMIT 1""",
        [staff_id],
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class EarlierContacts:
    """Earlier registrations that share a phone number or a name with the caller."""

    basis: str
    """"telefoonnummer" or "naam": what matched."""
    count: int
    last_at: datetime
    last_route: str
    ids: tuple[int, ...] = ()
    """The matching registrations, newest first (at most MAX_SHOWN_IDS): for the audit log."""


MAX_SHOWN_IDS = 20


def _contacts(db: BalieDatabase, basis: str, where: str, params: list) -> EarlierContacts | None:
    # Only the inquiry table, no join: with a join SQLite may walk all inquiries per
    # route instead of starting from the few that match the phone number or name.
    matches = db.execute(
        f"SELECT inquiry.id, inquiry.registered_at, inquiry.route_id FROM inquiry WHERE {where}",
        params,
    ).fetchall()
    if not matches:
        return None
    matches.sort(key=lambda m: (m[1], m[0]), reverse=True)
    (route,) = db.execute("SELECT name FROM route WHERE id = ?", [matches[0][2]]).fetchone()
    return EarlierContacts(basis, len(matches), from_db(matches[0][1]), route,
                           tuple(m[0] for m in matches[:MAX_SHOWN_IDS]))


def name_query(name: str) -> str | None:
    """An FTS5 query that needs every word of the name, or None for a single word.

    A first name alone would match half the municipality; two words are needed.
    """
    words = [w for w in re.split(r"[^\w]+", name) if w]
    if len(words) < 2:
        return None
    return " ".join(f'"{w}"' for w in words)


def earlier_contacts(
    db: BalieDatabase,
    actor: Actor,
    phone: str | None,
    name: str | None,
    now: datetime,
    exclude_id: int | None = None,
) -> list[EarlierContacts]:
    """Earlier registrations by phone number and by name (each only if it matches).

    The hit list is written to the audit log (which registrations it showed, by number;
    not what was searched for).
    """
    found = []
    exclude = " AND inquiry.id != ?" if exclude_id is not None else ""
    extra = [exclude_id] if exclude_id is not None else []
    with db.write():
        require(db, actor, "register")
        if phone:
            match = _contacts(db, "telefoonnummer", f"inquiry.phone = ?{exclude}", [phone, *extra])
            if match:
                found.append(match)
        query = name_query(name) if name else None
        if query:
            match = _contacts(
                db,
                "naam",
                "inquiry.id IN (SELECT rowid FROM inquiry_name WHERE inquiry_name MATCH ?)"
                + exclude,
                [query, *extra],
            )
            if match:
                found.append(match)
        detail = "; ".join(f"{c.basis}: {c.count} ({', '.join(map(str, c.ids))})"
                           for c in found) or "niets gevonden"
        audit(db, actor, "search", now, inquiry_id=exclude_id, detail=detail)
    return found
