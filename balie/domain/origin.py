"""Where a desk or a browser is, as the audit log records it (the *origin*).

An origin is a host and a terminal (``werkplek3 /dev/pts/2``), ``web`` and an address
(``web 192.0.2.7``, ``web fe80::1%eth0``) or a host and ``cli``. It is checked where it
enters: ``balie start --login --origin`` takes only this form, and an origin balie makes
itself from what the system says is cut to it, so no account can write markup, escape
sequences or a page of text into beheer's log (which shows it as text anyway).
"""

from __future__ import annotations

import string

from balie.domain.parsing import InvalidInput

MAX_ORIGIN = 100
ORIGIN_CHARACTERS = frozenset(string.ascii_letters + string.digits + " .:-_/%@")


def parse_origin(text: str) -> str:
    """An origin given from outside (the command line); refused unless well formed."""
    if not text.strip() or len(text) > MAX_ORIGIN or not set(text) <= ORIGIN_CHARACTERS:
        raise InvalidInput(
            f"Een herkomst is hooguit {MAX_ORIGIN} tekens: letters, cijfers, spaties en "
            ". : - _ / % @ (bijvoorbeeld 'web 192.0.2.7').")
    return text


def make_origin(*parts: str) -> str:
    """An origin from what the system says (a host name, a terminal's path): any other
    character becomes ``_`` and it is cut to :data:`MAX_ORIGIN`, so it always passes
    :func:`parse_origin`."""
    text = " ".join(part for part in parts if part)
    text = "".join(c if c in ORIGIN_CHARACTERS else "_" for c in text)[:MAX_ORIGIN]
    return text if text.strip() else "_"


def is_origin(text: str) -> bool:
    try:
        parse_origin(text)
    except InvalidInput:
        return False
    return True
