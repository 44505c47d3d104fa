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
        self.lineage = {row: [row, *parents] for row, parents in self.parents.items()}
        """A leaf row and the rows it adds up into."""
        self.children: dict[int, list[int]] = {}
        for row, parents in self.parents.items():
            for parent in parents:
                self.children.setdefault(parent, []).append(row)
        total = self.total_col
        self.figures: dict[Cell, tuple[Cell, ...]] = {
            (row, col): tuple(cell for target in self.lineage[row]
                              for cell in ((target, col), (target, total)))
            for row in self.leaf_rows for col in range(self.width)
        }
        """The figures a leaf cell adds up into (its own cell first)."""

    def effect(self, shift: dict[Cell, int]) -> dict[Cell, int]:
        """Every figure a shift of leaf cells changes, with its change."""
        changes: dict[Cell, int] = {}
        for leaf, delta in shift.items():
            for cell in self.figures[leaf]:
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


class Unprotectable(Exception):
    """A table cannot be protected while the figures it shares with another stay public."""


def suppress(report: Report, also_hidden: frozenset[Cell] = frozenset(),
             frozen: frozenset[Cell] = frozenset()) -> Mask:
    """Which cells to hide so that no count of 1 to 9 can be recomputed.

    ``also_hidden`` are cells hidden for another reason; ``frozen`` cells are public
    whatever happens (a figure published in another table), so no shift may need them
    hidden. When no shift without them fits, :class:`Unprotectable` is raised: hiding
    everything else would not help when the public figures pin the count down.
    """
    table = _Table(report)
    values = table.values
    mask: Mask = {cell: "primary" for cell, v in values.items() if 1 <= v <= SMALL_MAX}
    for cell in also_hidden:
        mask.setdefault(cell, "secondary" if values[cell] > SMALL_MAX else "primary")
    if any(cell in frozen for cell in mask):
        raise Unprotectable

    def cost_of(cell: Cell) -> tuple[tuple[int, int], list[Cell], list[Cell]] | None:
        """The cheapest shift that makes ``cell`` safe: ((extra cells, their sum), the
        extra cells to hide, every figure it changes); None if no shift fits."""
        best = None
        for leaf in table.leaves_of(cell):
            for shift in table.shifts_through(leaf):
                if best is not None:
                    # The shift's own cells that are not hidden yet are the least it
                    # costs: skip it when that is no cheaper than the best so far.
                    own = [c for c in shift if c not in mask]
                    if (len(own), sum(values[c] for c in own)) >= best[0]:
                        continue
                changes = table.effect(shift)
                if cell not in changes or any(values[c] == 0 for c in changes):
                    continue
                for sign in (1, -1):
                    if all(_fits(values[c] + sign * d, mask.get(c) == "primary")
                           for c, d in changes.items()):
                        extra = [c for c in changes if c not in mask]
                        if any(c in frozen for c in extra):
                            break
                        cost = (len(extra), sum(values[c] for c in extra))
                        if best is None or cost < best[0]:
                            best = (cost, extra, list(changes))
                        break
                if best is not None and best[0] == (0, 0):
                    return best
        return best

    # A cell with a shift among hidden cells stays safe: hiding more never undoes that.
    safe: set[Cell] = set()
    changed = True
    while changed:
        changed = False
        for cell in sorted(c for c, kind in mask.items() if kind == "primary"):
            if cell in safe:
                continue
            best = cost_of(cell)
            if best is None:
                if frozen:
                    raise Unprotectable
                # No shift fits: hide every non-zero figure (with nothing public to
                # subtract from, no count can be pinned down; the tests check this).
                for other, value in values.items():
                    if value > 0 and other not in mask:
                        mask[other] = "secondary"
                return mask
            cost, extra, moved = best
            # The shift moves every hidden count it changes: each of those is safe too.
            safe.add(cell)
            safe.update(c for c in moved if mask.get(c) == "primary")
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
    """Lines whose count of a year earlier must be hidden, protected as a table of its own.

    Used when the previous year's counts are published nowhere else: a comparison with
    an unfinished period (up to the same moment last year).
    """
    column = (Route(0, "previous", "vorig jaar", "desk"),)
    lines = tuple(
        Line(line.label, line.kind, (line.previous or 0,), line.previous or 0,
             group=line.group)
        for line in report.lines
    )
    mask = suppress(replace(report, columns=column, lines=lines))
    return {i for (i, _) in mask}


