"""Team inboxes: the lists of routed inquiries, and picking up, transferring, closing,
reopening; the callbacks still to make.

Every change is one ``BEGIN IMMEDIATE`` transaction that first checks the inquiry is
still in the state the person saw (an ``UPDATE ... WHERE status = ...`` that must touch
one row): when two people pick up the same inquiry at once, the second finds it taken
and gets a message naming who has it, never a silent overwrite. Every change writes one
history line (who, when, from, to, why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from balie.db.access import Actor, NotAllowed, audit, grant, refusal, require
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.db.importing import FINISHED
from balie.db.inquiries import MAX_REASON, STATUS_CLOSED, STATUS_NEW, STATUS_PICKED_UP
from balie.db.settings import office_settings
from balie.domain.parsing import InvalidInput, clean_text
from balie.domain.timekeeping import from_db, to_db
from balie.domain.workhours import working_hours_between

VIEW_NEW, VIEW_OPEN, VIEW_CLOSED = "new", "open", "closed"
VIEWS = (VIEW_NEW, VIEW_OPEN, VIEW_CLOSED)
MAX_ROWS = 200
"""A list shows at most this many inquiries: in the order of the list, so spoed and the
longest waiting are never the ones left out (the view names show the full counts)."""
CLOSED_DAYS = 30
"""The closed list shows what was closed in the last this many days (to reopen)."""
MAX_NOTE = MAX_REASON


class InboxConflict(StoreError):
    """The inquiry is no longer where the person saw it (someone else was quicker)."""


@dataclass(frozen=True)
class InboxRow:
    """One inquiry in a team's list: what a team needs to choose, no personal data."""

    id: int
    registered_at: datetime
    queued_at: datetime
    route_id: int
    intake_route_id: int | None
    status: str
    owner_id: int | None
    owner_name: str | None
    village: str
    age: int | None
    topics: str
    summary: str
    urgent: bool
    callback_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    version: int
    """Raised by every change: an action on this row is refused if it moved since."""


_ROW_SQL = """
    SELECT inquiry.id, inquiry.registered_at, coalesce(inquiry.queued_at,
           inquiry.registered_at) AS queued_at, inquiry.route_id, inquiry.intake_route_id,
           inquiry.status, inquiry.owner_id, staff.display_name AS owner_name,
           village.name AS village, inquiry.age, inquiry.summary, inquiry.urgent,
           CASE WHEN inquiry.callback_done_at IS NULL THEN inquiry.callback_at END
               AS callback_at,
           inquiry.closed_at, outcome.name AS outcome, inquiry.version,
           (SELECT group_concat(topic.name, ', ') FROM inquiry_topic
            JOIN topic ON topic.id = inquiry_topic.topic_id
            WHERE inquiry_topic.inquiry_id = inquiry.id) AS topics
    FROM inquiry
    JOIN village ON village.id = inquiry.village_id
    LEFT JOIN staff ON staff.id = inquiry.owner_id
    LEFT JOIN outcome ON outcome.id = inquiry.outcome_id
"""


def _row(r: dict) -> InboxRow:
    return InboxRow(
        id=r["id"], registered_at=from_db(r["registered_at"]),
        queued_at=from_db(r["queued_at"]), route_id=r["route_id"],
        intake_route_id=r["intake_route_id"], status=r["status"], owner_id=r["owner_id"],
        owner_name=r["owner_name"], village=r["village"], age=r["age"],
        topics=r["topics"] or "", summary=r["summary"], urgent=bool(r["urgent"]),
        callback_at=from_db(r["callback_at"]) if r["callback_at"] else None,
        closed_at=from_db(r["closed_at"]) if r["closed_at"] else None, outcome=r["outcome"],
        version=r["version"],
    )


def inbox(db: BalieDatabase, actor: Actor, route_ids: list[int], view: str,
          now: datetime, *, seen: frozenset[int] = frozenset()) -> list[InboxRow]:
    """The inquiries of these teams in one view.

    - ``new``: not picked up yet; spoed first, then the longest waiting first.
    - ``open``: picked up; the actor's own first, then the longest waiting.
    - ``closed``: closed in the last :data:`CLOSED_DAYS` days, newest first.

    Each team is one index range (route, status), so the list costs the same with a
    million closed inquiries as with none. The list shows the start of each summary
    (free text): the numbers of those shown (not in ``seen``: shown before) go to the
    audit log.
    """
    if not route_ids:
        return []
    sql, params = _inbox_sql(route_ids, view, now, actor.staff_id)
    with db.snapshot():
        if len(route_ids) > 1:
            require(db, actor, "team_list")  # every team at once: team leads
        for route_id in route_ids:
            require(db, actor, "team_list", route_id=route_id)
        rows = [_row(r) for r in db.query(sql, params)]
    shown = sorted({row.id for row in rows if row.summary} - seen)
    if shown:
        audit(db, actor, "view", now, detail="werkvoorraad: " + ", ".join(map(str, shown)))
    return rows


