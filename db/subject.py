"""The rights of the people registered: access to, and erasure of, their details.

A person asks what balie holds about them, or asks for it to be erased. Beheer (the
action ``subject_rights``) finds their inquiries by phone number and/or name, checks in
the list that they are this person's (two people can share a name; a family shares a
phone), and then exports or erases those inquiries, named by number.

The numbers given are checked against a new search in the same transaction: an
export or erasure never reaches an inquiry that does not match the person.

Audit log: the search (``search``, with the numbers found; never the name or number
searched for), one ``access_export`` row per inquiry exported, one ``erase`` row per
inquiry erased (detail ``verzoek betrokkene``). Not the file name of an export: it may
well carry the person's name, and the log keeps everything forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from balie.db.access import Actor, audit, load_staff, require
from balie.db.auditlog import LISTED, listed_numbers
from balie.db.connection import BalieDatabase
from balie.db.erasure import Purge, erase_inquiries, purge
from balie.db.errors import StoreError
from balie.db.files import creating
from balie.db.inquiries import history, load_inquiry, name_query
from balie.db.reference import load_reference
from balie.domain.access_export import AuditEntry, Dossier, render_access
from balie.domain.parsing import InvalidInput, format_phone, parse_phone
from balie.domain.retention import inquiries, number_ranges
from balie.domain.timekeeping import from_db, to_db
from balie.domain.wording import STATUS_NAMES

ERASURE_DETAIL = "verzoek betrokkene"
"""The audit detail of an erasure on request (retention writes ``bewaartermijn``)."""


@dataclass(frozen=True)
class PersonQuery:
    """How to find one person's inquiries: a phone number, a name, or both."""

    phone: str | None = None
    """As typed (06-12345678, +31 6 ...); compared as balie stores it (E.164)."""
    name: str | None = None
    """At least two words; every word must occur (in any order, accents ignored)."""

    def parsed(self) -> tuple[str | None, str | None]:
        """(stored phone number, FTS query); InvalidInput for what cannot be searched."""
        if not (self.phone and self.phone.strip()) and not (self.name and self.name.strip()):
            raise InvalidInput("Geef een telefoonnummer (--phone) of een naam (--name) op, "
                               "of beide.")
        phone = parse_phone(self.phone) if self.phone else None
        query = None
        if self.name and self.name.strip():
            query = name_query(self.name)
            if query is None:
                raise InvalidInput("Geef bij --name minstens twee woorden, bijvoorbeeld "
                                   "voor- en achternaam: met één woord vindt balie ook "
                                   "iedereen met die voornaam.")
        return phone, query

    def describe(self) -> str:
        """For the person handling the request (never for the audit log)."""
        parts = []
        if self.phone:
            phone = parse_phone(self.phone)
            parts.append(f"telefoonnummer {format_phone(phone)}")
        if self.name:
            parts.append(f"naam \"{' '.join(self.name.split())}\"")
        return " en ".join(parts)


@dataclass(frozen=True)
class Match:
    """One inquiry found for the person: enough to check that it is theirs."""

    id: int
    registered_at: datetime
    village: str
    route: str
    status: str
    """In Dutch: nieuw, opgepakt, afgerond."""
    basis: str
    """What matched: "telefoon", "naam" or "telefoon en naam"."""
    person_name: str | None
    phone: str | None
    postcode: str | None


class NoMatch(StoreError):
    """Nothing (or not what was asked for) matches the person."""


def find_person(db: BalieDatabase, actor: Actor, query: PersonQuery,
                now: datetime) -> list[Match]:
    """Every inquiry of the person, oldest first. NoMatch if there is none."""
    phone, words = query.parsed()
    with db.write():
        require(db, actor, "subject_rights")
        matches = _matches(db, phone, words)
        audit(db, actor, "search", now,
              detail=f"inzage- of wisverzoek: {len(matches)} gevonden"
                     + (f" ({number_ranges(m.id for m in matches)})" if matches else ""))
    if not matches:
        raise NoMatch(_nothing_found(query))
    return matches


def _nothing_found(query: PersonQuery) -> str:
    return (f"Geen vragen gevonden met {query.describe()}. Vragen waarvan de gegevens al "
            "zijn gewist (bewaartermijn of een eerder verzoek) zijn niet meer te vinden; "
            "probeer ook het andere gegeven (--phone of --name).")


def _matches(db: BalieDatabase, phone: str | None, words: str | None) -> list[Match]:
    basis: dict[int, list[str]] = {}
    if phone:
        for (inquiry_id,) in db.execute("SELECT id FROM inquiry WHERE phone = ?", [phone]):
            basis.setdefault(inquiry_id, []).append("telefoon")
    if words:
        for (inquiry_id,) in db.execute(
                "SELECT rowid FROM inquiry_name WHERE inquiry_name MATCH ?", [words]):
            basis.setdefault(inquiry_id, []).append("naam")
    if not basis:
        return []
    marks = ", ".join("?" for _ in basis)
    return [
        Match(r["id"], from_db(r["registered_at"]), r["village"], r["route"],
              STATUS_NAMES.get(r["status"], r["status"]), " en ".join(basis[r["id"]]),
              r["person_name"], r["phone"], r["postcode"])
        for r in db.query(
            f"""SELECT inquiry.id, inquiry.registered_at, village.name AS village,
                       route.name AS route, inquiry.status, inquiry.person_name,
                       inquiry.phone, inquiry.postcode
                FROM inquiry JOIN village ON village.id = inquiry.village_id
                JOIN route ON route.id = inquiry.route_id
                WHERE inquiry.id IN ({marks})
                ORDER BY inquiry.registered_at, inquiry.id""", list(basis))
    ]


