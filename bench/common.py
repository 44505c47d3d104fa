"""Shared pieces of the benchmarks: the large database, statistics, the printed table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
MILLION_DAYS = 3650
MILLION_PER_DAY = 386
"""Ten years at regional scale: about 1,000,000 inquiries with the demo's weekly rhythm."""


@dataclass
class Figure:
    """One line of the benchmark table."""

    name: str
    unit: str
    samples: list[float]
    target: str = ""
    floor: list[float] | None = None
    """The same measurement for the bare minimum (e.g. the raw SQL), if there is one."""
    ok: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def fmt(value: float, unit: str) -> str:
    if unit in ("count", "keys"):
        return f"{value:.0f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "median", "min", "max", "unit", "floor (median)", "target", "")
    rows = []
    for f in figures:
        floor = fmt(statistics.median(f.floor), f.unit) if f.floor else ""
        verdict = "" if f.ok is None else ("ok" if f.ok else "MISSED")
        rows.append((f.name, fmt(f.median, f.unit), fmt(min(f.samples), f.unit),
                     fmt(max(f.samples), f.unit), f.unit, floor, f.target, verdict))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


BENCH_ROLES = ("balie", "teamleider", "beheer")


def bench_actor(db, username: str):
    """A staff member with every role for the benchmark (set up in the tables directly,
    as an administrator would with ``balie ref add staff``)."""
    from balie.db.access import Actor

    with db.write():
        db.execute("INSERT OR IGNORE INTO staff (username, display_name, created_at) "
                   "VALUES (?, ?, '2026-01-01T00:00:00Z')", [username, username])
        (staff_id,) = db.execute("SELECT id FROM staff WHERE username = ?",
                                 [username]).fetchone()
        db.conn.executemany("INSERT OR IGNORE INTO staff_role (staff_id, role) VALUES (?, ?)",
                            [(staff_id, role) for role in BENCH_ROLES])
    return Actor(staff_id, "bench")


def bench_user(db_path, username: str) -> str:
    """``username`` registered with every role in the database at ``db_path``."""
    from balie.db import open_database

    with open_database(db_path, create=False) as db:
        bench_actor(db, username)
    return username
