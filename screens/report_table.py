"""The figures of a report on screen: every number whole or not at all.

The label column (villages, areas, ...) stays where it is; the figure columns are laid
out by :func:`balie.domain.table_fit.fit` in the width the table has, and when they do
not all fit they are shown a page at a time (Shift+← and Shift+→ on the overview), so a
column is never cut at the edge of the screen. Column headings take two lines ("Vorig
jaar" over each other) so that narrow figures need no wide column.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from balie.domain.table_fit import Fit, fit
from balie.domain.text import cell_width, cut_to_width
from balie.plain import TextTable, plain

GAP = 1
"""Cells before each figure column (the table's cell padding is 0)."""
HEADING_LINES = {"Verschil": "Ver-\nschil"}
"""Headings that are split where a space does not allow it."""


def two_lines(heading: str) -> str:
    """A heading on at most two lines, split at the space nearest its middle."""
    if heading in HEADING_LINES:
        return HEADING_LINES[heading]
    spaces = [i for i, char in enumerate(heading) if char == " "]
    if not spaces:
        return heading
    middle = len(heading) / 2
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{heading[:cut]}\n{heading[cut + 1:]}"


class ReportTable(TextTable):
    """A label column and figure columns, laid out to fit; see the module docstring.
    Labels are data (village names): a TextTable shows them as text, never markup."""

    DEFAULT_CSS = """
    ReportTable {
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="none", cell_padding=0,
                         header_height=2, fixed_columns=1)
        self.can_focus = False
        self.head: list[str] = []
        self.lines: list[list[str]] = []
        self.bold: list[bool] = []
        self.left: set[int] = set()
        self.layout_fit: Fit | None = None
        self.page = 0
        """The page of figure columns shown (see :class:`balie.domain.table_fit.Fit`)."""
        self._first_shown = 0

    def add_column(self, label, *args, **kwargs):
        """A heading of two lines: the line break is balie's own, the words may be data
        (a route's short name), so they are shown as text."""
        return DataTable.add_column(self, plain(label, lines=True), *args, **kwargs)

    @property
    def pages(self) -> int:
        return len(self.layout_fit.pages) if self.layout_fit else 1

    def show_figures(self, head: list[str], lines: list[list[str]], bold: list[bool],
                     left: set[int] = frozenset()) -> None:
        """Show these lines (label first); ``left`` are figure columns aligned left."""
        self.head, self.lines, self.bold, self.left = head, lines, bold, set(left)
        self.draw()

    def turn(self, pages: int) -> bool:
        """Show the next (1) or previous (-1) page of columns; False when there is none."""
        page = self.page + pages
        if not 0 <= page < self.pages:
            return False
        self.page = page
        self.draw()
        return True

    def on_resize(self) -> None:
        self.draw()

    def available(self) -> int:
        """Cells for the columns: the table's width without its scrollbar gutter."""
        return self.size.width - self.styles.scrollbar_size_vertical

    def draw(self) -> None:
        self.clear(columns=True)
        if not self.head or self.size.width <= 0:
            return
        head = [two_lines(h) for h in self.head]
        widths = [max(cell_width(part) for text in [h, *(r[k] for r in self.lines)]
                      for part in text.split("\n"))
                  for k, h in enumerate(head)]
        before = self.layout_fit
        self.layout_fit = fit(widths[0], widths[1:], self.available(), gap=GAP)
        # Laid out differently (other figures, another width): the page that shows the
        # column that was shown first, so the view stays where it was.
        if before is not None and before.pages != self.layout_fit.pages:
            self.page = self.layout_fit.page_of(self._first_shown or 0)
        self.page = min(self.page, self.pages - 1)
        start, end = self.layout_fit.pages[self.page]
        self._first_shown = start
        label = self.layout_fit.label
        shown = [0, *range(start + 1, end + 1)]
        height = max(len(head[k].split("\n")) for k in shown)
        self.header_height = height
        for k in shown:
            width = label if k == 0 else widths[k] + GAP
            lines = head[k].split("\n")
            lines = [""] * (height - len(lines)) + lines  # headings sit on the bottom line
            if k == 0:
                text = "\n".join(cut_to_width(part, label) for part in lines)
            elif k in self.left:
                text = "\n".join(" " + part for part in lines)
            else:
                text = "\n".join(part.rjust(width) for part in lines)
            self.add_column(Text(text), width=width, key=str(k))
        for line, bold in zip(self.lines, self.bold):
            style = "bold" if bold else ""
            cells = [Text(cut_to_width(line[0], label), style=style)]
            for k in shown[1:]:
                cell = line[k]
                text = (" " + cell) if k in self.left else cell.rjust(widths[k] + GAP)
                cells.append(Text(text, style="cyan" if k in self.left else style))
            self.add_row(*cells)
