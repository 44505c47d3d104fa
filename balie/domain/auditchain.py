"""The hash chain of the audit log: each row carries a hash of itself and the row before.

NEN 7513 asks that the log's integrity can be shown. Each row's ``chain`` is the SHA-256
of the previous row's ``chain`` and this row's own fields (its number included), so a
row changed, deleted, inserted or moved breaks every link from there on, and
:func:`first_break` finds the first. The chain has no secret: whoever can write the file
can recompute it from the point they changed. What it proves is that the log is whole
*up to a head someone noted elsewhere* (``balie audit --verify`` prints the head; a
backup holds one too): a row before that head cannot change without the head changing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
"""The "previous row" of the first row."""

FIELDS = ("id", "at", "staff_id", "action", "inquiry_id", "detail", "origin")
"""The columns a link covers, in this order."""


def link(previous: str, row: Sequence[object]) -> str:
    """The chain value of ``row`` (the :data:`FIELDS`, in order) after ``previous``."""
    body = json.dumps([previous, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row at which the chain does not hold, and what is wrong there."""

    row_id: int
    problem: str
    """In Dutch: what was found at that row."""

    def message(self) -> str:
        return (f"Het auditlog is niet meer compleet of ongewijzigd: bij regel {self.row_id} "
                f"{self.problem}. Regels vanaf daar kunnen buiten balie om zijn gewijzigd, "
                "verwijderd of verplaatst.")


@dataclass(frozen=True)
class Progress:
    """How far a check got: the last row checked and its chain value."""

    last_id: int = 0
    last_chain: str = GENESIS
    rows: int = 0


START = Progress()
"""Before the first row."""


def check(rows: Iterable[Sequence[object]], start: Progress = START,
          accepted: Collection[int] = ()) -> tuple[Progress, Break | None]:
    """Check ``rows`` (the :data:`FIELDS` and then ``chain``, in id order) following on
    from ``start``. Returns how far it got and the first break, if any.

    A break at a row in ``accepted`` (beheer has seen it: ``balie audit --verify
    --accept``) is passed over: the chain goes on from that row's own link, so a later
    break still shows and an old one does not warn at every start.
    """
    last_id, last_chain, count = start.last_id, start.last_chain, start.rows
    for *fields, chain in rows:
        row_id = fields[0]
        if row_id in accepted and chain is not None and (
                row_id != last_id + 1 or link(last_chain, fields) != chain):
            last_id, last_chain, count = row_id, chain, count + 1
            continue
        if chain is None:
            return Progress(last_id, last_chain, count), Break(
                row_id, "staat een regel zonder schakel (buiten balie om toegevoegd)")
        if row_id != last_id + 1:  # balie numbers the rows one after the other
            missing = (f"regel {last_id + 1}" if row_id == last_id + 2
                       else f"de regels {last_id + 1} t/m {row_id - 1}")
            return Progress(last_id, last_chain, count), Break(row_id, f"ontbreekt {missing}")
        if link(last_chain, fields) != chain:
            return Progress(last_id, last_chain, count), Break(
                row_id, "klopt de inhoud of de volgorde niet meer")
        last_id, last_chain, count = row_id, chain, count + 1
    return Progress(last_id, last_chain, count), None
