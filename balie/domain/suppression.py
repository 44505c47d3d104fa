"""AVG suppression of small counts, as the municipal monitor publishes them.

Counts 1 to 9 are shown as "<10" (primary suppression); zero stays 0. That alone is not
enough: with the row and column totals a hidden count could be recomputed by
subtraction. So other cells are hidden as well ("x", secondary suppression) until every
small count can change without any published figure changing.

The method: a hidden count is safe when some *hidden shift* exists: adding +1 and -1 to
a few cells (one cell, a pair in a row or column, or a rectangle) such that every
figure the shift changes (cells, row totals, subtotals, totals) is hidden, and every
changed figure stays within what a reader knows of it: 1..9 for "<10", at least 10 for
"x". Then the published table is equally true with the shifted values, and the count
cannot be recomputed. For each small count without such a shift, the cheapest shift is
chosen (fewest, then smallest, extra cells to hide) and its cells are hidden.

The tests check the result independently, with a linear program that computes the
smallest and largest value each hidden count can have given everything published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from balie.domain.models import Route
from balie.domain.report import Line, Report

Cell = tuple[int, int]
"""(line index, column index); the last column index is the line's total."""
Mask = dict[Cell, str]
"""Hidden cells: "primary" (shown as <10) or "secondary" (shown as x)."""

SMALL_MAX = 9
SECONDARY_MIN = 10


class _Table:
    """The report's cells and how each figure is the sum of leaf cells."""

    def __init__(self, report: Report) -> None:
        self.width = len(report.columns)
        self.total_col = self.width
        self.values: dict[Cell, int] = {}
        for i, line in enumerate(report.lines):
            for j, value in enumerate(line.cells):
                self.values[(i, j)] = value
            self.values[(i, self.total_col)] = line.total
        last = len(report.lines) - 1
        # Leaf rows: the categories; in a report whose items do not add up to its total
        # (by topic), the total line is a leaf row of its own.
        self.leaf_rows = [i for i, line in enumerate(report.lines) if line.kind == "item"]
        if not report.additive:
            self.leaf_rows.append(last)
        self.leaf_set = set(self.leaf_rows)
        # Which aggregate rows each leaf row adds up into.
        self.parents: dict[int, list[int]] = {row: [] for row in self.leaf_rows}
        if report.additive:
            subtotal_of = {}
            for i, line in enumerate(report.lines):
                if line.kind == "subtotal":
                    subtotal_of[line.group] = i
            for row in self.leaf_rows:
                group = report.lines[row].group
                if group in subtotal_of:
                    self.parents[row].append(subtotal_of[group])
                self.parents[row].append(last)
        self.children: dict[int, list[int]] = {}
        for row, parents in self.parents.items():
            for parent in parents:
                self.children.setdefault(parent, []).append(row)

    def effect(self, shift: dict[Cell, int]) -> dict[Cell, int]:
        """Every figure a shift of leaf cells changes, with its change."""
        changes: dict[Cell, int] = {}
        for (row, col), delta in shift.items():
            targets = [(row, col), (row, self.total_col)]
            for parent in self.parents[row]:
                targets += [(parent, col), (parent, self.total_col)]
            for cell in targets:
                changes[cell] = changes.get(cell, 0) + delta
        return {cell: delta for cell, delta in changes.items() if delta}

    def leaves_of(self, cell: Cell) -> list[Cell]:
        """The non-zero leaf cells that add up to a figure."""
        row, col = cell
        rows = [row] if row in self.leaf_set else self.children.get(row, [])
        cols = range(self.width) if col == self.total_col else [col]
        return [(r, c) for r in rows for c in cols if self.values[(r, c)] > 0]

    def shifts_through(self, leaf: Cell) -> Iterator[dict[Cell, int]]:
        """Candidate shifts that move a leaf: alone, with a partner, or in a rectangle."""
        a, j = leaf
        yield {leaf: 1}
        rows = [b for b in self.leaf_rows if b != a and self.values[(b, j)] > 0]
        cols = [k for k in range(self.width) if k != j and self.values[(a, k)] > 0]
        for b in rows:
            yield {leaf: 1, (b, j): -1}
        for k in cols:
            yield {leaf: 1, (a, k): -1}
        for b in rows:
            for k in cols:
                if self.values[(b, k)] > 0:
                    yield {leaf: 1, (a, k): -1, (b, j): -1, (b, k): 1}


