"""``balie demo``: fill a separate database with made-up inquiries."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from balie.cli.common import Commands, fail, whole
from balie.config import access_from

MAX_DAYS = 36_500
"""A hundred years of made-up registrations at most (the calendar starts in 1900)."""


def register(commands: Commands) -> None:
    demo = commands.add(
        "demo",
        "vul een database met verzonnen, realistische registraties",
        "Vult de database met verzonnen registraties (geen echte namen) tot en met vandaag.\n"
        "Weigert een database met echte registraties; gebruik daarvoor --db.",
        run=run,
    )
    demo.add_argument("--days", type=whole(1, MAX_DAYS), default=365, metavar="N",
                      help="aantal dagen terug vanaf vandaag (standaard 365)")
    demo.add_argument("--per-day", type=whole(1, 1000), default=30, metavar="N",
                      help="gemiddeld aantal vragen per werkdag (standaard 30)")
    demo.add_argument("--seed", type=whole(0, 2**63 - 1), default=None, metavar="N",
                      help="vaste startwaarde, voor steeds dezelfde gegevens")


def run(path: Path, args: argparse.Namespace) -> int:
    import time

    from balie.db import open_database
    from balie.db.demo import fill_demo
    from balie.domain.numbers import count, decimal
    from balie.domain.timekeeping import local_day, utc_now

    if getattr(args, "db", None) is None:
        return fail("geef bij demo altijd --db PAD op: verzonnen gegevens horen nooit in "
                    "de database van de balie terecht te komen.", 2)
    now = utc_now()
    last = local_day(now)
    first = last - timedelta(days=args.days - 1)
    started = time.perf_counter()
    with open_database(path, access=access_from()) as db:
        result = fill_demo(
            db, first, last, args.per_day, now, seed=args.seed,
            progress=lambda n: print(f"  {count(n)} registraties ...",
                                     file=sys.stderr),
        )
    took = time.perf_counter() - started
    print(
        count(result.inquiries)
        + f" verzonnen registraties van {first:%d-%m-%Y} t/m {last:%d-%m-%Y} "
        f"toegevoegd aan {path} in {decimal(took)} s."
    )
    return 0
