"""Look for tables on which a changed suppression search hides other cells.

    .venv/bin/python tools/hunt_suppression.py 19 27 40   # numbered as tools/mutate.py does
    .venv/bin/python tools/hunt_suppression.py 19 --batches 20 --keep

A mutant of ``balie/domain/suppression.py`` that survives the tests may still change
which cells some table hides: a choice between equally cheap cycles, say. For each
mutant this runs the tables of ``tests/test_suppression_golden.py``'s generator from
other seeds (408 per batch: small tables, tables of a month, a quarter and a year, and
factsheet breakdowns; every other batch with most counts at 0, 1, 2, 8, 9, 10 or 11)
through the mutant and through balie, and prints the first table on which they differ.
``--keep`` adds that table to the recorded ones (with the mutant's signature under
"found"), so the golden test kills the mutant from then on. A mutant for
which no batch finds a table is a candidate for ``EQUIVALENT`` in tools/mutate.py: say
there why it cannot change a result, not only that no table was found. Not part of the
test run.
"""

from __future__ import annotations

import argparse
import signal
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

from mutate import MODULES, mutants, mutated_source  # noqa: E402

from tests import test_suppression_golden as golden  # noqa: E402

SECONDS_PER_TABLE = 10


class _Slow(Exception):
    pass


def _too_slow(*_) -> None:
    raise _Slow


def _mutant_module(source: str, number: int) -> types.ModuleType:
    module = types.ModuleType("balie_suppression_mutant")
    module.__file__ = f"<mutant {number}>"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(mutated_source(source, number), module.__file__, "exec"), module.__dict__)
    return module


def _hidden(case: dict, module) -> object:
    """What ``module`` hides in ``case``, or the name of the error it raised."""
    signal.alarm(SECONDS_PER_TABLE)
    try:
        return golden.hidden(case, module)
    except _Slow:
        return "too slow"
    except Exception as error:  # a mutant may fail in any way; that is a difference too
        return type(error).__name__
    finally:
        signal.alarm(0)


_BALIE: dict[tuple[int, int], object] = {}
"""What balie itself hides, per (batch, case): worked out once for all mutants."""


def hunt(number: int, source: str, batches: int) -> dict | None:
    module = _mutant_module(source, number)
    for batch in range(1, batches + 1):
        # Every other batch has its counts at the edges of what a reader knows.
        for k, case in enumerate(golden.cases(golden.SEED + batch, edges=batch % 2 == 0)):
            theirs = _hidden(case, module)
            if theirs == "too slow":
                continue
            if (batch, k) not in _BALIE:
                _BALIE[(batch, k)] = golden.hidden(case)
            if theirs != _BALIE[(batch, k)]:
                return case
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mutants", nargs="+", type=int)
    parser.add_argument("--batches", type=int, default=5,
                        help="batches of 408 tables per mutant (default 5)")
    parser.add_argument("--keep", action="store_true",
                        help="add each table found to tests/data/suppression_golden.json")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _too_slow)
    path = ROOT / MODULES["suppression"][0]
    source = path.read_text()
    signatures = {m.number: m.signature for m in mutants(source)}
    found = []
    for number in args.mutants:
        case = hunt(number, source, args.batches)
        where = "no table differs" if case is None else f"differs on {case}"
        print(f"{number:4d}  {signatures[number]}: {where}", flush=True)
        if case is not None:
            found.append({**case, "found": signatures[number]})
    if args.keep and found:
        golden.write(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
