"""Every table balie publishes for outside use, attacked together.

A reader who has a year's published tables (by village, by area, per route, every page
of the factsheets: the teams' and the desk's) and last year's gets them all at once.
Hiding a count in one table is worthless if another publishes it, or publishes enough
to subtract it. This attacker knows nothing of how balie chooses the hidden cells: it
sets up the true counts as whole-number unknowns (per village and route; per team and
gender, age band, outcome, topic; per route and channel; per hour of the day), adds
what it knows of how they add up (a team's genders, ages and outcomes add up to its
total, the channels of a route to the route's total, the hours to everything; every
inquiry has a topic, a topic counts at most every inquiry, the five topics shown are
the most frequent), adds every published figure as a linear fact ("<10": 1..9, "x": at
least 10, a number: equal; a rate per 1,000 inhabitants: the count within its
rounding) and asks an integer program for the smallest and largest value of each "<10".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import LinearConstraint, milp

from balie.domain.factsheet import (
    NO_OUTCOME,
    OPEN,
    DeskCounts,
    TeamCounts,
    build_factsheets,
    is_referral,
)
from balie.domain.factsheet_publication import channel_table
from balie.domain.factsheet_publication import publish as publish_pages
from balie.domain.models import Area, Entries, Reference, Village
from balie.domain.periods import containing
from balie.domain.report import (
    AGE_BANDS,
    FOLLOWUP_COLUMNS,
    GENDER_NAMES,
    UNKNOWN_HOUR,
    linked_report,
)
from balie.domain.report_output import published_rows, table_rows

YEAR = containing("year", date(2025, 6, 1))
GENDERS = (*GENDER_NAMES, "")
BANDS = (*AGE_BANDS, None)
HOURS = (9, 11, 14, UNKNOWN_HOUR)
ALL_HOURS = (*range(24), UNKNOWN_HOUR)
COUNT = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 30))


class Attacker:
    """Unknowns, and the linear facts the published figures give about them."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.facts: list[tuple[dict[int, int], float, float]] = []
        self.small: list[tuple[str, dict[int, int]]] = []

    def form(self, keys) -> dict[int, int]:
        result: dict[int, int] = {}
        for key in keys:
            k = self.index.setdefault(key, len(self.index))
            result[k] = result.get(k, 0) + 1
        return result

    def read(self, where: str, keys, text: str) -> None:
        """One published figure: the sum of the unknowns ``keys``, shown as ``text``."""
        form = self.form(keys)
        if text.isdigit():
            self.facts.append((form, int(text), int(text)))
        elif text == "<10":
            self.facts.append((form, 1, 9))
            self.small.append((where, form))
        elif text == "x":
            self.facts.append((form, 10, np.inf))
        else:
            assert text == "", f"{where}: unexpected {text!r}"

    def read_rate(self, keys, text: str, inhabitants: int) -> None:
        """A rate per 1,000 inhabitants, rounded to one decimal: the count within bounds."""
        if text:
            rate = float(text.replace(".", "").replace(",", "."))  # Dutch: 1.000,5
            self.facts.append((self.form(keys), (rate - 0.05) * inhabitants / 1000,
                               (rate + 0.05) * inhabitants / 1000))

    def read_shown(self, where: str, keys, shown) -> None:
        """A figure of a factsheet page: its count, or its mark."""
        self.read(where, keys, shown.mark or str(shown.count))

    def at_least(self, left, right) -> None:
        """One sum of unknowns is at least another (every inquiry has a topic)."""
        form = self.form(left)
        for k, coef in self.form(right).items():
            form[k] = form.get(k, 0) - coef
        self.facts.append((form, 0, np.inf))

    def same(self, left, right) -> None:
        """Two sums of unknowns that are equal (a team's genders add up to its total)."""
        form = self.form(left)
        for k, coef in self.form(right).items():
            form[k] = form.get(k, 0) - coef
        self.facts.append((form, 0, 0))

    def exposed(self) -> list[tuple[str, float, float]]:
        n = len(self.index)
        matrix = np.zeros((len(self.facts), n))
        for row, (form, _, _) in enumerate(self.facts):
            for k, coef in form.items():
                matrix[row, k] += coef
        facts = LinearConstraint(matrix, [f[1] for f in self.facts], [f[2] for f in self.facts])
        found = []
        for where, form in self.small:
            ranges = []
            for sign in (1, -1):
                objective = np.zeros(n)
                for k, coef in form.items():
                    objective[k] = sign * coef
                result = milp(objective, constraints=facts, integrality=np.ones(n),
                              bounds=(0, np.inf))
                assert result.status == 0, "the true counts must fit what is published"
                ranges.append(sign * result.fun)
            if ranges[1] - ranges[0] < 0.5:  # whole numbers: one value left
                found.append((where, *ranges))
        return found


