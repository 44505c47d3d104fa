"""Reading what a person sees: the rendered screen as lines of text, and the figures of
the overview's table read off those lines (not out of the DataTable's data).

A figure column is found by its heading, which ends where its figures end (they are
right-aligned); a figure counts as shown only when exactly the report's text stands
there, with nothing but spaces before it back to the previous column: a clipped "25"
that reads "2" is a mismatch, not a match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from unicodedata import east_asian_width

ELLIPSIS = "…"


def cell_width(text: str) -> int:
    return sum(2 if east_asian_width(char) in ("W", "F") else 1 for char in text)


def heading_forms(heading: str) -> list[list[str]]:
    """A heading on one line, or on two split at a space ("Vorig / jaar") or hyphenated
    ("Ver- / schil"): every way a table may print it."""
    forms = [[heading]]
    forms += [[heading[:i], heading[i + 1:]] for i, c in enumerate(heading) if c == " "]
    forms += [[heading[:i] + "-", heading[i:]] for i in range(2, len(heading) - 1)
              if " " not in heading]
    return forms


def screen_lines(app) -> list[str]:
    """The app's screen as it is drawn now, one string per terminal line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@dataclass
class Reading:
    """What was read off the screen so far, over pages and scroll positions."""

    seen: set[tuple[str, str]] = field(default_factory=set)
    """(line label, column heading) of every figure read whole and right."""
    wrong: list[str] = field(default_factory=list)
    """Every cell on screen that is not the report's figure, described."""


def _find_headings(top: str, bottom: str, headings: list[str]) -> dict[str, int]:
    """Heading -> the screen column just after its last character."""
    found = {}
    for heading in headings:
        for parts in heading_forms(heading):
            last = parts[-1]
            start = 0
            while heading not in found and (at := bottom.find(last, start)) >= 0:
                end = at + len(last)
                start = at + 1
                if (end < len(bottom) and bottom[end] != " ") or (at and bottom[at - 1] != " "):
                    continue
                if len(parts) == 2 and (top[end - len(parts[0]):end] != parts[0]
                                        or top[end - len(parts[0]) - 1:end - len(parts[0])]
                                        not in (" ", "")):
                    continue
                found[heading] = end
    return found


def label_matches(shown: str, label: str) -> bool:
    """A label on screen is the report's, or its start cut with an ellipsis."""
    if shown == label:
        return True
    return shown.endswith(ELLIPSIS) and label.startswith(shown[:-1]) and len(shown) > 1


def read_table(lines: list[str], label_heading: str, headings: list[str],
               expected: list[list[str]], reading: Reading, *, width: int,
               bottom: int) -> None:
    """Read the overview's table off ``lines`` into ``reading``.

    ``headings`` are the figure columns' headings as the report names them,
    ``expected`` the report's rows (label first, then one text per heading), ``width``
    the table's columns (the screen less its scrollbar), ``bottom`` the screen line
    below the table's last.
    """
    lines = [line[:width] for line in lines[:bottom]]
    at, edges = next(((i, found) for i, line in enumerate(lines)
                      if line.lstrip().startswith(label_heading + " ") and (found := _find_headings(
                          lines[i - 1] if i else "", line, headings))), (None, {}))
    if at is None:
        reading.wrong.append(f"no table with figure columns under {label_heading!r}")
        return
    columns = sorted(edges.items(), key=lambda item: item[1])
    index = {h: k for k, h in enumerate(headings, start=1)}
    first_heading, first_edge = columns[0]
    for line in lines[at + 1:]:
        if not line.strip() or line.startswith("▔"):
            break
        # The label is what stands before the first figure.
        head = line[:first_edge].rstrip()
        candidates = []
        for row in expected:
            figure = row[index[first_heading]]
            rest = head[:len(head) - len(figure)] if figure else head
            if head.endswith(figure) and (not figure or rest.endswith(" ")) and \
                    label_matches(rest.strip(), row[0]):
                candidates.append(row)
        if len(candidates) != 1:
            reading.wrong.append(f"{len(candidates)} report lines fit {line!r}")
            continue
        row = candidates[0]
        previous = None
        for heading, edge in columns:
            text = row[index[heading]]
            begin = edge - cell_width(text)
            gap = line[previous:begin] if previous is not None else " "
            if line[begin:edge] != text or gap.strip() or line[begin - 1] != " ":
                reading.wrong.append(f"{row[0]} / {heading}: "
                                     f"{line[previous or 0:edge]!r} on screen, {text!r} in "
                                     "the report")
            else:
                reading.seen.add((row[0], heading))
            previous = edge