def _inbox_sql(route_ids: list[int], view: str, now: datetime,
               staff_id: int | None) -> tuple[str, list]:
    marks = ", ".join("?" for _ in route_ids)
    if view == VIEW_NEW:
        # The plain columns of the index inquiry_inbox_new: one team's list is read in
        # order and stops at the limit, however long the backlog.
        where = f"inquiry.route_id IN ({marks}) AND inquiry.status = 'new'"
        order = "inquiry.urgent DESC, inquiry.queued_at"
        params: list = [*route_ids]
    elif view == VIEW_OPEN:
        where = f"inquiry.route_id IN ({marks}) AND inquiry.status = 'picked_up'"
        order = "inquiry.owner_id IS NOT ? , inquiry.urgent DESC, queued_at, inquiry.id"
        params = [*route_ids, staff_id]
    elif view == VIEW_CLOSED:
        where = (f"inquiry.route_id IN ({marks}) AND inquiry.status = 'closed' "
                 "AND inquiry.closed_at >= ?")
        order = "inquiry.closed_at DESC, inquiry.id DESC"
        params = [*route_ids, to_db(now - timedelta(days=CLOSED_DAYS))]
    else:
        raise ValueError(f"unknown view {view!r}")
    return (f"{_ROW_SQL} WHERE {where} AND {FINISHED} ORDER BY {order} LIMIT {MAX_ROWS}",
            params)


def inbox_counts(db: BalieDatabase, route_ids: list[int]) -> dict[tuple[int, str], int]:
    """(route id, status) -> inquiries not closed: the numbers beside the list names."""
    if not route_ids:
        return {}
    marks = ", ".join("?" for _ in route_ids)
    rows = db.execute(
        f"""SELECT route_id, status, count(*) FROM inquiry
            WHERE route_id IN ({marks}) AND status IN ('new', 'picked_up') AND {FINISHED}
            GROUP BY route_id, status""", route_ids)
    return {(route, status): n for route, status, n in rows}


