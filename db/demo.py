"""Bulk insertion of demonstration data (``balie demo``).

A demo database is marked as such (setting ``demo``) and ``balie demo`` refuses to add
made-up inquiries to a database that holds real ones: demo data must never mix with
the figures an organisation reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.db.reference import load_reference
from balie.db.settings import set_setting
from balie.domain.demo import DEMO_STAFF, DemoGenerator
from balie.domain.timekeeping import to_db

INQUIRY_COLUMNS = (
    "id, registered_at, registered_by, channel_id, village_id, age, gender, summary, "
    "route_id, urgent, status, consent, person_name, phone, postcode, "
    "callback_at, updated_at, intake_route_id, owner_id, queued_at, closed_at, outcome_id, "
    "callback_done_at, wait_minutes, followup_at, followup_result, followup_done_at"
)
EVENT_COLUMNS = ("inquiry_id, at, staff_id, kind, from_route_id, to_route_id, field, "
                 "old_value, new_value")
BATCH_ROWS = 100_000
"""Inquiries per executemany (and per progress line)."""
BULK_TABLES = ("inquiry", "inquiry_topic", "inquiry_event", "inquiry_referral")
INQUIRY_SQL = f"INSERT INTO inquiry ({INQUIRY_COLUMNS}) VALUES ({', '.join('?' * 27)})"
TOPIC_SQL = "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)"
EVENT_SQL = f"INSERT INTO inquiry_event ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 9)})"
REFERRAL_SQL = "INSERT INTO inquiry_referral (inquiry_id, entry_id, position) VALUES (?, ?, ?)"


@dataclass(frozen=True)
class DemoResult:
    inquiries: int
    first_day: date
    last_day: date


def fill_demo(
    db: BalieDatabase,
    first: date,
    last: date,
    per_day: int,
    now: datetime,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Add made-up inquiries for the Amsterdam days ``first``..``last`` (none after ``now``)."""
    stamp = to_db(now)
    demo_names = [s.username for s in DEMO_STAFF]
    with db.write():
        real = db.execute(
            f"""SELECT EXISTS (SELECT 1 FROM inquiry JOIN staff ON staff.id = registered_by
                WHERE staff.username NOT IN ({', '.join('?' * len(demo_names))}))""",
            demo_names,
        ).fetchone()[0]
        if real:
            raise StoreError(
                f"De database {db.path} bevat echte registraties. Demogegevens worden daar "
                "nooit aan toegevoegd; gebruik een aparte database (--db PAD)."
            )
        set_setting(db, "demo", True, now)
        for staff in DEMO_STAFF:
            db.execute(
                "INSERT OR IGNORE INTO staff (username, display_name, created_at) VALUES (?, ?, ?)",
                [staff.username, staff.display_name, stamp],
            )
    staff_ids = [
        r[0]
        for r in db.execute(
            f"SELECT id FROM staff WHERE username IN ({', '.join('?' * len(DEMO_STAFF))})",
            [s.username for s in DEMO_STAFF],
        )
    ]
    generator = DemoGenerator(load_reference(db), staff_ids, seed)
    total = 0
    (first_id,) = db.execute("SELECT coalesce(max(id), 0) + 1 FROM inquiry").fetchone()
    # Index pages are updated all over the file; a large cache avoids re-reading them.
    (cache_size,) = db.execute("PRAGMA cache_size").fetchone()
    db.execute("PRAGMA cache_size = -262144")
    try:
        # One transaction: the bulk load, with the secondary indexes and triggers of
        # the inquiry tables dropped and rebuilt afterwards (much faster than updating
        # them row by row). DDL is transactional, so an interrupted demo leaves the
        # database exactly as it was.
        with db.write():
            dropped = _drop_secondary(db)
            batch: tuple[list, list, list, list] = ([], [], [], [])
            for rows in generator.rows(first, last, per_day, now, first_id):
                for stream, new in zip(batch, rows):
                    stream.extend(new)
                total += len(rows[0])
                if len(batch[0]) >= BATCH_ROWS:
                    _insert(db, batch)
                    batch = ([], [], [], [])
                    if progress:
                        progress(total)
            _insert(db, batch)
            for sql in dropped:
                db.execute(sql)
            db.execute("INSERT INTO inquiry_name (inquiry_name) VALUES ('rebuild')")
    finally:
        db.execute(f"PRAGMA cache_size = {cache_size}")
    # Fresh statistics let the query planner choose the report indexes.
    db.execute("ANALYZE")
    return DemoResult(total, first, last)


def _drop_secondary(db: BalieDatabase) -> list[str]:
    """Drop the indexes and triggers of the bulk tables; return the SQL that recreates them."""
    marks = ", ".join("?" * len(BULK_TABLES))
    found = db.execute(
        f"""SELECT type, name, sql FROM sqlite_master
            WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({marks})
            ORDER BY type, name""",
        BULK_TABLES,
    ).fetchall()
    for kind, name, _ in found:
        db.execute(f'DROP {kind.upper()} "{name}"')
    return [sql for _, _, sql in found]


def _insert(db: BalieDatabase, batch: tuple[list, list, list, list]) -> None:
    db.conn.executemany(INQUIRY_SQL, batch[0])
    db.conn.executemany(TOPIC_SQL, batch[1])
    db.conn.executemany(EVENT_SQL, batch[2])
    db.conn.executemany(REFERRAL_SQL, batch[3])
