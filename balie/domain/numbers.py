"""Numbers as a Dutch reader writes them: 7.860 inquiries, 12,5 per 1.000, −12%.

One formatter for every screen, table and message, so the same figure never reads
"7.860" in one place and "7860" in another. Files for a spreadsheet (CSV) and JSON keep
plain numbers: Excel and programs read those whatever their language.
"""

from __future__ import annotations

MINUS = "−"
"""A real minus sign: as wide as a plus, and not read as a hyphen."""


def count(n: int) -> str:
    """7860 -> "7.860"; 999 -> "999"; -1200 -> "−1.200"."""
    text = f"{abs(n):,}".replace(",", ".")
    return MINUS + text if n < 0 else text


def decimal(value: float, decimals: int = 1) -> str:
    """1234.56 -> "1.234,6" (``decimals`` places after the comma)."""
    text = f"{abs(value):,.{decimals}f}".translate({ord(","): ".", ord("."): ","})
    return MINUS + text if value < 0 and text.strip("0,.") else text


def change(percent: float) -> str:
    """A change in percent with its sign: "+12%", "−3%", "+1.250%"."""
    rounded = round(percent)
    return ("+" if rounded >= 0 else MINUS) + count(abs(rounded)) + "%"


def grouped(text: str) -> str:
    """A count already written as plain digits ("7860") with its thousands grouped;
    anything else ("<10", "x", "") as it is."""
    return count(int(text)) if text.isdigit() else text
