"""The sociale kaart in the database: adding, changing, retiring, checking, importing.

Everyone reads the directory (it is part of :func:`balie.db.reference.load_reference`;
it holds no client data, so reading it is not logged). Changing it is beheer's work
(the action ``reference``), and every change is in the audit log with the entry's name.

Any change made by beheer counts as a check: "last checked" says when and by whom the
details were last looked at and confirmed (``balie kaart set NAAM --checked`` records a
check without a change). Entries are never deleted: a retired entry stays in the
history and the reports of the inquiries that were referred to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.errors import ReferenceDataError
from balie.domain.directory import EntryInput, stale_entries
from balie.domain.directory_csv import DirectoryFile
from balie.domain.models import DirectoryEntry
from balie.domain.text import fold
from balie.domain.timekeeping import to_db


def _names(db: BalieDatabase) -> dict[str, tuple[int, str]]:
    """Every entry's folded name: its id and name."""
    return {fold(name): (entry_id, name)
            for entry_id, name in db.execute("SELECT id, name FROM directory_entry")}


def _ensure_unique(names: dict[str, tuple[int, str]], name: str,
                   except_id: int | None = None) -> None:
    taken = names.get(fold(name))
    if taken is not None and taken[0] != except_id:
        raise ReferenceDataError(
            f"Er staat al een vermelding {taken[1]!r} op de sociale kaart (ook als die is "
            "ingetrokken); kies een andere naam of dienst, of zet die weer actief.")


def _columns(entry: EntryInput) -> dict:
    return {"name": entry.name, "organisation": entry.organisation, "service": entry.service,
            "offers": entry.offers, "phone": entry.phone, "email": entry.email,
            "website": entry.website, "address": entry.address, "hours": entry.hours,
            "desk_note": entry.desk_note, "aliases": entry.aliases}


def _store(db: BalieDatabase, entry_id: int | None, entry: EntryInput, checked_at: str | None,
           checked_by: int | None, now: datetime) -> int:
    columns = _columns(entry) | {"checked_at": checked_at, "checked_by": checked_by}
    if entry_id is None:
        (order,) = db.execute(
            "SELECT coalesce(max(sort_order), 0) + 1 FROM directory_entry").fetchone()
        entry_id = db["directory_entry"].insert(
            columns | {"sort_order": order, "added_at": to_db(now)}).last_pk
    else:
        db["directory_entry"].update(entry_id, columns)
        db.execute("DELETE FROM directory_entry_topic WHERE entry_id = ?", [entry_id])
        db.execute("DELETE FROM directory_entry_village WHERE entry_id = ?", [entry_id])
    db.conn.executemany("INSERT INTO directory_entry_topic (entry_id, topic_id) VALUES (?, ?)",
                        [(entry_id, t) for t in entry.topic_ids])
    db.conn.executemany(
        "INSERT INTO directory_entry_village (entry_id, village_id) VALUES (?, ?)",
        [(entry_id, v) for v in entry.village_ids])
    return entry_id


def add_entry(db: BalieDatabase, actor: Actor, entry: EntryInput, now: datetime) -> int:
    """A new entry (checked now by the actor); returns its id."""
    with db.write():
        require(db, actor, "reference")
        _ensure_unique(_names(db), entry.name)
        entry_id = _store(db, None, entry, to_db(now), actor.staff_id, now)
        audit(db, actor, "reference", now, detail=f"sociale kaart toegevoegd: {entry.name}")
    return entry_id


def update_entry(db: BalieDatabase, actor: Actor, entry_id: int, entry: EntryInput,
                 now: datetime) -> None:
    """Change an entry (its id, and so its referrals, stay); counts as a check."""
    with db.write():
        require(db, actor, "reference")
        old = _name(db, entry_id)
        _ensure_unique(_names(db), entry.name, except_id=entry_id)
        _store(db, entry_id, entry, to_db(now), actor.staff_id, now)
        renamed = f" (was {old})" if old != entry.name else ""
        audit(db, actor, "reference", now,
              detail=f"sociale kaart gewijzigd: {entry.name}{renamed}")


def mark_checked(db: BalieDatabase, actor: Actor, entry_id: int, now: datetime) -> None:
    """The details were looked at and are still right."""
    with db.write():
        require(db, actor, "reference")
        name = _name(db, entry_id)
        db.execute("UPDATE directory_entry SET checked_at = ?, checked_by = ? WHERE id = ?",
                   [to_db(now), actor.staff_id, entry_id])
        audit(db, actor, "reference", now, detail=f"sociale kaart gecontroleerd: {name}")


def set_retired(db: BalieDatabase, actor: Actor, entry_id: int, retired: bool,
                now: datetime) -> None:
    """Retire an entry (no longer offered; it stays in history and reports) or restore it."""
    with db.write():
        require(db, actor, "reference")
        name = _name(db, entry_id)
        db.execute("UPDATE directory_entry SET retired_at = ? WHERE id = ?",
                   [to_db(now) if retired else None, entry_id])
        audit(db, actor, "reference", now,
              detail=f"sociale kaart {'ingetrokken' if retired else 'weer actief'}: {name}")