def _event(db: BalieDatabase, inquiry_id: int, now: datetime, actor: Actor, kind: str, *,
           from_route: int | None = None, to_route: int | None = None,
           field: str | None = None, old: str | None = None, new: str | None = None,
           reason: str | None = None) -> None:
    """One line of the inquiry's history, and the same change in the audit log."""
    db.execute(
        """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, from_route_id,
               to_route_id, field, old_value, new_value, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [inquiry_id, to_db(now), actor.staff_id, kind, from_route, to_route, field, old, new,
         reason],
    )
    audit(db, actor, kind, now, inquiry_id=inquiry_id, detail=new)


def _current(db: BalieDatabase, inquiry_id: int) -> dict:
    row = next(db.query(
        """SELECT inquiry.id, inquiry.status, inquiry.route_id, inquiry.owner_id,
                  inquiry.queued_at, inquiry.registered_at, inquiry.callback_at,
                  inquiry.callback_done_at, inquiry.version,
                  staff.display_name AS owner_name, route.kind AS route_kind
           FROM inquiry JOIN route ON route.id = inquiry.route_id
           LEFT JOIN staff ON staff.id = inquiry.owner_id WHERE inquiry.id = ?""",
        [inquiry_id]), None)
    if row is None:
        raise InboxConflict(f"Nummer {inquiry_id} bestaat niet.")
    return row


def _refuse(row: dict, doing: str) -> InboxConflict:
    """Why an inquiry cannot be ``doing`` now, in words the person can act on."""
    number = f"Nummer {row['id']}"
    if doing == "moved":
        return InboxConflict(f"{number} is intussen door iemand anders gewijzigd; er is "
                             "niets veranderd. De lijst is bijgewerkt.")
    if row["status"] == STATUS_PICKED_UP:
        state = f"is al opgepakt door {row['owner_name'] or 'iemand anders'}"
    elif row["status"] == STATUS_CLOSED:
        state = "is al afgerond"
    else:
        state = "is nog niet opgepakt"
    return InboxConflict(f"{number} {state}; {doing} kan niet. De lijst is bijgewerkt.")


def _check_seen(row: dict, expected_version: int | None) -> None:
    """Refuse a change to an inquiry that changed since the person's list showed it
    (someone transferred, picked up or closed it meanwhile)."""
    if expected_version is not None and row["version"] != expected_version:
        raise _refuse(row, "moved")


def _reason(text: str | None, *, required: bool, what: str) -> str | None:
    cleaned = clean_text(text or "")[:MAX_REASON].strip()
    if required and not cleaned:
        raise InvalidInput(f"Geef {what} op.")
    return cleaned or None


def pick_up(db: BalieDatabase, inquiry_id: int, actor: Actor, now: datetime, *,
            expected_version: int | None = None) -> None:
    """Assign a new inquiry to the actor; refused if someone else was first.

    ``expected_version`` (every action takes it) is the version the person's list
    showed: an inquiry that changed since (moved to another team, say) is refused.
    """
    stamp = to_db(now)
    with db.write():
        row = _current(db, inquiry_id)
        require(db, actor, "team_work", route_id=row["route_id"])
        if row["status"] == STATUS_NEW:
            _check_seen(row, expected_version)
        # How long it waited in the team's list, in working hours as they are set now:
        # the factsheets' waiting time until pick-up.
        _, office = office_settings(db)
        queued = from_db(row["queued_at"] or row["registered_at"])
        wait = round(working_hours_between(queued, now, office) * 60)
        updated = db.execute(
            """UPDATE inquiry SET status = 'picked_up', owner_id = ?, updated_at = ?,
                   wait_minutes = ?, version = version + 1
               WHERE id = ? AND status = 'new'""",
            [actor.staff_id, stamp, wait, inquiry_id],
        ).rowcount
        row = _current(db, inquiry_id)
        if updated != 1:
            raise _refuse(row, "oppakken")
        _event(db, inquiry_id, now, actor, "pickup", to_route=row["route_id"],
               old=STATUS_NEW, new=STATUS_PICKED_UP)


def transfer(db: BalieDatabase, inquiry_id: int, to_route_id: int, actor: Actor,
             now: datetime, reason: str, *, expected_version: int | None = None) -> None:
    """Send an open inquiry to another team's list (not picked up there yet).

    ``reason`` is required: the next team must know why it comes to them. Raises
    InvalidInput for a mistake the person can correct, InboxConflict when the inquiry
    was closed meanwhile.
    """
    stamp = to_db(now)
    why = _reason(reason, required=True, what="een reden")
    with db.write():
        row = _current(db, inquiry_id)
        require(db, actor, "transfer")
        target = db.execute("SELECT kind, retired_at FROM route WHERE id = ?",
                            [to_route_id]).fetchone()
        if target is None or target[0] != "team" or target[1] is not None:
            raise InboxConflict("Doorzetten kan alleen naar een team dat nog bestaat.")
        if row["status"] == STATUS_CLOSED:
            raise _refuse(row, "doorzetten")
        _check_seen(row, expected_version)
        if to_route_id == row["route_id"]:
            raise InboxConflict(f"Nummer {inquiry_id} staat al bij dat team.")
        db.execute(
            """UPDATE inquiry SET route_id = ?, status = 'new', owner_id = NULL,
                   queued_at = ?, wait_minutes = NULL, updated_at = ?, version = version + 1
               WHERE id = ? AND status = ?""",
            [to_route_id, stamp, stamp, inquiry_id, row["status"]],
        )
        _event(db, inquiry_id, now, actor, "transfer", from_route=row["route_id"],
               to_route=to_route_id, old=row["status"], new=STATUS_NEW, reason=why)


def close(db: BalieDatabase, inquiry_id: int, outcome_id: int, actor: Actor, now: datetime,
          note: str | None = None, *, expected_version: int | None = None) -> None:
    """Close a picked-up inquiry with an outcome (annual-report category)."""
    stamp = to_db(now)
    why = _reason(note, required=False, what="een toelichting")
    with db.write():
        outcome = db.execute("SELECT code, retired_at FROM outcome WHERE id = ?",
                             [outcome_id]).fetchone()
        if outcome is None or outcome[1] is not None:
            raise InboxConflict("Die uitkomst is intussen ingetrokken; kies een andere.")
        row = _current(db, inquiry_id)
        require(db, actor, "team_work", route_id=row["route_id"])
        if row["status"] == STATUS_PICKED_UP:
            _check_seen(row, expected_version)
        updated = db.execute(
            """UPDATE inquiry SET status = 'closed', outcome_id = ?, closed_at = ?,
                   updated_at = ?, version = version + 1
               WHERE id = ? AND status = 'picked_up'""",
            [outcome_id, stamp, stamp, inquiry_id],
        ).rowcount
        row = _current(db, inquiry_id)
        if updated != 1:
            raise _refuse(row, "afronden")
        _event(db, inquiry_id, now, actor, "close", field="outcome",
               old=STATUS_PICKED_UP, new=outcome[0], reason=why)


def reopen(db: BalieDatabase, inquiry_id: int, actor: Actor, now: datetime,
           reason: str, *, expected_version: int | None = None) -> None:
    """Open a closed team inquiry again, picked up by the actor; a reason is required."""
    stamp = to_db(now)
    why = _reason(reason, required=True, what="een reden")
    with db.write():
        row = _current(db, inquiry_id)
        require(db, actor, "team_work", route_id=row["route_id"])
        if row["route_kind"] != "team":
            raise InboxConflict(f"Nummer {inquiry_id} staat niet (meer) bij een team en kan "
                                "niet heropend worden.")
        if row["status"] == STATUS_CLOSED:
            _check_seen(row, expected_version)
        updated = db.execute(
            # erased_at too: what is written from now on is erased when its retention
            # period ends after the next closing (see balie.db.retention).
            """UPDATE inquiry SET status = 'picked_up', owner_id = ?, outcome_id = NULL,
                   closed_at = NULL, erased_at = NULL, updated_at = ?, version = version + 1
               WHERE id = ? AND status = 'closed'""",
            [actor.staff_id, stamp, inquiry_id],
        ).rowcount
        if updated != 1:
            raise _refuse(_current(db, inquiry_id), "heropenen")
        _event(db, inquiry_id, now, actor, "reopen", to_route=row["route_id"],
               old=STATUS_CLOSED, new=STATUS_PICKED_UP, reason=why)


# --- callbacks -----------------------------------------------------------------------


CALLBACK, FOLLOWUP = "callback", "followup"
RETRY = "retry"
"""A follow-up's history value when nobody answered and a new time was set (its
result "not_reached" means: given up)."""


@dataclass(frozen=True)
class CallbackRow:
    """A call still to make: a callback, or a follow-up of a referral ("is het gelukt?").
    Holds the phone number: the list exists to call it."""

    id: int
    callback_at: datetime
    """When the call is due (the callback's or the follow-up's time)."""
    route_id: int
    status: str
    owner_name: str | None
    village: str
    person_name: str | None
    phone: str
    summary: str
    urgent: bool
    tries: int
    """How often nobody answered so far."""
    kind: str = CALLBACK
    """CALLBACK or FOLLOWUP: an inquiry can have one of each in the list."""
    referrals: str = ""
    """The directory entries it was referred to (for a follow-up)."""

    @property
    def key(self) -> str:
        """The row's key in the list: unique also when an inquiry has both calls."""
        return str(self.id) if self.kind == CALLBACK else f"{self.id}/{FOLLOWUP}"


