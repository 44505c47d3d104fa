"""Shared fixtures: a fresh, migrated database per test under tmp_path; a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from balie.db import BalieDatabase, open_database
from balie.db.reference import ensure_staff, load_reference
from balie.domain.models import Reference, Staff

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
