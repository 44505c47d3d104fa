"""Shared fixtures: a fresh, migrated database per test under tmp_path; a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from balie.db import BalieDatabase, open_database
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import ensure_staff, load_reference
from balie.domain.models import Reference, Staff
from balie.domain.timekeeping import AMSTERDAM

FROZEN_NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
"""A Tuesday morning (10:30 in Beilen) used wherever the clock matters."""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "balie.db"


@pytest.fixture
def db(db_path: Path) -> BalieDatabase:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def ref(db: BalieDatabase) -> Reference:
    return load_reference(db)


@pytest.fixture
def staff(db: BalieDatabase) -> Staff:
    return ensure_staff(db, "test.balie", "Test Balie")


@pytest.fixture(scope="session")
def seeded_reference(tmp_path_factory) -> Reference:
    """The seed reference data, loaded once: immutable, so property tests can share it."""
    database = open_database(tmp_path_factory.mktemp("seed") / "seed.db")
    try:
        return load_reference(database)
    finally:
        database.close()


@pytest.fixture
def made_db(db_path: Path) -> Path:
    """The path of a new, migrated database (for commands that never create one)."""
    open_database(db_path).close()
    return db_path


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
    staff = ensure_staff(db, "rapport")
    topic = {t.code: t.id for t in ref.topics.all}
    channel = {c.code: c.id for c in ref.channels.all}
    for local, fold, village, chan, topics, route in FIXTURE:
        moment = local.replace(tzinfo=AMSTERDAM, fold=fold)
        data = InquiryInput(
            channel_id=channel[chan], village_id=ref.villages.named(village).id,
            route_id=ref.route(route).id, topic_ids=tuple(topic[t] for t in topics),
            referral_target_id=ref.referral_targets.all[0].id if route == "external" else None,
            age=70 if route == "senior_work" else 40, gender="f")
        save_inquiry(db, data, staff.id, moment)


@pytest.fixture
def fixture_db(db_path):
    db = open_database(db_path)
    fill_fixture(db)
    yield db, load_reference(db)
    db.close()
