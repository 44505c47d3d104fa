"""A report as text table, CSV for Dutch Excel, or JSON; the same cells everywhere.

With AVG suppression the cells come from :func:`balie.domain.suppression.suppress`:
primary cells show "<10", cells hidden to protect them show "x". Zero stays 0.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from balie.domain.report import FactSheet, Line, Report
from balie.domain.suppression import (
    Mask,
    for_publication,
    hidden_in_breakdowns,
    hidden_previous,
    suppress,
)

SMALL = "<10"
HIDDEN = "x"


def _dutch_number(value: float | None, decimals: int = 1) -> str:
    """12.5 -> "12,5": what Dutch Excel reads as a number."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",")


def _change(line: Line) -> str:
    change = line.change
    if change is None:
        return "nieuw" if line.previous == 0 and line.total else ""
    return f"{change:+.0f}%".replace("-", "−")


def cell_texts(report: Report, mask: Mask | None) -> list[list[str]]:
    """Per line: the column cells and the total, as text ("<10" and "x" when suppressed)."""
    rows = []
    for i, line in enumerate(report.lines):
        values = [*line.cells, line.total]
        texts = []
        for j, value in enumerate(values):
            mark = mask.get((i, j)) if mask else None
            texts.append(SMALL if mark == "primary" else HIDDEN if mark == "secondary"
                         else str(value))
        rows.append(texts)
    return rows


def _extras(i: int, line: Line, mask: Mask | None, previous_hidden: set[int]
            ) -> tuple[str, str, str]:
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
        previous = str(line.previous)
    if total_hidden:
        return previous, "", ""
    change = "" if i in previous_hidden else _change(line)
    rate = _dutch_number(line.rate) if line.rate is not None else ""
    return previous, change, rate


def publishable(report: Report, suppressed: bool) -> tuple[Report, Mask | None, set[int]]:
    """The report to show, the hidden cells and the lines with a hidden previous count."""
    if not suppressed:
        return report, None, set()
    report = for_publication(report)
    return report, suppress(report), hidden_previous(report)


def headers(report: Report, *, short: bool = False) -> list[str]:
    """Column headings; ``short`` for a screen (short route names, no period name)."""
    if short:
        return [report.heading, *(r.short for r in report.columns), "Totaal", "Vorig jaar",
                "Verschil", "Per 1.000"]
    return [report.heading, *(r.name for r in report.columns), "Totaal",
            f"Totaal {report.previous_period.label()}", "Verschil", "Per 1.000 inwoners"]


def table_rows(report: Report, *, suppressed: bool = False) -> list[list[str]]:
    """The lines as text, for the screen, the CLI table and the CSV."""
    report, mask, previous_hidden = publishable(report, suppressed)
    texts = cell_texts(report, mask)
    return [[line.label, *texts[i], *_extras(i, line, mask, previous_hidden)]
            for i, line in enumerate(report.lines)]


def to_table(report: Report, *, suppressed: bool = False) -> str:
    """A fixed-width text table with a title line, as `balie report` prints it."""
    head = headers(report)
    rows = table_rows(report, suppressed=suppressed)
    widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
    out = [f"{report.heading} x route, {report.period.label()}"
           + (" (AVG: kleine aantallen verborgen)" if suppressed else "")]
    if report.note:
        out.append(report.note)
    out.append("")

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    out.append(line(head))
    out.append("  ".join("-" * w for w in widths))
    for cells, report_line in zip(rows, for_publication(report).lines if suppressed
                                  else report.lines):
        if report_line.kind == "total":
            out.append("  ".join("-" * w for w in widths))
        out.append(line(cells))
    return "\n".join(out) + "\n"


