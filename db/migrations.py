"""The schema, created and upgraded only by numbered migrations.

sqlite-utils' :class:`~sqlite_utils.migrations.Migrations` records each applied
migration by name in ``_sqlite_migrations``. Names start with a four-digit number and
are applied in the order they are defined here; a migration, once released, is never
edited: a change is a new migration. A database that has a migration this code does
not know was upgraded by a newer balie and is refused.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from balie.db.connection import BalieDatabase
from balie.db.errors import DatabaseTooNew
from balie.domain import reference_data as ref
from balie.domain.directory import entry_name
from balie.domain.directory_seed import SEED
from balie.domain.routing import default_rules_text
from balie.domain.text import fold
from balie.domain.timekeeping import to_db, utc_now

SET = "balie"
"""The migration set's name in ``_sqlite_migrations``."""
_REGISTERED: list[tuple[str, Callable]] = []
KNOWN: list[str] = []
"""Every migration name of this version, in order."""


def migration(name: str) -> Callable[[Callable], Callable]:
    """Register a migration function; it gets a sqlite-utils Database on the connection."""

    def register(fn: Callable) -> Callable:
        _REGISTERED.append((name, fn))
        KNOWN.append(name)
        return fn

    return register


def _migrations():
    """The sqlite-utils migration set (imported only when there is something to do)."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(SET)
    for name, fn in _REGISTERED:
        migrations(name=name)(fn)
    return migrations


def run_sql(db, script: str) -> None:
    """Execute a script statement by statement, inside the caller's transaction.

    ``sqlite3.Connection.executescript`` would commit first, breaking the rule that a
    migration and its record are one transaction.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


