"""A report as text table, CSV for Dutch Excel, or JSON; the same cells everywhere.

With AVG suppression the cells come from :func:`balie.domain.suppression.suppress`:
primary cells show "<10", cells hidden to protect them show "x". Zero stays 0.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from datetime import date

from balie.domain.models import Route
from balie.domain.numbers import change as dutch_change
from balie.domain.numbers import count, decimal
from balie.domain.parsing import InvalidInput
from balie.domain.periods import Period
from balie.domain.report import Line, Report
from balie.domain.spreadsheet import csv_text
from balie.domain.suppression import (
    Mask,
    Unprotectable,
    for_publication,
    hidden_previous,
    line_in,
    project,
    suppress,
)
from balie.domain.table_fit import fit
from balie.domain.text import cell_width, cut_to_width

SMALL = "<10"
HIDDEN = "x"


def _dutch_number(value: float | None, decimals: int = 1, *, spreadsheet: bool = True) -> str:
    """12.5 -> "12,5": what Dutch Excel reads as a number; to read, 1234.5 -> "1.234,5"."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",") if spreadsheet else decimal(value, decimals)


def _change(line: Line, spreadsheet: bool = False) -> str:
    """"+12%" (with a real minus sign) to read; for a spreadsheet a plain number, "12,5",
    in a column headed "Verschil (%)", so that Excel can sort and sum it."""
    change = line.change
    if change is None:
        return "nieuw" if line.previous == 0 and line.total else ""
    if spreadsheet:
        return _dutch_number(change)
    return dutch_change(change)


def cell_texts(report: Report, mask: Mask | None, *, grouped: bool = False
               ) -> list[list[str]]:
    """Per line: the column cells and the total, as text ("<10" and "x" when suppressed);
    ``grouped`` to read ("7.860"), else plain digits for a spreadsheet or JSON."""
    shown = count if grouped else str
    rows = []
    for i, line in enumerate(report.lines):
        values = [*line.cells, line.total]
        texts = []
        for j, value in enumerate(values):
            mark = mask.get((i, j)) if mask else None
            texts.append(SMALL if mark == "primary" else HIDDEN if mark == "secondary"
                         else shown(value))
        rows.append(texts)
    return rows


def _extras(i: int, line: Line, mask: Mask | None, previous_hidden: set[int],
            spreadsheet: bool = False) -> tuple[str, str, str]:
    """Previous year, change and rate per 1,000 of a line.

    Suppressed, the previous year's counts are protected like a table of their own, and
    the change and rate (which give away the counts) only show where both are public.
    """
    total_hidden = bool(mask and (i, len(line.cells)) in mask)
    if line.previous is None:
        previous = ""
    elif i in previous_hidden:
        previous = SMALL if 0 < line.previous < 10 else HIDDEN
    else:
        previous = str(line.previous) if spreadsheet else count(line.previous)
    if total_hidden:
        return previous, "", ""
    change = "" if i in previous_hidden else _change(line, spreadsheet)
    rate = "" if line.rate is None else _dutch_number(line.rate, spreadsheet=spreadsheet)
    if mask is not None and line.rated is not None and line.rated != line.total:
        # The rate of a count that is not the line's total (the municipality's total,
        # without places outside it) would publish that count, and so the difference.
        rate = ""
    return previous, change, rate


AVG_PERIODS = ("month", "quarter", "year")
AVG_BREAKDOWNS = ("village", "area", "referral")
UNFINISHED = ("AVG: alleen voor een afgelopen maand, kwartaal of jaar (cijfers die nog "
              "veranderen verraden kleine aantallen).")


