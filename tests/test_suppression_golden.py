"""The same table hides the same cells in every version of balie.

A table for outside use is published more than once: a month in the monthly report and
again in the quarter's appendix, a year's factsheet reprinted after a correction. A
reader who holds two copies of the same figures with *different* cells hidden reads
each hidden cell from the copy that shows it; only what both copies hide stays hidden,
and that is seldom enough to protect a "<10". So suppression must not only be safe
(tests/test_suppression.py) and hide no more than needed (test_suppression_exact.py):
its choice among equally good masks must stay the same from one version to the next.

``tests/data/suppression_golden.json`` holds tables of the shapes balie publishes (small
ones like the properties draw, tables with public totals, the village table of a month,
a quarter and a year: 30 villages in 9 areas by five routes, factsheet breakdowns with a
public total and a subtotal) with the cells balie hides in each, or that it refuses
the table. Every recorded mask was checked by the attacker of test_suppression.py when
it was written (``--write`` does so). A change to the search that changes any mask
fails here: if the change is meant (a better mask for some table), write the file again

    .venv/bin/python -m tests.test_suppression_golden --write

and say in the README's "Privacy" section that tables published before that version may
hide other cells, so a reader must not be given both.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from balie.domain import suppression
from balie.domain.report import Line, Report
from tests.test_suppression import PERIOD, columns, exposed, make_report

GOLDEN = Path(__file__).parent / "data" / "suppression_golden.json"
SEED = 20261204


def _int(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high, from ``random()`` only: its sequence for a seed
    is the one thing the random module promises to keep across Python versions."""
    return low + int(rng.random() * (high - low + 1))


def _count(rng: random.Random, mean: float) -> int:
    """A count around ``mean``: many zeros and small counts when the mean is low."""
    if rng.random() < 0.25:
        return 0
    return int(rng.random() * rng.random() * 4 * mean)


def _small(rng: random.Random) -> int:
    """A count as the properties draw them: 0, 1..9 or 10..60, a third each."""
    pick = rng.random()
    return 0 if pick < 1 / 3 else _int(rng, 1, 9) if pick < 2 / 3 else _int(rng, 10, 60)


def _edge(rng: random.Random, mean: float = 0) -> int:
    """A count at an edge of what a reader knows (0, 1, 2, 8, 9, 10, 11) or above it:
    where a figure can move one way and not the other."""
    pick = rng.random()
    return (0, 1, 2, 8, 9, 10, 11)[int(pick * 7)] if pick < 0.7 else _int(rng, 12, 40)


def cases(seed: int = SEED, edges: bool = False) -> list[dict]:
    """The tables, from a fixed seed (the file stores them too, so a change here shows);
    ``edges``: every count drawn by :func:`_edge` (tools/hunt_suppression.py)."""
    rng = random.Random(seed)
    small, count = (_edge, _edge) if edges else (_small, _count)
    found: list[dict] = []
    for _ in range(260):  # small tables, by village (additive) and by topic
        width = _int(rng, 1, 4)
        groups = [[[small(rng) for _ in range(width)] for _ in range(_int(rng, 1, 3))]
                  for _ in range(_int(rng, 1, 3))]
        additive = rng.random() < 0.75
        totals = None
        if not additive:
            totals = []
            for c in range(width):
                column = [item[c] for items in groups for item in items]
                totals.append(_int(rng, max(column), max(sum(column), max(column))))
        found.append({"kind": "table", "groups": groups, "additive": additive,
                      "totals": totals})
    for _ in range(60):  # medium: up to five areas of up to five villages
        width = _int(rng, 2, 5)
        mean = rng.choice([3, 8, 20])
        groups = [[[count(rng, mean) for _ in range(width)] for _ in range(_int(rng, 1, 5))]
                  for _ in range(_int(rng, 2, 5))]
        found.append({"kind": "table", "groups": groups, "additive": True, "totals": None})
    sizes = [5, 4, 4, 3, 4, 3, 2, 3, 2]  # 30 villages in 9 areas, as in Midden-Drenthe
    for mean in (1.5, 3, 6, 12, 25, 60, 3, 6):  # a month, a quarter, a year; five routes
        groups = [[[count(rng, mean) for _ in range(5)] for _ in range(size)]
                  for size in sizes]
        found.append({"kind": "table", "groups": groups, "additive": True, "totals": None})
    for _ in range(80):  # factsheet breakdowns of a public total, with a subtotal
        values = [small(rng) for _ in range(_int(rng, 1, 6))]
        parts = [small(rng) for _ in range(_int(rng, 0, 4))]
        found.append({"kind": "breakdown", "values": values, "parts": parts})
    return found


