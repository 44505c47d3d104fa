"""Published factsheets as text (screen and terminal), CSV for Excel and JSON.

Every output reads the same :class:`~balie.domain.factsheet_publication.Page`, so a
figure is the same, and hidden the same, everywhere. Text uses the width it is given:
bars for shares, and two columns of sections when there is room for them. Numbers are
Dutch ("1.038", "6,5"); JSON carries numbers (a share is 0.631), the text and CSV
format them. The HTML page is :mod:`balie.domain.factsheet_html`.
"""

from __future__ import annotations

import json
import math

from balie.domain.factsheet import REFERRALS, TOTAL
from balie.domain.factsheet_publication import HIDDEN, SMALL, Page, Shown, ShownSection, dutch_int
from balie.domain.spreadsheet import csv_text

BAR = "█"
EIGHTHS = " ▏▎▍▌▋▊▉"
MIN_WIDTH = 40
COLUMN_WIDTH = 55
"""Sections go side by side when two columns of at least this width fit (a terminal of
120 columns has two)."""
LABEL_MAX = 36
LABEL_MAX_BESIDE = 30
"""The label column of sections side by side: room for the bars beside it."""
SHARE_WIDTH = 4
MIN_BAR = 8
GUTTER = 3
NOT_MEASURED = "Wachttijd tot oppakken: geen vraag van deze periode in balie opgepakt"
AVG_NOTE = (f"AVG: {SMALL} is 1 tot 10; {HIDDEN} is verborgen zodat kleine aantallen niet "
            "terug te rekenen zijn.")


def percent(share: float | None, signed: bool = False) -> str:
    """0.631 -> "63%" (half up); ``signed``: "+28%" / "−3%"."""
    if share is None:
        return ""
    value = math.floor(abs(share) * 100 + 0.5) * (1 if share >= 0 else -1)
    text = f"{value:+d}%" if signed else f"{value}%"
    return text.replace("-", "−")


def decimal(value: float, decimals: int = 1) -> str:
    """6.5 -> "6,5"."""
    return f"{value:.{decimals}f}".replace(".", ",")