def _fits(value: int, primary: bool) -> bool:
    return SMALL_MAX >= value >= 1 if primary else value >= SECONDARY_MIN


def suppress(report: Report, also_hidden: frozenset[Cell] = frozenset()) -> Mask:
    """Which cells to hide so that no count of 1 to 9 can be recomputed.

    ``also_hidden`` are cells hidden for another reason (e.g. because a figure shared
    with another table is hidden there).
    """
    table = _Table(report)
    values = table.values
    mask: Mask = {cell: "primary" for cell, v in values.items() if 1 <= v <= SMALL_MAX}
    for cell in also_hidden:
        mask.setdefault(cell, "secondary" if values[cell] > SMALL_MAX else "primary")

    def cost_of(cell: Cell) -> tuple[int, int] | None:
        """(extra cells, their sum) to make ``cell`` safe, or None if no shift fits."""
        best = None
        for leaf in table.leaves_of(cell):
            for shift in table.shifts_through(leaf):
                changes = table.effect(shift)
                if cell not in changes or any(values[c] == 0 for c in changes):
                    continue
                for sign in (1, -1):
                    if all(_fits(values[c] + sign * d, mask.get(c) == "primary")
                           for c, d in changes.items()):
                        extra = [c for c in changes if c not in mask]
                        cost = (len(extra), sum(values[c] for c in extra))
                        if best is None or cost < best[0]:
                            best = (cost, extra)
                        break
                if best is not None and best[0] == (0, 0):
                    return best
        return best

    changed = True
    while changed:
        changed = False
        for cell in sorted(c for c, kind in mask.items() if kind == "primary"):
            best = cost_of(cell)
            if best is None:
                # No shift fits: hide every non-zero figure (always safe).
                for other, value in values.items():
                    if value > 0 and other not in mask:
                        mask[other] = "secondary"
                return mask
            cost, extra = best
            if extra:
                for other in extra:
                    mask[other] = "secondary"
                changed = True
    return mask


def for_publication(report: Report) -> Report:
    """The report as published for outside use.

    A report whose categories do not add up to its total (by topic: an inquiry can have
    several topics) loses its total line: together with the categories it would give
    away bounds on hidden counts (a topic never counts more than the total).
    """
    if report.additive:
        return report
    return replace(report, lines=report.lines[:-1])


def hidden_previous(report: Report) -> set[int]:
    """Lines whose count of a year earlier must be hidden (it is a table of its own)."""
    column = (Route(0, "previous", "vorig jaar", "desk"),)
    lines = tuple(
        Line(line.label, line.kind, (line.previous or 0,), line.previous or 0,
             group=line.group)
        for line in report.lines
    )
    mask = suppress(replace(report, columns=column, lines=lines))
    return {i for (i, _) in mask}


def hidden_in_breakdowns(total: int, breakdowns: dict[str, list[tuple[str, int]]]
                         ) -> tuple[bool, dict[str, set[str]]]:
    """Protect several breakdowns of one total (a factsheet: by area, gender, age).

    Each breakdown with the total is a small table of its own; the total is shared, so
    when one breakdown needs it hidden, it is hidden in all. Returns whether the total
    is hidden and, per breakdown, the labels whose counts are hidden.
    """
    column = (Route(0, "count", "aantal", "desk"),)
    total_hidden = 1 <= total <= SMALL_MAX
    while True:
        hidden: dict[str, set[str]] = {}
        for name, items in breakdowns.items():
            lines = (*(Line(label, "item", (n,), n) for label, n in items),
                     Line("Totaal", "total", (total,), total))
            pseudo = Report(None, "area", column, lines, None)  # type: ignore[arg-type]
            last = len(lines) - 1
            extra = frozenset({(last, 0), (last, 1)}) if total_hidden and total else frozenset()
            mask = suppress(pseudo, extra)
            if (last, 0) in mask and not total_hidden:
                total_hidden = True
                break
            hidden[name] = {lines[i].label for (i, _) in mask if i != last}
        else:
            return total_hidden, hidden
