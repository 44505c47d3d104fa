"""AVG suppression of small counts, as the municipal monitor publishes them.

Counts 1 to 9 are shown as "<10" (primary suppression); zero stays 0. That alone is not
enough: with the row and column totals a hidden count could be recomputed by
subtraction. So other cells are hidden as well ("x", secondary suppression) until every
small count can change without any published figure changing, and no more.

The method sees a table as a flow network (Cox 1980; the "network flow" approach of
cell suppression): every figure is the flow on one edge, and flow is kept at every node
exactly where the table adds up (a village's counts add up to its line total and into
its area's counts, the areas into the total line). Two tables with the same published
figures then differ by a circulation over hidden figures, and a circulation is a sum
of cycles that each move their figures the same way it does. So a hidden count can be
recomputed exactly when no *cycle* of hidden figures runs through it along which each
can change by one and stay within what a reader knows of it: 1..9 for "<10", at least
10 for "x" (the figures of a report add up in a network whose matrix is totally
unimodular, so whole-number and fractional alternatives are the same question).

For each small count without such a cycle the cheapest cycle is found (fewest figures
to hide, then the smallest: a shortest path) and its figures are hidden. Then every
secondary cell is published again when every small count keeps a cycle without it, so
each "x" that stays is needed: publishing it alone would give a small count away. A
local search then publishes a cell again with other cycles in its place when that
hides fewer in all; the whole is done twice (the smallest figures first, and the
largest: a total serves many counts) and the one that hides fewer wins. A small count
with no cycle at all, whatever is hidden, raises :class:`Unprotectable`.

The tests check the result independently, with linear and integer programs that compute
the smallest and largest value each hidden count can have given everything published,
and compare the number of hidden cells with a brute-force minimum on small tables.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from heapq import heappop, heappush
from itertools import count as counter

from balie.domain.models import Route
from balie.domain.report import Line, Report

Cell = tuple[int, int]
"""(line index, column index); the last column index is the line's total."""
Mask = dict[Cell, str]
"""Hidden cells: "primary" (shown as <10) or "secondary" (shown as x)."""

SMALL_MAX = 9
SECONDARY_MIN = 10


