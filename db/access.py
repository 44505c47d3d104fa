"""Who may do what, checked where the data is read and written, and the audit log.

Every data-layer function that reads personal details or changes something takes an
:class:`Actor` and calls :func:`require` before it touches a row. The roles are read
from the staff table in the same transaction, not taken from the Actor: a role that
beheer takes away holds from the next action on, and code that builds an Actor by
hand cannot give itself a role.

The audit log (in the spirit of NEN 7513) gets one row for every view of an inquiry
with personal details, every list of search hits, every change, every export and every
erasure: what, when, which inquiry, which staff member, from where. Rows name the
inquiry, never the person; triggers refuse UPDATE and DELETE on the table, and each row
is chained to the one before by a hash (balie.domain.auditchain), so a row changed or
removed behind balie's back shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.domain.auditchain import GENESIS, link
from balie.domain.models import Staff
from balie.domain.origin import is_origin
from balie.domain.reference_data import ROLE_CODES
from balie.domain.timekeeping import to_db

BALIE, TEAM, TEAMLEIDER, BEHEER = ROLE_CODES

PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    # action: (roles that may, what is refused, in Dutch)
    "register": (frozenset({BALIE, TEAMLEIDER}), "vragen registreren"),
    "desk_list": (frozenset({BALIE, TEAMLEIDER}), "de lijst van de balie zien"),
    "callbacks": (frozenset({BALIE, TEAM, TEAMLEIDER}), "terugbelverzoeken zien"),
    "team_list": (frozenset({TEAM, TEAMLEIDER}), "de werkvoorraad van dit team zien"),
    "team_work": (frozenset({TEAM, TEAMLEIDER}),
                  "vragen van dit team oppakken, afronden of heropenen"),
    "transfer": (frozenset({TEAMLEIDER}), "vragen naar een ander team doorzetten"),
    "reports": (frozenset({TEAMLEIDER}), "overzichten en cijfers zien"),
    "reference": (frozenset({BEHEER}), "referentiegegevens en medewerkers wijzigen"),
    "settings": (frozenset({BEHEER}), "instellingen en routeringsregels wijzigen"),
    "import": (frozenset({BEHEER}), "historische registraties inlezen"),
    "backup": (frozenset({BEHEER}), "een back-up maken"),
    "retention": (frozenset({BEHEER}), "de bewaartermijn toepassen"),
    "audit": (frozenset({BEHEER}), "het auditlog inzien"),
    "subject_rights": (frozenset({BEHEER}),
                       "inzage- en wisverzoeken van geregistreerden uitvoeren"),
}
"""The role x action matrix. ``team`` acts only on its own team's inquiries (see
:func:`require`); seeing one inquiry's details is decided by :func:`may_view`."""

SCOPED = frozenset({"team_list", "team_work", "callbacks"})
"""Actions on one route's inquiries: a team member for their own team, the desk for
the routes that end at the desk, a team lead for all."""


class NotAllowed(StoreError):
    """The staff member's roles do not allow this action."""