def edited(reference: Reference) -> Reference:
    """The reference data after a year of edits: a village named like its area that is
    no longer alone in it, a retired village, an area without villages yet."""
    areas = {area.name: area for area in reference.areas.all}
    new_id = max(v.id for v in reference.villages.all) + 1
    beilen, ring = areas["Beilen"], areas["Dorpen rond Smilde"]
    villages = (*reference.villages.all,
                Village(new_id, "Beilen-Noord", beilen.id, beilen.name, 800),
                Village(new_id + 1, "Oud-Smilde", ring.id, ring.name, 90, retired=True))
    area = Area(max(a.id for a in reference.areas.all) + 1, "Nieuw gebied")
    return replace(reference, areas=Entries.of((*reference.areas.all, area)),
                   villages=Entries.of(villages))


GROUP = st.tuples(COUNT, st.sampled_from(GENDERS), st.sampled_from(BANDS),
                  st.integers(0, 3), st.integers(0, 9), st.sampled_from(HOURS),
                  st.sets(st.integers(0, 7), min_size=1, max_size=2))
"""A group of inquiries alike: (count, gender, age band, channel, outcome, hour, topics), by
position in the reference data's lists."""


@st.composite
def years(draw, reference: Reference) -> dict[str, list]:
    """Two years of groups of inquiries in a few villages (not the same ones in both
    years): (village, route, count, gender, age, channel, outcome, hour, topics)."""
    pool = [v.id for v in reference.villages.all]
    result = {}
    for year in ("now", "before"):
        villages = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        groups = []
        for village in villages:
            for route in reference.routes.all:
                for _ in range(draw(st.integers(0, 2) if route.is_team else st.integers(0, 1))):
                    groups.append((village, route.id, *draw(GROUP)))
        result[year] = groups
    return result


def counts_of(reference: Reference, groups: list) -> tuple[Counter, dict, DeskCounts]:
    """The counts the tables and pages are made of: (village, route) cells, each team's
    counts and the desk's."""
    channels = [c.id for c in reference.channels.all]
    topics = [t.id for t in reference.topics.all]
    outcomes = [o.id for o in reference.outcomes.all] + [NO_OUTCOME, OPEN]
    cells: Counter = Counter()
    teams = {r.id: (Counter(), Counter()) for r in reference.teams}
    desk_channels: Counter = Counter()
    hours: Counter = Counter()
    for village, route, n, gender, band, channel, outcome, hour, chosen in groups:
        if not n:
            continue
        cells[(village, route)] += n
        desk_channels[(channels[channel], route)] += n
        hours[hour] += n
        if route in teams:
            key = (village, gender, band, channels[channel], outcomes[outcome % len(outcomes)])
            teams[route][0][key] += n
            for t in chosen:
                teams[route][1][topics[t]] += n
    return cells, teams, DeskCounts(desk_channels, hours, 0)


def villages_of(reference: Reference, key: tuple) -> list[int]:
    """The villages whose counts a line (by its key) adds up."""
    if key == ("total",):
        return [v.id for v in reference.villages.all]
    if key[0] == "area":
        return [v.id for v in reference.villages.all if v.area_id == key[1]]
    assert key[0] == "village", key
    return [key[1]]


