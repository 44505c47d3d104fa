"""Published factsheets as one self-contained HTML file: a printed A4 page per team.

Everything is in the file: the style sheet inline, each bar an inline SVG, no scripts,
no fonts, images or links to fetch, so it opens the same anywhere, offline, and prints
from any browser to one A4 sheet per page (``break-after: page``). Every text that
comes from data (team, village, topic, outcome names) is escaped. Numbers are Dutch:
"1.038", "63%", "6,5".
"""

from __future__ import annotations

from datetime import date
from html import escape

from balie.domain.factsheet_output import AVG_NOTE, decimal, heading, percent
from balie.domain.factsheet_publication import Page, ShownSection, dutch_int

BAR_HEIGHT = 9
LONG = 12
"""A section of more lines than this may continue in the next column."""
COLOUR = "#2b6f9e"

STYLE = """
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #1c2833; background: #fff;
       font: 9pt/1.3 "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 182mm; margin: 0 auto; padding: 6mm 0; break-after: page; }
.page:last-of-type { break-after: auto; }
h1 { font-size: 17pt; margin: 0; color: #17435f; }
.period { margin: 0 0 3mm; font-size: 11pt; color: #4a5a68; }
.avg { margin: 0 0 3mm; padding: 1.5mm 2.5mm; background: #fdf3d8; border-left: 3px solid #d9a400; }
.headline { display: flex; flex-wrap: wrap; gap: 2mm; margin: 0 0 4mm; padding: 0; }
.headline div { flex: 1 1 30mm; padding: 2mm 2.5mm; background: #eef4f8; border-radius: 2px; }
.headline dt { font-size: 8pt; color: #4a5a68; }
.headline dd { margin: 0; font-size: 13pt; font-weight: 600; color: #17435f; }
.headline dd small { font-size: 8.5pt; font-weight: normal; color: #4a5a68; }
.sections { column-count: 2; column-gap: 8mm; }
.block { break-inside: avoid; margin: 0 0 3.5mm; }
.block.long { break-inside: auto; }
h2 { break-after: avoid; }
h2 { font-size: 10.5pt; margin: 0 0 1mm; color: #17435f;
     border-bottom: 1px solid #c9d6e0; padding-bottom: 0.5mm; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: normal; padding: 0.3mm 1mm 0.3mm 0; }
td { padding: 0.3mm 0 0.3mm 1.5mm; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 1%; }
td.b { width: 30%; }
svg.bar { display: block; width: 100%; height: 2.4mm; }
tr.part th { padding-left: 3mm; color: #4a5a68; }
thead th, thead td { font-size: 7.5pt; color: #6a7a88; }
.note, .withheld { margin: 1mm 0 0; font-size: 8pt; color: #4a5a68; }
footer { margin-top: 2mm; font-size: 7.5pt; color: #6a7a88; }
@media screen { body { background: #e9edf0; }
  .page { background: #fff; margin: 6mm auto; padding: 10mm 12mm;
          box-shadow: 0 1px 4px rgba(0,0,0,.15); } }
"""


def _bar(share: float) -> str:
    """A bar as wide as its cell, filled for ``share``."""
    width = round(max(0.0, min(1.0, share)) * 100, 1)
    return (f'<svg class="bar" viewBox="0 0 100 {BAR_HEIGHT}" preserveAspectRatio="none" '
            f'role="img" aria-label="{escape(percent(share))}">'
            f'<rect width="100" height="{BAR_HEIGHT}" fill="#e3ebf1"/>'
            f'<rect width="{width}" height="{BAR_HEIGHT}" fill="{COLOUR}"/></svg>')


