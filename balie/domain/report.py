"""Report arithmetic: counts per category and route, subtotals, totals, comparison, rates.

The screen, ``balie report`` and the export all call :func:`build_report` with counts
from :mod:`balie.db.reports`, so every output shows the same figures, computed by the
same code. A team's factsheet is :mod:`balie.domain.factsheet`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from balie.domain.followup import PENDING, PENDING_NAME, RESULTS
from balie.domain.models import Reference, Route
from balie.domain.periods import Period

BREAKDOWNS = {"village": "Dorp", "area": "Gebied", "channel": "Kanaal", "topic": "Onderwerp",
              "hour": "Uur", "referral": "Sociale kaart"}
"""Breakdown code -> Dutch column heading."""

NO_FOLLOWUP = ""
FOLLOWUP_COLUMNS: tuple[tuple[str, str], ...] = (
    *RESULTS, (PENDING, PENDING_NAME), (NO_FOLLOWUP, "geen nabellen"))
"""The follow-up results a report by referral counts per entry, in column order; every
referral is in exactly one of them."""
REFERRAL_NOTE = ("Een vraag met meer adressen telt bij elk adres; de totalen tellen "
                 "verwijzingen (Balie: info gegeven over). Nabellen: per verwijzing.")

AGE_BANDS = ("0-17", "18-26", "27-45", "46-67", "68+")
GENDER_NAMES = {"f": "vrouw", "m": "man", "x": "anders"}
UNKNOWN_HOUR = -1


@dataclass(frozen=True)
class Line:
    """One row of a report: a category, an area subtotal, or the total."""

    label: str
    kind: str
    """"item", "subtotal" or "total"."""
    cells: tuple[int, ...]
    """Inquiries per column (route), in the report's column order."""
    total: int
    previous: int | None = None
    """The same count in the same period a year earlier."""
    inhabitants: int | None = None
    group: str | None = None
    """The area a village belongs to."""
    rated: int | None = None
    """The count the rate per 1,000 is taken of, when not the total (the municipality's
    total leaves out inquiries from outside it and from unknown places)."""
    key: tuple = ()
    """What the line counts, the same in every report: ("village", id), ("area", id),
    ("channel", id), ("topic", id), ("hour", hour), ("referral", id) or ("total",)."""
    followups: tuple[int, ...] = ()
    """By referral: the line's referrals per follow-up result (FOLLOWUP_COLUMNS)."""

    @property
    def change(self) -> float | None:
        """Change against a year earlier, in percent (None when there is nothing to compare)."""
        if self.previous is None or self.previous == 0:
            return None
        return 100.0 * (self.total - self.previous) / self.previous

    @property
    def rate(self) -> float | None:
        """Inquiries per 1,000 inhabitants."""
        if not self.inhabitants:
            return None
        return 1000.0 * (self.total if self.rated is None else self.rated) / self.inhabitants


@dataclass(frozen=True)
class Report:
    period: Period
    breakdown: str
    columns: tuple[Route, ...]
    lines: tuple[Line, ...]
    """Items (with area subtotals when by village), and the total as the last line."""
    previous_period: Period
    note: str = ""
    partial: bool = False
    """The period is not over yet: it is compared with last year up to the same moment."""
    source: Report | None = None
    """The report whose figures this one shows in part (the villages behind an area
    report, all routes behind a report of one route): AVG suppression follows it."""
    before: Report | None = None
    """Last year's report of the same kind, whose totals are this one's comparison."""
    additive: bool = True
    """Whether items add up to the total (not so by topic: an inquiry can have several)."""
    followup_names: tuple[str, ...] = ()
    """By referral: the headings of the lines' ``followups``."""

    @property
    def total(self) -> Line:
        return self.lines[-1]

    @property
    def heading(self) -> str:
        return BREAKDOWNS[self.breakdown]


def _columns(reference: Reference, counts: Counter, route_codes: tuple[str, ...] | None,
             breakdown: str) -> tuple[Route, ...]:
    used = {route for (_, route), n in counts.items() if n}
    routes = [r for r in reference.routes.all if not r.retired or r.id in used]
    if breakdown == "referral":  # entries are named at the desk only, never by a team
        routes = [r for r in routes if not r.is_team]
    if route_codes:
        routes = [r for r in routes if r.code in route_codes]
    return tuple(routes)


