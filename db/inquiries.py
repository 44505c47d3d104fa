"""Inquiries: saving, reading back, correcting, and their history."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from balie.db.connection import BalieDatabase
from balie.domain.reference_data import ROUTE_TEAM
from balie.domain.timekeeping import from_db, to_db

PERSONAL_FIELDS = ("person_name", "phone", "postcode", "callback_at")
"""Fields that may only be stored with consent, and whose values never enter history."""

STATUS_NEW, STATUS_PICKED_UP, STATUS_CLOSED = "new", "picked_up", "closed"


@dataclass(frozen=True)
class InquiryInput:
    """What the desk records about one inquiry; validated before it gets here."""

    channel_id: int
    village_id: int
    route_id: int
    topic_ids: tuple[int, ...]
    age: int | None = None
    gender: str | None = None
    summary: str = ""
    referral_target_id: int | None = None
    urgent: bool = False
    consent: bool = False
    person_name: str | None = None
    phone: str | None = None
    postcode: str | None = None
    callback_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.topic_ids:
            raise ValueError("an inquiry has at least one topic")
        if not self.consent and any(getattr(self, f) is not None for f in PERSONAL_FIELDS):
            raise ValueError("personal fields without consent")

    def columns(self) -> dict[str, Any]:
        """Column values of the inquiry row (topics live in their own table)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "topic_ids"}
        values["urgent"] = int(self.urgent)
        values["consent"] = int(self.consent)
        if self.callback_at is not None:
            values["callback_at"] = to_db(self.callback_at)
        return values


@dataclass(frozen=True)
class Inquiry(InquiryInput):
    """A saved inquiry."""

    id: int = 0
    registered_at: datetime | None = None
    registered_by: int = 0
    status: str = STATUS_NEW
    updated_at: datetime | None = None


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


def save_inquiry(
    db: BalieDatabase, data: InquiryInput, staff_id: int, now: datetime
) -> Inquiry:
    """Register a new inquiry with its topics and a 'created' history line."""
    stamp = to_db(now)
    with db.write():
        status = _status_for_route(db, data.route_id)
        row = data.columns() | {
            "registered_at": stamp,
            "registered_by": staff_id,
            "status": status,
            "updated_at": stamp,
        }
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = db.execute(f"INSERT INTO inquiry ({names}) VALUES ({marks})", list(row.values()))
        inquiry_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)",
            [(inquiry_id, t) for t in sorted(set(data.topic_ids))],
        )
        db.execute(
            """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, to_route_id)
               VALUES (?, ?, ?, 'created', ?)""",
            [inquiry_id, stamp, staff_id, data.route_id],
        )
    return get_inquiry(db, inquiry_id)


def get_inquiry(db: BalieDatabase, inquiry_id: int) -> Inquiry:
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
    return _inquiry(row, topics)


def _inquiry(row: dict[str, Any], topic_ids: tuple[int, ...]) -> Inquiry:
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
        referral_target_id=row["referral_target_id"],
        urgent=bool(row["urgent"]),
        consent=bool(row["consent"]),
        person_name=row["person_name"],
        phone=row["phone"],
        postcode=row["postcode"],
        callback_at=from_db(row["callback_at"]) if row["callback_at"] else None,
        status=row["status"],
        updated_at=from_db(row["updated_at"]),
    )


def correct_inquiry(
    db: BalieDatabase,
    inquiry_id: int,
    data: InquiryInput,
    staff_id: int,
    now: datetime,
    reason: str | None = None,
) -> list[str]:
    """Apply a correction; every changed field lands in the history. Returns their names.

    A changed route is a routing event (from, to, why); other fields are corrections.
    Personal fields are recorded by name only, so history never holds personal data.
    """
    stamp = to_db(now)
    with db.write():
        before = get_inquiry(db, inquiry_id)
        old, new = before.columns(), data.columns()
        changed = [name for name in new if new[name] != old[name]]
        if set(data.topic_ids) != set(before.topic_ids):
            changed.append("topic_ids")
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
            elif name in PERSONAL_FIELDS:
                old_value = new_value = None
            else:
                old_value, new_value = _text(old[name]), _text(new[name])
            db.execute(
                """INSERT INTO inquiry_event
                   (inquiry_id, at, staff_id, kind, field, old_value, new_value, reason)
                   VALUES (?, ?, ?, 'correction', ?, ?, ?, ?)""",
                [inquiry_id, stamp, staff_id, name, old_value, new_value, reason],
            )
        row = new | {"updated_at": stamp}
        if "route_id" in changed:
            row["status"] = _status_for_route(db, data.route_id)
        assignments = ", ".join(f"{name} = ?" for name in row)
        db.execute(
            f"UPDATE inquiry SET {assignments} WHERE id = ?", [*row.values(), inquiry_id]
        )
        if "topic_ids" in changed:
            db.execute("DELETE FROM inquiry_topic WHERE inquiry_id = ?", [inquiry_id])
            db.conn.executemany(
                "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)",
                [(inquiry_id, t) for t in sorted(set(data.topic_ids))],
            )
    return changed


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def history(db: BalieDatabase, inquiry_id: int) -> list[InquiryEvent]:
    """Every event of an inquiry, oldest first."""
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