def _chosen(matches: list[Match], ids: list[int] | None, query: PersonQuery) -> list[int]:
    """The numbers to act on: all matches, or those of ``ids`` (each must match)."""
    found = [m.id for m in matches]
    if not found:
        raise NoMatch(_nothing_found(query))
    if ids is None:
        return found
    strangers = sorted(set(ids) - set(found))
    if strangers:
        which = (f"Nummer {strangers[0]} hoort" if len(strangers) == 1
                 else f"Nummers {number_ranges(strangers)} horen")
        raise NoMatch(
            f"{which} niet bij {query.describe()}: gevonden "
            f"{'is' if len(found) == 1 else 'zijn'} {number_ranges(found)}. Kijk de "
            "nummers na met 'balie person find'; er is niets gedaan.")
    return sorted(set(ids))


@dataclass(frozen=True)
class AccessExport:
    path: Path
    ids: tuple[int, ...]


def export_person(db: BalieDatabase, actor: Actor, query: PersonQuery, target: Path,
                  now: datetime, *, ids: list[int] | None = None,
                  replace: bool = False) -> AccessExport:
    """Write everything balie holds about the person's inquiries to a new file.

    ``ids``: only these inquiries (each must match the person); None: every match.
    The file is created readable by its owner only (0600) and replaces an existing one
    only with ``replace`` (see :mod:`balie.db.files`). It gets its name in the
    transaction of its audit rows: no export without them, no rows without the file.
    """
    phone, words = query.parsed()
    with creating(Path(target), replace=replace) as new:
        with db.write():
            current = require(db, actor, "subject_rights")
            chosen = _chosen(_matches(db, phone, words), ids, query)
            reference = load_reference(db)
            dossiers = [_dossier(db, actor, inquiry_id) for inquiry_id in chosen]
            _add_listed_audit(db, dossiers)
            made_by = load_staff(db, current.staff_id).display_name
            text = render_access(dossiers, reference, made_at=now, made_by=made_by,
                                 searched=query.describe())
            new.write(text.encode("utf-8"))
            placed = new.place()
            for inquiry_id in chosen:
                audit(db, actor, "access_export", now, inquiry_id=inquiry_id,
                      detail=f"inzage-export van {inquiries(len(chosen))}")
    return AccessExport(placed, tuple(chosen))


def _dossier(db: BalieDatabase, actor: Actor, inquiry_id: int) -> Dossier:
    inquiry = load_inquiry(db, inquiry_id)
    (registered_by,) = db.execute("SELECT display_name FROM staff WHERE id = ?",
                                  [inquiry.registered_by]).fetchone()
    owner = None
    if inquiry.owner_id is not None:
        (owner,) = db.execute("SELECT display_name FROM staff WHERE id = ?",
                              [inquiry.owner_id]).fetchone()
    (months,) = db.execute("SELECT retention_months FROM route WHERE id = ?",
                           [inquiry.route_id]).fetchone()
    entries = [
        AuditEntry(from_db(r["at"]), r["display_name"], r["action"], r["origin"], r["detail"])
        for r in db.query(
            """SELECT audit_log.at, staff.display_name, audit_log.action, audit_log.origin,
                      audit_log.detail
               FROM audit_log LEFT JOIN staff ON staff.id = audit_log.staff_id
               WHERE audit_log.inquiry_id = ? ORDER BY audit_log.id""", [inquiry_id])
    ]
    return Dossier(inquiry, registered_by, owner, months, history(db, actor, inquiry_id),
                   entries)


def _add_listed_audit(db: BalieDatabase, dossiers: list[Dossier]) -> None:
    """Add to each dossier the audit rows that list its number among others.

    These rows have no index by inquiry: the log is read from the first registration
    of these inquiries on (once, for all of them).
    """
    wanted = {d.inquiry.id: d for d in dossiers}
    since = min(to_db(d.inquiry.registered_at) for d in dossiers)
    marks = ", ".join("?" for _ in LISTED)
    for r in db.query(
            f"""SELECT audit_log.at, staff.display_name, audit_log.action, audit_log.origin,
                       audit_log.detail, audit_log.inquiry_id
                FROM audit_log LEFT JOIN staff ON staff.id = audit_log.staff_id
                WHERE audit_log.at >= ? AND audit_log.action IN ({marks})
                  AND audit_log.detail IS NOT NULL ORDER BY audit_log.id""",
            [since, *LISTED]):
        for inquiry_id in listed_numbers(r["action"], r["detail"]) & wanted.keys():
            if r["inquiry_id"] != inquiry_id:
                wanted[inquiry_id].audit.append(AuditEntry(
                    from_db(r["at"]), r["display_name"], r["action"], r["origin"],
                    r["detail"]))
    for dossier in dossiers:
        dossier.audit.sort(key=lambda entry: entry.at)


@dataclass(frozen=True)
class PersonErasure:
    ids: tuple[int, ...]
    purge: Purge


def erase_person(db: BalieDatabase, actor: Actor, query: PersonQuery, now: datetime, *,
                 ids: list[int] | None) -> PersonErasure:
    """Erase the person's details in these inquiries (each must match the person; None:
    every match), then make the old bytes unreadable (:func:`balie.db.erasure.purge`)."""
    phone, words = query.parsed()
    with db.write():
        require(db, actor, "subject_rights")
        chosen = _chosen(_matches(db, phone, words), ids, query)
        erase_inquiries(db, chosen, now)
        for inquiry_id in chosen:
            audit(db, actor, "erase", now, inquiry_id=inquiry_id, detail=ERASURE_DETAIL)
    return PersonErasure(tuple(chosen), purge(db))
