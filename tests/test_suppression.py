"""AVG suppression: small counts show as "<10" and cannot be recomputed from the totals.

The attacker here is independent of how balie chooses the cells to hide: a linear
program gets every published figure, every sum relation of the table and what a reader
knows of the hidden cells ("<10" is 1..9, "x" is at least 10) and computes the smallest
and largest value each "<10" cell can have. If the two are equal, the count is exposed.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from balie.domain.models import Route
from balie.domain.periods import containing
from balie.domain.report import Line, Report
from balie.domain.report_output import to_csv, to_json, to_table
from balie.domain.suppression import (
    SECONDARY_MIN,
    Unprotectable,
    for_publication,
    hidden_in_breakdown,
    hidden_previous,
    project,
    protect_breakdown,
    suppress,
)
from tests.conftest import FROZEN_NOW

PERIOD = containing("month", FROZEN_NOW.date())
BIG = 10**6


def columns(n: int) -> tuple[Route, ...]:
    return tuple(Route(k + 1, f"r{k}", f"Route {k}", "team") for k in range(n))


def make_report(groups: list[list[list[int]]], additive: bool = True,
                totals: list[int] | None = None) -> Report:
    """Items per group (each item: counts per column), area subtotals, and the total."""
    width = len(groups[0][0])
    lines = []
    for g, items in enumerate(groups):
        for k, cells in enumerate(items):
            lines.append(Line(f"v{g}.{k}", "item", tuple(cells), sum(cells), group=f"g{g}"))
        if len(items) > 1 and additive:
            sums = [sum(item[c] for item in items) for c in range(width)]
            lines.append(Line(f"g{g}", "subtotal", tuple(sums), sum(sums), group=f"g{g}"))
    if totals is None:
        totals = [sum(item[c] for items in groups for item in items) for c in range(width)]
    lines.append(Line("Totaal", "total", tuple(totals), sum(totals)))
    return Report(PERIOD, "village", columns(width), tuple(lines), PERIOD.year_earlier(),
                  additive=additive)


def exposed(report: Report, mask, first: bool = False
            ) -> list[tuple[tuple[int, int], float, float]]:
    """The "<10" cells whose value a reader can pin down, with their range (``first``:
    only the first one found)."""
    width = len(report.columns)
    cells = [(i, j) for i in range(len(report.lines)) for j in range(width + 1)]
    value = {}
    for i, line in enumerate(report.lines):
        for j in range(width):
            value[(i, j)] = line.cells[j]
        value[(i, width)] = line.total
    unknown = [c for c in cells if c in mask]
    index = {c: k for k, c in enumerate(unknown)}
    equations: list[dict] = []
    for i in range(len(report.lines)):  # every line adds up to its total
        equations.append({**{(i, j): 1 for j in range(width)}, (i, width): -1})
    if report.additive:
        items = [i for i, line in enumerate(report.lines) if line.kind == "item"]
        last = len(report.lines) - 1
        for j in range(width + 1):
            equations.append({(last, j): 1, **{(i, j): -1 for i in items}})
            for s, line in enumerate(report.lines):
                if line.kind == "subtotal":
                    members = [i for i in items if report.lines[i].group == line.group]
                    equations.append({(s, j): 1, **{(i, j): -1 for i in members}})
    a_eq, b_eq = [], []
    for eq in equations:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for cell, coef in eq.items():
            if cell in index:
                row[index[cell]] += coef
            else:
                rhs -= coef * value[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
        else:
            assert abs(rhs) < 1e-9, "the table itself does not add up"
    bounds = [(1, 9) if mask[c] == "primary" else (SECONDARY_MIN, BIG) for c in unknown]
    found = []
    for cell in unknown:
        if mask[cell] != "primary":
            continue
        objective = np.zeros(len(unknown))
        objective[index[cell]] = 1
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        assert low.status == 0 and high.status == 0, "the true values must be feasible"
        if -high.fun - low.fun < 1 - 1e-6:
            found.append((cell, low.fun, -high.fun))
            if first:
                break
    return found


def check(report: Report) -> None:
    published = for_publication(report)
    mask = suppress(published)
    for i, line in enumerate(published.lines):
        for j, value in enumerate([*line.cells, line.total]):
            if 1 <= value <= 9:
                assert mask.get((i, j)) == "primary", (i, j)
            if value == 0:
                assert (i, j) not in mask, "zero stays 0"
    assert exposed(published, mask) == []


counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 60))


@st.composite
def reports(draw, additive=True):
    width = draw(st.integers(1, 4))
    groups = draw(st.lists(
        st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=3),
        min_size=1, max_size=3))
    if additive:
        return make_report(groups)
    # By topic: the total per route is at least the largest topic and at most their sum.
    totals = []
    for c in range(width):
        column = [item[c] for items in groups for item in items]
        totals.append(draw(st.integers(max(column), max(sum(column), max(column)))))
    return make_report(groups, additive=False, totals=totals)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_no_hidden_count_can_be_recomputed(report):
    check(report)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports(additive=False))
def test_no_hidden_count_can_be_recomputed_by_topic(report):
    check(report)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=1, max_size=1), min_size=1, max_size=6))
def test_the_previous_year_column_is_protected_too(items):
    report = make_report([items])
    report = replace(report, lines=tuple(
        replace(line, previous=line.total) for line in report.lines))
    hidden = hidden_previous(report)
    mask = {(i, j): ("primary" if 1 <= report.lines[i].total <= 9 else "secondary")
            for i in hidden for j in (0, 1)}
    assert exposed(report, mask) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(counts, min_size=1, max_size=6))
def test_a_breakdown_of_a_public_total_is_protected_or_left_out(values):
    # A factsheet's genders of a team whose total the village table publishes.
    total = sum(values)
    items = [(f"g{k}", n) for k, n in enumerate(values)]
    hidden = hidden_in_breakdown(total, items)
    lines = (*(Line(label, "item", (n,), n) for label, n in items),
             Line("Totaal", "total", (total,), total))
    report = Report(PERIOD, "area", columns(1), lines, PERIOD)

    def mask_of(labels) -> dict:
        mask = {}
        for i, line in enumerate(lines[:-1]):
            if line.label in labels:
                kind = "primary" if 1 <= line.total <= 9 else "secondary"
                mask[(i, 0)] = mask[(i, 1)] = kind
        return mask

    small = {label for label, n in items if 1 <= n <= 9}
    large = [label for label, n in items if n >= SECONDARY_MIN]
    if hidden is None:
        # Left out only when no choice of hidden groups, beside the small ones, protects
        # them while the total stays public (or the total is small itself).
        assert small
        assert 1 <= total <= 9 or all(
            exposed(report, mask_of(small | set(extra)))
            for k in range(len(large) + 1) for extra in combinations(large, k))
        return
    assert exposed(report, mask_of(hidden)) == []
    assert small <= hidden
    assert all(n > 0 for label, n in items if label in hidden)  # zero stays 0


@settings(max_examples=150, deadline=None)
@given(st.lists(counts, min_size=1, max_size=4), st.lists(counts, min_size=1, max_size=4))
def test_a_breakdown_with_a_subtotal_is_protected_or_left_out(values, parts):
    # A factsheet's outcomes: some lines, and "doorverwezen" made up of its kinds.
    total = sum(values) + sum(parts)
    items = [(("o", k), n, None) for k, n in enumerate(values)]
    items += [(("r", k), n, "ref") for k, n in enumerate(parts)]
    hidden = protect_breakdown(total, items, {"ref": ("ref",)})
    lines = [*(Line(str(key), "item", (n,), n, group=group) for key, n, group in items),
             Line("('ref',)", "subtotal", (sum(parts),), sum(parts), group="ref"),
             Line("Totaal", "total", (total,), total)]
    report = Report(PERIOD, "village", columns(1), tuple(lines), PERIOD)

    def mask_of(keys) -> dict:
        mask = {}
        for i, line in enumerate(lines[:-1]):
            if any(str(key) == line.label for key in keys):
                kind = "primary" if 1 <= line.total <= 9 else "secondary"
                mask[(i, 0)] = mask[(i, 1)] = kind
        return mask

    small = {key for key, n, _ in items if 1 <= n <= 9}
    if 1 <= sum(parts) <= 9:
        small.add(("ref",))
    if hidden is None:
        # Left out only when no choice of hidden lines, beside the small ones, protects
        # them while the total stays public (or the total is small itself).
        large = [key for key, n, _ in items if n >= SECONDARY_MIN]
        large += [("ref",)] if sum(parts) >= SECONDARY_MIN else []
        assert small
        assert 1 <= total <= 9 or all(
            exposed(report, mask_of(small | set(extra)))
            for k in range(len(large) + 1) for extra in combinations(large, k))
        return
    assert exposed(report, mask_of(hidden)) == []
    assert small <= set(hidden)


def test_a_breakdown_that_needs_its_public_total_hidden_is_left_out():
    # 10 and 1 of 11: whatever is hidden, 11 - 10 gives the 1 away.
    assert hidden_in_breakdown(11, [("man", 10), ("vrouw", 1), ("anders", 0)]) is None
    assert hidden_in_breakdown(5, [("man", 5)]) is None  # a small total is hidden itself
    assert hidden_in_breakdown(30, [("man", 18), ("vrouw", 9), ("anders", 3)]) == {
        "vrouw", "anders"}


def test_a_single_small_count_takes_a_rectangle_with_it():
    report = make_report([[[3, 20], [15, 30]]])
    mask = suppress(report)
    # 3 cannot hide alone: a partner in its row and column, and the opposite corner.
    assert {(0, 0), (0, 1), (1, 0), (1, 1)} <= set(mask)
    assert mask[(0, 0)] == "primary" and mask[(1, 1)] == "secondary"


def test_zero_stays_zero_and_large_tables_stay_mostly_public():
    report = make_report([[[0, 40, 12], [25, 0, 33]], [[50, 60, 70]]])
    assert suppress(report) == {}


def test_outputs_show_the_suppressed_cells_the_same_way():
    report = make_report([[[3, 20], [15, 30]]])
    text = to_table(report, suppressed=True)
    assert "<10" in text and " x " in f" {text} "
    csv_text = to_csv(report, suppressed=True)
    assert "<10" in csv_text and ";x;" in csv_text
    document = to_json(report, suppressed=True)
    assert '"<10"' in document and '"x"' in document
    # A rate per 1,000 inhabitants or a change would give a hidden total away.
    small = make_report([[[4, 0], [15, 30]]])
    small = replace(small, lines=tuple(replace(line, inhabitants=1000, previous=50)
                                       for line in small.lines))
    rows = [line.split(";") for line in to_csv(small, suppressed=True).split("\r\n")]
    first = next(row for row in rows if row[0] == "v0.0")
    assert first[1:4] == ["<10", "0", "<10"] and first[-2:] == ["", ""]
    plain = next(row for row in (line.split(";") for line in to_csv(small).split("\r\n"))
                 if row[0] == "v0.0")
    assert plain[-2:] == ["-92,0", "4,0"]  # numbers Dutch Excel reads as numbers
    assert "Verschil (%)" in to_csv(small) and "−92%" in to_table(small)
# --- exact as well as safe -------------------------------------------------------------


def values_of(report: Report) -> dict[tuple[int, int], int]:
    return {(i, j): value for i, line in enumerate(report.lines)
            for j, value in enumerate([*line.cells, line.total])}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(reports(), reports(additive=False)))
def test_primary_cells_are_exactly_the_small_counts(report):
    published = for_publication(report)
    mask = suppress(published)
    values = values_of(published)
    assert {c for c, kind in mask.items() if kind == "primary"} == {
        c for c, v in values.items() if 1 <= v <= 9}
    assert all(values[c] >= SECONDARY_MIN for c, kind in mask.items() if kind == "secondary")


def secondary(mask) -> set:
    return {c for c, kind in mask.items() if kind == "secondary"}


@pytest.mark.parametrize("groups, hidden", [
    # No small count: nothing hidden.
    ([[[10, 40], [25, 33]]], set()),
    # Small counts whose row, column and total are small too: they hide each other.
    ([[[3, 4]]], set()),
    ([[[2], [3]]], set()),
    # One small count alone: a partner in its row and column and the opposite corner
    # (a rectangle: no total changes).
    ([[[3, 20], [15, 30]]], {(0, 1), (1, 0), (1, 1)}),
    # Two small counts and their small column total (9 = 59 - 50): the rectangle, and
    # the column total it would otherwise give away by subtraction.
    ([[[4, 20], [5, 30]]], {(0, 1), (1, 1), (2, 1), (3, 1)}),
    # A small count alone in its row: its column partner and that one's row total.
    ([[[5, 0], [30, 40]]], {(1, 0), (1, 2)}),
])
def test_hand_counted_tables_hide_what_they_must_and_nothing_more(groups, hidden):
    report = make_report(groups)
    mask = suppress(report)
    assert secondary(mask) == hidden
    assert exposed(report, mask) == []


def test_a_small_count_that_no_rectangle_can_move_takes_a_longer_cycle():
    """1 in a column of 9 can only grow (to 2; 0 would be published), and the 9 cannot
    (10 is not "<10"); its partners' row total is exactly 10 and may not shrink either.
    A longer cycle does it: 1 and 2 up, 8 down, with the line totals and the grand total
    up, hiding only the two totals of 11 (the old shifts hid every non-zero figure)."""
    report = make_report([[[1, 0], [8, 2]]])
    mask = suppress(report)
    assert secondary(mask) == {(2, 2), (3, 2)}
    assert exposed(report, mask) == []
    with pytest.raises(Unprotectable):  # unless a figure it needs must stay public
        suppress(report, frozen=frozenset({(3, 2)}))


def test_a_figure_that_must_stay_public_is_never_hidden():
    report = make_report([[[3, 20], [15, 30]]])
    mask = suppress(report)
    assert (1, 1) in mask
    with pytest.raises(Unprotectable):  # a small count that must stay public
        suppress(report, frozen=frozenset({(0, 0)}))
    # Any one secondary cell frozen: the small count finds another cycle or none.
    for cell in secondary(mask):
        try:
            other = suppress(report, frozen=frozenset({cell}))
        except Unprotectable:
            continue
        assert cell not in other and exposed(report, other) == []


@settings(max_examples=50, deadline=None)
@given(reports())
def test_a_table_of_one_route_hides_exactly_what_the_whole_table_hides(report):
    """Projected: the same figure is never hidden in one table and public in another, and
    nothing else is hidden."""
    mask = suppress(report)
    for k in range(len(report.columns)):
        lines = tuple(replace(line, cells=(line.cells[k],), total=line.cells[k])
                      for line in report.lines)
        one = replace(report, columns=(report.columns[k],), lines=lines, source=report)
        projected = project(report, mask, one)
        expected = {}
        for i in range(len(report.lines)):
            if (i, k) in mask:
                expected[(i, 0)] = expected[(i, 1)] = mask[(i, k)]
        assert projected == expected
    assert project(report, mask, report) == mask  # all routes: the same cells


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), counts), min_size=1, max_size=6))
def test_last_years_column_hides_what_its_own_table_would(previous):
    report = make_report([[[10] for _ in previous]])
    report = replace(report, lines=tuple(
        replace(line, previous=p) for line, p in zip(report.lines, [
            *previous, *([sum(p or 0 for p in previous)] * (len(report.lines) - len(previous)))
        ])))
    as_table = make_report([[[p or 0] for p in previous]])
    expected = {i for (i, _) in suppress(as_table)}
    assert hidden_previous(report) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(reports(), reports(additive=False)))
def test_published_lines_are_the_reports_lines_where_nothing_is_hidden(report):
    """Suppression hides cells; it never drops, moves or changes a line: every figure
    that is not hidden reads as the report has it, in the same place."""
    from balie.domain.report_output import cell_texts

    published = for_publication(report)
    expected_lines = report.lines if report.additive else report.lines[:-1]
    assert published.lines == expected_lines  # a topic table drops only its total line
    mask = suppress(published)
    for i, texts in enumerate(cell_texts(published, mask)):
        line = expected_lines[i]
        for j, (text, value) in enumerate(zip(texts, [*line.cells, line.total])):
            if (i, j) not in mask:
                assert text == str(value)
            else:
                assert text == ("<10" if 1 <= value <= 9 else "x")


def test_a_line_is_found_by_its_key_or_an_area_by_its_only_village():
    from balie.domain.suppression import line_in

    lines = (Line("Beilen", "item", (12,), 12, group="Beilen", key=("village", 1)),
             Line("Elp", "item", (3,), 3, group="Dorpen", key=("village", 2)),
             Line("Orvelte", "item", (4,), 4, group="Dorpen", key=("village", 3)),
             Line("Dorpen", "subtotal", (7,), 7, group="Dorpen", key=("area", 9)),
             Line("Totaal", "total", (19,), 19, key=("total",)))
    source = Report(PERIOD, "village", columns(1), lines, PERIOD)
    assert line_in(source, ("village", 3), "Orvelte") == 2
    assert line_in(source, ("area", 9), "Dorpen") == 3
    assert line_in(source, ("area", 8), "Beilen") == 0  # an area of one village: its line
    assert line_in(source, ("area", 7), "Nergens") is None
    assert line_in(source, ("village", 4), "Elp") is None  # the key decides, not the name
    assert line_in(source, (), "Elp") == 1  # a line built by hand: by its label


def test_a_line_that_is_not_in_the_source_is_hidden_whole_unless_it_is_empty():
    source = make_report([[[3, 20], [15, 30]]])
    mask = suppress(source)
    extra = (Line("Elders", "item", (0, 4), 4), Line("Leeg", "item", (0, 0), 0),
             Line("Groot", "item", (11, 0), 11))
    target = replace(source, lines=(*source.lines, *extra), source=source)
    projected = project(source, mask, target)
    n = len(source.lines)
    assert {c: k for c, k in projected.items() if c[0] >= n} == {
        (n, 1): "primary", (n, 2): "primary", (n + 2, 0): "secondary",
        (n + 2, 2): "secondary"}