def callbacks_due(db: BalieDatabase, actor: Actor, until: datetime, now: datetime,
                  route_ids: list[int] | None = None, *,
                  seen: frozenset[int] = frozenset()) -> list[CallbackRow]:
    """Callbacks and follow-ups not done and due before ``until`` (end of today): overdue
    ones first.

    ``route_ids`` limits the list to the inquiries of those routes (a team's own);
    without, the list holds every route the actor may call back for. The numbers of
    the inquiries shown (those not in ``seen``: shown before) go to the audit log.
    """
    with db.write():
        current = grant(db, actor)
        if route_ids is None and not current.may("callbacks"):
            route_ids = [route_id for route_id, kind in db.execute("SELECT id, kind FROM route")
                         if current.may("callbacks", route_id, kind)]
            if not route_ids:
                raise NotAllowed(refusal(current, "callbacks"))
        for route_id in route_ids or ():
            require(db, actor, "callbacks", route_id=route_id)
        sql, params = _callbacks_sql(until, route_ids)
        rows = [
            CallbackRow(r["id"], from_db(r["due"]), r["route_id"], r["status"],
                        r["owner_name"], r["village"], r["person_name"], r["phone"],
                        r["summary"], bool(r["urgent"]), r["tries"], r["kind"],
                        r["referrals"] or "")
            for r in db.query(sql, params)
        ]
        shown = sorted({row.id for row in rows} - seen)
        if shown:
            audit(db, actor, "view", now, detail="terugbellijst: " + ", ".join(map(str, shown)))
    return rows


