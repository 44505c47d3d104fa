"""python -m bench [--db PATH] [--runs N]: measure balie and print one table."""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
from datetime import datetime
from pathlib import Path

from bench import intake
from bench.common import Figure, million_database, print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", type=Path, help="large database to use (default: build one)")
    parser.add_argument("--runs", type=int, default=30, help="samples per timed figure")
    args = parser.parse_args(argv)
    db = million_database(args.db)
    figures: list[Figure] = [
        asyncio.run(intake.keystrokes(db)),
        asyncio.run(intake.save_to_ready(db, args.runs)),
    ]
    print(f"balie benchmarks, {datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
          f"Python {platform.python_version()}, {platform.machine()}")
    print_table(figures)
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
