"""CSV for Dutch Excel: the one writer of every CSV balie makes.

The conventions: semicolons (Dutch Excel's list separator), CRLF line ends, Dutch
headers, UTF-8 with a byte order mark (:data:`ENCODING`), so a double click opens it
with ë and € intact.

A cell is data, never a formula. Excel (and LibreOffice) run a cell that begins with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``, DDE), and a leading tab
or carriage return can hide such a start. So a text cell that begins with one of those
gets a ``'`` in front (the OWASP CSV-injection advice), and Excel shows it as text. A
cell that is a plain number as Dutch Excel reads it (``12``, ``-12,5``, ``+3``,
``-12%``) is left alone: it cannot be a formula and must stay a number to sum and sort.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

ENCODING = "utf-8-sig"
"""UTF-8 with a byte order mark: how Dutch Excel recognises UTF-8 on a double click."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""What a spreadsheet may take as the start of a formula (also the full-width forms)."""

NUMBER = re.compile(r"[+-]?[0-9]+(?:,[0-9]+)?%?")
"""A number as Dutch Excel reads it: decimal comma, an optional sign or percent."""


def cell(value: object) -> str:
    """One cell's text: numbers as Dutch Excel reads them, text never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, "f").rstrip("0").rstrip(".").replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text for Dutch Excel (encode it with :data:`ENCODING`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()

