"""Counting a period's factsheets: each team's page and the desk's.

A team's page reads one index range, its inquiries of the period in
``inquiry_factsheet`` (route, time, and every column the page breaks down by), counted
in Python (a ``Counter`` over the rows is cheaper than SQLite sorting them for a GROUP
BY); its topics join ``inquiry_topic`` from there. What was still open from before is
counted on the side of the period's start that has the least history: registrations
before it (``inquiry_factsheet``), or closings after it (``inquiry_closed``) and the
open inquiries (``inquiry_by_route_status``). The desk's page reads no row at all: a
range count per route and channel (``inquiry_channel``) and per hour of the clock
(``inquiry_hour``). Everything is read in one snapshot, so the pages add up.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from balie.db.access import Actor, require
from balie.db.connection import BalieDatabase
from balie.db.importing import FINISHED
from balie.db.reports import UNKNOWN, comparison_span, report
from balie.domain.factsheet import DeskCounts, FactSheet, TeamCounts, build_factsheets
from balie.domain.factsheet_publication import Page, channel_table, publish
from balie.domain.models import Reference
from balie.domain.periods import Period
from balie.domain.report import AGE_BANDS
from balie.domain.timekeeping import Span, from_db, offset_segments, utc_now

IN_TEAM_PERIOD = (f"route_id = :route AND registered_at >= :lower AND registered_at < :upper "
                  f"AND {FINISHED}")
"""A team's period; an import counts once it is complete (balie.db.importing)."""

# One integer per inquiry that packs what a team's page breaks it down by (village,
# gender, age band, channel, outcome as at the period's end): a Counter of plain
# integers is the cheapest way to count a year of rows, a third less than of tuples.
GENDER_CODES = ("", "f", "m", "x")
BANDS = (None, *AGE_BANDS)
TEAM_SQL = f"""
    SELECT ((((village_id * 4 + CASE gender WHEN 'f' THEN 1 WHEN 'm' THEN 2
                                           WHEN 'x' THEN 3 ELSE 0 END) * 8
              + CASE WHEN age IS NULL THEN 0 WHEN age < 18 THEN 1 WHEN age < 27 THEN 2
                     WHEN age < 46 THEN 3 WHEN age < 68 THEN 4 ELSE 5 END) * 65536
             + channel_id) * 1048576
            + CASE WHEN closed_at < :upper THEN coalesce(outcome_id, 0) ELSE -1 END + 1)
    FROM inquiry INDEXED BY inquiry_factsheet WHERE {IN_TEAM_PERIOD}"""
"""One packed row per inquiry (see :func:`team_counts`); the outcome is 0 for none and
-1 when it was still open at the period's end. The bands are the annual report's
(balie.domain.report.AGE_BANDS)."""


TEAM_WAITS_SQL = f"""
    SELECT wait_minutes, count(*) FROM inquiry INDEXED BY inquiry_factsheet
    WHERE {IN_TEAM_PERIOD} AND wait_minutes IS NOT NULL GROUP BY 1"""

TEAM_TOPICS_SQL = f"""
    SELECT inquiry_topic.topic_id, count(*)
    FROM inquiry INDEXED BY inquiry_factsheet
    JOIN inquiry_topic ON inquiry_topic.inquiry_id = inquiry.id
    WHERE {IN_TEAM_PERIOD} GROUP BY 1"""

TEAM_TOTAL_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_factsheet WHERE {IN_TEAM_PERIOD}"""

CLOSED_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_closed
    WHERE route_id = :route AND status = 'closed'
      AND closed_at >= :lower AND closed_at < :upper
      AND {FINISHED}"""

FIRST_SQL = f"""
    SELECT min(registered_at) FROM inquiry INDEXED BY inquiry_factsheet
    WHERE route_id = :route
      AND {FINISHED}"""