def read_table(attacker: Attacker, reference: Reference, report, year: str,
               before: str | None, where: str, rows=None) -> None:
    """Every figure of one published table: cells, totals, last year, rates."""
    published, texts = published_rows(report, suppressed=True)
    if rows is not None:  # a table published some other way (see the test of the test)
        texts = rows
    routes = [route.id for route in published.columns]
    width = len(routes)
    inhabited = {v.id for v in reference.villages.all if v.inhabitants}
    for line, row in zip(published.lines, texts):
        villages = villages_of(reference, line.key)
        here = f"{where} {line.label}"

        def unknowns(when, villages=villages, routes=routes):
            return [(when, v, r) for v in villages for r in routes]

        for j, route in enumerate(routes):
            attacker.read(f"{here} {route}", unknowns(year, routes=[route]), row[1 + j])
        attacker.read(f"{here} totaal", unknowns(year), row[1 + width])
        if before:
            attacker.read(f"{here} vorig jaar", unknowns(before), row[2 + width])
        # The change comes from two figures read already; the rate is a count of its own.
        if line.inhabitants:
            rated = [v for v in villages if v in inhabited] if line.rated is not None \
                else villages
            attacker.read_rate(unknowns(year, villages=rated), row[4 + width],
                               line.inhabitants)


def publish(attacker: Attacker, reference: Reference, data: dict[str, list]) -> None:
    """Feed the attacker every table and every factsheet page of this year and last."""
    counted = {year: counts_of(reference, data[year]) for year in ("now", "before")}
    for year, period, before in (("now", YEAR, "before"), ("before", YEAR.year_earlier(), None)):
        cells, teams, desk = counted[year]
        previous = counted[before][0] if before else Counter()
        totals, previous_totals = Counter(), Counter()
        for (_, route), n in cells.items():
            totals[route] += n
        for (_, route), n in previous.items():
            previous_totals[route] += n
        village_report = None
        for breakdown in ("village", "area"):
            for codes in (None, *((route.code,) for route in reference.routes.all)):
                report = linked_report(reference, period, breakdown, cells, totals, previous,
                                       previous_totals, route_codes=codes, include_empty=False)
                if breakdown == "village" and codes is None:
                    village_report = report
                read_table(attacker, reference, report, year, before,
                           f"{year} {breakdown} {codes}")
        sheets = build_factsheets(
            reference, period,
            {team: TeamCounts.of_rows(rows, topics, Counter({90: 1}), previous_totals[team], 3, 4)
             for team, (rows, topics) in teams.items()},
            replace(desk, previous=sum(previous_totals.values())))
        pages = publish_pages(sheets, village=village_report,
                              channel=channel_table(reference, period, desk))
        read_pages(attacker, reference, pages, year, before)