def to_csv(report: Report, *, suppressed: bool = False) -> str:
    """CSV for Dutch Excel: semicolons, Dutch headers; write it as UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Periode", report.period.label(), "Van", report.period.first.isoformat(),
                     "Tot en met", report.period.last.isoformat()])
    writer.writerow([])
    writer.writerow(headers(report))
    writer.writerows(table_rows(report, suppressed=suppressed))
    if suppressed:
        writer.writerow([])
        writer.writerow([f"{SMALL}: 1 tot 10; {HIDDEN}: verborgen zodat kleine aantallen niet "
                         "terug te rekenen zijn (AVG)."])
    if report.note:
        writer.writerow([report.note])
    return buffer.getvalue()


def to_json(report: Report, *, suppressed: bool = False) -> str:
    report, mask, previous_hidden = publishable(report, suppressed)
    texts = cell_texts(report, mask)
    codes = [r.code for r in report.columns]

    def value(text: str) -> int | str:
        return int(text) if text.isdigit() else text

    lines = []
    for i, line in enumerate(report.lines):
        previous, change, rate = _extras(i, line, mask, previous_hidden)
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


SECTIONS = (("area", "Woonplaats"), ("gender", "Geslacht"), ("age", "Leeftijd"))
UNKNOWN_LABEL = "niet vastgelegd"


def factsheet_rows(sheet: FactSheet, *, suppressed: bool = False
                   ) -> list[tuple[str, str, str, str]]:
    """(section, label, count, share) for every figure of a factsheet, as published.

    Suppressed, counts 1-9 show as "<10", the breakdowns of the one total are protected
    together, and shares are left out of a breakdown with hidden counts (a share of the
    recorded answers would give their sum away).
    """
    items = {
        "area": [(s.label, s.count, s.share) for s in sheet.by_area if s.count],
        "gender": [(s.label, s.count, s.share) for s in sheet.by_gender]
        + [(UNKNOWN_LABEL, sheet.gender_unknown, None)],
        "age": [(s.label, s.count, s.share) for s in sheet.by_age]
        + [(UNKNOWN_LABEL, sheet.age_unknown, None)],
    }
    total_hidden, hidden = (
        hidden_in_breakdowns(sheet.total, {k: [(label, n) for label, n, _ in v]
                                           for k, v in items.items()})
        if suppressed else (False, {}))

    def n(value: int, is_hidden: bool) -> str:
        return (SMALL if 0 < value < 10 else HIDDEN) if is_hidden else str(value)

    previous_hidden = suppressed and 0 < sheet.previous < 10
    change = ("" if sheet.change is None or total_hidden or previous_hidden
              else f"{sheet.change:+.0f}%".replace("-", "−"))
    rows = [("Totaal", "vragen", n(sheet.total, total_hidden), ""),
            ("Totaal", "vorig jaar", n(sheet.previous, previous_hidden), ""),
            ("Totaal", "verschil", change, "")]
    for section, title in SECTIONS:
        section_hidden = bool(hidden.get(section)) or total_hidden
        for label, count, share in items[section]:
            is_hidden = label in hidden.get(section, ())
            shown = "" if share is None or section_hidden else f"{_dutch_number(share, 0)}%"
            rows.append((title, label, n(count, is_hidden), shown))
    return rows


def factsheet_text(sheet: FactSheet, *, suppressed: bool = False) -> str:
    """A team's factsheet as lines of text, like the annual report's."""
    rows = factsheet_rows(sheet, suppressed=suppressed)
    total, previous, change = (row[2] for row in rows[:3])
    out = [f"{sheet.route.name}, {sheet.period.label()}",
           f"  Totaal: {total} vragen (vorig jaar {previous}"
           + (f", {change} t.o.v. vorig jaar" if change else "") + ")"]
    for _, title in SECTIONS:
        parts = [f"{label}: {count}" + (f" ({share})" if share else "")
                 for section, label, count, share in rows[3:] if section == title]
        out.append(f"  {title}: " + "; ".join(parts))
    return "\n".join(out) + "\n"


def factsheets_as(sheets: list[FactSheet], fmt: str, *, suppressed: bool = False) -> str:
    """Factsheets as text, CSV (for Excel) or JSON."""
    if fmt == "table":
        return "\n".join(factsheet_text(s, suppressed=suppressed) for s in sheets)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(["Team", "Periode", "Onderdeel", "Categorie", "Aantal", "Aandeel"])
        for sheet in sheets:
            for section, label, count, share in factsheet_rows(sheet, suppressed=suppressed):
                writer.writerow([sheet.route.name, sheet.period.label(), section, label, count,
                                 share])
        return buffer.getvalue()
    document = [
        {"team": sheet.route.name, "code": sheet.route.code,
         "period": {"label": sheet.period.label(), "first": sheet.period.first.isoformat(),
                    "last": sheet.period.last.isoformat()},
         "suppressed": suppressed,
         "figures": [{"section": section, "label": label,
                      "count": int(count) if count.isdigit() else count,
                      "share": share or None}
                     for section, label, count, share in factsheet_rows(sheet,
                                                                        suppressed=suppressed)]}
        for sheet in sheets
    ]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
