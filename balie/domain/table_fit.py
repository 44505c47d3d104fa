"""Fitting a table of figures into a width: a number is shown whole or not at all.

A report is a label column (villages, areas, ...) and columns of figures. When they do
not fit side by side, the figures are never cut: the label column stays and the figure
columns are divided over *pages* that each fit, shown one at a time (the overview, with
Shift+arrows) or one below the other (``balie report`` in a narrow terminal). Only the
label may be shortened, with an ellipsis, so that at least one column of figures fits.
The screen and the command line use the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Fit:
    """How a table fits: the label column's width and the pages of figure columns."""

    label: int
    pages: tuple[tuple[int, int], ...]
    """Each page is the figure columns [start, end) shown beside the label column."""

    def page_of(self, column: int) -> int:
        """The page that starts with figure column ``column``, else the first that shows it."""
        starts = [start for start, _ in self.pages]
        if column in starts:
            return starts.index(column)
        return next((n for n, (start, end) in enumerate(self.pages) if start <= column < end),
                    0)


def fit(label_needed: int, widths: Sequence[int], available: int, *, gap: int,
        label_min: int = 20, label_max: int | None = None, fill_last: bool = True) -> Fit:
    """Lay out a label column and figure columns of these widths in ``available`` cells.

    Each figure column takes its width plus ``gap`` (the space before it); the label
    column ``label_needed`` cells for its longest label. In order of preference:

    1. everything on one page, every label whole;
    2. everything on one page, labels shortened to no less than ``label_min``;
    3. pages, with the label column at most ``label_max`` (default: two fifths of the
       width) so that the figures get room. With ``fill_last`` the last page shows as
       many columns as fit, ending with the last one (some of them also on the page
       before): on a screen every page is then full.

    A figure column wider than the whole width (a terminal of a few cells) still gets a
    page of its own, where it is cut: that is the one case the caller cannot prevent.
    """
    widths = [w + gap for w in widths]
    count = len(widths)
    needed = sum(widths)
    if label_needed + needed <= available or not count:
        return Fit(label_needed, ((0, count),))
    if available - needed >= label_min:
        return Fit(available - needed, ((0, count),))
    cap = label_max if label_max is not None else available * 2 // 5
    label = min(label_needed, max(cap, label_min))
    # The label gives way to the widest column, keeping a few letters.
    label = max(min(label, available - max(widths)), min(4, label_needed))
    room = available - label
    pages: list[tuple[int, int]] = []
    start = 0
    while start < count:
        end, used = start, 0
        while end < count and used + widths[end] <= room:
            used += widths[end]
            end += 1
        end = max(end, start + 1)
        if end == count and fill_last and pages:
            while start > 0 and sum(widths[start - 1:]) <= room:
                start -= 1
        pages.append((start, end))
        start = end
    return Fit(label, tuple(pages))
