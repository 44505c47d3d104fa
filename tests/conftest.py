"""Shared fixtures: a fresh, migrated database per test under tmp_path; a frozen clock."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from balie.db import BalieDatabase, open_database
from balie.db.access import Actor
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.domain.models import Reference
from balie.domain.reference_data import ROLE_CODES
from balie.domain.timekeeping import AMSTERDAM
from tests.timers import timers  # noqa: F401 - the fixture, for every test file

FROZEN_NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
"""A Tuesday morning (10:30 in Beilen) used wherever the clock matters."""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "balie.db"


@pytest.fixture(scope="session")
def new_database(tmp_path_factory) -> Path:
    """A new, migrated and seeded database, made once: copied, it is what open_database
    makes of a new file (in milliseconds instead of a second of migrations)."""
    path = tmp_path_factory.mktemp("new") / "balie.db"
    open_database(path).close()  # the last connection closes the WAL into the file
    assert not path.with_name("balie.db-wal").exists()
    return path


def copy_new_database(new_database: Path, db_path: Path) -> Path:
    shutil.copyfile(new_database, db_path)
    os.chmod(db_path, 0o600)  # as open_database creates it
    return db_path


@pytest.fixture
def db(db_path: Path, new_database: Path) -> BalieDatabase:
    database = open_database(copy_new_database(new_database, db_path))
    yield database
    database.close()


@pytest.fixture
def ref(db: BalieDatabase) -> Reference:
    return load_reference(db)


@dataclass(frozen=True)
class Member(Actor):
    """A staff member made for a test, usable wherever the data layer wants an Actor."""

    username: str = ""
    display_name: str = ""

    @property
    def id(self) -> int:
        return self.staff_id


DESK_AND_LEAD = ("balie", "teamleider")
"""What a test's staff member may do unless the test is about roles: all the work with
inquiries. Not beheer: then the OS account running a CLI test is the first beheer."""


def member(db: BalieDatabase, username: str, display_name: str | None = None, *,
           roles: tuple[str, ...] | None = None, team: str | None = None) -> Member:
    """A staff member for a test (set-up written straight into the tables). New: with
    ``roles`` (default :data:`DESK_AND_LEAD`) and ``team`` (a route code). Existing: the
    same member, with ``roles`` and ``team`` changed only when given."""
    assert roles is None or set(roles) <= set(ROLE_CODES)
    with db.write():
        found = db.execute("SELECT id FROM staff WHERE username = ?", [username]).fetchone()
        if found is None:
            found = (db.execute(
                "INSERT INTO staff (username, display_name, created_at) "
                "VALUES (?, ?, '2026-01-01T00:00:00Z')",
                [username, display_name or username]).lastrowid,)
            roles = DESK_AND_LEAD if roles is None else roles
        (staff_id,) = found
        if team is not None:
            db.execute("UPDATE staff SET team_route_id = (SELECT id FROM route WHERE code = ?) "
                       "WHERE id = ?", [team, staff_id])
        if roles is not None:
            db.execute("DELETE FROM staff_role WHERE staff_id = ?", [staff_id])
            db.conn.executemany("INSERT INTO staff_role (staff_id, role) VALUES (?, ?)",
                                [(staff_id, role) for role in roles])
        (shown,) = db.execute("SELECT display_name FROM staff WHERE id = ?",
                              [staff_id]).fetchone()
    return Member(staff_id, "test", username, shown)


def seat(db_path: Path, username: str, *, roles: tuple[str, ...] = DESK_AND_LEAD,
         team: str | None = None) -> None:
    """Make ``username`` a staff member with exactly ``roles`` before an app signs them
    in, with someone else as beheer: otherwise the OS account running the tests, owner
    of a file without beheer, would be made its first beheer at sign-in (and get
    beheer's notices) whatever the test meant to drive the screens as."""
    with open_database(db_path) as db:
        member(db, "installateur", roles=("beheer",))
        member(db, username, roles=roles, team=team)


def lead(db: BalieDatabase) -> Member:
    """A team lead (reports, every team)."""
    return member(db, "test.teamleider", "Test Teamleider", roles=("teamleider",))


def admin(db: BalieDatabase) -> Member:
    """Beheer (reference data, settings, the audit log)."""
    return member(db, "test.beheer", "Test Beheer", roles=("beheer",))


@pytest.fixture
def staff(db: BalieDatabase) -> Member:
    return member(db, "test.balie", "Test Balie")


@pytest.fixture(scope="session")
def seeded_reference(tmp_path_factory) -> Reference:
    """The seed reference data, loaded once: immutable, so property tests can share it."""
    database = open_database(tmp_path_factory.mktemp("seed") / "seed.db")
    try:
        return load_reference(database)
    finally:
        database.close()


@pytest.fixture
def made_db(db_path: Path, new_database: Path) -> Path:
    """The path of a new, migrated database (for commands that never create one)."""
    return copy_new_database(new_database, db_path)


# (local Amsterdam time, fold, village, channel, topics, route)
FIXTURE = [
    (datetime(2026, 3, 29, 0, 30), 0, "Beilen", "phone", ["finances"], "client_support"),
    (datetime(2026, 3, 29, 3, 30), 0, "Beilen", "desk", ["loneliness", "care_wmo"], "senior_work"),
    (datetime(2026, 3, 29, 23, 30), 0, "Hooghalen", "email", ["housing"], "desk"),
    (datetime(2026, 3, 28, 23, 59), 0, "Elp", "phone", ["other"], "desk"),
    (datetime(2026, 3, 30, 0, 0), 0, "Smilde", "phone", ["finances"], "external"),
    (datetime(2026, 10, 25, 2, 30), 0, "Westerbork", "phone", ["psychosocial"], "social_work"),
    (datetime(2026, 10, 25, 2, 30), 1, "Westerbork", "desk", ["psychosocial", "finances"],
     "social_work"),
    (datetime(2025, 3, 30, 10, 0), 0, "Beilen", "phone", ["finances"], "client_support"),
    (datetime(2025, 3, 15, 10, 0), 0, "Smilde", "phone", ["housing"], "desk"),
    (datetime(2026, 3, 10, 9, 0), 0, "Hooghalen", "home_visit", ["loneliness"], "senior_work"),
]
DST_START = date(2026, 3, 29)  # a day of 23 hours
DST_END = date(2026, 10, 25)  # a day of 25 hours: 02:30 happens twice


def fill_fixture(db) -> None:
    """Register the inquiries of FIXTURE (at their own moments)."""
    ref = load_reference(db)
    staff = member(db, "rapport")
    topic = {t.code: t.id for t in ref.topics.all}
    channel = {c.code: c.id for c in ref.channels.all}
    for local, fold, village, chan, topics, route in FIXTURE:
        moment = local.replace(tzinfo=AMSTERDAM, fold=fold)
        data = InquiryInput(
            channel_id=channel[chan], village_id=ref.villages.named(village).id,
            route_id=ref.route(route).id, topic_ids=tuple(topic[t] for t in topics),
            referral_ids=(ref.directory.all[0].id,) if route == "external" else (),
            age=70 if route == "senior_work" else 40, gender="f")
        save_inquiry(db, data, staff, moment)


@pytest.fixture
def fixture_db(db_path, new_database):
    db = open_database(copy_new_database(new_database, db_path))
    fill_fixture(db)
    yield db, load_reference(db)
    db.close()
