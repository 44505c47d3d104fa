"""Counting queries for the overview and reports.

Every query filters on a ``registered_at`` range and reads the covering index
``inquiry_report`` (``INDEXED BY`` makes a missing index an error instead of a silent
full scan). Local hours and days are computed per daylight-saving segment with that
segment's fixed UTC offset, so a day across a clock change is counted correctly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from balie.db.connection import BalieDatabase
from balie.domain.models import Reference
from balie.domain.periods import Period
from balie.domain.report import FactSheet, Report, build_factsheets, linked_report
from balie.domain.timekeeping import Span, offset_segments

UNKNOWN = -1
"""Category key for "not recorded" (e.g. the hour of an import without a time)."""

IN_PERIOD = "registered_at >= :lower AND registered_at < :upper"

BY_COLUMN_SQL = f"""
    SELECT {{column}}, route_id, count(*) FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY {{column}}, route_id"""

BY_TOPIC_SQL = """
    SELECT inquiry_topic.topic_id, inquiry.route_id, count(*)
    FROM inquiry INDEXED BY inquiry_report
    JOIN inquiry_topic ON inquiry_topic.inquiry_id = inquiry.id
    WHERE inquiry.registered_at >= :lower AND inquiry.registered_at < :upper
    GROUP BY inquiry_topic.topic_id, inquiry.route_id"""

BY_ROUTE_SQL = f"""
    SELECT route_id, count(*) FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY route_id"""

BY_HOUR_SQL = f"""
    SELECT CASE WHEN time_known
                THEN (CAST(substr(registered_at, 12, 2) AS INTEGER) + :offset) % 24
                ELSE {UNKNOWN} END,
           route_id, count(*)
    FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY 1, route_id"""

BY_DAY_SQL = f"""
    SELECT date(registered_at, :shift), {{column}}, count(*)
    FROM inquiry INDEXED BY inquiry_report
    WHERE {IN_PERIOD} GROUP BY 1, {{column}}"""

AGE_BAND_SQL = """CASE WHEN age IS NULL THEN 'onbekend' WHEN age < 18 THEN '0-17'
    WHEN age < 27 THEN '18-26' WHEN age < 46 THEN '27-45' WHEN age < 68 THEN '46-67'
    ELSE '68+' END"""

PROFILE_SQL = f"""
    SELECT route_id, village_id, coalesce(gender, ''), {AGE_BAND_SQL}, count(*)
    FROM inquiry INDEXED BY inquiry_by_route_time
    WHERE route_id = :route AND {IN_PERIOD} GROUP BY 1, 2, 3, 4"""

ROUTE_TOTAL_SQL = f"""
    SELECT count(*) FROM inquiry INDEXED BY inquiry_by_route_time
    WHERE route_id = :route AND {IN_PERIOD}"""

COLUMNS = {"village": "village_id", "channel": "channel_id", "route": "route_id"}


@dataclass(frozen=True)
class Counts:
    """Inquiries per (category key, route id), and per route counted once per inquiry."""

    cells: Counter
    """(category key, route id) -> count. In a topic breakdown every topic counts."""
    routes: Counter
    """route id -> inquiries (an inquiry with two topics counts once)."""


def count(db: BalieDatabase, span: Span, breakdown: str) -> Counts:
    """Counts for one period by village, channel, topic or hour (areas add up villages)."""
    lower, upper = span.db_bounds
    period = {"lower": lower, "upper": upper}
    cells: Counter = Counter()
    with db.snapshot():
        if breakdown in ("village", "channel"):
            sql = BY_COLUMN_SQL.format(column=COLUMNS[breakdown])
            cells.update({(k, r): n for k, r, n in db.execute(sql, period)})
        elif breakdown == "topic":
            cells.update({(k, r): n for k, r, n in db.execute(BY_TOPIC_SQL, period)})
        elif breakdown == "hour":
            for start, end, offset in offset_segments(span):
                rows = db.execute(BY_HOUR_SQL, {"lower": start, "upper": end, "offset": offset})
                cells.update({(k, r): n for k, r, n in rows})
        else:
            raise ValueError(f"unknown breakdown {breakdown!r}")
        if breakdown == "topic":
            routes = Counter(dict(db.execute(BY_ROUTE_SQL, period).fetchall()))
        else:
            routes = Counter()
            for (_, route), n in cells.items():
                routes[route] += n
    return Counts(cells, routes)


def daily(db: BalieDatabase, span: Span, by: str) -> Counter:
    """(Amsterdam date "YYYY-MM-DD", route or village id) -> inquiries, for charts."""
    sql = BY_DAY_SQL.format(column=COLUMNS[by])
    result: Counter = Counter()
    with db.snapshot():
        for start, end, offset in offset_segments(span):
            rows = db.execute(sql, {"lower": start, "upper": end, "shift": f"{offset:+d} hours"})
            result.update({(day, key): n for day, key, n in rows})
    return result


def profile(db: BalieDatabase, span: Span, route_ids: list[int]) -> Counter:
    """(route id, village id, gender, age band) -> inquiries: the stuff of a factsheet."""
    lower, upper = span.db_bounds
    result: Counter = Counter()
    with db.snapshot():
        for route in route_ids:
            rows = db.execute(PROFILE_SQL, {"lower": lower, "upper": upper, "route": route})
            result.update({(r, village, gender, band): n for r, village, gender, band, n in rows})
    return result


def route_totals(db: BalieDatabase, span: Span, route_ids: list[int]) -> Counter:
    """route id -> inquiries in the span."""
    lower, upper = span.db_bounds
    with db.snapshot():
        return Counter({
            route: db.execute(ROUTE_TOTAL_SQL, {"lower": lower, "upper": upper,
                                                "route": route}).fetchone()[0]
            for route in route_ids
        })


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
    reference: Reference,
    period: Period,
    breakdown: str,
    *,
    route_codes: tuple[str, ...] | None = None,
    include_empty: bool = True,
    now: datetime | None = None,
) -> Report:
    """The report for a period, with the same period a year earlier for comparison."""
    source = "village" if breakdown == "area" else breakdown
    current = count(db, period.span, source)
    span, partial = comparison_span(period, now)
    before = count(db, span, source)
    return linked_report(reference, period, breakdown, current.cells, current.routes,
                         before.cells, before.routes, route_codes=route_codes,
                         include_empty=include_empty, partial=partial)


def factsheets(
    db: BalieDatabase,
    reference: Reference,
    period: Period,
    route_codes: tuple[str, ...] | None = None,
    now: datetime | None = None,
) -> list[FactSheet]:
    """Factsheets of the teams for a period (usually a year) against a year earlier."""
    teams = [r.id for r in reference.routes.all
             if r.is_team and (not route_codes or r.code in route_codes)]
    span, partial = comparison_span(period, now)
    return build_factsheets(reference, period, profile(db, period.span, teams),
                            route_totals(db, span, teams), route_codes, partial=partial)


def query_plans(db: BalieDatabase, span: Span) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every report query, for the benchmark's full-scan check."""
    lower, upper = span.db_bounds
    period = {"lower": lower, "upper": upper, "offset": 1, "shift": "+1 hours", "route": 1}
    statements = {
        "by village": BY_COLUMN_SQL.format(column="village_id"),
        "by channel": BY_COLUMN_SQL.format(column="channel_id"),
        "by topic": BY_TOPIC_SQL,
        "by route": BY_ROUTE_SQL,
        "by hour": BY_HOUR_SQL,
        "by day": BY_DAY_SQL.format(column="route_id"),
        "factsheet": PROFILE_SQL,
        "team total": ROUTE_TOTAL_SQL,
    }
    return {
        name: [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", period)]
        for name, sql in statements.items()
    }