# Open when the period started: registered before it, not closed before it. Closed
# inquiries always have closed_at, open ones never (see balie.db.inquiries).
CARRIED_BEFORE_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_factsheet
    WHERE route_id = :route AND registered_at < :lower
      AND (closed_at IS NULL OR closed_at >= :lower)
      AND {FINISHED}"""
CARRIED_CLOSED_AFTER_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_closed
    WHERE route_id = :route AND status = 'closed' AND closed_at >= :lower
      AND registered_at < :lower
      AND {FINISHED}"""
CARRIED_OPEN_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_by_route_status
    WHERE route_id = :route AND status IN ('new', 'picked_up') AND registered_at < :lower
      AND {FINISHED}"""

DESK_CHANNEL_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_channel
    WHERE route_id = :route AND channel_id = :channel
      AND registered_at >= :lower AND registered_at < :upper
      AND {FINISHED}"""

DESK_HOUR_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_hour
    WHERE time_known = 1 AND substr(registered_at, 12, 2) = :hour
      AND registered_at >= :lower AND registered_at < :upper
      AND {FINISHED}"""
"""One UTC hour of the clock, with a time of registration."""

DESK_TOTAL_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_report
    WHERE registered_at >= :lower AND registered_at < :upper
      AND {FINISHED}"""


def _bounds(span: Span, **more) -> dict:
    lower, upper = span.db_bounds
    return {"lower": lower, "upper": upper, **more}


def carried(db: BalieDatabase, route_id: int, start: str, now: datetime,
            side: str | None = None) -> int:
    """Inquiries of a team still open at ``start`` (a database time) that were
    registered before it. ``side`` ("before" or "after") forces a way of counting; by
    default the one with less history to read."""
    params = {"route": route_id, "lower": start}
    if side is None:
        first = db.execute(FIRST_SQL, params).fetchone()[0]
        if first is None or first >= start:
            return 0
        side = "before" if from_db(start) - from_db(first) < now - from_db(start) else "after"
    if side == "before":
        return db.execute(CARRIED_BEFORE_SQL, params).fetchone()[0]
    return (db.execute(CARRIED_CLOSED_AFTER_SQL, params).fetchone()[0]
            + db.execute(CARRIED_OPEN_SQL, params).fetchone()[0])


def team_counts(db: BalieDatabase, route_id: int, period: Period, earlier: Span,
                now: datetime) -> TeamCounts:
    """Everything a team's page counts (read inside the caller's snapshot)."""
    params = _bounds(period.span, route=route_id)
    villages, genders, bands, channels, outcomes = (Counter() for _ in range(5))
    for (key,), n in Counter(db.execute(TEAM_SQL, params)).items():
        rest, outcome = divmod(key, 1048576)
        rest, channel = divmod(rest, 65536)
        rest, band = divmod(rest, 8)
        village, gender = divmod(rest, 4)
        villages[village] += n
        genders[GENDER_CODES[gender]] += n
        bands[BANDS[band]] += n
        channels[channel] += n
        outcomes[outcome - 1] += n
    return TeamCounts(
        villages, genders, bands, channels, outcomes,
        topics=Counter(dict(db.execute(TEAM_TOPICS_SQL, params).fetchall())),
        waits=Counter(dict(db.execute(TEAM_WAITS_SQL, params).fetchall())),
        previous=db.execute(TEAM_TOTAL_SQL, _bounds(earlier, route=route_id)).fetchone()[0],
        carried=carried(db, route_id, params["lower"], now),
        closed=db.execute(CLOSED_SQL, params).fetchone()[0],
    )


