"""python -m bench: measure balie at ten years of regional scale and print one table.

Builds (or reuses) a database of about 1,000,000 made-up inquiries with `balie demo`,
then measures each figure at least --runs times and prints median, min and max beside
its target and, where there is one, the floor: the same work done the barest way
(a bare Textual app, the raw SQL count). Exits 1 when a target is missed or a report
query scans a whole table. The import figures (``--only-import`` alone) import a file
of 1,000,000 lines into a new database while a desk keeps saving (bench/importing.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

from bench import importing, intake, kaart, measure
from bench.common import DATA, Figure, print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DATA / "bench-1m.db",
                        help="the 1M database (built with balie demo when missing)")
    parser.add_argument("--runs", type=int, default=5, help="samples per figure (>= 5)")
    parser.add_argument("--demo-runs", type=int, default=None,
                        help="how often to time balie demo (default: --runs; 0 skips it "
                             "when the database exists)")
    parser.add_argument("--import-runs", type=int, default=None,
                        help="how often to import 1,000,000 lines (default: --runs; each "
                             "takes a few minutes)")
    parser.add_argument("--only-import", action="store_true",
                        help="only the import figures (no 1M database needed)")
    args = parser.parse_args(argv)
    import_runs = max(1, args.import_runs if args.import_runs is not None else args.runs)
    if args.only_import:
        figures = importing.import_while_saving(import_runs)
        print(f"balie import benchmark, {datetime.now():%Y-%m-%d %H:%M}, {_machine()}")
        print()
        print_table(figures)
        return 0 if all(f.ok is not False for f in figures) else 1
    runs = max(5, args.runs)
    demo_runs = runs if args.demo_runs is None else args.demo_runs
    figures: list[Figure] = []
    if demo_runs or not args.db.exists():
        figures += measure.demo(max(1, demo_runs), args.db)
    db = args.db
    figures += measure.startup(db, runs)
    figures += measure.memory(db, runs)
    figures += measure.save(db, max(runs, 30))
    figures.append(asyncio.run(intake.save_to_ready(db, max(runs, 30))))
    figures.append(asyncio.run(intake.keystrokes(db)))
    figures += asyncio.run(intake.key_handling(db, runs))
    figures += measure.reports(db, runs)
    figures += measure.lookups(db, max(runs, 20))
    figures += kaart.lookups(DATA)
    figures += measure.inboxes(db, max(runs, 20))
    figures += measure.concurrency(db, runs)
    figures += importing.import_while_saving(import_runs)
    plans, plans_ok = measure.plans(db)

    print(f"balie benchmarks, {datetime.now():%Y-%m-%d %H:%M}, {_machine()}, database {db} "
          f"({db.stat().st_size / 1024 / 1024:.0f} MB)")
    print()
    print_table(figures)
    print()
    print("EXPLAIN QUERY PLAN of the report and list queries:")
    for line in plans:
        print(f"  {line}")
    ok = plans_ok and all(f.ok is not False for f in figures)
    print()
    print("all targets met" if ok else "TARGETS MISSED (see above)")
    return 0 if ok else 1


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} x {cpu}, Python {platform.python_version()}"


if __name__ == "__main__":
    sys.exit(main())
