"""Reference data: villages, areas, routes, channels, topics, outcomes, staff, and the
entries of the sociale kaart (read here; edited in :mod:`balie.db.directory`).

Entries are never deleted: an entry in use by old inquiries is *retired*, which hides it
from new registrations and keeps it in history and reports. Names are unique
case- and accent-insensitively, so "Cliëntondersteuning" and "clientondersteuning"
cannot both exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balie.db.access import Actor, active_beheer_exists, audit, require
from balie.db.connection import BalieDatabase
from balie.db.errors import ReferenceDataError
from balie.domain.models import (
    Area,
    Channel,
    DirectoryEntry,
    Entries,
    Outcome,
    Reference,
    Route,
    Topic,
    Village,
)
from balie.domain.reference_data import (
    MAX_INHABITANTS,
    ROLE_CODES,
    ROUTE_DESK,
    ROUTE_EXTERNAL,
    ROUTE_TEAM,
)
from balie.domain.text import fold, has_control, slug, visible
from balie.domain.timekeeping import from_db, to_db, utc_now


@dataclass(frozen=True)
class Kind:
    """How one reference table is named and edited."""

    key: str
    """The word used on the command line (``balie ref list villages``)."""
    table: str
    label: str
    """Dutch singular, for messages."""
    name_column: str = "name"
    has_code: bool = False
    attributes: tuple[str, ...] = ()
    """Extra columns that ``add`` and ``set`` accept."""


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("villages", "village", "dorp", attributes=("area", "inhabitants", "aliases")),
        Kind("areas", "area", "gebied"),
        Kind("routes", "route", "route", has_code=True,
             attributes=("kind", "short_name", "retention_months")),
        Kind("channels", "channel", "kanaal", has_code=True),
        Kind("topics", "topic", "onderwerp", has_code=True, attributes=("aliases",)),
        Kind("outcomes", "outcome", "uitkomst", has_code=True),
        Kind(
            "staff",
            "staff",
            "medewerker",
            name_column="username",
            attributes=("display_name", "roles", "team"),
        ),
    )
}


def load_reference(db: BalieDatabase) -> Reference:
    """Every reference list, retired entries included (they are flagged)."""
    with db.snapshot():
        areas = Entries.of(
            Area(r["id"], r["name"], r["retired_at"] is not None)
            for r in db.query("SELECT * FROM area ORDER BY sort_order, id")
        )
        villages = Entries.of(
            Village(
                r["id"],
                r["name"],
                r["area_id"],
                r["area_name"],
                r["inhabitants"],
                r["aliases"],
                r["retired_at"] is not None,
            )
            for r in db.query(
                """SELECT village.*, area.name AS area_name FROM village
                   JOIN area ON area.id = village.area_id
                   ORDER BY area.sort_order, village.sort_order, village.id"""
            )
        )
        routes = Entries.of(
            Route(r["id"], r["code"], r["name"], r["kind"], r["retired_at"] is not None,
                  r["short_name"])
            for r in db.query("SELECT * FROM route ORDER BY sort_order, id")
        )
        channels = Entries.of(
            Channel(r["id"], r["code"], r["name"], r["retired_at"] is not None)
            for r in db.query("SELECT * FROM channel ORDER BY sort_order, id")
        )
        topics = Entries.of(
            Topic(r["id"], r["code"], r["name"], r["retired_at"] is not None, r["aliases"])
            for r in db.query("SELECT * FROM topic ORDER BY sort_order, id")
        )
        directory = load_directory(db)
        outcomes = Entries.of(
            Outcome(r["id"], r["code"], r["name"], r["retired_at"] is not None)
            for r in db.query("SELECT * FROM outcome ORDER BY sort_order, id")
        )
    return Reference(areas, villages, routes, channels, topics, directory, outcomes)


def load_directory(db: BalieDatabase) -> Entries[DirectoryEntry]:
    """The sociale kaart in alphabetical order (accents and case do not count)."""
    topics: dict[int, list[int]] = {}
    for entry_id, topic_id in db.execute(
            "SELECT entry_id, topic_id FROM directory_entry_topic ORDER BY topic_id"):
        topics.setdefault(entry_id, []).append(topic_id)
    villages: dict[int, list[int]] = {}
    for entry_id, village_id in db.execute(
            "SELECT entry_id, village_id FROM directory_entry_village ORDER BY village_id"):
        villages.setdefault(entry_id, []).append(village_id)
    entries = [
        DirectoryEntry(
            r["id"], r["name"], r["retired_at"] is not None, r["organisation"], r["service"],
            r["offers"], tuple(topics.get(r["id"], ())), tuple(villages.get(r["id"], ())),
            r["phone"], r["email"], r["website"], r["address"], r["hours"], r["desk_note"],
            r["aliases"], from_db(r["checked_at"]) if r["checked_at"] else None,
            r["checked_by_name"], from_db(r["added_at"]) if r["added_at"] else None)
        for r in db.query(
            """SELECT directory_entry.*, staff.display_name AS checked_by_name
               FROM directory_entry LEFT JOIN staff ON staff.id = directory_entry.checked_by""")
    ]
    entries.sort(key=lambda e: (fold(e.name), e.id))
    return Entries.of(entries)


def list_entries(db: BalieDatabase, spec: Kind) -> list[dict[str, Any]]:
    """Rows for display by the command line, in display order, retired ones included."""
    retired = "CASE WHEN retired_at IS NULL THEN '' ELSE 'ingetrokken' END AS status"
    if spec.key == "villages":
        sql = f"""SELECT village.name AS naam, area.name AS gebied,
                         village.inhabitants AS inwoners, village.aliases AS zoekwoorden,
                         {retired.replace("retired_at", "village.retired_at")}
                  FROM village JOIN area ON area.id = village.area_id
                  ORDER BY area.sort_order, village.sort_order, village.id"""
    elif spec.key == "staff":
        sql = f"""SELECT staff.username AS gebruiker, staff.display_name AS naam,
                         (SELECT group_concat(role, ',') FROM (SELECT role FROM staff_role
                          WHERE staff_id = staff.id ORDER BY role)) AS rollen,
                         route.name AS team,
                         {retired.replace("retired_at", "staff.retired_at")}
                  FROM staff LEFT JOIN route ON route.id = staff.team_route_id
                  ORDER BY staff.username"""
    else:
        columns = "code, name AS naam" if spec.has_code else "name AS naam"
        extra = {"routes": ", kind AS soort, short_name AS kort, "
                           "retention_months AS bewaren_maanden",
                 "topics": ", aliases AS zoekwoorden"}.get(
            spec.key, ""
        )
        sql = f"SELECT {columns}{extra}, {retired} FROM {spec.table} ORDER BY sort_order, id"
    return list(db.query(sql))


def _find(db: BalieDatabase, spec: Kind, name: str) -> dict[str, Any]:
    wanted = fold(name)
    for row in db.query(f"SELECT * FROM {spec.table}"):
        if fold(row[spec.name_column]) == wanted:
            return row
    raise ReferenceDataError(f"Geen {spec.label} met de naam {name!r} gevonden.")


TEXT_ATTRIBUTES = {"display_name": "Een weergavenaam", "short_name": "Een korte naam",
                   "aliases": "Een andere schrijfwijze"}


def _plain(text: str, what: str) -> str:
    """Names are text: a control character (an escape sequence) is refused where it
    enters, though every screen and printout shows one harmlessly anyway."""
    if has_control(text):
        raise ReferenceDataError(f"{what} mag geen stuurtekens bevatten (zoals Esc of Tab): "
                                 f"{visible(text)}")
    return text


def _ensure_unique(db: BalieDatabase, spec: Kind, name: str, except_id: int | None = None) -> None:
    _plain(name, f"De naam van een {spec.label}")
    wanted = fold(name)
    if not wanted:
        raise ReferenceDataError(f"De naam van een {spec.label} mag niet leeg zijn.")
    for row in db.query(f"SELECT id, {spec.name_column} AS name FROM {spec.table}"):
        if row["id"] != except_id and fold(row["name"]) == wanted:
            raise ReferenceDataError(
                f"Er bestaat al een {spec.label} {row['name']!r} (ook als die is "
                "ingetrokken); kies een andere naam of zet die weer actief."
            )


def _resolve(db: BalieDatabase, spec: Kind, attrs: dict[str, Any]) -> dict[str, Any]:
    """Turn command-line attributes into column values, validating each."""
    unknown = set(attrs) - set(spec.attributes)
    if unknown:
        raise ReferenceDataError(
            f"Een {spec.label} heeft geen eigenschap {', '.join(sorted(unknown))}."
        )
    columns: dict[str, Any] = {}
    for key, value in attrs.items():
        if key == "area":
            columns["area_id"] = _find(db, KINDS["areas"], value)["id"]
        elif key == "inhabitants":
            if value is not None and (not isinstance(value, int)
                                      or not 0 <= value <= MAX_INHABITANTS):
                raise ReferenceDataError("Het aantal inwoners is een geheel getal van 0 tot "
                                         f"en met {MAX_INHABITANTS:,}.".replace(",", "."))
            columns["inhabitants"] = value
        elif key == "kind":
            if value not in (ROUTE_TEAM, ROUTE_DESK, ROUTE_EXTERNAL):
                raise ReferenceDataError(
                    "Het soort route is team, desk (afgehandeld aan de balie) of external."
                )
            columns["kind"] = value
        elif key == "roles":
            columns[ROLES_KEY] = parse_roles(value)
        elif key == "retention_months":
            if not isinstance(value, int) or not 1 <= value <= 120:
                raise ReferenceDataError("De bewaartermijn is een aantal maanden van 1 tot "
                                         "en met 120.")
            columns["retention_months"] = value
        elif key == "team":
            route = _find(db, KINDS["routes"], value)
            if route["kind"] != ROUTE_TEAM:
                raise ReferenceDataError(f"{route['name']} is geen team.")
            columns["team_route_id"] = route["id"]
        elif isinstance(value, str):
            columns[key] = _plain(value, TEXT_ATTRIBUTES.get(key, "Een waarde"))
        else:
            columns[key] = value
    return columns


ROLES_KEY = "_roles"
"""Where :func:`_resolve` puts a staff member's roles: a table of their own."""


