"""Text helpers shared by look-ups, type-ahead and validation."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Cliëntondersteuning" -> "clientondersteuning"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def slug(text: str) -> str:
    """An identifier from a display name: "Digitale vaardigheden" -> "digitale_vaardigheden"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