def line_in(source: Report, key: tuple, label: str) -> int | None:
    """The line of ``source`` that holds the figures of the line ``key`` (``label``).

    The same key is the same figures; an area with one village has no subtotal line in
    a report by village, so its figures are that village's line. Lines without a key
    (built by hand) are matched by label.
    """
    for i, line in enumerate(source.lines):
        if (line.key == key) if key else (line.label == label):
            return i
    if key[:1] == ("area",):
        members = [i for i, line in enumerate(source.lines)
                   if line.kind == "item" and line.group == label]
        if len(members) == 1:
            return members[0]
    return None


def _hidden_by_value(value: int) -> str:
    return "primary" if 1 <= value <= SMALL_MAX else "secondary"


def project(source: Report, source_mask: Mask, target: Report) -> Mask:
    """Hide in ``target`` exactly what is hidden of the same figures in ``source``.

    ``target`` shows figures of ``source`` (its areas, or one of its routes): every
    cell takes the hidden status of its own figure there, and a row total over fewer
    routes than ``source`` has is hidden when its one part is. A line that is not in
    ``source`` (an area without villages) is empty; if it were not, all of it is hidden.
    """
    width = len(source.columns)
    columns = {route.code: j for j, route in enumerate(source.columns)}
    parts = [columns[route.code] for route in target.columns]
    total_column = len(target.columns)
    mask: Mask = {}
    for i, line in enumerate(target.lines):
        si = line_in(source, line.key, line.label)
        if si is None:
            for j, value in enumerate([*line.cells, line.total]):
                if value:
                    mask[(i, j)] = _hidden_by_value(value)
            continue
        for j, sj in enumerate(parts):
            if (si, sj) in source_mask:
                mask[(i, j)] = source_mask[(si, sj)]
        if len(parts) == width:
            kind = source_mask.get((si, width))
        elif any((si, sj) in source_mask for sj in parts):
            kind = _hidden_by_value(line.total)
        else:
            kind = None
        if kind:
            mask[(i, total_column)] = kind
    return mask


def hidden_in_breakdown(total: int, items: list[tuple[str, int]]) -> set[str] | None:
    """The labels to hide in one breakdown of a public total (a factsheet's gender or
    age groups of a team's year), or None when it cannot be published at all.

    The total is published elsewhere (the team's column of the village table), so it
    stays public here; a breakdown that needs it hidden is left out instead.
    """
    hidden = protect_breakdown(total, [(label, n, None) for label, n in items])
    return None if hidden is None else set(hidden)


def protect_breakdown(total: int, items: list[tuple[object, int, object]],
                      subtotals: dict[object, object] | None = None) -> Mask | None:
    """Which parts of a public total to hide: key -> "primary" ("<10") or "secondary"
    ("x"); None when the breakdown cannot be published while the total stays public.

    ``items`` are (key, count, group): a part of the total, or of the subtotal of its
    group when ``group`` is a key of ``subtotals`` (group -> the subtotal's own key), as
    the kinds of referral make up the line "doorverwezen" of a factsheet's outcomes.
    Subtotals are figures of their own: they are hidden like parts when needed.
    """
    subtotals = subtotals or {}
    column = (Route(0, "count", "aantal", "desk"),)
    lines = [Line(str(key), "item", (n,), n, group=group) for key, n, group in items]
    keys = [key for key, _, _ in items]
    for group, key in subtotals.items():
        n = sum(count for _, count, member in items if member == group)
        lines.append(Line(str(key), "subtotal", (n,), n, group=group))
        keys.append(key)
    lines.append(Line("Totaal", "total", (total,), total))
    last = len(lines) - 1
    try:
        mask = suppress(Report(None, "area", column, tuple(lines), None),  # type: ignore[arg-type]
                        frozen=frozenset({(last, 0), (last, 1)}))
    except Unprotectable:
        return None
    return {keys[i]: kind for (i, _), kind in mask.items() if i != last}
