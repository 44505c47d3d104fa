"""`balie import` of 1,000,000 lines while a desk keeps saving.

The CSV file is made once (kept in ``bench/.data/``, about 100 MB) from the seed
reference data with a fixed seed. Every run imports it into a new database with the
real command, as a process of its own, and measures its wall time, CPU time and peak
resident memory (``wait4``). Meanwhile this process is a desk on another connection: it
saves an inquiry every 50 ms and records how long each save took (waiting for the write
lock included), whether one was refused, and how large the WAL file grew.
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from balie.config import os_username
from balie.db import open_database
from balie.db.errors import StoreError
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.domain import reference_data as seed
from bench.common import DATA, Figure, bench_actor

LINES = 1_000_000
IMPORT_FILE = DATA / "import-1m.csv"
LAST_DAY = date(2025, 12, 31)
"""The file's registrations span the ten years up to this day (never in the future)."""
DESK_EVERY = 0.05
"""Seconds between two saves of the desk during an import."""
MB = 1024 * 1024


def import_file(path: Path = IMPORT_FILE, lines: int = LINES) -> Path:
    """The benchmark's CSV file: made once, then reused (it takes about half a minute)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    villages = [name for name, *_ in seed.VILLAGES]
    weights = [inhabitants or 100 for _, _, inhabitants, _ in seed.VILLAGES]
    routes = [name for _, name, _ in seed.ROUTES]
    channels = [name for _, name in seed.CHANNELS]
    topics = [name for _, name in seed.TOPICS]
    summaries = ["", "", "Vraag over huurtoeslag", "Hulp bij invullen formulier",
                 "Zoekt vervoer naar ziekenhuis", "Voelt zich eenzaam; wil praten",
                 'Brief van "de gemeente" niet begrepen']
    first = LAST_DAY - timedelta(days=3650)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(["datum", "tijd", "kanaal", "dorp", "route", "onderwerp",
                         "leeftijd", "geslacht", "omschrijving"])
        for _ in range(lines):
            day = first + timedelta(days=rng.randrange(3651))
            clock = ("" if rng.random() < 0.2
                     else f"{rng.randint(8, 16):02d}:{rng.randrange(60):02d}")
            writer.writerow([
                day.strftime("%d-%m-%Y"), clock, rng.choice(channels),
                rng.choices(villages, weights)[0], rng.choice(routes),
                "|".join(rng.sample(topics, rng.choice((1, 1, 1, 2)))),
                "" if rng.random() < 0.3 else str(rng.randint(16, 95)),
                rng.choice(("v", "m", "", "x", "v", "m")), rng.choice(summaries),
            ])
    partial.rename(path)
    return path


def _desk(db_path: Path):
    db = open_database(db_path, create=False)
    ref = load_reference(db)
    actor = bench_actor(db, "bench.desk")
    return db, ref, actor


def _one_import(target: Path, source: Path, lines: int) -> tuple[float, float, float, float,
                                                                int, float]:
    """Seconds, CPU seconds and peak MB of the import process, longest save of the desk
    in ms, saves refused, and the largest the WAL file grew (MB)."""
    with open_database(target) as db:
        bench_actor(db, os_username())  # the account running balie import
    db, ref, actor = _desk(target)
    longest, failed, n, wal = 0.0, 0, 0, 0
    wal_file = Path(f"{target}-wal")
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "balie", "--db", str(target), "import", str(source)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        data = InquiryInput(channel_id=ref.channels.active[0].id,
                            village_id=ref.villages.active[n % 20].id,
                            route_id=ref.routes.active[n % 5].id,
                            topic_ids=(ref.topics.active[n % 14].id,), summary="bench desk")
        began = time.perf_counter()
        try:
            save_inquiry(db, data, actor, datetime.now(UTC))
        except StoreError:
            failed += 1
        longest = max(longest, time.perf_counter() - began)
        n += 1
        with contextlib.suppress(OSError):
            wal = max(wal, wal_file.stat().st_size)
        time.sleep(DESK_EVERY)
    took = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"balie import failed ({process.returncode}): {errors}")
    (imported,) = db.execute("SELECT count(*) FROM inquiry WHERE import_batch_id IS NOT NULL"
                             ).fetchone()
    db.close()
    assert imported == lines, imported
    return (took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, longest * 1000,
            failed, wal / MB)


def import_while_saving(runs: int, source: Path | None = None,
                        lines: int = LINES) -> list[Figure]:
    """Import the 1M-line file (or ``source`` of ``lines`` lines) into a new database per
    run, a desk saving meanwhile."""
    source = source or import_file()
    seconds, cpu, peaks, waits, refused, wals = [], [], [], [], [], []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="balie-bench-import-"))
        try:
            took, used, peak, longest, failed, wal = _one_import(folder / "balie.db", source,
                                                                 lines)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        seconds.append(took)
        cpu.append(used)
        peaks.append(peak)
        waits.append(longest)
        refused.append(failed)
        wals.append(wal)
    return [
        Figure("balie import, 1,000,000 lines, a desk saving", "s", seconds),
        Figure("  CPU time of the import (user + system)", "s", cpu),
        Figure("  peak memory of the import", "MB", peaks, target="< 150",
               ok=statistics.median(peaks) < 150),
        Figure("  longest wait of a desk saving meanwhile", "ms", waits, target="<= 1000",
               ok=statistics.median(waits) <= 1000),
        Figure("  desk saves refused", "count", refused, target="0", ok=max(refused) == 0),
        Figure("  WAL file at its largest", "MB", wals),
    ]