def parse_roles(text: str | Sequence[str]) -> tuple[str, ...]:
    """``balie,teamleider`` (or a list) as role codes; unknown or no roles are refused."""
    words = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    unknown = [w for w in words if w not in ROLE_CODES]
    if unknown or not words:
        raise ReferenceDataError(
            f"Onbekende rol {', '.join(map(repr, unknown))}. " if unknown else "Geen rol. "
            f"Rollen: {', '.join(ROLE_CODES)} (meerdere met komma's: balie,teamleider)."
        )
    return tuple(dict.fromkeys(words))


def _store(db: BalieDatabase, spec: Kind, entry_id: int | None, columns: dict) -> int:
    """Insert (``entry_id`` None) or update one entry, its roles in their own table."""
    roles = columns.pop(ROLES_KEY, None)
    if entry_id is None:
        entry_id = db[spec.table].insert(columns).last_pk
    elif columns:
        db[spec.table].update(entry_id, columns)
    if roles is not None:
        db.execute("DELETE FROM staff_role WHERE staff_id = ?", [entry_id])
        db.conn.executemany("INSERT INTO staff_role (staff_id, role) VALUES (?, ?)",
                            [(entry_id, role) for role in roles])
    if spec.key == "staff" and db.execute(
            "SELECT EXISTS (SELECT 1 FROM staff JOIN staff_role ON staff_id = staff.id "
            "WHERE staff.id = ? AND role = 'team' AND team_route_id IS NULL)",
            [entry_id]).fetchone()[0]:
        raise ReferenceDataError("Wie de rol team heeft, hoort bij een team: geef ook "
                                 "--team op (bijv. --team \"Maatschappelijk werk\").")
    if spec.key == "staff":
        _ensure_beheer_remains(db)
    return entry_id