_CALL_SQL = """SELECT '{kind}' AS kind, inquiry.id AS id, inquiry.{due} AS due,
                   inquiry.route_id,
                   inquiry.status, staff.display_name AS owner_name, village.name AS village,
                   inquiry.person_name, inquiry.phone, inquiry.summary, inquiry.urgent,
                   (SELECT count(*) FROM inquiry_event e WHERE e.inquiry_id = inquiry.id
                    AND e.kind = 'callback' AND e.field IS {field}
                    AND e.new_value = '{retry}') AS tries,
                   {referrals} AS referrals
            FROM inquiry INDEXED BY {index}
            JOIN village ON village.id = inquiry.village_id
            LEFT JOIN staff ON staff.id = inquiry.owner_id
            WHERE {open} AND inquiry.{due} < ?{where}"""
_REFERRALS_SQL = """(SELECT group_concat(name, ', ') FROM (SELECT directory_entry.name
                    FROM inquiry_referral JOIN directory_entry
                    ON directory_entry.id = inquiry_referral.entry_id
                    WHERE inquiry_referral.inquiry_id = inquiry.id ORDER BY position))"""


def _callbacks_sql(until: datetime, route_ids: list[int] | None) -> tuple[str, list]:
    where, extra = "", []
    if route_ids is not None:
        where = f" AND inquiry.route_id IN ({', '.join('?' for _ in route_ids)})"
        extra = list(route_ids)
    callbacks = _CALL_SQL.format(
        kind=CALLBACK, due="callback_at", field="NULL", retry="not_reached", referrals="NULL",
        index="inquiry_callback_due", where=where,
        open="inquiry.callback_at IS NOT NULL AND inquiry.callback_done_at IS NULL")
    followups = _CALL_SQL.format(
        kind=FOLLOWUP, due="followup_at", field="'followup'", retry=RETRY,
        referrals=_REFERRALS_SQL,
        index="inquiry_followup_due", where=where,
        open="inquiry.followup_at IS NOT NULL AND inquiry.followup_result = 'pending'")
    sql = f"""{callbacks}
            UNION ALL
            {followups}
            ORDER BY due, id, kind LIMIT {MAX_ROWS}"""
    return sql, [to_db(until), *extra, to_db(until), *extra]


def query_plans(db: BalieDatabase, route_id: int, now: datetime) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every list query, for the benchmark's full-scan check."""
    statements = {f"team list {view}": _inbox_sql([route_id], view, now, 1) for view in VIEWS}
    statements["callbacks"] = _callbacks_sql(now, None)
    return {name: [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for name, (sql, params) in statements.items()}


def _open_callback(db: BalieDatabase, actor: Actor, inquiry_id: int,
                   expected_at: datetime) -> dict:
    row = _current(db, inquiry_id)
    require(db, actor, "callbacks", route_id=row["route_id"])
    if row["callback_at"] is None or row["callback_done_at"] is not None:
        raise InboxConflict(f"Het terugbelverzoek van nummer {inquiry_id} is al afgehandeld. "
                            "De lijst is bijgewerkt.")
    if row["callback_at"] != to_db(expected_at):
        raise InboxConflict(f"Het terugbelverzoek van nummer {inquiry_id} is intussen "
                            "verzet. De lijst is bijgewerkt.")
    return row


def callback_done(db: BalieDatabase, inquiry_id: int, expected_at: datetime, actor: Actor,
                  now: datetime, note: str | None = None) -> None:
    """The caller was called back; ``expected_at`` is the time the list showed."""
    stamp = to_db(now)
    why = _reason(note, required=False, what="een notitie")
    with db.write():
        _open_callback(db, actor, inquiry_id, expected_at)
        db.execute("UPDATE inquiry SET callback_done_at = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [stamp, stamp, inquiry_id])
        _event(db, inquiry_id, now, actor, "callback", new="done", reason=why)


def callback_not_reached(db: BalieDatabase, inquiry_id: int, expected_at: datetime,
                         again_at: datetime, actor: Actor, now: datetime,
                         note: str | None = None) -> None:
    """Nobody answered: try again at ``again_at`` (which must be later than now)."""
    if again_at <= now:
        raise InvalidInput("Het nieuwe tijdstip moet later zijn dan nu.")
    stamp = to_db(now)
    why = _reason(note, required=False, what="een notitie")
    with db.write():
        _open_callback(db, actor, inquiry_id, expected_at)
        db.execute("UPDATE inquiry SET callback_at = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [to_db(again_at), stamp, inquiry_id])
        # Like every personal field, the times stay out of the history.
        _event(db, inquiry_id, now, actor, "callback", new="not_reached", reason=why)


def change_counter(db: BalieDatabase) -> int:
    """A number that changes when another connection commits (``PRAGMA data_version``).

    Reading it touches no table, so open lists can ask every second or two and reload
    only when something changed.
    """
    return db.execute("PRAGMA data_version").fetchone()[0]