def _name(db: BalieDatabase, entry_id: int) -> str:
    row = db.execute("SELECT name FROM directory_entry WHERE id = ?", [entry_id]).fetchone()
    if row is None:
        raise ReferenceDataError(f"Nummer {entry_id} staat niet op de sociale kaart.")
    return row[0]


def stale_count(db: BalieDatabase, now: datetime) -> int:
    """Active entries not checked for a year: what beheer is told at the start. The
    directory holds no personal details, so no role is needed to count."""
    from balie.db.reference import load_directory

    with db.snapshot():
        return len(stale_entries(load_directory(db).all, now))


@dataclass(frozen=True)
class ImportPlan:
    """What an import file changes."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    retired: tuple[str, ...]
    restored: tuple[str, ...]
    unchanged: int
    untouched: int
    """Entries the file does not name (they stay as they are)."""


def plan_import(directory: tuple[DirectoryEntry, ...], checked: DirectoryFile) -> ImportPlan:
    """Compare a checked file with the directory as it is."""
    by_id = {e.id: e for e in directory}
    added, changed, retired, restored = [], [], [], []
    unchanged = 0
    for row in checked.entries:
        if row.entry_id is None:
            added.append(row.entry.name)
            continue
        old = by_id[row.entry_id]
        if row.retired != old.retired:
            (retired if row.retired else restored).append(row.entry.name)
        if _differs(old, row.entry) or row.checked_at != _day_of(old):
            changed.append(row.entry.name)
        elif row.retired == old.retired:
            unchanged += 1
    named = {row.entry_id for row in checked.entries}
    return ImportPlan(tuple(added), tuple(changed), tuple(retired), tuple(restored),
                      unchanged, sum(1 for e in directory if e.id not in named))


def _differs(old: DirectoryEntry, new: EntryInput) -> bool:
    keys = ("organisation", "service", "offers", "phone", "email", "website", "address",
            "hours", "desk_note", "aliases")
    return (any(getattr(old, k) != getattr(new, k) for k in keys)
            or set(old.topic_ids) != set(new.topic_ids)
            or set(old.village_ids) != set(new.village_ids))


def _day_of(entry: DirectoryEntry) -> datetime | None:
    """The checked moment as the file shows it: its day (at noon), or None."""
    from balie.domain.directory_csv import CHECKED_TIME
    from balie.domain.timekeeping import AMSTERDAM, local

    if entry.checked_at is None:
        return None
    return datetime.combine(local(entry.checked_at).date(), CHECKED_TIME, tzinfo=AMSTERDAM)


def import_directory(db: BalieDatabase, actor: Actor, checked: DirectoryFile,
                     now: datetime) -> ImportPlan:
    """Apply a checked file in one transaction (all of it, or nothing).

    A line whose 'gecontroleerd op' day differs from the entry's is a check made on that
    day, by whoever imports the file; an unchanged day keeps who checked it.
    """
    from balie.db.reference import load_directory

    if checked.problems:
        raise ValueError("a file with problems is never imported")
    with db.write():
        require(db, actor, "reference")
        directory = load_directory(db).all
        by_id = {e.id: e for e in directory}
        plan = plan_import(directory, checked)
        # The names the file gives its entries, and those of the entries it leaves out:
        # each may be taken once (the file itself was checked for that already).
        names = _names(db)
        for row in checked.entries:
            if row.entry_id is not None:
                names.pop(fold(by_id[row.entry_id].name), None)
        for row in checked.entries:
            _ensure_unique(names, row.entry.name, except_id=row.entry_id)
            names[fold(row.entry.name)] = (row.entry_id or 0, row.entry.name)
        for row in checked.entries:
            old = by_id.get(row.entry_id) if row.entry_id is not None else None
            if old is not None and not _differs(old, row.entry) \
                    and row.checked_at == _day_of(old) and row.retired == old.retired:
                continue
            if old is not None and row.checked_at == _day_of(old):
                checked_at = to_db(old.checked_at) if old.checked_at else None
                checked_by = db.execute("SELECT checked_by FROM directory_entry WHERE id = ?",
                                        [old.id]).fetchone()[0]
            else:
                checked_at = to_db(row.checked_at) if row.checked_at else None
                checked_by = actor.staff_id if row.checked_at else None
            entry_id = _store(db, row.entry_id, row.entry, checked_at, checked_by, now)
            if old is None or row.retired != old.retired:
                db.execute("UPDATE directory_entry SET retired_at = ? WHERE id = ?",
                           [to_db(now) if row.retired else None, entry_id])
        audit(db, actor, "reference", now,
              detail=f"sociale kaart ingelezen: {len(plan.added)} nieuw, "
                     f"{len(plan.changed)} gewijzigd, {len(plan.retired)} ingetrokken, "
                     f"{len(plan.restored)} weer actief")
    return plan
