"""Retention: the personal details of closed inquiries go when their route's term ends.

Each route has a retention period in calendar months (``route.retention_months``: 24
for the teams, 6 for the desk and external referrals; ``balie ref set routes NAAM
--retention-months N``). An inquiry is due when

- it is closed, and was closed more than its route's period ago (the route it has
  now: after a transfer, the team that closed it);
- its callback, if it has one, is done, or was due before that same moment (a
  callback nobody marked as done does not keep a name forever); the same for the
  follow-up of a referral;
- its details have not been erased since it was closed (``erased_at`` is empty).

Due inquiries are erased by :func:`balie.db.erasure.erase_inquiries`, the routine that
also serves the requests of the people registered; afterwards the name index is merged
and the log emptied (:func:`balie.db.erasure.purge`).

The work goes in batches of :data:`BATCH_SIZE` inquiries, each its own short write
transaction, so desks that save meanwhile wait milliseconds, not minutes, even on the
first run over ten years of registrations (measured on a million inquiries: 35 s in
all, no batch holding the lock longer than 0.14 s). A run that is interrupted keeps
what it erased; the next run carries on, and merges the index and empties the log
whether or not anything is left to erase.

Audit log: one ``erase`` row per batch, in the batch's own transaction, naming the
inquiries as number ranges (``bewaartermijn: 500 vragen: 1-420, 425-504``), and one
``retention`` row per run with the total. Not one row per inquiry: the first run over
a database of years would add a million rows (with the log's three indexes some
150 MB, kept forever, since the log is append-only) that say no more than the ranges
do. An erased inquiry carries its own ``erased_at``; a beheerder who looks for one
number finds it in the ranges of the batch rows. Erasure at a person's request, which
concerns a handful of inquiries, does write one row per inquiry
(:mod:`balie.db.subject`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.drafts import expire_drafts
from balie.db.erasure import Purge, erase_inquiries, purge
from balie.db.importing import FINISHED
from balie.domain.retention import inquiries, number_ranges, retention_cutoff
from balie.domain.timekeeping import to_db

BATCH_SIZE = 500
"""Inquiries per write transaction: a few tens of milliseconds of write lock."""


@dataclass(frozen=True)
class RouteDue:
    """Inquiries of one route whose details are due to be erased."""

    route: str
    months: int
    count: int


@dataclass(frozen=True)
class RetentionRun:
    erased: int
    """Inquiries whose details were erased in this run."""
    batches: int
    purge: Purge


DUE = """SELECT {columns} FROM inquiry INDEXED BY inquiry_retention
    WHERE inquiry.route_id = ? AND inquiry.erased_at IS NULL AND inquiry.closed_at < ?
      AND inquiry.status = 'closed'
      AND (inquiry.callback_at IS NULL OR inquiry.callback_done_at IS NOT NULL
           OR inquiry.callback_at < ?)
      AND (inquiry.followup_at IS NULL OR inquiry.followup_result != 'pending'
           OR inquiry.followup_at < ?)
      AND """ + FINISHED
"""The inquiries of one route due at its cutoff: one range of the partial index
``inquiry_retention`` (route, closed_at; not yet erased). Erased inquiries leave the
index, so after the first run each range holds only what became due since."""


def _cutoffs(db: BalieDatabase, now: datetime) -> list[tuple[int, str, int, str]]:
    """(route id, name, months, cutoff) of every route, in display order."""
    return [(route_id, name, months, to_db(retention_cutoff(now, months)))
            for route_id, name, months in db.execute(
                "SELECT id, name, retention_months FROM route ORDER BY sort_order, id")]


def _due(db: BalieDatabase, columns: str, route_id: int, cutoff: str, tail: str = "",
         extra: tuple = ()) -> list[tuple]:
    return db.execute(DUE.format(columns=columns) + tail,
                      [route_id, cutoff, cutoff, cutoff, *extra]).fetchall()


def retention_due(db: BalieDatabase, now: datetime) -> int:
    """How many inquiries are due for erasure: the check the app makes at the start for
    beheer. No personal details are read (a count), so no role is needed."""
    with db.snapshot():
        return sum(_due(db, "count(*)", route_id, cutoff)[0][0]
                   for route_id, _, _, cutoff in _cutoffs(db, now))


def due_by_route(db: BalieDatabase, actor: Actor, now: datetime) -> list[RouteDue]:
    """What a run would erase now, per route (``balie retention --dry-run``); every route,
    those with nothing due too."""
    with db.snapshot():
        require(db, actor, "retention")
        return [RouteDue(name, months, _due(db, "count(*)", route_id, cutoff)[0][0])
                for route_id, name, months, cutoff in _cutoffs(db, now)]


def apply_retention(db: BalieDatabase, actor: Actor, now: datetime, *,
                    batch_size: int = BATCH_SIZE,
                    progress: Callable[[int], None] | None = None) -> RetentionRun:
    """Erase the personal details of every inquiry due at ``now`` (role beheer).

    ``progress`` is called after each batch with the number erased so far.
    """
    erased = batches = 0
    while True:
        with db.write():
            require(db, actor, "retention")
            ids: list[int] = []
            for route_id, _, _, cutoff in _cutoffs(db, now):
                ids += [row[0] for row in _due(
                    db, "inquiry.id", route_id, cutoff, " ORDER BY inquiry.closed_at LIMIT ?",
                    (batch_size - len(ids),))]
                if len(ids) >= batch_size:
                    break
            if ids:
                erase_inquiries(db, ids, now)
                audit(db, actor, "erase", now,
                      detail=f"bewaartermijn: {inquiries(len(ids))}: {number_ranges(ids)}")
        if not ids:
            break
        erased += len(ids)
        batches += 1
        if progress is not None:
            progress(erased)
    # Drafts nobody came back to (typed names among them) go too, before the merge.
    expired = expire_drafts(db, now)
    # Also when nothing was due: a run that was interrupted erased without merging.
    result = purge(db)
    audit(db, actor, "retention", now,
          detail=f"{inquiries(erased)} gewist in {batches} delen"
                 f"{f', {expired} oude concepten' if expired else ''}; logbestand "
                 f"{'geleegd' if result.log_emptied else 'nog niet geleegd (balie las)'}")
    return RetentionRun(erased, batches, result)