def read_pages(attacker: Attacker, reference: Reference, pages, year: str,
               before: str | None) -> None:
    """Every figure of every factsheet page, and what the attacker knows of how the
    unknowns behind them add up."""
    everywhere = villages_of(reference, ("total",))
    routes = [r.id for r in reference.routes.all]
    channels = [c.id for c in reference.channels.all]
    referrals = [o.id for o in reference.outcomes.all if is_referral(o.name)]
    outcome_keys = [o.id for o in reference.outcomes.all] + [NO_OUTCOME, OPEN]

    def of_route(route):
        return [(year, v, route) for v in everywhere]

    # How the unknowns add up: channels to routes, hours to everything.
    for route in routes:
        attacker.same([(year, "channel", c, route) for c in channels], of_route(route))
    attacker.same([(year, "hour", h) for h in ALL_HOURS],
                  [(year, v, r) for v in everywhere for r in routes])
    for page in pages:
        # The flow carries over from period to period: never published for outside use.
        assert page.suppressed and page.flow is None
        assert page.sheet.flow is None or "flow" in page.withheld
        team = page.sheet.route.id if page.sheet.route else None
        where = f"{year} factsheet {page.sheet.code}"
        if team is not None:
            for kind, values in (("gender", GENDERS), ("age", BANDS),
                                 ("outcome", outcome_keys)):
                attacker.same([(year, kind, team, value) for value in values], of_route(team))
            topics = [(year, "topic", team, t.id) for t in reference.topics.all]
            attacker.at_least(topics, of_route(team))  # every inquiry has a topic
            for topic in topics:
                attacker.at_least(of_route(team), [topic])  # and counts once per topic
        total = of_route(team) if team else [(year, v, r) for v in everywhere for r in routes]
        attacker.read_shown(f"{where} totaal", total, page.total)
        if before:
            earlier = [(before, v, team) for v in everywhere] if team else \
                [(before, v, r) for v in everywhere for r in routes]
            attacker.read_shown(f"{where} vorig jaar", earlier, page.previous)
        for section in page.sections:
            shown_topics = []
            for figure in section.figures:
                keys = _keys(reference, year, team, figure.key, referrals, routes)
                assert figure.share is None or figure.count is not None
                attacker.read_shown(f"{where} {section.code} {figure.label}", keys, figure)
                if section.code == "topic":
                    shown_topics.append(figure.key[1])
            if section.code == "topic":  # the five shown are the most frequent
                for shown in shown_topics:
                    for other in reference.topics.all:
                        if other.id not in shown_topics:
                            attacker.at_least([(year, "topic", team, shown)],
                                              [(year, "topic", team, other.id)])


def _keys(reference: Reference, year: str, team: int | None, key: tuple,
          referrals: list[int], routes: list[int]) -> list[tuple]:
    """The unknowns a figure of a page adds up (by the figure's key)."""
    kind = key[0]
    if kind in ("area", "village"):
        return [(year, v, team) for v in villages_of(reference, key)]
    if kind == "route":
        return [(year, v, key[1]) for v in villages_of(reference, ("total",))]
    if kind == "channel":
        return [(year, "channel", key[1], r) for r in ([team] if team else routes)]
    if kind == "hour":
        return [(year, "hour", key[1])]
    if kind == "referrals":
        return [(year, "outcome", team, o) for o in referrals]
    if kind == "gender":
        return [(year, "gender", team, key[1] or "")]
    if kind in ("age", "outcome", "topic"):
        return [(year, kind, team, key[1])]
    raise AssertionError(f"a figure the attacker does not know: {key}")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), edit=st.booleans())
def test_no_small_count_can_be_recomputed_from_all_tables_together(data, edit,
                                                                   seeded_reference):
    reference = edited(seeded_reference) if edit else seeded_reference
    counts = data.draw(years(reference))
    attacker = Attacker()
    publish(attacker, reference, counts)
    assert attacker.exposed() == []


@pytest.fixture
def small_village_year(seeded_reference):
    """Hooghalen with a few inquiries per route, Beilen with many, both years."""
    ref = edited(seeded_reference)
    village = {v.name: v.id for v in ref.villages.all}
    routes = [r.id for r in ref.routes.all]

    def group(village_name, route, n):  # women of 50 by phone, informed, at 9 o'clock
        return (village[village_name], route, n, "f", "46-67", 0, 0, 9, {0})

    now = [group("Hooghalen", r, n) for r, n in zip(routes, [3, 1, 12, 4, 2])]
    now += [group("Beilen", r, 20 + r) for r in routes]
    now.append(group("Oud-Smilde", routes[0], 2))
    before = [(v, r, n + 1, *rest) for v, r, n, *rest in now]
    return ref, {"now": now, "before": before}


def cells_of(ref, groups) -> Counter:
    return counts_of(ref, groups)[0]