class _Network:
    """The report's figures as the edges of a flow network.

    Nodes: a line of a leaf row ("row", i), where its total comes in and its cells go out;
    an aggregate line per column ("col", i, j), where the cells it adds up come in and its
    own cell goes on to the line above; one hub where the total line's cells end and its
    total starts. A report whose items do not add up to its total (by topic) has a line
    per leaf row on the hub and nothing else.
    """

    def __init__(self, report: Report) -> None:
        width = len(report.columns)
        self.total_col = width
        self.values: dict[Cell, int] = {}
        self.ends: dict[Cell, tuple[object, object]] = {}
        hub = "hub"
        last = len(report.lines) - 1
        parent: dict[int, int | None] = {}
        if report.additive:
            subtotal_of = {line.group: i for i, line in enumerate(report.lines)
                           if line.kind == "subtotal"}
            for i, line in enumerate(report.lines):
                if line.kind == "item":
                    parent[i] = subtotal_of.get(line.group, last)
                elif line.kind == "subtotal":
                    parent[i] = last
            parent[last] = None
        else:
            parent = dict.fromkeys(range(len(report.lines)))
        for i, up in parent.items():
            line = report.lines[i]
            leaf = line.kind == "item" or not report.additive
            self.values[(i, width)] = line.total
            self.ends[(i, width)] = (hub if up is None else ("row", up), ("row", i))
            for j, value in enumerate(line.cells):
                self.values[(i, j)] = value
                self.ends[(i, j)] = (("row", i) if leaf else ("col", i, j),
                                     hub if up is None else ("col", up, j))
        self.edges: dict[object, list[tuple[Cell, object, int, bool, bool]]] = {}
        """Per node: (figure, the node at its other end, +1 when leaving by its head,
        whether the figure can move that way hidden as "<10", and as "x")."""
        for cell, (tail, head) in self.ends.items():
            for node, other, direction in ((tail, head, 1), (head, tail, -1)):
                self.edges.setdefault(node, []).append(
                    (cell, other, direction, self.movable(cell, "primary", direction),
                     self.movable(cell, None, direction)))
        self.scale = 2 * sum(self.values.values()) + 1
        """A path's cost (figures to hide, then ``prefer`` times the sum of their values)
        is one number: the first times ``scale`` plus the second, which is never half of
        ``scale`` in size, so the numbers order as the pairs do."""

    def movable(self, cell: Cell, kind: str | None, delta: int) -> bool:
        """Whether a figure hidden as ``kind`` can change by ``delta`` and still be what
        a reader knows of it (``kind`` None: a figure to hide, which would be "x")."""
        value = self.values[cell] + delta
        if kind == "primary":
            return 1 <= value <= SMALL_MAX
        return value >= SECONDARY_MIN

    def cycle(self, cell: Cell, mask: Mask, open_: frozenset[Cell] | set[Cell] = frozenset(),
              prefer: int = 1) -> list[Cell] | None:
        """The cheapest cycle through a hidden figure along which every figure can change
        by one: the figures of ``mask`` cost nothing, those of ``open_`` (public now, but
        they may be hidden) one each, then the smallest values (``prefer`` 1) or the
        largest (-1: a total serves many small counts); None when there is none."""
        tail, head = self.ends[cell]
        best = None
        for delta, start, goal in ((1, head, tail), (-1, tail, head)):
            if not self.movable(cell, mask[cell], delta):
                continue
            found = self._path(start, goal, cell, mask, open_, prefer)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
                if best[0] == 0:
                    break
        return None if best is None else [cell, *best[1]]

    def bridges(self, cell: Cell, mask: Mask, open_: frozenset[Cell] | set[Cell]) -> set[Cell]:
        """The figures of ``open_`` that, hidden alone, close a cycle through ``cell``
        with figures of ``mask``: one end reached from ``cell`` along hidden figures, the
        other leading back to it."""
        tail, head = self.ends[cell]
        found = set()
        for delta, start, goal in ((1, head, tail), (-1, tail, head)):
            if not self.movable(cell, mask[cell], delta):
                continue
            behind = self._reach(goal, mask, cell, -1)
            for node in self._reach(start, mask, cell, 1):
                for figure, other, _, _, large in self.edges[node]:
                    if figure in open_ and other in behind and large:
                        found.add(figure)
        return found

    def _reach(self, start, mask: Mask, skip: Cell, sense: int) -> set:
        """The nodes reached from ``start`` along hidden figures that can move (``sense``
        -1: the nodes from which ``start`` is reached)."""
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for figure, other, direction, _, _ in self.edges[node]:
                if (figure != skip and figure in mask and other not in seen
                        and self.movable(figure, mask[figure], sense * direction)):
                    seen.add(other)
                    todo.append(other)
        return seen

    def _path(self, start, goal, skip: Cell, mask: Mask,
              open_: frozenset[Cell] | set[Cell], prefer: int
              ) -> tuple[int, list[Cell]] | None:
        """Dijkstra from ``start`` to ``goal``, closing a cycle through ``skip``: a figure
        on the way goes up by one where it is passed along its direction, down by one
        against it. The cost is (figures of ``open_`` on it, ``prefer`` times the sum of
        their values), as one number (see ``scale``); equal costs go first in, first
        out."""
        if not open_:
            return self._hidden_path(start, goal, skip, mask)
        scale = self.scale
        values = self.values
        done: set = set()
        came: dict = {start: None}
        cost: dict = {}  # the start is done first and never reached again
        order = counter()  # equal costs: first in, first out
        queue = [(0, next(order), start)]
        while queue:
            paid, _, node = heappop(queue)
            if node in done:
                continue
            if node == goal:
                return paid, self._back(came, node)
            done.add(node)
            for figure, other, _, small, large in self.edges[node]:
                if figure == skip or other in done:
                    continue
                kind = mask.get(figure)
                if kind is not None:
                    if not (small if kind == "primary" else large):
                        continue
                    step = paid
                elif figure in open_ and large:
                    step = paid + scale + prefer * values[figure]
                else:
                    continue
                if other not in cost or step < cost[other]:
                    cost[other] = step
                    came[other] = (node, figure)
                    heappush(queue, (step, next(order), other))
        return None

    def _hidden_path(self, start, goal, skip: Cell, mask: Mask
                     ) -> tuple[int, list[Cell]] | None:
        """:meth:`_path` along hidden figures only. Every step costs nothing, so
        Dijkstra's queue is first in, first out and a node keeps the way it was first
        reached: this breadth-first search finds the same path, without the heap."""
        came: dict = {start: None}  # the two ends of a figure are never one node
        todo = deque([start])
        while todo:
            node = todo.popleft()
            for figure, other, _, small, large in self.edges[node]:
                if figure == skip or other in came:
                    continue
                kind = mask.get(figure)
                if kind is None or not (small if kind == "primary" else large):
                    continue
                came[other] = (node, figure)
                if other == goal:
                    return 0, self._back(came, other)
                todo.append(other)
        return None

    @staticmethod
    def _back(came: dict, node) -> list[Cell]:
        """The figures on the way to ``node``, from it back to the start."""
        path = []
        while came[node] is not None:
            node, figure = came[node]
            path.append(figure)
        return path


class Unprotectable(Exception):
    """A small count stays recomputable whatever else is hidden: the figures the table
    shares with another must stay public, or what a reader knows of the hidden figures
    pins it down (nine counts of 1 in a column whose total is 9)."""