def _section(section: ShownSection) -> str:
    long = " long" if len(section.figures) > LONG else ""
    parts = [f'<div class="block{long}"><h2>{escape(section.title)}</h2>']
    if section.withheld:
        parts.append(f'<p class="withheld">{escape(section.withheld)}</p></div>')
        return "".join(parts)
    if not section.figures:
        parts.append('<p class="withheld">(geen)</p></div>')
        return "".join(parts)
    shares = any(f.share is not None for f in section.figures)
    parts.append('<table><thead><tr><th scope="col">&nbsp;</th>'
                 '<td class="n">aantal</td>'
                 + ('<td class="n">deel</td><td class="b"></td>' if shares else "")
                 + "</tr></thead><tbody>")
    for figure in section.figures:
        kind = ' class="part"' if figure.level else ""
        row = (f'<tr{kind}>'
               f'<th scope="row">{escape(figure.label)}</th>'
               f'<td class="n">{escape(figure.text)}</td>')
        if shares:
            row += f'<td class="n">{escape(percent(figure.share))}</td><td class="b">'
            row += (_bar(figure.share) if figure.share is not None else "") + "</td>"
        parts.append(row + "</tr>")
    parts.append("</tbody></table>")
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _headline(page: Page) -> str:
    """The page's main figures as large numbers."""
    sheet = page.sheet
    boxes = [("vragen", page.total.text, "")]
    previous = page.previous.text
    if page.change is not None:
        change = dutch_int(page.change)
        change = change if page.change < 0 else f"+{change}"
        share = percent(page.change_share, signed=True)
        boxes.append((f"verschil met {page.previous.label}", share or change,
                      f"{change}, was {previous}" if share else f"was {previous}"))
    else:
        boxes.append((page.previous.label, previous, ""))
    if page.flow is not None:
        flow = page.flow
        end = "nog open" if sheet.partial else "nog open aan het eind"
        boxes += [("in behandeling", dutch_int(flow.handled),
                   f"waarvan {dutch_int(flow.carried)} van eerder"),
                  ("afgerond", dutch_int(flow.closed),
                   f"{end}: {dutch_int(flow.open_at_end)}")]
    if page.waiting is not None and page.waiting.measured:
        waiting = page.waiting
        boxes.append(("wachttijd tot oppakken", f"{decimal(waiting.median_hours)} u",
                      f"werkuren (mediaan); 90% binnen {decimal(waiting.p90_hours)} u"))
    items = "".join(
        f"<div><dt>{escape(label)}</dt><dd>{escape(value)}"
        + (f" <small>{escape(small)}</small>" if small else "") + "</dd></div>"
        for label, value, small in boxes)
    withheld = "".join(f'<p class="withheld">{escape(what)} {escape(why)}</p>'
                       for what, why in (("Doorloop:", page.withheld.get("flow")),
                                         ("Wachttijd:", page.withheld.get("waiting")))
                       if why)
    return f'<dl class="headline">{items}</dl>{withheld}'


def _page(page: Page, number: int, made: date) -> str:
    sheet = page.sheet
    title = escape(sheet.title)
    avg = (f'<p class="avg">Voor extern gebruik (AVG). {escape(AVG_NOTE)}</p>'
           if page.suppressed else "")
    sections = "".join(_section(section) for section in page.sections)
    return (f'<section class="page" aria-labelledby="page-{number}">'
            f'<h1 id="page-{number}">{title}</h1>'
            f'<p class="period">{escape(sheet.period.label())}'
            f'{" (nog niet afgelopen)" if sheet.partial else ""}</p>{avg}'
            f'{_headline(page)}<div class="sections">{sections}</div>'
            f'<footer>Welzijnswerk Midden-Drenthe · balie · gemaakt op '
            f'{made:%d-%m-%Y}</footer></section>')


def pages_html(pages: list[Page], made: date) -> str:
    """A complete HTML document with one printed page per factsheet."""
    if pages:
        title = f"Factsheets {pages[0].sheet.period.label()}"
        if len(pages) == 1:
            title = heading(pages[0])
    else:
        title = "Factsheets"
    body = "".join(_page(page, k, made) for k, page in enumerate(pages, start=1)) or \
        "<p>Geen factsheets.</p>"
    return ('<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")