def _ensure_beheer_remains(db: BalieDatabase) -> None:
    """Refuse (inside its transaction) a change that leaves nobody with the role beheer.

    Without an active beheer nobody can add staff, give roles or restore an account:
    every command would answer "vraag beheer" and nobody could.
    """
    if not active_beheer_exists(db):
        raise ReferenceDataError(
            "Dan heeft niemand meer de rol beheer, en kan niemand nog medewerkers of "
            "rollen wijzigen. Geef eerst een ander de rol beheer (balie ref set staff "
            "NAAM --roles ...,beheer) en trek daarna deze in.")


def add_entry(db: BalieDatabase, actor: Actor, spec: Kind, name: str, **attrs: Any) -> int:
    """Add an entry at the end of its list; returns its id."""
    name = " ".join(name.split())
    with db.write():
        require(db, actor, "reference")
        _ensure_unique(db, spec, name)
        columns = _resolve(db, spec, attrs)
        if spec.key == "villages" and "area_id" not in columns:
            raise ReferenceDataError("Geef bij een nieuw dorp het gebied op (--area).")
        if spec.key == "routes" and "kind" not in columns:
            raise ReferenceDataError("Geef bij een nieuwe route het soort op (--kind).")
        if spec.key == "staff":
            columns.setdefault("display_name", name)
            columns["created_at"] = to_db(utc_now())
        else:
            columns["sort_order"] = _next_sort_order(db, spec)
        if spec.has_code:
            columns["code"] = _unique_code(db, spec, slug(name))
        columns[spec.name_column] = name
        audit(db, actor, "reference", utc_now(), detail=f"{spec.key} toegevoegd: {name}")
        return _store(db, spec, None, columns)