def check_publishable(period: Period, breakdown: str = "village", *, routes: int = 0,
                      today: date | None = None) -> None:
    """Raise InvalidInput unless these figures may go out with AVG suppression.

    Every published table is protected together with the others, so only tables that
    share figures in ways the protection follows: months, quarters and years that are
    over (days, weeks, own ranges, or counts that still change, would give small
    numbers away by subtraction), by village or area (the other breakdowns share the
    village table's totals without following its hidden cells), or by referral (its
    totals count referrals, not inquiries, and every shift that protects its cells keeps
    them), and all routes or one
    (a sum of some routes is a figure of its own). ``routes`` is the number of routes
    of a report of some routes, 0 for all of them.
    """
    if period.kind not in AVG_PERIODS:
        raise InvalidInput("AVG: alleen per maand, kwartaal of jaar (kortere periodes "
                           "verraden kleine aantallen).")
    if breakdown not in AVG_BREAKDOWNS:
        raise InvalidInput("AVG: alleen per dorp, gebied of adres van de sociale kaart "
                           "(andere indelingen verraden kleine aantallen).")
    if routes > 1:
        raise InvalidInput("AVG: alle routes samen of één route (een optelling van enkele "
                           "routes verraadt kleine aantallen).")
    if today is not None and period.last >= today:
        raise InvalidInput(UNFINISHED)
UNPROTECTABLE = ("AVG: deze cijfers zijn niet te beschermen: een klein aantal blijft terug "
                 "te rekenen, wat er ook verborgen wordt. Kies een langere periode "
                 "(kwartaal of jaar).")


def _protected(report: Report) -> Mask:
    """The hidden cells of a table published on its own; InvalidInput when no choice of
    hidden cells protects every small count (see :class:`Unprotectable`)."""
    try:
        return suppress(report)
    except Unprotectable:
        raise InvalidInput(UNPROTECTABLE) from None


def published_mask(report: Report) -> tuple[Report, Mask]:
    """The report as published and its hidden cells: its own, or those of the report
    whose figures it shows (see :func:`balie.domain.suppression.project`)."""
    published = for_publication(report)
    if report.source is None:
        return published, _protected(published)
    source = for_publication(report.source)
    return published, project(source, _protected(source), published)


def publishable(report: Report, suppressed: bool) -> tuple[Report, Mask | None, set[int]]:
    """The report to show, the hidden cells and the lines with a hidden previous count.

    Suppressed, a report that shows figures of another (areas, one route) hides what
    that one hides, and the comparison column hides what last year's own report hides:
    the same figure is never public in one table and hidden in another.
    """
    if not suppressed:
        return report, None, set()
    some_routes = report.source is not None and len(report.columns) < len(
        report.source.columns)
    check_publishable(report.period, report.breakdown,
                      routes=len(report.columns) if some_routes else 0)
    if report.partial:
        raise InvalidInput(UNFINISHED)
    published, mask = published_mask(report)
    if report.before is None:  # no year-earlier table (made by hand): protect the column
        try:
            return published, mask, hidden_previous(published)
        except Unprotectable:
            raise InvalidInput(UNPROTECTABLE) from None
    before, before_mask = published_mask(report.before)
    total_column = len(before.columns)
    previous_hidden = set()
    for i, line in enumerate(published.lines):
        j = line_in(before, line.key, line.label)
        if (j, total_column) in before_mask or (j is None and line.previous):
            previous_hidden.add(i)
    return published, mask, previous_hidden


FOLLOWUP_SHORT = {"geholpen": "Geholpen", "nog bezig": "Bezig", "niet geholpen": "Niet geh.",
                  "niet bereikt": "Niet ber.", "cliënt wil geen contact": "Geen contact",
                  "nog nabellen": "Open", "geen nabellen": "Geen nab."}
"""Follow-up headings for the narrow screen."""
NOT_PUBLISHED_CELL = "-"
"""A follow-up cell of a table for outside use that could not be protected."""


def headers(report: Report, *, short: bool = False, spreadsheet: bool = False) -> list[str]:
    """Column headings; ``short`` for a screen (short route names, no period name),
    ``spreadsheet`` with the unit of the change in its heading."""
    if short:
        return [report.heading, *(r.short for r in report.columns), "Totaal", "Vorig jaar",
                "Verschil", "Per 1.000",
                *(FOLLOWUP_SHORT.get(n, n) for n in report.followup_names)]
    previous = f"Totaal {report.previous_period.label()}"
    if report.partial:
        previous += " (tot hetzelfde moment)"
    return [report.heading, *(r.name for r in report.columns), "Totaal", previous,
            "Verschil (%)" if spreadsheet else "Verschil", "Per 1.000 inwoners",
            *(f"Nabellen: {n}" for n in report.followup_names)]