def build_report(
    reference: Reference,
    period: Period,
    breakdown: str,
    cells: Counter,
    route_totals: Counter,
    previous_cells: Counter,
    previous_route_totals: Counter,
    *,
    route_codes: tuple[str, ...] | None = None,
    include_empty: bool = True,
    partial: bool = False,
    followups: Counter | None = None,
) -> Report:
    """Turn counts per (category, route id) into report lines.

    ``cells`` come from :func:`balie.db.reports.count` for the village breakdown when
    ``breakdown`` is "area" (areas add up their villages). ``followups`` (by referral):
    (entry id, route id, follow-up result) -> referrals.
    """
    columns = _columns(reference, cells + previous_cells, route_codes, breakdown)
    route_ids = [r.id for r in columns]

    def per_column(counter: Counter, keys) -> tuple[int, ...]:
        return tuple(sum(counter[(k, r)] for k in keys) for r in route_ids)

    def previous_of(keys) -> int:
        return sum(previous_cells[(k, r)] for k in keys for r in route_ids)

    lines: list[Line] = []

    def results_of(keys) -> tuple[int, ...]:
        if followups is None:
            return ()
        return tuple(sum(followups[(k, r, code)] for k in keys for r in route_ids)
                     for code, _ in FOLLOWUP_COLUMNS)

    def add(label, keys, kind="item", inhabitants=None, group=None, force=False, key=()
            ) -> Line:
        values = per_column(cells, keys)
        line = Line(label, kind, values, sum(values), previous_of(keys), inhabitants, group,
                    key=key, followups=results_of(keys))
        if force or include_empty or line.total or line.previous:
            lines.append(line)
        return line

    if breakdown == "village":
        for area in reference.areas.all:
            members = [v for v in reference.villages.all if v.area_id == area.id]
            villages = [v for v in members
                        if not v.retired or any(cells[(v.id, r)] or previous_cells[(v.id, r)]
                                                for r in route_ids)]
            if not villages:
                continue
            for village in villages:
                add(village.name, [village.id], inhabitants=village.inhabitants,
                    group=area.name, key=("village", village.id))
            # A subtotal wherever the area has several villages, shown or retired: which
            # lines a table has must not depend on the counts, or last year's table and
            # this year's comparison column would be protected differently.
            if len(members) > 1:
                ids = [v.id for v in members]
                known = [v.inhabitants for v in villages if v.inhabitants]
                add(f"Totaal {area.name}", ids, "subtotal", sum(known) or None, area.name,
                    key=("area", area.id))
    elif breakdown == "area":
        for area in reference.areas.all:
            villages = [v for v in reference.villages.all if v.area_id == area.id]
            known = [v.inhabitants for v in villages if v.inhabitants]
            add(area.name, [v.id for v in villages], inhabitants=sum(known) or None,
                key=("area", area.id))
    elif breakdown in ("channel", "topic", "referral"):
        entries = {"channel": reference.channels, "topic": reference.topics,
                   "referral": reference.directory}[breakdown]
        used = {key for (key, _) in cells + previous_cells}
        for entry in entries.all:
            if not entry.retired or entry.id in used:
                add(entry.name, [entry.id], key=(breakdown, entry.id))
    elif breakdown == "hour":
        hours = sorted({key for (key, _) in cells + previous_cells} - {UNKNOWN_HOUR})
        shown = range(24) if include_empty else hours
        for hour in shown:
            add(f"{hour:02d}:00-{hour + 1:02d}:00" if hour < 23 else "23:00-24:00", [hour],
                key=("hour", hour))
        if any(cells[(UNKNOWN_HOUR, r)] or previous_cells[(UNKNOWN_HOUR, r)]
               for r in route_ids):
            add("tijd onbekend", [UNKNOWN_HOUR], force=True, key=("hour", UNKNOWN_HOUR))
    else:
        raise ValueError(f"unknown breakdown {breakdown!r}")

    additive = breakdown != "topic"
    if additive:
        # Every category counts, shown or not (hidden empty rows add nothing).
        totals = tuple(sum(n for (k, r), n in cells.items() if r == rid) for rid in route_ids)
        previous_total = sum(n for (k, r), n in previous_cells.items() if r in route_ids)
    else:
        totals = tuple(route_totals[rid] for rid in route_ids)
        previous_total = sum(previous_route_totals[rid] for rid in route_ids)
    inhabited = [v for v in reference.villages.all if v.inhabitants]
    rated = sum(cells[(v.id, r)] for v in inhabited for r in route_ids)
    inhabitants = sum(v.inhabitants for v in inhabited) or None
    by_place = breakdown in ("village", "area")
    everything = [k for (k, _) in cells] if followups is not None else []
    lines.append(Line("Totaal", "total", totals, sum(totals), previous_total,
                      inhabitants if by_place else None, rated=rated if by_place else None,
                      key=("total",), followups=results_of(set(everything))))
    note = ("Een vraag met meer onderwerpen telt bij elk onderwerp; het totaal telt elke vraag "
            "één keer." if not additive else REFERRAL_NOTE if breakdown == "referral" else "")
    return Report(period, breakdown, columns, tuple(lines), period.year_earlier(), note=note,
                  additive=additive, partial=partial,
                  followup_names=tuple(name for _, name in FOLLOWUP_COLUMNS)
                  if followups is not None else ())


def linked_report(
    reference: Reference,
    period: Period,
    breakdown: str,
    cells: Counter,
    route_totals: Counter,
    previous_cells: Counter,
    previous_route_totals: Counter,
    *,
    route_codes: tuple[str, ...] | None = None,
    include_empty: bool = True,
    partial: bool = False,
    followups: Counter | None = None,
) -> Report:
    """:func:`build_report`, with the reports whose figures it shares attached for AVG
    publication: ``source``, the village report behind an area report or the
    all-routes report behind a report of some routes; ``before``, last year's report
    of the same kind (when the comparison is with all of last year's period)."""
    def detail(period: Period, cells: Counter, routes: Counter, previous: Counter,
               previous_routes: Counter) -> Report | None:
        if breakdown != "area" and not route_codes:
            return None
        return build_report(reference, period, "village" if breakdown == "area" else breakdown,
                            cells, routes, previous, previous_routes, partial=partial)

    result = build_report(reference, period, breakdown, cells, route_totals, previous_cells,
                          previous_route_totals, route_codes=route_codes,
                          include_empty=include_empty, partial=partial, followups=followups)
    result = replace(result, source=detail(period, cells, route_totals, previous_cells,
                                           previous_route_totals))
    if partial:
        return result
    # Last year's report with the same lines and columns as this one (a village used in
    # only one of the two years is in both): its comparison column is this year's.
    earlier = period.year_earlier()
    before = build_report(reference, earlier, breakdown, previous_cells, previous_route_totals,
                          cells, route_totals, route_codes=route_codes)
    return replace(result, before=replace(before, source=detail(
        earlier, previous_cells, previous_route_totals, cells, route_totals)))
