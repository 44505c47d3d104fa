"""Counting queries for the overview and reports.

Every query filters on a ``registered_at`` range and reads the covering index
``inquiry_report`` (``INDEXED BY`` makes a missing index an error instead of a silent
full scan). Rows of an import that is not complete yet count nowhere
(:data:`balie.db.importing.FINISHED`, answered from the index too). Local hours and days
are computed per daylight-saving segment with that segment's fixed UTC offset, so a day
across a clock change is counted correctly. The factsheets are counted in
:mod:`balie.db.factsheets`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from balie.db.access import Actor, require
from balie.db.connection import BalieDatabase
from balie.db.importing import FINISHED
from balie.domain.models import Reference
from balie.domain.periods import Period
from balie.domain.report import FOLLOWUP_COLUMNS, NO_FOLLOWUP, Report, linked_report
from balie.domain.timekeeping import Span, offset_segments

UNKNOWN = -1
"""Category key for "not recorded" (e.g. the hour of an import without a time)."""

IN_PERIOD = f"registered_at >= :lower AND registered_at < :upper AND {FINISHED}"
"""The period; an import counts once it is complete (see balie.db.importing)."""

# {route} is route_id (where an inquiry is now, after transfers) or intake_route_id
# (where the desk sent it); both are in the covering index.
BY_COLUMN_SQL = f"""
    SELECT {{column}}, {{route}}, count(*) FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY {{column}}, {{route}}"""

BY_TOPIC_SQL = f"""
    SELECT inquiry_topic.topic_id, inquiry.{{route}}, count(*)
    FROM inquiry INDEXED BY inquiry_report
    JOIN inquiry_topic ON inquiry_topic.inquiry_id = inquiry.id
    WHERE inquiry.registered_at >= :lower AND inquiry.registered_at < :upper
      AND {FINISHED}
    GROUP BY inquiry_topic.topic_id, inquiry.{{route}}"""

# By entry of the sociale kaart: the referrals of the period's inquiries, and, through
# a small partial index of its own, those that got a follow-up, with its result.
BY_REFERRAL_SQL = f"""
    SELECT inquiry_referral.entry_id, inquiry.{{route}}, count(*)
    FROM inquiry INDEXED BY inquiry_report
    JOIN inquiry_referral ON inquiry_referral.inquiry_id = inquiry.id
    WHERE inquiry.registered_at >= :lower AND inquiry.registered_at < :upper
      AND {FINISHED}
    GROUP BY 1, 2"""

BY_FOLLOWUP_SQL = f"""
    SELECT inquiry_referral.entry_id, inquiry.{{route}}, inquiry.followup_result, count(*)
    FROM inquiry INDEXED BY inquiry_followup_report
    JOIN inquiry_referral ON inquiry_referral.inquiry_id = inquiry.id
    WHERE inquiry.followup_result IS NOT NULL
      AND inquiry.registered_at >= :lower AND inquiry.registered_at < :upper
      AND {FINISHED}
    GROUP BY 1, 2, 3"""

BY_ROUTE_SQL = f"""
    SELECT {{route}}, count(*) FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY {{route}}"""

BY_HOUR_SQL = f"""
    SELECT CASE WHEN time_known
                THEN (CAST(substr(registered_at, 12, 2) AS INTEGER) + :offset) % 24
                ELSE {UNKNOWN} END,
           {{route}}, count(*)
    FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY 1, {{route}}"""

BY_DAY_SQL = f"""
    SELECT date(registered_at, :shift), {{column}}, count(*)
    FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY 1, {{column}}"""

COLUMNS = {"village": "village_id", "channel": "channel_id", "route": "route_id"}
INTAKE_NOTE = "Routes zoals de balie ze koos, vóór doorzetten tussen teams."
ROUTE_BASES = {"end": "route_id", "intake": "intake_route_id"}
"""Count an inquiry at the route it has now ("end") or where the desk sent it."""


@dataclass(frozen=True)
class Counts:
    """Inquiries per (category key, route id), and per route counted once per inquiry."""

    cells: Counter
    """(category key, route id) -> count. In a topic breakdown every topic counts."""
    routes: Counter
    """route id -> inquiries (an inquiry with two topics counts once)."""
    followups: Counter | None = None
    """By referral: (entry id, route id, follow-up result or "") -> referrals."""


def count(db: BalieDatabase, span: Span, breakdown: str, *, route_basis: str = "end") -> Counts:
    """Counts for one period by village, channel, topic, hour or entry of the sociale
    kaart (areas add up villages).

    ``route_basis`` "end" counts each inquiry at the route it has now (after transfers
    between teams), "intake" at the route the desk gave it.
    """
    route = ROUTE_BASES[route_basis]
    lower, upper = span.db_bounds
    period = {"lower": lower, "upper": upper}
    cells: Counter = Counter()
    followups = None
    with db.snapshot():
        if breakdown == "referral":
            cells.update({(k, r): n for k, r, n in
                          db.execute(BY_REFERRAL_SQL.format(route=route), period)})
            followups = Counter({(k, r, result): n for k, r, result, n in
                                 db.execute(BY_FOLLOWUP_SQL.format(route=route), period)})
            for (k, r), n in cells.items():  # the rest had no follow-up
                followups[(k, r, NO_FOLLOWUP)] = n - sum(
                    followups[(k, r, code)] for code, _ in FOLLOWUP_COLUMNS if code)
        elif breakdown in ("village", "channel"):
            sql = BY_COLUMN_SQL.format(column=COLUMNS[breakdown], route=route)
            cells.update({(k, r): n for k, r, n in db.execute(sql, period)})
        elif breakdown == "topic":
            sql = BY_TOPIC_SQL.format(route=route)
            cells.update({(k, r): n for k, r, n in db.execute(sql, period)})
        elif breakdown == "hour":
            for start, end, offset in offset_segments(span):
                rows = db.execute(BY_HOUR_SQL.format(route=route),
                                  {"lower": start, "upper": end, "offset": offset})
                cells.update({(k, r): n for k, r, n in rows})
        else:
            raise ValueError(f"unknown breakdown {breakdown!r}")
        if breakdown == "topic":
            sql = BY_ROUTE_SQL.format(route=route)
            routes = Counter(dict(db.execute(sql, period).fetchall()))
        else:
            routes = Counter()
            for (_, route), n in cells.items():
                routes[route] += n
    return Counts(cells, routes, followups)


def daily(db: BalieDatabase, actor: Actor, span: Span, by: str, *,
          route_basis: str = "end") -> Counter:
    """(Amsterdam date "YYYY-MM-DD", route or village id) -> inquiries, for charts."""
    require(db, actor, "reports")
    column = ROUTE_BASES[route_basis] if by == "route" else COLUMNS[by]
    sql = BY_DAY_SQL.format(column=column)
    result: Counter = Counter()
    with db.snapshot():
        for start, end, offset in offset_segments(span):
            rows = db.execute(sql, {"lower": start, "upper": end, "shift": f"{offset:+d} hours"})
            result.update({(day, key): n for day, key, n in rows})
    return result


def comparison_span(period: Period, now: datetime | None) -> tuple[Span, bool]:
    """The span of a year earlier to compare with, and whether it is cut short.

    A period that is not over yet (this month, today) is compared with the same
    period a year earlier up to the same moment, not with all of it.
    """
    earlier = period.year_earlier().span
    current = period.span
    if now is None or not current.start <= now < current.end:
        return earlier, False
    return Span(earlier.start, min(earlier.end, earlier.start + (now - current.start))), True


def report(
    db: BalieDatabase,
    actor: Actor,
    reference: Reference,
    period: Period,
    breakdown: str,
    *,
    route_codes: tuple[str, ...] | None = None,
    include_empty: bool = True,
    now: datetime | None = None,
    route_basis: str = "end",
) -> Report:
    """The report for a period, with the same period a year earlier for comparison.

    ``route_basis``: see :func:`count`.
    """
    require(db, actor, "reports")
    source = "village" if breakdown == "area" else breakdown
    current = count(db, period.span, source, route_basis=route_basis)
    span, partial = comparison_span(period, now)
    before = count(db, span, source, route_basis=route_basis)
    result = linked_report(reference, period, breakdown, current.cells, current.routes,
                           before.cells, before.routes, route_codes=route_codes,
                           include_empty=include_empty, partial=partial,
                           followups=current.followups)
    if route_basis == "intake":
        result = replace(result, note=" ".join(filter(None, (INTAKE_NOTE, result.note))))
    return result


def query_plans(db: BalieDatabase, span: Span) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every report query, for the benchmark's full-scan check."""
    lower, upper = span.db_bounds
    period = {"lower": lower, "upper": upper, "offset": 1, "shift": "+1 hours", "route": 1}
    statements = {
        "by village": BY_COLUMN_SQL.format(column="village_id", route="route_id"),
        "by village, intake route": BY_COLUMN_SQL.format(column="village_id",
                                                         route="intake_route_id"),
        "by channel": BY_COLUMN_SQL.format(column="channel_id", route="route_id"),
        "by topic": BY_TOPIC_SQL.format(route="route_id"),
        "by referral": BY_REFERRAL_SQL.format(route="route_id"),
        "by referral, follow-ups": BY_FOLLOWUP_SQL.format(route="route_id"),
        "by route": BY_ROUTE_SQL.format(route="route_id"),
        "by hour": BY_HOUR_SQL.format(route="route_id"),
        "by day": BY_DAY_SQL.format(column="route_id"),
    }
    return {
        name: [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", period)]
        for name, sql in statements.items()
    }