def bar(share: float, width: int) -> str:
    """A horizontal bar of ``share`` (0..1) of ``width`` characters, in eighths."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    return BAR * full + (EIGHTHS[part] if part else "")


def heading(page: Page) -> str:
    sheet = page.sheet
    return f"{sheet.title} · {sheet.period.label()}"


def summary_items(page: Page) -> list[list[str]]:
    """The page's headline figures as short items, a group per subject: the total and
    the change, the flow, the waiting time."""
    total = [f"Vragen: {page.total.text}", f"{page.previous.label}: {page.previous.text}"]
    if page.change is not None:
        change = dutch_int(page.change)
        change = change if page.change < 0 else f"+{change}"
        share = percent(page.change_share, signed=True)
        total.append(f"verschil: {change}" + (f" ({share})" if share else ""))
    groups = [total]
    flow = page.flow
    if flow is not None:
        groups.append([f"Open van eerder: {dutch_int(flow.carried)}",
                       f"in behandeling: {dutch_int(flow.handled)}",
                       f"afgerond: {dutch_int(flow.closed)}",
                       f"nog open: {dutch_int(flow.open_at_end)}"])
    elif "flow" in page.withheld:
        groups.append([f"Doorloop {page.withheld['flow']}"])
    waiting = page.waiting
    if waiting is not None:
        groups.append([f"Wachttijd tot oppakken: mediaan {decimal(waiting.median_hours)} "
                       "werkuren", f"90% binnen {decimal(waiting.p90_hours)} werkuren",
                       f"gemeten over {dutch_int(waiting.measured)} vragen"]
                      if waiting.measured else [NOT_MEASURED])
    elif "waiting" in page.withheld:
        groups.append([f"Wachttijd tot oppakken {page.withheld['waiting']}"])
    return groups


def _flow_words(items: list[str], width: int) -> list[str]:
    """Items joined with " · " on lines of ``width``; an item longer than a line is
    wrapped at its spaces, never cut."""
    lines: list[str] = []
    current = ""
    for item in items:
        joined = f"{current} · {item}" if current else item
        if len(joined) <= width:
            current = joined
            continue
        if current:
            lines.append(current)
        current = ""
        for word in item.split(" "):
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = "  " + word
    if current:
        lines.append(current)
    return lines


def _cut(label: str, width: int) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def _labels(section: ShownSection) -> list[str]:
    return ["  " * (f.level + 1) + f.label for f in section.figures]


def label_width(sections: list[ShownSection]) -> int:
    """The width of the label column shared by these sections (their bars line up)."""
    longest = max((len(label) for s in sections for label in _labels(s)), default=0)
    return min(LABEL_MAX, max(longest, *(len(s.title) for s in sections), 0))


def section_lines(section: ShownSection, width: int, labels: int | None = None
                  ) -> list[str]:
    """A section as lines of at most ``width``: label, count, share and a bar; ``labels``
    is the width of the label column (the section's own longest label by default)."""
    if section.withheld:
        return [section.title, *("  " + line for line in
                                 _flow_words([section.withheld], width - 2))]
    if not section.figures:
        return [section.title, "  (geen)"]
    counts = [f.text for f in section.figures]
    count_width = max(6, *(len(c) for c in counts))
    has_shares = any(f.share is not None for f in section.figures)
    room = width - count_width - 1 - (SHARE_WIDTH + 1 if has_shares else 0)
    label_room = min(room, labels or label_width([section]))
    bar_width = room - label_room - 1
    if not has_shares or bar_width < MIN_BAR:  # no room for bars that say something
        bar_width = 0
    lines = [section.title.ljust(label_room) + " " + "aantal".rjust(count_width)
             + (" " + "deel".rjust(SHARE_WIDTH) if has_shares else "")]
    for figure, label, count in zip(section.figures, _labels(section), counts):
        line = _cut(label, label_room).ljust(label_room) + " " + count.rjust(count_width)
        if has_shares:
            line += " " + percent(figure.share).rjust(SHARE_WIDTH)
            if bar_width and figure.share is not None:
                line += " " + bar(figure.share, bar_width)
        lines.append(line.rstrip())
    if section.note:
        lines += ["  " + line for line in _flow_words([section.note], width - 2)]
    return lines


def page_lines(page: Page, width: int = 80) -> list[str]:
    """One page as lines of text of at most ``width`` characters: the headline figures,
    then the sections, side by side in two columns when there is room."""
    width = max(MIN_WIDTH, width)
    lines = [_cut(heading(page), width)]
    if page.suppressed:
        lines.append(_cut("Voor extern gebruik (AVG): kleine aantallen verborgen", width))
    lines.append("─" * width)
    for group in summary_items(page):
        lines += _flow_words(group, width)
    sections = list(page.sections)
    if width < 2 * COLUMN_WIDTH + GUTTER:
        labels = label_width(sections)
        for section in sections:
            lines += ["", *section_lines(section, width, labels)]
    else:
        column = (width - GUTTER) // 2
        labels = min(LABEL_MAX_BESIDE, label_width(sections))
        left: list[str] = []
        right: list[str] = []
        for section in sections:  # each to the shorter column, in reading order
            target = left if len(left) <= len(right) else right
            target += ["", *section_lines(section, column, labels)]
        for k in range(max(len(left), len(right))):
            a = left[k] if k < len(left) else ""
            b = right[k] if k < len(right) else ""
            lines.append((a.ljust(column) + " " * GUTTER + b).rstrip())
    if page.suppressed:
        lines += ["", *_flow_words([AVG_NOTE], width)]
    return lines


def pages_text(pages: list[Page], width: int = 80) -> str:
    """Every page as text, separated by a blank line."""
    return "\n\n".join("\n".join(page_lines(page, width)) for page in pages) + "\n"


# --- CSV and JSON ------------------------------------------------------------------------

CSV_HEADER = ["Team", "Periode", "Onderdeel", "Categorie", "Deel van", "Aantal",
              "Aandeel (%)"]


def _csv_share(share: float | None) -> str:
    return "" if share is None else decimal(100 * share)


def csv_rows(page: Page) -> list[list[str]]:
    """One row per figure: (section, label, part of, count or mark, share in %)."""
    sheet = page.sheet
    rows = [["Totaal", figure.label, "", figure.mark or str(figure.count), ""]
            for figure in (page.total, page.previous)]
    if page.change is not None:
        rows.append(["Totaal", "verschil", "", str(page.change),
                     _csv_share(page.change_share)])
    if page.flow is not None:
        flow = page.flow
        for label, n in (("nog open van vóór de periode", flow.carried), ("nieuw", flow.new),
                         ("in behandeling", flow.handled), ("afgerond", flow.closed),
                         ("nog open aan het eind", flow.open_at_end)):
            rows.append(["Doorloop", label, "", str(n), ""])
    elif "flow" in page.withheld:
        rows.append(["Doorloop", page.withheld["flow"], "", "", ""])
    if page.waiting is not None and page.waiting.measured:
        waiting = page.waiting
        title = "Wachttijd tot oppakken (werkuren)"
        rows += [[title, "mediaan", "", decimal(waiting.median_hours), ""],
                 [title, "90% binnen", "", decimal(waiting.p90_hours), ""],
                 [title, "gemeten over (vragen)", "", str(waiting.measured), ""]]
    elif "waiting" in page.withheld:
        rows.append(["Wachttijd tot oppakken", page.withheld["waiting"], "", "", ""])
    for section in page.sections:
        if section.withheld:
            rows.append([section.title, section.withheld, "", "", ""])
            continue
        for figure, parent in _with_parents(section, page):
            rows.append([section.title, figure.label, parent,
                         figure.mark or str(figure.count), _csv_share(figure.share)])
    return [[sheet.title, sheet.period.label(), *row] for row in rows]


def _with_parents(section: ShownSection, page: Page) -> list[tuple[Shown, str]]:
    """Each figure with the label of the figure it is part of ("" for none)."""
    whole = page.sheet.section(section.code)
    outer = ""
    if whole is not None and whole.whole == REFERRALS:
        outer = "Doorverwezen"
    result = []
    parent = outer
    for figure in section.figures:
        if figure.level == 0:
            result.append((figure, outer))
            parent = figure.label
        else:
            result.append((figure, parent))
    return result


def pages_csv(pages: list[Page]) -> str:
    """CSV for Dutch Excel (see :mod:`balie.domain.spreadsheet`)."""
    rows: list[list[str]] = [list(CSV_HEADER)]
    for page in pages:
        rows += csv_rows(page)
    if any(page.suppressed for page in pages):
        rows += [[], [AVG_NOTE]]
    return csv_text(rows)


def _json_figure(figure: Shown, parent: str) -> dict:
    return {"label": figure.label, "key": list(figure.key),
            "count": figure.count, "hidden": figure.mark,
            "share": None if figure.share is None else round(figure.share, 3),
            "part_of": parent or None}


def page_json(page: Page) -> dict:
    sheet = page.sheet
    flow = page.flow
    waiting = page.waiting
    return {
        "team": sheet.title,
        "code": sheet.code,
        "period": {"kind": sheet.period.kind, "label": sheet.period.label(),
                   "first": sheet.period.first.isoformat(),
                   "last": sheet.period.last.isoformat()},
        "partial": sheet.partial,
        "suppressed": page.suppressed,
        "total": page.total.count, "total_hidden": page.total.mark,
        "previous": page.previous.count, "previous_hidden": page.previous.mark,
        "change": page.change,
        "change_share": None if page.change_share is None else round(page.change_share, 3),
        "flow": None if flow is None else {
            "carried": flow.carried, "new": flow.new, "handled": flow.handled,
            "closed": flow.closed, "open_at_end": flow.open_at_end},
        "waiting_hours": None if waiting is None else {
            "measured": waiting.measured,
            "median": None if waiting.median_hours is None else round(waiting.median_hours, 2),
            "p90": None if waiting.p90_hours is None else round(waiting.p90_hours, 2)},
        "withheld": page.withheld or None,
        "sections": [
            {"code": section.code, "title": section.title,
             "adds_up_to": _adds_up_to(page, section),
             "note": section.note or None, "withheld": section.withheld,
             "figures": [_json_figure(f, p) for f, p in _with_parents(section, page)]}
            for section in page.sections],
    }


def _adds_up_to(page: Page, section: ShownSection) -> str | None:
    whole = page.sheet.section(section.code)
    if whole is None or whole.whole is None:
        return None
    return "total" if whole.whole == TOTAL else "referrals"


def pages_json(pages: list[Page]) -> str:
    return json.dumps([page_json(page) for page in pages], ensure_ascii=False, indent=2) + "\n"