def test_the_attacker_finds_what_a_careless_table_gives_away(small_village_year):
    ref, counts = small_village_year
    attacker = Attacker()
    publish(attacker, ref, counts)
    assert len(attacker.small) > 20 and attacker.exposed() == []
    # The same year's table by area, as its own suppression would publish it (not
    # following the village table): the attacker must catch what that gives away.
    cells = cells_of(ref, counts["now"])
    totals = Counter()
    for (_, route), n in cells.items():
        totals[route] += n
    area = linked_report(ref, YEAR, "area", cells, totals, Counter(), Counter())
    careless = table_rows(replace(area, source=None, before=None), suppressed=True)
    read_table(attacker, ref, area, "now", None, "careless", rows=careless)
    assert attacker.exposed() != []


def test_an_area_without_villages_is_published_as_empty(small_village_year):
    ref, counts = small_village_year
    cells = cells_of(ref, counts["now"])
    totals = Counter()
    for (_, route), n in cells.items():
        totals[route] += n
    area = linked_report(ref, YEAR, "area", cells, totals, cells_of(ref, counts["before"]),
                         totals)
    rows = {row[0]: row for row in table_rows(area, suppressed=True)}
    assert rows["Nieuw gebied"][1:7] == ["0"] * 6
    assert "<10" in rows["Dorpen rond Smilde"]  # one old village: its line's figures


# --- by referral ------------------------------------------------------------------------

FOLLOWUP_CODES = tuple(code for code, _ in FOLLOWUP_COLUMNS)


@st.composite
def referral_years(draw, reference: Reference) -> dict[str, Counter]:
    """Two years of referrals to a few entries, per route (desk, external) and follow-up
    result: what a report by referral counts."""
    pool = [e.id for e in reference.directory.all]
    routes = [r.id for r in reference.routes.all if not r.is_team]
    result = {}
    for year in ("now", "before"):
        entries = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        followups: Counter = Counter()
        for entry in entries:
            for route in routes:
                for code in draw(st.lists(st.sampled_from(FOLLOWUP_CODES), max_size=2)):
                    followups[(entry, route, code)] += draw(COUNT)
        followups = +followups
        cells: Counter = Counter()
        for (entry, route, _), n in followups.items():
            cells[(entry, route)] += n
        result[f"{year}-cells"], result[f"{year}-followups"] = cells, followups
    return result


def publish_referrals(attacker: Attacker, reference: Reference, data: dict[str, Counter]
                      ) -> None:
    """Every referral table of this year and last year: all routes, and each route."""
    for year, period, before in (("now", YEAR, "before"), ("before", YEAR.year_earlier(), None)):
        cells, followups = data[f"{year}-cells"], data[f"{year}-followups"]
        previous = data[f"{before}-cells"] if before else Counter()
        for codes in (None, *((r.code,) for r in reference.routes.all if not r.is_team)):
            report = linked_report(reference, period, "referral", cells, Counter(), previous,
                                   Counter(), route_codes=codes, include_empty=False,
                                   followups=followups)
            published, texts = published_rows(report, suppressed=True)
            routes = [r.id for r in published.columns]
            width = len(routes)
            for line, row in zip(published.lines, texts):
                entries = [e.id for e in reference.directory.all] \
                    if line.key == ("total",) else [line.key[1]]

                def keys(when, routes=routes, codes=FOLLOWUP_CODES, entries=entries):
                    return [(when, e, r, c) for e in entries for r in routes for c in codes]

                where = f"{year} {codes} {line.label}"
                for j, route in enumerate(routes):
                    attacker.read(f"{where} {route}", keys(year, routes=[route]), row[1 + j])
                attacker.read(f"{where} totaal", keys(year), row[1 + width])
                if before:
                    attacker.read(f"{where} vorig jaar", keys(before), row[2 + width])
                for k, code in enumerate(FOLLOWUP_CODES):
                    text = row[5 + width + k]
                    if text != "-":  # not published
                        attacker.read(f"{where} nabellen {code}", keys(year, codes=[code]), text)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_small_referral_count_can_be_recomputed(data, seeded_reference):
    counts = data.draw(referral_years(seeded_reference))
    attacker = Attacker()
    publish_referrals(attacker, seeded_reference, counts)
    assert attacker.exposed() == []