def _next_sort_order(db: BalieDatabase, spec: Kind) -> int:
    return db.execute(f"SELECT coalesce(max(sort_order), 0) + 1 FROM {spec.table}").fetchone()[0]


def _unique_code(db: BalieDatabase, spec: Kind, code: str) -> str:
    taken = {r["code"] for r in db.query(f"SELECT code FROM {spec.table}")}
    candidate, n = code or spec.table, 2
    while candidate in taken:
        candidate, n = f"{code}_{n}", n + 1
    return candidate


def rename_entry(db: BalieDatabase, actor: Actor, spec: Kind, old: str, new: str) -> None:
    """Rename; history and reports show the new name (the id stays the same)."""
    new = " ".join(new.split())
    with db.write():
        require(db, actor, "reference")
        audit(db, actor, "reference", utc_now(), detail=f"{spec.key} hernoemd: {old} -> {new}")
        row = _find(db, spec, old)
        _ensure_unique(db, spec, new, except_id=row["id"])
        db[spec.table].update(row["id"], {spec.name_column: new})
        _ensure_rules_still_valid(db, f"{spec.label} {row[spec.name_column]!r}")


def _ensure_rules_still_valid(db: BalieDatabase, what: str) -> None:
    """Refuse a change (inside its transaction) that would break the routing rules."""
    from balie.db.rules import active_rules  # rules build on reference data
    from balie.domain.routing import InvalidRules, parse_rules

    try:
        parse_rules(active_rules(db).body, load_reference(db))
    except InvalidRules as error:
        raise ReferenceDataError(
            f"De routeringsregels noemen {what} bij naam; pas eerst de regels aan "
            f"(balie rules show / balie rules load). {error.problems[0]}"
        ) from None


def update_entry(db: BalieDatabase, actor: Actor, spec: Kind, name: str, **attrs: Any) -> None:
    """Change attributes such as a village's inhabitants or a staff member's roles."""
    with db.write():
        require(db, actor, "reference")
        row = _find(db, spec, name)
        columns = _resolve(db, spec, attrs)
        audit(db, actor, "reference", utc_now(),
              detail=f"{spec.key} {name} gewijzigd: {', '.join(sorted(attrs))}")
        _store(db, spec, row["id"], columns)


def set_retired(db: BalieDatabase, actor: Actor, spec: Kind, name: str, retired: bool) -> None:
    """Retire an entry (hidden from new registrations) or make it active again."""
    with db.write():
        require(db, actor, "reference")
        audit(db, actor, "reference", utc_now(),
              detail=f"{spec.key} {name} {'ingetrokken' if retired else 'weer actief'}")
        row = _find(db, spec, name)
        db[spec.table].update(row["id"], {"retired_at": to_db(utc_now()) if retired else None})
        if spec.key == "staff":
            _ensure_beheer_remains(db)