class NoSuchInquiry(StoreError):
    """The number names no inquiry (mistyped, or from another database)."""


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a staff member (from the OS account or a login) at a
    terminal or a browser. Roles are not part of it: they are read at every action."""

    staff_id: int
    origin: str
    """For the audit log: host and terminal, or ``web`` and the remote address."""

    def __post_init__(self) -> None:
        if not is_origin(self.origin):  # checked where it enters (balie.domain.origin)
            raise ValueError("an origin that balie.domain.origin would refuse")


@dataclass(frozen=True)
class Grant:
    """What the staff member may do at this moment (read from the staff table)."""

    staff_id: int
    username: str
    roles: frozenset[str]
    team_route_id: int | None

    def may(self, action: str, route_id: int | None = None,
            route_kind: str | None = None) -> bool:
        """May they do ``action`` (on an inquiry of this route; None: of every route)?"""
        roles, _ = PERMISSIONS[action]
        have = self.roles & roles
        if not have:
            return False
        if action not in SCOPED or TEAMLEIDER in self.roles:
            return True
        if route_id is None:
            return False  # every team's work at once: team leads only
        if TEAM in have and route_id == self.team_route_id:
            return True
        # The desk's own callbacks: those of inquiries that stayed at the desk.
        return BALIE in have and route_kind is not None and route_kind != "team"

    def may_some(self, action: str) -> bool:
        """May they do ``action`` at all: for every route, or for some (their own team,
        the desk's routes)? What the screens offer."""
        have = self.roles & PERMISSIONS[action][0]
        if action not in SCOPED or TEAMLEIDER in have:
            return bool(have)
        return (TEAM in have and self.team_route_id is not None) or BALIE in have


def grant(db: BalieDatabase, actor: Actor) -> Grant:
    """The actor's roles as they are in the database now (none once retired)."""
    row = db.execute(
        "SELECT username, team_route_id, retired_at FROM staff WHERE id = ?", [actor.staff_id]
    ).fetchone()
    if row is None:
        raise NotAllowed("Dit account is onbekend in balie.")
    roles = frozenset() if row[2] is not None else frozenset(
        r[0] for r in db.execute("SELECT role FROM staff_role WHERE staff_id = ?",
                                 [actor.staff_id]))
    return Grant(actor.staff_id, row[0], roles, row[1])


def require(db: BalieDatabase, actor: Actor, action: str, *,
            route_id: int | None = None) -> Grant:
    """The actor's grant, or NotAllowed with a Dutch message naming what is refused."""
    current = grant(db, actor)
    kind = None
    if route_id is not None:
        found = db.execute("SELECT kind FROM route WHERE id = ?", [route_id]).fetchone()
        kind = found[0] if found else None
    if not current.may(action, route_id, kind):
        raise NotAllowed(refusal(current, action))
    return current


def refusal(current: Grant, action: str) -> str:
    roles, what = PERMISSIONS[action]
    have = ", ".join(sorted(current.roles)) or "geen"
    if action in SCOPED and current.roles & roles:
        return ("Dit kan alleen voor uw eigen team; voor andere teams is de rol teamleider "
                f"nodig (uw rollen: {have}).")
    need = " of ".join(sorted(roles))
    return (f"Alleen met de rol {need} kunt u {what} (uw rollen: {have}). "
            "Vraag beheer om die rol als u dit werk doet.")


def may_view(current: Grant, registered_by: int, route_id: int, route_kind: str) -> bool:
    """May this staff member see the personal details of this inquiry?

    Team leads and beheer (for requests of the people registered): every inquiry. A
    team member: the inquiries of their team. The desk: what it registered itself and
    what stayed at the desk (answered there or referred outside, with its callbacks).
    """
    if current.roles & {TEAMLEIDER, BEHEER}:
        return True
    if TEAM in current.roles and route_id == current.team_route_id:
        return True
    return BALIE in current.roles and (registered_by == current.staff_id or route_kind != "team")


def require_view(db: BalieDatabase, actor: Actor, inquiry_id: int) -> Grant:
    current = grant(db, actor)
    row = db.execute(
        """SELECT inquiry.registered_by, inquiry.route_id, route.kind FROM inquiry
           JOIN route ON route.id = inquiry.route_id WHERE inquiry.id = ?""", [inquiry_id]
    ).fetchone()
    if row is None:
        raise NoSuchInquiry(f"Nummer {inquiry_id} bestaat niet.")
    if not may_view(current, *row):
        raise NotAllowed(f"U mag nummer {inquiry_id} niet inzien: het hoort bij een ander "
                         "team. Vraag de teamleider.")
    return current


def audit(db: BalieDatabase, actor: Actor | None, action: str, now: datetime, *,
          inquiry_id: int | None = None, detail: str | None = None,
          origin: str | None = None) -> None:
    """Append one row to the audit log (in the caller's transaction, if any).

    ``detail`` must never hold personal data: inquiry numbers, field names, counts.
    ``origin`` is for rows without an actor (a failed login of an unknown name).
    """
    if actor is None and origin is not None and not is_origin(origin):
        raise ValueError("an origin that balie.domain.origin would refuse")
    with db.write():
        # The next number and a link to the row before (see balie.domain.auditchain):
        # read under the write lock, so every desk's row follows the one before it.
        last = db.execute("SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1"
                          ).fetchone()
        fields = (last[0] + 1 if last else 1, to_db(now),
                  actor.staff_id if actor else None, action,
                  None if inquiry_id is None else int(inquiry_id),
                  None if detail is None else str(detail),
                  actor.origin if actor else origin)
        db.execute(
            "INSERT INTO audit_log (id, at, staff_id, action, inquiry_id, detail, origin, "
            "chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [*fields, link((last[1] if last else None) or GENESIS, fields)],
        )


WORK = ("register", "team_list", "callbacks", "reports", "audit")
"""What someone can sit down to; a role that gives none of it is refused at sign-in."""

FIRST_ADMIN_ROLES = (BALIE, TEAMLEIDER, BEHEER)
"""What the account that owns the database file gets while nobody has the role beheer:
the person who installed balie can then add the others (``balie ref add staff``)."""


def active_beheer_exists(db: BalieDatabase) -> bool:
    """Does an active (not retired) staff member have the role beheer?"""
    return bool(db.execute(
        """SELECT EXISTS (SELECT 1 FROM staff_role JOIN staff ON staff.id = staff_id
           WHERE role = 'beheer' AND staff.retired_at IS NULL)""").fetchone()[0])


def sign_in(db: BalieDatabase, username: str, origin: str, now: datetime, *,
            owns_file: bool) -> tuple[Staff, Actor]:
    """The staff member for an OS account (or a browser login), and their Actor.

    Staff members are reference data that beheer adds; an unknown account is refused.
    The one exception makes a new (or just upgraded) database usable and is the way back
    in when nobody is beheer any more (the data layer refuses to retire the last beheer
    or take its role, but an older version or the sqlite3 shell may have): while no
    active staff member has the role beheer, the account that owns the database file
    gets :data:`FIRST_ADMIN_ROLES`, and is made active again if it was retired. Both are
    logged.
    """
    with db.write():
        row = db.execute("SELECT id, retired_at FROM staff WHERE username = ?",
                         [username]).fetchone()
        bootstrap = owns_file and not active_beheer_exists(db)
        if row is None and not bootstrap:
            raise NotAllowed(
                f"Het account {username} is nog niet bekend in balie. Vraag beheer om u "
                f"toe te voegen: balie ref add staff {username} --roles balie")
        if row is not None and row[1] is not None and not bootstrap:
            raise NotAllowed(
                f"Het account {username} is ingetrokken en kan balie niet gebruiken. "
                f"Vraag beheer: balie ref restore staff {username}")
        if row is None:
            staff_id = db.execute(
                "INSERT INTO staff (username, display_name, created_at) VALUES (?, ?, ?)",
                [username, username, to_db(now)]).lastrowid
        else:
            staff_id = row[0]
        actor = Actor(staff_id, origin)
        if bootstrap:
            restored = row is not None and row[1] is not None
            if restored:
                db.execute("UPDATE staff SET retired_at = NULL WHERE id = ?", [staff_id])
            db.conn.executemany(
                "INSERT OR IGNORE INTO staff_role (staff_id, role) VALUES (?, ?)",
                [(staff_id, role) for role in FIRST_ADMIN_ROLES])
            audit(db, actor, "bootstrap", now,
                  detail="geen actieve beheer: eigenaar van het databasebestand "
                         f"{'weer actief en ' if restored else ''}kreeg "
                         + ",".join(FIRST_ADMIN_ROLES))
        staff = load_staff(db, staff_id)
        problem = cannot_work(staff)
        if problem is not None:
            raise NotAllowed(problem)
        audit(db, actor, "sign_in", now)
        return staff, actor


def cannot_work(staff: Staff) -> str | None:
    """Why this staff member's roles give them nothing to sit down to, or None."""
    if not staff.roles:
        return (f"Het account {staff.username} heeft nog geen rol in balie. Vraag beheer: "
                f"balie ref set staff {staff.username} --roles balie")
    current = Grant(staff.id, staff.username, staff.roles, staff.team_route_id)
    if not any(current.may_some(action) for action in WORK):
        return (f"Het account {staff.username} heeft de rol team, maar geen team. Vraag "
                f"beheer: balie ref set staff {staff.username} --team NAAM")
    return None


def owns_file(path: Path) -> bool:
    """Is the database file this process's account's own (the installer's)?"""
    try:
        return path.stat().st_uid == os.getuid()
    except (OSError, AttributeError):  # no uids (Windows): one user per machine
        return True


def load_staff(db: BalieDatabase, staff_id: int) -> Staff:
    row = next(db.query("SELECT * FROM staff WHERE id = ?", [staff_id]))
    roles = frozenset(r[0] for r in db.execute(
        "SELECT role FROM staff_role WHERE staff_id = ?", [staff_id]))
    return Staff(row["id"], row["username"], row["display_name"], roles,
                 row["team_route_id"], row["retired_at"] is not None)