def suppress(report: Report, frozen: frozenset[Cell] = frozenset()) -> Mask:
    """Which cells to hide so that no count of 1 to 9 can be recomputed.

    ``frozen`` cells are public whatever happens (a figure published in another table),
    so no cycle may need them hidden. When a small count has no cycle without them (or
    none at all), :class:`Unprotectable` is raised.

    Finding the fewest cells to hide is NP-hard in general; two greedy passes (cheapest
    cycles by the smallest values, and by the largest) each end irreducible, and the one
    that hides fewer cells wins.
    """
    network = _Network(report)
    values = network.values
    primary: Mask = {cell: "primary" for cell, v in values.items() if 1 <= v <= SMALL_MAX}
    if any(cell in frozen for cell in primary):
        raise Unprotectable
    candidates = frozenset(cell for cell, v in values.items()
                           if v > SMALL_MAX and cell not in frozen)
    best = None
    for prefer in (1, -1):
        mask = _protect(network, dict(primary), candidates, prefer)
        cost = (sum(kind == "secondary" for kind in mask.values()),
                sum(values[c] for c, kind in mask.items() if kind == "secondary"))
        if best is None or cost < best[0]:
            best = (cost, mask)
    return best[1]


def _protect(network: _Network, mask: Mask, candidates: frozenset[Cell], prefer: int) -> Mask:
    """The primary ``mask`` with secondary cells from ``candidates`` until every small
    count has a cycle, none more than needed."""
    values = network.values
    # Every small count gets a cycle; the cycle also moves (and so protects) every other
    # hidden count on it.
    witness: dict[Cell, frozenset[Cell]] = {}
    for cell in sorted(mask):
        if cell in witness:
            continue
        found = network.cycle(cell, mask, candidates, prefer)
        if found is None:
            raise Unprotectable
        for figure in found:
            mask.setdefault(figure, "secondary")
        ring = frozenset(found)
        for figure in found:
            if mask[figure] == "primary":
                witness[figure] = ring
    # Publish again every secondary cell that no small count needs: the largest first.
    _prune(network, mask, witness)
    # Then look for fewer: publish a secondary cell again and protect the small counts
    # that needed it by other cycles (the cheapest, or through one other cell hidden in
    # its place), then prune; kept when that hides fewer cells in all.
    improved = True
    while improved:
        improved = False
        hidden = sum(kind == "secondary" for kind in mask.values())
        for cell in sorted((c for c, kind in mask.items() if kind == "secondary"),
                           key=lambda c: (-values[c], c)):
            for trial, trial_witness in _without(network, mask, witness, cell, candidates,
                                                 prefer):
                _prune(network, trial, trial_witness)
                if sum(kind == "secondary" for kind in trial.values()) < hidden:
                    mask, witness, improved = trial, trial_witness, True
                    break
            if improved:
                break
    return mask


def _without(network: _Network, mask: Mask, witness: dict[Cell, frozenset[Cell]], cell: Cell,
             candidates: frozenset[Cell], prefer: int
             ) -> Iterator[tuple[Mask, dict[Cell, frozenset[Cell]]]]:
    """Protections without the secondary ``cell``: every small count that needed it gets
    the cheapest other cycle; then, one by one, each other cell that can take its place
    on a cycle of a small count left without one."""
    kept = {p: found for p, found in witness.items() if cell not in found}
    users = sorted(p for p in witness if p not in kept)
    allowed = candidates - {cell}
    trial = {c: kind for c, kind in mask.items() if c != cell}
    trial_witness = dict(kept)
    for p in users:
        if p in trial_witness:
            continue
        found = network.cycle(p, trial, allowed, prefer)
        if found is None:
            return  # no cycle at all without this cell: it stays
        for figure in found:
            trial.setdefault(figure, "secondary")
        ring = frozenset(found)
        for figure in found:
            if trial[figure] == "primary":
                trial_witness[figure] = ring
    yield trial, trial_witness
    base = {c: kind for c, kind in mask.items() if c != cell}
    # A small count with no cycle left needs the cell in its place on its new cycle.
    stuck = next((p for p in users if network.cycle(p, base) is None), None)
    if stuck is None:
        return
    places = network.bridges(stuck, base, allowed - set(base))
    for other in sorted(places, key=lambda c: (network.values[c], c)):
        trial = {**base, other: "secondary"}
        trial_witness = dict(kept)
        for p in users:
            found = network.cycle(p, trial)
            if found is None:
                break
            trial_witness[p] = frozenset(found)
        else:
            yield trial, trial_witness


def _prune(network: _Network, mask: Mask, witness: dict[Cell, frozenset[Cell]]) -> None:
    """Publish again, largest first, every secondary cell without which each small count
    still has a cycle; ``witness`` (a cycle per small count) follows."""
    values = network.values
    for cell in sorted((c for c, kind in mask.items() if kind == "secondary"),
                       key=lambda c: (-values[c], c)):
        users = [p for p, found in witness.items() if cell in found]
        del mask[cell]
        replaced = {}
        for p in users:
            found = network.cycle(p, mask)
            if found is None:
                mask[cell] = "secondary"
                break
            replaced[p] = frozenset(found)
        else:
            witness.update(replaced)


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
