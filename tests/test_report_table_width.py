"""`balie report`'s table fits the terminal it prints to, and says every figure whole.

The table was 206 characters wide and wrapped at 100, so that a figure stood on another
line than its village. Now: no line wider than the terminal, every figure of the report
exactly once per column in one of the parts (split at the rule lines), and the short
column names explained below the table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from balie.domain.models import Entries
from balie.domain.periods import containing
from balie.domain.report import Report, build_report
from balie.domain.report_output import headers, published_rows, to_table
from balie.domain.text import cell_width
from tests.conftest import FROZEN_NOW


def parts(text: str) -> list[dict[str, list[tuple[str, str]]]]:
    """Each part of a text table as {heading: [(label, figure), ...]} in line order,
    columns cut where the rule line ("-----  ---") has its dashes."""
    lines = text.split("\n")
    found = []
    for i, line in enumerate(lines):
        if not line.startswith("-") or i < 2 or lines[i - 2].strip():
            continue  # not the rule under a heading (a blank line before), e.g. above the total
        spans = [m.span() for m in re.finditer(r"-+", line)]
        heads = [lines[i - 1].ljust(line.__len__())[a:b].strip() for a, b in spans]
        table: dict[str, list[tuple[str, str]]] = {h: [] for h in heads[1:]}
        for row in lines[i + 1:]:
            if not row.strip():
                break
            if row.startswith("-"):
                continue
            row = row.ljust(len(line))
            label = row[spans[0][0]:spans[0][1]].strip()
            for (a, b), heading in zip(spans[1:], heads[1:]):
                table[heading].append((label, row[a:b].strip()))
        found.append(table)
    return found


def assert_whole(result: Report, width: int | None) -> None:
    text = to_table(result, width=width)
    if width is not None:
        too_wide = [line for line in text.split("\n") if cell_width(line) > width]
        assert too_wide == []
    rows = published_rows(result)[1]
    names = headers(result) if width is None else headers(result, short=True)
    shown = parts(text)
    if width is not None and len(shown) == 1 and list(shown[0]) == headers(result)[1:]:
        names = headers(result)  # the full names fitted
    for k, heading in enumerate(names[1:], start=1):
        holding = [part for part in shown if heading in part]
        assert holding, f"column {heading!r} is in no part of the table"
        for part in holding:
            assert len(part[heading]) == len(rows), heading
            for (label, figure), row in zip(part[heading], rows):
                # The label whole, or its start with an ellipsis.
                assert label == row[0] or (label.endswith("…")
                                           and row[0].startswith(label[:-1])), label
                assert figure == row[k], (heading, row[0])
    if names != headers(result):
        for route in result.columns:
            if route.short != route.name:
                assert f"{route.short} = {route.name}" in text


def month_report(ref, counts: dict[str, int]) -> Report:
    cells = Counter()
    for village in ref.villages.all:
        for route in ref.routes.all:
            cells[(village.id, route.id)] = counts.get(village.name, 3) * (route.id % 3 + 1)
    return build_report(ref, containing("month", FROZEN_NOW.date()), "village", cells,
                        Counter(), Counter(cells), Counter())


def test_the_table_fits_100_and_80_columns_and_keeps_every_figure(seeded_reference):
    result = month_report(seeded_reference, {"Beilen": 2_512, "Smilde": 25})
    assert max(map(cell_width, to_table(result).split("\n"))) > 150  # the full names
    for width in (None, 206, 120, 100, 80, 60):
        assert_whole(result, width)


def test_a_narrow_table_explains_its_short_names(seeded_reference):
    text = to_table(month_report(seeded_reference, {}), width=80)
    assert "Cliëntond. = Cliëntondersteuning" in text
    assert "Vorig jaar = totaal maart 2025" in text
    assert "Per 1.000 = per 1.000 inwoners" in text
    assert " 7.536 " in to_table(month_report(seeded_reference, {"Beilen": 2_512}), width=80)


@settings(max_examples=40, deadline=None)
@given(width=st.integers(40, 220), data=st.data())
def test_any_table_fits_any_terminal(seeded_reference, width, data):
    ref = seeded_reference
    villages = data.draw(st.lists(st.sampled_from(ref.villages.all), min_size=1,
                                  max_size=6, unique_by=lambda v: v.id))
    names = data.draw(st.lists(st.text("abcdefghij -'ë", min_size=1, max_size=40),
                               min_size=len(villages), max_size=len(villages)))
    renamed = [replace(v, name=f"{n} {name.strip()}".strip()) for n, (v, name)
               in enumerate(zip(villages, names))]
    counts = {v.name: data.draw(st.integers(0, 99_999)) for v in renamed}
    assert_whole(month_report(replace(ref, villages=Entries.of(renamed)), counts), width)