@migration("0001_core_schema")
def _core_schema(db) -> None:
    run_sql(
        db,
        """
        CREATE TABLE area (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE village (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            area_id INTEGER NOT NULL REFERENCES area(id),
            inhabitants INTEGER CHECK (inhabitants IS NULL OR inhabitants >= 0),
            aliases TEXT NOT NULL DEFAULT '',
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE route (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('team', 'desk', 'external')),
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE referral_target (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE channel (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE topic (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'balie'
                CHECK (role IN ('balie', 'team', 'teamleider', 'beheer')),
            team_route_id INTEGER REFERENCES route(id),
            created_at TEXT NOT NULL,
            retired_at TEXT
        );

        -- One row per inquiry. Personal contact fields need consent (CHECK below);
        -- a callback needs a phone number to call.
        CREATE TABLE inquiry (
            id INTEGER PRIMARY KEY,
            registered_at TEXT NOT NULL CHECK (registered_at GLOB
                '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'),
            registered_by INTEGER NOT NULL REFERENCES staff(id),
            channel_id INTEGER NOT NULL REFERENCES channel(id),
            village_id INTEGER NOT NULL REFERENCES village(id),
            age INTEGER CHECK (age IS NULL OR age BETWEEN 0 AND 120),
            gender TEXT CHECK (gender IS NULL OR gender IN ('f', 'm', 'x')),
            summary TEXT NOT NULL DEFAULT '',
            route_id INTEGER NOT NULL REFERENCES route(id),
            referral_target_id INTEGER REFERENCES referral_target(id),
            urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'picked_up', 'closed')),
            consent INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),
            person_name TEXT,
            phone TEXT,
            postcode TEXT,
            callback_at TEXT,
            updated_at TEXT NOT NULL,
            CHECK (consent = 1 OR (person_name IS NULL AND phone IS NULL AND postcode IS NULL)),
            CHECK (callback_at IS NULL OR phone IS NOT NULL)
        );
        CREATE INDEX inquiry_by_time ON inquiry(registered_at);
        CREATE INDEX inquiry_by_desk ON inquiry(registered_by, registered_at);
        CREATE INDEX inquiry_by_phone ON inquiry(phone) WHERE phone IS NOT NULL;
        CREATE INDEX inquiry_by_route_status ON inquiry(route_id, status);

        CREATE TABLE inquiry_topic (
            inquiry_id INTEGER NOT NULL REFERENCES inquiry(id),
            topic_id INTEGER NOT NULL REFERENCES topic(id),
            PRIMARY KEY (inquiry_id, topic_id)
        ) WITHOUT ROWID;
        CREATE INDEX inquiry_topic_by_topic ON inquiry_topic(topic_id, inquiry_id);

        -- History of every routing, status change and correction: who, when, from,
        -- to, why. Corrections of personal fields record the field, never the values.
        CREATE TABLE inquiry_event (
            id INTEGER PRIMARY KEY,
            inquiry_id INTEGER NOT NULL REFERENCES inquiry(id),
            at TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            kind TEXT NOT NULL CHECK (kind IN ('created', 'route', 'status', 'correction')),
            from_route_id INTEGER REFERENCES route(id),
            to_route_id INTEGER REFERENCES route(id),
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            reason TEXT
        );
        CREATE INDEX inquiry_event_by_inquiry ON inquiry_event(inquiry_id, id);

        -- Who did what with personal data. Append-only: see the triggers.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            staff_id INTEGER REFERENCES staff(id),
            action TEXT NOT NULL,
            inquiry_id INTEGER,
            detail TEXT,
            origin TEXT
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only');
        END;

        -- Settings all desks share (JSON values).
        CREATE TABLE setting (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    )


@migration("0002_reference_data")
def _reference_data(db) -> None:
    now = to_db(utc_now())
    db["area"].insert_all(
        {"name": name, "sort_order": i} for i, name in enumerate(ref.AREAS, start=1)
    )
    area_ids = {row["name"]: row["id"] for row in db["area"].rows}
    db["village"].insert_all(
        {
            "name": name,
            "area_id": area_ids[area],
            "inhabitants": inhabitants,
            "aliases": aliases,
            "sort_order": i,
        }
        for i, (name, area, inhabitants, aliases) in enumerate(ref.VILLAGES, start=1)
    )
    db["route"].insert_all(
        {"code": code, "name": name, "kind": kind, "sort_order": i}
        for i, (code, name, kind) in enumerate(ref.ROUTES, start=1)
    )
    db["referral_target"].insert_all(
        {"name": name, "sort_order": i} for i, name in enumerate(ref.REFERRAL_TARGETS, 1)
    )
    db["channel"].insert_all(
        {"code": code, "name": name, "sort_order": i}
        for i, (code, name) in enumerate(ref.CHANNELS, start=1)
    )
    db["topic"].insert_all(
        {"code": code, "name": name, "sort_order": i}
        for i, (code, name) in enumerate(ref.TOPICS, start=1)
    )
    db["setting"].insert({"key": "created_at", "value": json.dumps(now), "updated_at": now})


@migration("0003_intake")
def _intake(db) -> None:
    """Topic search words, routing rules in data, drafts, and the caller-name index."""
    run_sql(
        db,
        """
        ALTER TABLE topic ADD COLUMN aliases TEXT NOT NULL DEFAULT '';

        -- Every version of the routing rules (TOML); the newest is in use.
        CREATE TABLE routing_rules (
            id INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL
        );

        -- What a desk was typing, so a closed terminal or killed app loses nothing.
        -- Deleted when the inquiry is saved or the desk discards it.
        CREATE TABLE draft (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX draft_by_staff ON draft(staff_id);

        -- Returning callers by name: accent- and case-insensitive full-text index,
        -- kept in step with inquiry.person_name by triggers.
        CREATE VIRTUAL TABLE inquiry_name USING fts5(
            person_name, content='inquiry', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER inquiry_name_insert AFTER INSERT ON inquiry
        WHEN new.person_name IS NOT NULL
        BEGIN
            INSERT INTO inquiry_name (rowid, person_name) VALUES (new.id, new.person_name);
        END;
        CREATE TRIGGER inquiry_name_delete AFTER DELETE ON inquiry
        WHEN old.person_name IS NOT NULL
        BEGIN
            INSERT INTO inquiry_name (inquiry_name, rowid, person_name)
            VALUES ('delete', old.id, old.person_name);
        END;
        CREATE TRIGGER inquiry_name_update AFTER UPDATE OF person_name ON inquiry
        BEGIN
            INSERT INTO inquiry_name (inquiry_name, rowid, person_name)
            SELECT 'delete', old.id, old.person_name WHERE old.person_name IS NOT NULL;
            INSERT INTO inquiry_name (rowid, person_name)
            SELECT new.id, new.person_name WHERE new.person_name IS NOT NULL;
        END;
        INSERT INTO inquiry_name (rowid, person_name)
        SELECT id, person_name FROM inquiry WHERE person_name IS NOT NULL;
        """,
    )
    for code, aliases in ref.TOPIC_ALIASES.items():
        db.execute("UPDATE topic SET aliases = ? WHERE code = ?", [aliases, code])
    db.execute(
        "INSERT INTO routing_rules (body, loaded_at, loaded_by) VALUES (?, ?, 'balie')",
        [default_rules_text(), to_db(utc_now())],
    )



@migration("0004_reports")
def _reports(db) -> None:
    """A covering index for the report counts, and what historic imports need."""
    run_sql(
        db,
        """
        -- Imports without a time of day count in every report except by hour.
        ALTER TABLE inquiry ADD COLUMN time_known INTEGER NOT NULL DEFAULT 1
            CHECK (time_known IN (0, 1));

        -- Every report reads only this index: a range on registered_at, then the
        -- columns the reports break down by. It replaces the plain time index.
        DROP INDEX inquiry_by_time;
        CREATE INDEX inquiry_report ON inquiry(
            registered_at, route_id, village_id, channel_id, gender, age, time_known
        );
        -- A team's factsheet reads only that team's inquiries of the year.
        CREATE INDEX inquiry_by_route_time ON inquiry(
            route_id, registered_at, village_id, gender, age
        );

        -- Files imported with balie import: the same file is never imported twice.
        CREATE TABLE import_batch (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            rows INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            imported_by INTEGER NOT NULL REFERENCES staff(id)
        );
        ALTER TABLE inquiry ADD COLUMN import_batch_id INTEGER REFERENCES import_batch(id);
        """,
    )


@migration("0005_versions_and_short_names")
def _versions_and_short_names(db) -> None:
    run_sql(
        db,
        """
        -- Raised by every change, so a correction never overwrites someone else's.
        ALTER TABLE inquiry ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

        -- A short name for narrow table columns ("Maatsch. werk").
        ALTER TABLE route ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
        """,
    )
    for code, short in ref.ROUTE_SHORT_NAMES.items():
        db.execute("UPDATE route SET short_name = ? WHERE code = ?", [short, code])

@migration("0006_team_inboxes")
def _team_inboxes(db) -> None:
    """Who has an inquiry, since when it waits, how it ended; callbacks done."""
    run_sql(
        db,
        """
        -- How a team closes an inquiry: the categories of the annual report.
        CREATE TABLE outcome (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            sort_order INTEGER NOT NULL DEFAULT 0,
            retired_at TEXT
        );

        -- route_id is where an inquiry is now (a transfer changes it); intake_route_id
        -- where the desk sent it, so reports count both. queued_at: since when it waits
        -- in its team's list (registration, transfer or reopening).
        ALTER TABLE inquiry ADD COLUMN intake_route_id INTEGER REFERENCES route(id);
        ALTER TABLE inquiry ADD COLUMN owner_id INTEGER REFERENCES staff(id);
        ALTER TABLE inquiry ADD COLUMN queued_at TEXT;
        ALTER TABLE inquiry ADD COLUMN closed_at TEXT;
        ALTER TABLE inquiry ADD COLUMN outcome_id INTEGER REFERENCES outcome(id);
        ALTER TABLE inquiry ADD COLUMN callback_done_at TEXT;
        UPDATE inquiry SET intake_route_id = route_id, queued_at = registered_at,
            closed_at = CASE WHEN status = 'closed' THEN updated_at END,
            owner_id = CASE WHEN status IN ('picked_up', 'closed') THEN (
                SELECT staff_id FROM inquiry_event WHERE inquiry_event.inquiry_id = inquiry.id
                AND kind = 'status' AND new_value = 'picked_up' ORDER BY id DESC LIMIT 1) END;

        -- Before this version nothing could pick up or close a team's inquiry: every
        -- one ever registered is still 'new'. Those of more than 14 days before the
        -- upgrade were handled outside balie; they are closed (without an outcome),
        -- with a history line that says so, so the lists start with what is recent.
        INSERT INTO inquiry_event
            (inquiry_id, at, staff_id, kind, old_value, new_value, reason)
            SELECT inquiry.id, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), inquiry.registered_by,
                   'status', 'new', 'closed', 'afgesloten bij de invoering van de werkvoorraad'
            FROM inquiry JOIN route ON route.id = inquiry.route_id
            WHERE route.kind = 'team' AND inquiry.status = 'new'
              AND inquiry.registered_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days');
        UPDATE inquiry SET status = 'closed', closed_at = registered_at
            WHERE status = 'new'
              AND registered_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days')
              AND route_id IN (SELECT id FROM route WHERE kind = 'team');

        -- Before this version a callback could not be marked as done: those due more
        -- than a week before the upgrade were dealt with outside balie, and would
        -- only bury today's callbacks in the list.
        UPDATE inquiry SET callback_done_at = callback_at
            WHERE callback_at IS NOT NULL
              AND callback_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days');

        -- The report index gains the intake route (reports by either route).
        DROP INDEX inquiry_report;
        CREATE INDEX inquiry_report ON inquiry(
            registered_at, route_id, intake_route_id, village_id, channel_id, gender, age,
            time_known
        );
        -- A team's new inquiries in list order: spoed first, then the longest waiting.
        CREATE INDEX inquiry_inbox_new ON inquiry(route_id, urgent DESC, queued_at)
            WHERE status = 'new';
        -- A team's recently closed inquiries, newest first.
        CREATE INDEX inquiry_closed ON inquiry(route_id, closed_at) WHERE status = 'closed';
        -- Callbacks still to make, by due time.
        CREATE INDEX inquiry_callback_due ON inquiry(callback_at)
            WHERE callback_at IS NOT NULL AND callback_done_at IS NULL;

        -- The history learns the inbox's events (a CHECK cannot be altered in place).
        CREATE TABLE inquiry_event_new (
            id INTEGER PRIMARY KEY,
            inquiry_id INTEGER NOT NULL REFERENCES inquiry(id),
            at TEXT NOT NULL,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            kind TEXT NOT NULL CHECK (kind IN (
                'created', 'route', 'status', 'correction',
                'pickup', 'transfer', 'close', 'reopen', 'callback')),
            from_route_id INTEGER REFERENCES route(id),
            to_route_id INTEGER REFERENCES route(id),
            field TEXT,
            old_value TEXT,
            new_value TEXT,
            reason TEXT
        );
        INSERT INTO inquiry_event_new SELECT * FROM inquiry_event;
        DROP TABLE inquiry_event;
        ALTER TABLE inquiry_event_new RENAME TO inquiry_event;
        CREATE INDEX inquiry_event_by_inquiry ON inquiry_event(inquiry_id, id);
        """,
    )
    db["outcome"].insert_all(
        {"code": code, "name": name, "sort_order": i}
        for i, (code, name) in enumerate(ref.OUTCOMES, start=1)
    )


def applied_names(db: BalieDatabase) -> list[str]:
    """The migrations recorded in the file, in the order they were applied."""
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                        "AND name = '_sqlite_migrations'").fetchone()
    if not exists:
        return []
    return [row[0] for row in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", [SET])]


def unknown_migrations(db: BalieDatabase) -> list[str]:
    """Applied migrations this code does not know: a sign of a newer balie."""
    return sorted(set(applied_names(db)) - set(KNOWN))


def check_not_newer(db: BalieDatabase) -> None:
    unknown = unknown_migrations(db)
    if unknown:
        raise DatabaseTooNew(
            f"De database {db.path} is bijgewerkt door een nieuwere versie van balie "
            f"(onbekende migraties: {', '.join(unknown)}). Installeer die nieuwere "
            "versie; deze versie opent de database niet, om niets te beschadigen."
        )


def migrate(db: BalieDatabase, *, stop_before: str | None = None) -> list[str]:
    """Bring the schema up to date; return the names of the migrations applied.

    Safe when several desks start at once: the check is repeated under the write lock,
    so each migration runs exactly once. ``stop_before`` (for tests) leaves the schema
    of an earlier version.
    """
    check_not_newer(db)
    if set(KNOWN) <= set(applied_names(db)):
        return []
    with db.write():
        check_not_newer(db)
        before = set(applied_names(db))
        _migrations().apply(db.utils, stop_before=stop_before)
    return [name for name in KNOWN if name not in before and name in applied_names(db)]


@migration("0007_privacy")
def _privacy(db) -> None:
    """Roles per staff member, logins for the browser, retention, erasure, audit queries."""
    run_sql(
        db,
        """
        -- A staff member can have several roles (a team lead who also administers).
        CREATE TABLE staff_role (
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            role TEXT NOT NULL CHECK (role IN ('balie', 'team', 'teamleider', 'beheer')),
            PRIMARY KEY (staff_id, role)
        ) WITHOUT ROWID;
        INSERT INTO staff_role (staff_id, role) SELECT id, role FROM staff;
        ALTER TABLE staff DROP COLUMN role;

        -- Browser logins (balie serve): a salted scrypt hash, never the password, and
        -- a lockout after repeated failures.
        ALTER TABLE staff ADD COLUMN password_hash TEXT;
        ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE staff ADD COLUMN locked_until TEXT;

        -- How long personal details are kept after an inquiry is closed, per route.
        ALTER TABLE route ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 24
            CHECK (retention_months BETWEEN 1 AND 120);
        UPDATE route SET retention_months = 6 WHERE kind != 'team';

        -- When the personal details of an inquiry were erased (retention or request).
        ALTER TABLE inquiry ADD COLUMN erased_at TEXT;
        CREATE INDEX inquiry_retention ON inquiry(route_id, closed_at) WHERE erased_at IS NULL;

        -- Beheer reads the audit log by period, by staff member and by inquiry.
        CREATE INDEX audit_by_time ON audit_log(at);
        CREATE INDEX audit_by_staff ON audit_log(staff_id, at);
        CREATE INDEX audit_by_inquiry ON audit_log(inquiry_id, at) WHERE inquiry_id IS NOT NULL;
        """,
    )


@migration("0008_audit_chain")
def _audit_chain(db) -> None:
    """Each audit row carries a hash chained to the row before (balie.domain.auditchain);
    the rows there are get their links here, in order, in batches."""
    from balie.domain.auditchain import GENESIS, link

    run_sql(db, """
        ALTER TABLE audit_log ADD COLUMN chain TEXT;
        DROP TRIGGER audit_log_no_update;
        """)
    previous, last_id = GENESIS, None
    while True:
        rows = db.conn.execute(
            "SELECT id, at, staff_id, action, inquiry_id, detail, origin FROM audit_log "
            f"{'' if last_id is None else 'WHERE id > ?'} ORDER BY id LIMIT 10000",
            [] if last_id is None else [last_id]).fetchall()
        if not rows:
            break
        links = []
        for row in rows:
            previous = link(previous, row)
            links.append((previous, row[0]))
        db.conn.executemany("UPDATE audit_log SET chain = ? WHERE id = ?", links)
        last_id = rows[-1][0]
    run_sql(db, """
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only');
        END;
        """)


@migration("0009_factsheets")
def _factsheets(db) -> None:
    """What the factsheets count per team: waiting time until pick-up, and the indexes
    that read a team's period, its closings and its open inquiries without the table."""
    run_sql(
        db,
        """
        -- Working minutes an inquiry waited in its team's list until it was picked up
        -- (from queued_at, with the office hours in force then); NULL until picked up,
        -- and again after a transfer to another team's list.
        ALTER TABLE inquiry ADD COLUMN wait_minutes INTEGER CHECK (wait_minutes >= 0);
        """,
    )
    _backfill_waits(db)  # before the indexes that hold the column: each row once
    run_sql(
        db,
        """
        -- A team's factsheet reads this index only: its inquiries of a period, with
        -- every column the page breaks them down by. It replaces inquiry_by_route_time.
        DROP INDEX inquiry_by_route_time;
        CREATE INDEX inquiry_factsheet ON inquiry(
            route_id, registered_at, village_id, gender, age, channel_id, outcome_id,
            closed_at, wait_minutes
        );
        -- Closings per team and period, and which were registered before it ("still
        -- open from before"): registered_at joins the index of the closed list (and
        -- status, or SQLite reads the table to check the index's own condition).
        DROP INDEX inquiry_closed;
        CREATE INDEX inquiry_closed ON inquiry(route_id, closed_at, registered_at, status)
            WHERE status = 'closed';
        -- The open inquiries of a team registered before a period.
        DROP INDEX inquiry_by_route_status;
        CREATE INDEX inquiry_by_route_status ON inquiry(route_id, status, registered_at);
        -- The desk's factsheet counts a period per route and channel, and per hour of
        -- the day (the UTC hour; the registrations without a time apart), as ranges of
        -- these indexes: counting is cheaper than reading every row of a year.
        CREATE INDEX inquiry_channel ON inquiry(route_id, channel_id, registered_at);
        CREATE INDEX inquiry_hour ON inquiry(
            time_known, substr(registered_at, 12, 2), registered_at
        );
        """,
    )


def _backfill_waits(db) -> None:
    """The waiting time of every inquiry picked up before this version, from its last
    pick-up in the history, with the office hours set now (the only ones known)."""
    from balie.domain.timekeeping import from_db
    from balie.domain.workhours import (
        DEFAULT_OFFICE_HOURS,
        parse_office_hours,
        working_hours_between,
    )

    row = db.conn.execute("SELECT value FROM setting WHERE key = 'inbox.office_hours'"
                          ).fetchone()
    try:
        office = parse_office_hours(json.loads(row[0])) if row else DEFAULT_OFFICE_HOURS
    except (ValueError, TypeError):  # unreadable: the default, as db.settings does
        office = DEFAULT_OFFICE_HOURS
    last = 0
    while batch := db.conn.execute(
            # In pages by id: the rows read are not the ones being updated meanwhile.
            """SELECT inquiry.id, coalesce(inquiry.queued_at, inquiry.registered_at),
                      (SELECT max(at) FROM inquiry_event
                       WHERE inquiry_event.inquiry_id = inquiry.id AND kind = 'pickup')
               FROM inquiry JOIN route ON route.id = inquiry.route_id
               WHERE inquiry.id > ? AND route.kind = 'team' AND inquiry.status != 'new'
               ORDER BY inquiry.id LIMIT 10000""", [last]).fetchall():
        last = batch[-1][0]
        updates = []
        for inquiry_id, queued, picked in batch:
            if picked is not None and picked >= queued:
                minutes = working_hours_between(from_db(queued), from_db(picked), office) * 60
                updates.append((round(minutes), inquiry_id))
        db.conn.executemany("UPDATE inquiry SET wait_minutes = ? WHERE id = ?", updates)


@migration("0010_sociale_kaart")
def _sociale_kaart(db) -> None:
    """The sociale kaart: referral targets become directory entries; an inquiry refers
    to several; a follow-up call about a referral ("is het gelukt?")."""
    run_sql(
        db,
        """
        -- Each referral target becomes an entry of the directory under the same id, so
        -- the history (corrections of referral_target_id name ids) keeps its meaning.
        ALTER TABLE referral_target RENAME TO directory_entry;
        ALTER TABLE directory_entry ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN service TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN offers TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN phone TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN email TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN website TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN hours TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN desk_note TEXT NOT NULL DEFAULT '';
        ALTER TABLE directory_entry ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
        -- When and by whom the details were last checked (never, for the seed), and
        -- since when the entry is on the kaart: not checked for a year counts from there.
        ALTER TABLE directory_entry ADD COLUMN checked_at TEXT;
        ALTER TABLE directory_entry ADD COLUMN checked_by INTEGER REFERENCES staff(id);
        ALTER TABLE directory_entry ADD COLUMN added_at TEXT;
        UPDATE directory_entry SET organisation = name,
            added_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now');

        -- The topics an entry helps with, and the villages it serves (none: all).
        CREATE TABLE directory_entry_topic (
            entry_id INTEGER NOT NULL REFERENCES directory_entry(id),
            topic_id INTEGER NOT NULL REFERENCES topic(id),
            PRIMARY KEY (entry_id, topic_id)
        ) WITHOUT ROWID;
        CREATE TABLE directory_entry_village (
            entry_id INTEGER NOT NULL REFERENCES directory_entry(id),
            village_id INTEGER NOT NULL REFERENCES village(id),
            PRIMARY KEY (entry_id, village_id)
        ) WITHOUT ROWID;

        -- The entries an inquiry was referred to (external route) or informed about
        -- (desk route), in the order the desk named them.
        CREATE TABLE inquiry_referral (
            inquiry_id INTEGER NOT NULL REFERENCES inquiry(id),
            entry_id INTEGER NOT NULL REFERENCES directory_entry(id),
            position INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (inquiry_id, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX inquiry_referral_by_entry ON inquiry_referral(entry_id, inquiry_id);
        INSERT INTO inquiry_referral (inquiry_id, entry_id)
            SELECT id, referral_target_id FROM inquiry WHERE referral_target_id IS NOT NULL;
        ALTER TABLE inquiry DROP COLUMN referral_target_id;

        -- A follow-up call about a referral: a time (personal, like callback_at: it needs
        -- a phone number, and is erased with it) and a result that the reports count
        -- ('pending' until it is known; it stays after the erasure).
        ALTER TABLE inquiry ADD COLUMN followup_at TEXT
            CHECK (followup_at IS NULL OR phone IS NOT NULL);
        ALTER TABLE inquiry ADD COLUMN followup_result TEXT
            CHECK (followup_result IS NULL OR followup_result IN ('pending', 'helped',
                   'in_progress', 'not_helped', 'not_reached', 'declined'));
        ALTER TABLE inquiry ADD COLUMN followup_done_at TEXT;
        CREATE INDEX inquiry_followup_due ON inquiry(followup_at)
            WHERE followup_at IS NOT NULL AND followup_result = 'pending';
        -- Reports count follow-up results per referral from this (small) index alone.
        CREATE INDEX inquiry_followup_report ON inquiry(
            registered_at, route_id, intake_route_id, followup_result
        ) WHERE followup_result IS NOT NULL;
        """,
    )
    topics = {code: topic_id for topic_id, code in db.execute("SELECT id, code FROM topic")}
    existing = {fold(name): entry_id
                for entry_id, name in db.execute("SELECT id, name FROM directory_entry")}
    order = db.execute("SELECT coalesce(max(sort_order), 0) FROM directory_entry").fetchone()[0]
    for seed in SEED:
        name = entry_name(seed.organisation, seed.service)
        entry_id = existing.get(fold(name))
        values = {"organisation": seed.organisation, "service": seed.service,
                  "offers": seed.offers, "aliases": seed.aliases, "address": seed.address,
                  "website": seed.website, "desk_note": seed.note}
        if entry_id is None:
            order += 1
            entry_id = db["directory_entry"].insert(
                {"name": name, "sort_order": order, "added_at": to_db(utc_now()),
                 **values}).last_pk
        else:  # a referral target of before: same id and name, now with its details
            db["directory_entry"].update(entry_id, values)
        db.conn.executemany(
            "INSERT OR IGNORE INTO directory_entry_topic (entry_id, topic_id) VALUES (?, ?)",
            [(entry_id, topics[code]) for code in seed.topics if code in topics])


@migration("0011_import_batches")
def _import_batches(db) -> None:
    """An import is written in short batches and counts only once it is complete."""
    run_sql(
        db,
        """
        -- balie import writes a file in batches of short transactions, so the desks can
        -- save in between. Until completed_at is set, the rows of the import count
        -- nowhere; an import whose process is gone is removed by the next balie import.
        -- host and pid: the process writing it; updated_at: its last batch.
        ALTER TABLE import_batch ADD COLUMN completed_at TEXT;
        ALTER TABLE import_batch ADD COLUMN host TEXT;
        ALTER TABLE import_batch ADD COLUMN pid INTEGER;
        ALTER TABLE import_batch ADD COLUMN updated_at TEXT;
        UPDATE import_batch SET completed_at = imported_at, updated_at = imported_at;
        CREATE INDEX import_batch_by_state ON import_batch(completed_at);
        -- The rows of one import: to remove an import that did not complete.
        CREATE INDEX inquiry_by_import ON inquiry(import_batch_id)
            WHERE import_batch_id IS NOT NULL;

        -- The indexes the reports and factsheets read alone learn import_batch_id, so
        -- that they still answer alone when they leave out an import not yet complete.
        -- The same columns as before, and that one at the end.
        DROP INDEX inquiry_report;
        CREATE INDEX inquiry_report ON inquiry(
            registered_at, route_id, intake_route_id, village_id, channel_id, gender, age,
            time_known, import_batch_id
        );
        DROP INDEX inquiry_factsheet;
        CREATE INDEX inquiry_factsheet ON inquiry(
            route_id, registered_at, village_id, gender, age, channel_id, outcome_id,
            closed_at, wait_minutes, import_batch_id
        );
        DROP INDEX inquiry_closed;
        CREATE INDEX inquiry_closed ON inquiry(
            route_id, closed_at, registered_at, status, import_batch_id
        ) WHERE status = 'closed';
        DROP INDEX inquiry_by_route_status;
        CREATE INDEX inquiry_by_route_status ON inquiry(
            route_id, status, registered_at, import_batch_id
        );
        DROP INDEX inquiry_channel;
        CREATE INDEX inquiry_channel ON inquiry(
            route_id, channel_id, registered_at, import_batch_id
        );
        DROP INDEX inquiry_hour;
        CREATE INDEX inquiry_hour ON inquiry(
            time_known, substr(registered_at, 12, 2), registered_at, import_batch_id
        );
        DROP INDEX inquiry_followup_report;
        CREATE INDEX inquiry_followup_report ON inquiry(
            registered_at, route_id, intake_route_id, followup_result, import_batch_id
        ) WHERE followup_result IS NOT NULL;
        """,
    )


@migration("0012_followup_moments")
def _followup_moments(db) -> None:
    """Moments a correction stored in Python's own form are put in the stored form."""
    run_sql(
        db,
        """
        -- Before this version, a correction that took away a follow-up time after its
        -- result was found wrote the result's moment as '2026-03-24 09:30:00.250000+00:00'
        -- instead of '2026-03-24T09:30:00Z', and the inquiry no longer opened. SQLite
        -- reads that form (with its offset) and writes the stored one, in whole seconds.
        UPDATE inquiry
           SET followup_done_at = strftime('%Y-%m-%dT%H:%M:%SZ', followup_done_at)
         WHERE followup_done_at GLOB
               '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*';
        """,
    )
