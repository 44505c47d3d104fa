"""Reading the audit log (beheer): by staff member, by inquiry, by period; and checking
its hash chain (see balie.domain.auditchain)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.domain.auditchain import START, Break, Progress, check
from balie.domain.retention import parse_number_ranges
from balie.domain.text import fold
from balie.domain.timekeeping import Span, from_db, local_day
from balie.domain.wording import AUDIT_ACTIONS

LISTED = {
    # action: how the inquiry numbers appear in the detail of a row about several
    "view": re.compile(r"^(?:terugbellijst|werkvoorraad): (?P<numbers>[\d, -]+)$"),
    "search": re.compile(r"\((?P<numbers>[\d, -]+)\)"),
    "erase": re.compile(r"^bewaartermijn: [^:]*: (?P<numbers>[\d, -]+)$"),
}
"""Audit rows that name several inquiries in their detail instead of in inquiry_id:
the callback list (who saw the phone number), a team's list (the summaries), the hit
lists of searches, the batches of retention."""


def listed_numbers(action: str, detail: str | None) -> set[int]:
    """The inquiry numbers a row about several inquiries lists in its detail."""
    pattern = LISTED.get(action)
    if pattern is None or not detail:
        return set()
    numbers: set[int] = set()
    for match in pattern.finditer(detail):
        numbers |= parse_number_ranges(match.group("numbers"))
    return numbers


MAX_AUDIT_ROWS = 1000
"""Rows per query on screen; the CLI can export everything of a period."""

@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str | None
    action: str
    inquiry_id: int | None
    detail: str | None
    origin: str | None

    @property
    def action_label(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)


def audit_rows(db: BalieDatabase, actor: Actor, now: datetime, *, username: str | None = None,
               inquiry_id: int | None = None, span: Span | None = None,
               limit: int | None = MAX_AUDIT_ROWS) -> list[AuditRow]:
    """The log's rows that match every filter given, newest first. Reading the log is
    itself logged (with the filters).

    By inquiry: its own rows, and the rows that list it among others (callback lists
    and search hits: who saw that caller's details).
    """
    where, params = [], []
    with db.write():
        require(db, actor, "audit")
        if username:
            staff = next((r for r in db.execute("SELECT id, username FROM staff")
                          if fold(r[1]) == fold(username)), None)
            if staff is None:
                raise StoreError(f"Geen medewerker met gebruikersnaam {username!r}.")
            where.append("audit_log.staff_id = ?")
            params.append(staff[0])
        if span is not None:
            lower, upper = span.db_bounds
            where += ["audit_log.at >= ?", "audit_log.at < ?"]
            params += [lower, upper]
        if inquiry_id is None:
            found = _rows(db, where, params, limit)
        else:
            found = _rows(db, [*where, "audit_log.inquiry_id = ?"], [*params, inquiry_id],
                          limit)
            # The lists have no index by inquiry: read them from its registration on.
            since = db.execute("SELECT registered_at FROM inquiry WHERE id = ?",
                               [inquiry_id]).fetchone()
            marks = ", ".join("?" for _ in LISTED)
            found += [r for r in _rows(db, [*where, f"audit_log.action IN ({marks})",
                                            "audit_log.at >= ?"],
                                       [*params, *LISTED, since[0] if since else ""], None)
                      if inquiry_id in listed_numbers(r["action"], r["detail"])]
            unique = {r["id"]: r for r in found}  # a search while correcting it: both
            found = sorted(unique.values(), key=lambda r: r["id"], reverse=True)[:limit or None]
        rows = [AuditRow(r["id"], from_db(r["at"]), r["username"], r["action"],
                         r["inquiry_id"], r["detail"], r["origin"]) for r in found]
        described = ", ".join(filter(None, (
            f"medewerker {username}" if username else None,
            f"nummer {inquiry_id}" if inquiry_id is not None else None,
            f"periode {local_day(span.start):%d-%m-%Y} t/m "
            f"{local_day(span.end - timedelta(seconds=1)):%d-%m-%Y}" if span else None,
        ))) or "alles"
        audit(db, actor, "audit_view", now, detail=described)
    return rows


def _rows(db: BalieDatabase, where: list[str], params: list, limit: int | None) -> list[dict]:
    return list(db.query(
        f"""SELECT audit_log.*, staff.username FROM audit_log
            LEFT JOIN staff ON staff.id = audit_log.staff_id
            {'WHERE ' + ' AND '.join(where) if where else ''}
            ORDER BY audit_log.id DESC {f'LIMIT {int(limit)}' if limit else ''}""", params))


CHAIN_PART = 2000
"""Rows checked per call: the app checks the chain in parts on the database thread, so
the desk's own work goes between them."""

_CHAIN_COLUMNS = "id, at, staff_id, action, inquiry_id, detail, origin, chain"


@dataclass(frozen=True)
class ChainPart:
    progress: Progress
    broken: Break | None
    done: bool


def check_chain_part(db: BalieDatabase, actor: Actor, start: Progress = START, *,
                     limit: int = CHAIN_PART) -> ChainPart:
    """Check the next ``limit`` rows of the chain after ``start`` (beheer)."""
    with db.snapshot():
        require(db, actor, "audit")
        accepted = accepted_breaks(db)
        if start.rows == 0:  # from the very first row, whatever its number
            rows = db.execute(f"SELECT {_CHAIN_COLUMNS} FROM audit_log ORDER BY id LIMIT ?",
                              [limit]).fetchall()
        else:
            rows = db.execute(f"SELECT {_CHAIN_COLUMNS} FROM audit_log WHERE id > ? "
                              "ORDER BY id LIMIT ?", [start.last_id, limit]).fetchall()
    progress, broken = check(rows, start, accepted)
    return ChainPart(progress, broken, broken is not None or len(rows) < limit)


ACCEPTED = re.compile(r"^breuk bij regel (\d+) gezien$")


def accepted_breaks(db: BalieDatabase) -> set[int]:
    """The rows at which beheer has seen the chain broken (rows of the log itself, so
    they are chained too)."""
    return {int(match.group(1)) for (detail,) in db.execute(
        "SELECT detail FROM audit_log WHERE action = 'audit_chain_accepted'")
        if detail and (match := ACCEPTED.match(detail))}


def accept_break(db: BalieDatabase, actor: Actor, row_id: int, now: datetime) -> None:
    """Beheer has looked into the break at ``row_id`` (and kept the file as it was):
    later checks pass over it and warn only about a new one."""
    with db.write():
        require(db, actor, "audit")
        found = verify_chain(db, actor, now)
        if found.broken is None or found.broken.row_id != row_id:
            where = (f"bij regel {found.broken.row_id}" if found.broken
                     else "nergens")
            raise StoreError(f"De keten is niet gebroken bij regel {row_id} (maar {where}); "
                             "er is niets vastgelegd.")
        audit(db, actor, "audit_chain_accepted", now, detail=f"breuk bij regel {row_id} gezien")


def verify_chain(db: BalieDatabase, actor: Actor, now: datetime) -> ChainPart:
    """Check the whole chain; the check itself is logged (with its result)."""
    part = ChainPart(START, None, False)
    while not part.done:
        part = check_chain_part(db, actor, part.progress)
    result = (f"gebroken bij regel {part.broken.row_id}" if part.broken
              else f"in orde t/m regel {part.progress.last_id}")
    audit(db, actor, "audit_verify", now, detail=f"keten {result}")
    return part


def chain_value(db: BalieDatabase, actor: Actor, row_id: int) -> str | None:
    """The chain value of one row (to compare with a head noted earlier), or None."""
    with db.snapshot():
        require(db, actor, "audit")
        found = db.execute("SELECT chain FROM audit_log WHERE id = ?", [row_id]).fetchone()
    return found[0] if found else None
