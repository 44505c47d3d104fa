"""Text helpers shared by look-ups, type-ahead and validation."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Cliëntondersteuning" -> "clientondersteuning"."""
    if text.isascii():  # nothing to decompose: the common case, on every key
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def slug(text: str) -> str:
    """An identifier from a display name: "Digitale vaardigheden" -> "digitale_vaardigheden"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


# Characters that are not text: they steer a terminal (ESC starts an ANSI or OSC
# sequence that can move the cursor, erase lines, set the clipboard or a window title),
# end a line where the reader expects none, or reorder what is shown (bidi overrides,
# "Trojan source"). Each is replaced by one visible character, so a string keeps its
# length (and the positions in it) and nothing in it acts on the screen.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟ (␛ for ESC)
_PICTURES[0x7F] = "\u2421"  # ␡
_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 (CSI, OSC, ...)
_PICTURES.update({code: "\ufffd" for code in (
    0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_PICTURES_KEEPING_LINES = {**_PICTURES, 0x09: " ", 0x0D: " "}
"""For a block of text (a summary, a note): its line breaks stay, a tab or the carriage
return of a Windows line end is a space."""
del _PICTURES_KEEPING_LINES[0x0A]


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character made visible: ESC becomes ␛, a newline ␊,
    C1 controls and bidi overrides �. With ``lines`` (a block of text shown on several
    lines) newlines stay and tabs and carriage returns become spaces.

    Everything that shows data (names, reasons, origins, reference data) on a screen or
    a terminal passes it through this function; files keep the data as it is.
    """
    return text.translate(_PICTURES_KEEPING_LINES if lines else _PICTURES)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character that :func:`visible` would replace."""
    return visible(text) != text

def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes: wide (East Asian) characters two,
    combining marks none, everything else one."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def cut_to_width(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` in at most ``width`` cells: whole, or cut with an ellipsis."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out, used = [], 0
    for char in text:
        size = cell_width(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + ellipsis