def followup_mask(report: Report, mask: Mask | None) -> Mask | None:
    """Which follow-up counts of a published report by referral to hide.

    A line's referrals are counted twice, by route and by follow-up result; the two
    tables share only the lines' totals. When every total is public, any route counts
    and any result counts that fit the totals can be true together, so the follow-ups
    are protected as a table of their own with those totals fixed. When the route
    table must hide a total, publishing the follow-ups would give it away: then none
    is published (None), nor in a table of some routes (its follow-ups are parts of
    the all-routes table's, which it would not follow).
    """
    if mask is None or not report.followup_names:
        return {}
    total_column = len(report.columns)
    if report.source is not None or any((i, total_column) in mask
                                        for i in range(len(report.lines))):
        return None
    width = len(report.followup_names)
    columns = tuple(Route(0, f"r{j}", name, "desk") for j, name in
                    enumerate(report.followup_names))
    lines = tuple(Line(line.label, "item" if line.kind != "total" else "total",
                       line.followups, line.total, key=line.key) for line in report.lines)
    totals = frozenset((i, width) for i in range(len(lines)))
    try:
        return suppress(Report(report.period, report.breakdown, columns, lines,
                               report.previous_period), frozen=totals)
    except Unprotectable:
        return None


def published_rows(report: Report, *, suppressed: bool = False, spreadsheet: bool = False
                   ) -> tuple[Report, list[list[str]]]:
    """The report as published (see :func:`publishable`) and its lines as text: for
    the screen and the CLI table, or with plain numbers for a spreadsheet."""
    published, mask, previous_hidden = publishable(report, suppressed)
    texts = cell_texts(published, mask, grouped=not spreadsheet)
    followups = followup_texts(published, mask, grouped=not spreadsheet)
    return published, [
        [line.label, *texts[i], *_extras(i, line, mask, previous_hidden, spreadsheet),
         *followups[i]]
        for i, line in enumerate(published.lines)]


def followup_texts(report: Report, mask: Mask | None, *, grouped: bool = False
                   ) -> list[list[str]]:
    """Per line: its follow-up counts as text (none when the report has none);
    ``grouped`` as in :func:`cell_texts`."""
    shown = count if grouped else str
    hidden = followup_mask(report, mask)
    rows = []
    for i, line in enumerate(report.lines):
        if hidden is None:
            rows.append([NOT_PUBLISHED_CELL] * len(line.followups))
            continue
        marks = [hidden.get((i, j)) for j in range(len(line.followups))]
        rows.append([SMALL if mark == "primary" else HIDDEN if mark == "secondary"
                     else shown(n) for n, mark in zip(line.followups, marks)])
    return rows


def table_rows(report: Report, *, suppressed: bool = False) -> list[list[str]]:
    """The lines as text, as the screen and the CLI table show them."""
    return published_rows(report, suppressed=suppressed)[1]


TABLE_GAP = 2
"""Spaces between the columns of the text table."""


def to_table(report: Report, *, suppressed: bool = False, width: int | None = None) -> str:
    """A fixed-width text table with a title line, as `balie report` prints it.

    With ``width`` (the terminal's) the table fits it: the full column names when they
    fit, else the routes' short names with a legend, and when even those are too wide
    the columns in parts one below the other, each with the label column. Numbers are
    never cut; a label is shortened (…) only when not even one column fits beside it.
    """
    published, rows = published_rows(report, suppressed=suppressed)
    title = [f"{report.heading} x route, {report.period.label()}"
             + (" (AVG: kleine aantallen verborgen)" if suppressed else "")]
    if report.note:
        title.append(report.note)
    full = headers(report)
    if width is None or _block_width(full, rows) <= width:
        return _text(title, [_block(full, rows, published, (0, len(full) - 1), None)], [],
                     width)
    short = headers(report, short=True)
    legend = [f"{route.short} = {route.name}" for route in published.columns
              if route.short != route.name]
    previous = f"Vorig jaar = totaal {report.previous_period.label()}"
    legend += [previous + (" (tot hetzelfde moment)" if report.partial else ""),
               "Per 1.000 = per 1.000 inwoners"]
    widths = _widths(short, rows)
    layout = fit(widths[0], widths[1:], width, gap=TABLE_GAP, fill_last=False)
    blocks = [_block(short, rows, published, page, layout.label) for page in layout.pages]
    return _text(title, blocks, legend, width)