def _breakdown(case: dict) -> tuple[int, list, dict]:
    values, parts = case["values"], case["parts"]
    items = [(f"o{k}", n, None) for k, n in enumerate(values)]
    items += [(f"r{k}", n, "ref") for k, n in enumerate(parts)]
    return sum(values) + sum(parts), items, ({"ref": "ref"} if parts else {})


def _table(case: dict) -> Report:
    return make_report(case["groups"], additive=case["additive"], totals=case["totals"])


def hidden(case: dict, module=suppression) -> list | None:
    """What balie (or another version of its ``suppression`` module) hides in the case,
    as the file stores it: sorted [i, j, kind] for a table, sorted [key, kind] for a
    breakdown; None when it is refused."""
    if case["kind"] == "breakdown":
        mask = module.protect_breakdown(*_breakdown(case))
        return None if mask is None else sorted([key, kind] for key, kind in mask.items())
    try:
        mask = module.suppress(_table(case))
    except module.Unprotectable:
        return None
    return sorted([i, j, kind] for (i, j), kind in mask.items())


def _safe(case: dict, recorded: list | None) -> bool:
    """The attacker finds no "<10" it can pin down in the recorded mask."""
    if recorded is None:
        return True  # refusals are checked in test_suppression_exact.py
    if case["kind"] == "table":
        return exposed(_table(case), {(i, j): kind for i, j, kind in recorded}) == []
    total, items, subtotals = _breakdown(case)
    lines = [Line(key, "item", (n,), n, group=group) for key, n, group in items]
    if subtotals:
        n = sum(n for _, n, group in items if group == "ref")
        lines.append(Line("ref", "subtotal", (n,), n, group="ref"))
    lines.append(Line("Totaal", "total", (total,), total))
    row = {line.label: i for i, line in enumerate(lines)}
    mask = {}
    for key, kind in recorded:
        mask[(row[key], 0)] = mask[(row[key], 1)] = kind
    return exposed(Report(PERIOD, "area", columns(1), tuple(lines), PERIOD), mask) == []


def _recorded() -> list[dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_recorded_tables_are_the_ones_the_generator_makes():
    # The file keeps the tables themselves, so the masks below stay comparable even if
    # the generator changes; this says when it did (write the file again, on purpose).
    # Tables found by tools/hunt_suppression.py (marked "found") come after them.
    generated = [case for case in _recorded() if "found" not in case]
    assert [{k: v for k, v in case.items() if k != "hidden"} for case in generated] \
        == cases()


def test_every_recorded_table_hides_the_same_cells_as_before():
    changed = [n for n, case in enumerate(_recorded()) if hidden(case) != case["hidden"]]
    assert changed == [], (
        f"{len(changed)} tables hide other cells than before (cases {changed[:10]}): a "
        "reader with both versions of such a table could combine them. See this file's "
        "docstring before writing the file again.")


def test_the_recorded_cases_cover_what_suppression_does():
    recorded = _recorded()
    kinds = [cell[-1] for case in recorded for cell in case["hidden"] or []]
    assert kinds.count("secondary") > 500 and kinds.count("primary") > 1000
    assert sum(case["hidden"] is None for case in recorded) >= 3  # refusals
    big = [case for case in recorded
           if "found" not in case and len(case.get("groups", ())) == 9]
    assert len(big) == 8 and all(case["hidden"] for case in big)


def write(found: list[dict] = ()) -> None:
    """Write the file: the generated tables, then those found earlier and ``found``
    (tables on which a changed search hides other cells: see tools/hunt_suppression.py),
    each with what balie hides in it now, checked by the attacker first."""
    earlier = [case for case in _recorded() if "found" in case] if GOLDEN.exists() else []
    made = []
    for case in [*cases(), *earlier, *found]:
        case = {k: v for k, v in case.items() if k != "hidden"}
        recorded = hidden(case)
        if not _safe(case, recorded):
            raise SystemExit(f"not safe, not written: {case}")
        made.append({**case, "hidden": recorded})
    GOLDEN.parent.mkdir(exist_ok=True)
    fresh = GOLDEN.with_suffix(".new")  # replaced whole: a test reading it meanwhile
    fresh.write_text(json.dumps(made, separators=(",", ":")) + "\n", encoding="utf-8")
    fresh.replace(GOLDEN)
    print(f"{len(made)} cases written to {GOLDEN}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    write()