def desk_counts(db: BalieDatabase, reference: Reference, period: Period, earlier: Span
                ) -> DeskCounts:
    """Every inquiry of the period by route and channel, and by local hour (in the
    caller's snapshot): one small range count each, never a row read."""
    params = _bounds(period.span)
    channels = Counter({
        (channel.id, route.id): n
        for route in reference.routes.all for channel in reference.channels.all
        if (n := db.execute(DESK_CHANNEL_SQL, params | {"route": route.id,
                                                        "channel": channel.id}).fetchone()[0])})
    hours: Counter = Counter()
    for start, end, offset in offset_segments(period.span):
        for hour in range(24):
            n = db.execute(DESK_HOUR_SQL, {"lower": start, "upper": end,
                                           "hour": f"{hour:02d}"}).fetchone()[0]
            if n:
                hours[(hour + offset) % 24] += n
    if unknown := sum(channels.values()) - sum(hours.values()):
        hours[UNKNOWN] = unknown  # registrations without a time (imports)
    return DeskCounts(channels, hours, db.execute(DESK_TOTAL_SQL, _bounds(earlier)).fetchone()[0])


def _counts(db: BalieDatabase, reference: Reference, period: Period, team_ids: list[int],
            now: datetime) -> tuple[dict[int, TeamCounts], DeskCounts, bool]:
    earlier, partial = comparison_span(period, now)
    with db.snapshot():
        teams = {route: team_counts(db, route, period, earlier, now) for route in team_ids}
        desk = desk_counts(db, reference, period, earlier)
    return teams, desk, partial


def _selection(reference: Reference, route_codes: tuple[str, ...] | None
               ) -> tuple[list[int], bool]:
    """The teams whose pages are asked for, and whether the desk's page is (all pages
    without ``route_codes``; the desk's page is that of the route "desk")."""
    teams = [r.id for r in reference.teams if not route_codes or r.code in route_codes]
    return teams, not route_codes or "desk" in route_codes


def factsheets(db: BalieDatabase, actor: Actor, reference: Reference, period: Period,
               route_codes: tuple[str, ...] | None = None, now: datetime | None = None
               ) -> list[FactSheet]:
    """The pages of a period: each team's, then the desk's."""
    require(db, actor, "reports")
    team_ids, with_desk = _selection(reference, route_codes)
    now = now or utc_now()
    teams, desk, partial = _counts(db, reference, period, team_ids, now)
    return build_factsheets(reference, period, teams, desk if with_desk else None,
                            partial=partial)


def published_factsheets(db: BalieDatabase, actor: Actor, reference: Reference,
                         period: Period, route_codes: tuple[str, ...] | None = None,
                         now: datetime | None = None, *, suppressed: bool = False
                         ) -> list[Page]:
    """The pages as published: internally, or for outside use (AVG), every figure
    protected together with the village table of the period (see
    :mod:`balie.domain.factsheet_publication`)."""
    require(db, actor, "reports")
    team_ids, with_desk = _selection(reference, route_codes)
    now = now or utc_now()
    teams, desk, partial = _counts(db, reference, period, team_ids, now)
    sheets = build_factsheets(reference, period, teams, desk if with_desk else None,
                              partial=partial)
    if not suppressed:
        return publish(sheets)
    village = report(db, actor, reference, period, "village", now=now)
    return publish(sheets, village=village, channel=channel_table(reference, period, desk))


def query_plans(db: BalieDatabase, span: Span) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every factsheet query, for the benchmark's full-scan check."""
    params = _bounds(span, route=1, channel=1, hour="09")
    statements = {
        "factsheet team": TEAM_SQL, "factsheet topics": TEAM_TOPICS_SQL,
        "factsheet waits": TEAM_WAITS_SQL,
        "factsheet team total": TEAM_TOTAL_SQL, "factsheet closed": CLOSED_SQL,
        "factsheet first": FIRST_SQL, "factsheet carried (before)": CARRIED_BEFORE_SQL,
        "factsheet carried (closed after)": CARRIED_CLOSED_AFTER_SQL,
        "factsheet carried (open)": CARRIED_OPEN_SQL,
        "factsheet desk channels": DESK_CHANNEL_SQL, "factsheet desk hours": DESK_HOUR_SQL,
        "factsheet desk total": DESK_TOTAL_SQL,
    }
    return {name: [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            for name, sql in statements.items()}