def _widths(head: Sequence[str], rows: list[list[str]]) -> list[int]:
    return [max(cell_width(r[k]) for r in [head, *rows]) for k in range(len(head))]


def _block_width(head: Sequence[str], rows: list[list[str]]) -> int:
    widths = _widths(head, rows)
    return sum(widths) + TABLE_GAP * (len(widths) - 1)


def _block(head: Sequence[str], rows: list[list[str]], published: Report,
           page: tuple[int, int], label: int | None) -> list[str]:
    """The label column and the figure columns [start, end) of one part of the table."""
    start, end = page
    keep = [0, *range(start + 1, end + 1)]
    head = [head[k] for k in keep]
    rows = [[r[k] for k in keep] for r in rows]
    if label is not None:
        head[0] = cut_to_width(head[0], label)
        rows = [[cut_to_width(r[0], label), *r[1:]] for r in rows]
    widths = _widths(head, rows)

    def line(cells: Sequence[str]) -> str:
        first = cells[0] + " " * (widths[0] - cell_width(cells[0]))
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return (" " * TABLE_GAP).join([first, *rest]).rstrip()

    rule = (" " * TABLE_GAP).join("-" * w for w in widths)
    out = [line(head), rule]
    for cells, report_line in zip(rows, published.lines):
        if report_line.kind == "total":
            out.append(rule)
        out.append(line(cells))
    return out


def _text(title: list[str], blocks: list[list[str]], legend: list[str],
          width: int | None) -> str:
    wrap = (lambda text: textwrap.wrap(text, width) or [""]) if width else (lambda t: [t])
    out = [piece for text in title for piece in wrap(text)]
    for block in blocks:
        out.append("")
        out.extend(block)
    if legend:
        out.append("")
        out.extend(piece for text in legend for piece in wrap(text))
    return "\n".join(out) + "\n"


def to_csv(report: Report, *, suppressed: bool = False) -> str:
    """CSV for Dutch Excel (see :mod:`balie.domain.spreadsheet`)."""
    rows: list[Sequence[object]] = [
        ["Periode", report.period.label(), "Van", report.period.first.isoformat(),
         "Tot en met", report.period.last.isoformat()],
        [],
        headers(report, spreadsheet=True),
        *published_rows(report, suppressed=suppressed, spreadsheet=True)[1],
    ]
    if suppressed:
        rows += [[], [f"{SMALL}: 1 tot 10; {HIDDEN}: verborgen zodat kleine aantallen niet "
                      "terug te rekenen zijn (AVG)."]]
    if report.note:
        rows.append([report.note])
    return csv_text(rows)


def to_json(report: Report, *, suppressed: bool = False) -> str:
    report, mask, previous_hidden = publishable(report, suppressed)
    texts = cell_texts(report, mask)
    followups = followup_texts(report, mask)
    codes = [r.code for r in report.columns]

    def value(text: str) -> int | str:
        return int(text) if text.isdigit() else text

    lines = []
    for i, line in enumerate(report.lines):
        previous, change, rate = _extras(i, line, mask, previous_hidden, spreadsheet=True)
        lines.append({
            "label": line.label,
            "kind": line.kind,
            "group": line.group,
            "cells": {code: value(t) for code, t in zip(codes, texts[i])},
            "total": value(texts[i][-1]),
            "previous": value(previous) if previous else None,
            "change_percent": None if not change or line.change is None
            else round(line.change, 1),
            "per_1000_inhabitants": None if not rate else round(line.rate, 2),
            **({"followups": {name: value(t) for name, t in zip(report.followup_names,
                                                                 followups[i])}}
               if report.followup_names else {}),
        })
    document = {
        "period": {"kind": report.period.kind, "label": report.period.label(),
                   "first": report.period.first.isoformat(),
                   "last": report.period.last.isoformat()},
        "previous_period": {"first": report.previous_period.first.isoformat(),
                            "last": report.previous_period.last.isoformat()},
        "breakdown": report.breakdown,
        "columns": [{"code": r.code, "name": r.name} for r in report.columns],
        "suppressed": suppressed,
        "note": report.note or None,
        "lines": lines,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
