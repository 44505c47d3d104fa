"""A team's period in figures, and the desk's, as the annual report's factsheets print them.

A team's page: its inquiries of the period against the same period a year earlier, how
they ended (the outcome categories of the annual report, the kinds of referral among
them), the five most frequent topics, place of residence by area and village, gender,
age band, channel, how many were still open from before and how many were closed, and
how long they waited in the team's list until someone picked them up (working hours).
The desk's page: everything registered, where it went (answered at the desk, to each
team, outside), by channel and by hour of the day.

Every figure is built here from counts (see :mod:`balie.db.factsheets`), so the screen,
``balie report --factsheet`` in every format and the tests show the same figures. How a
page is published for outside use (AVG) is :mod:`balie.domain.factsheet_publication`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from balie.domain.models import Reference, Route
from balie.domain.periods import Period
from balie.domain.report import AGE_BANDS, GENDER_NAMES, UNKNOWN_HOUR
from balie.domain.text import fold

OPEN = -1
"""Outcome key of an inquiry still open at the end of the period."""
NO_OUTCOME = 0
"""Outcome key of an inquiry closed without an outcome (closed before balie had them)."""
TOP_TOPICS = 5
REFERRAL_WORD = "doorverwezen"
"""An outcome whose name starts with this word is a kind of referral ("Doorverwezen:
voorliggend informeel"); a new one added with ``balie ref add outcomes`` is one too."""
UNKNOWN_LABEL = "niet vastgelegd"
TOTAL = ("total",)
REFERRALS = ("referrals",)
DESK_CODE = "alle"
"""The code of the desk's page (every route) in JSON and CSV; no route has it."""


def is_referral(name: str) -> bool:
    return fold(name).startswith(REFERRAL_WORD)


@dataclass(frozen=True)
class Figure:
    """One count on a page."""

    label: str
    count: int
    key: tuple = ()
    """What it counts, the same wherever it is published: ("area", id), ("village", id),
    ("outcome", id), ("referrals",), ("topic", id), ("gender", code), ("age", band),
    ("channel", id), ("route", id), ("hour", hour)."""
    level: int = 0
    """0: a line of its section; 1: a part of the line of level 0 above it (a village
    of its area)."""
    shared: bool = True
    """Whether it has a share ("niet vastgelegd" has none: shares are of the answers)."""


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    figures: tuple[Figure, ...]
    base: int
    """What the shares are of: the page's total, the recorded answers, the referrals."""
    whole: tuple | None = TOTAL
    """The figure its lines of level 0 add up to: the page's total, ("referrals",) (the
    line of the outcome section the kinds of referral make up), or None (topics: an
    inquiry can have several)."""
    note: str = ""

    def share(self, figure: Figure) -> float | None:
        """The figure's part of the base (0.631 for 63.1%), or None."""
        if not figure.shared or not self.base:
            return None
        return figure.count / self.base


@dataclass(frozen=True)
class Flow:
    """The team's work in the period: what was open from before, what came in, what was
    closed (every inquiry at the team it is at now)."""

    carried: int
    """Registered before the period and not closed when it started."""
    new: int
    closed: int
    """Closed in the period, whenever registered."""

    @property
    def handled(self) -> int:
        return self.carried + self.new

    @property
    def open_at_end(self) -> int:
        return self.carried + self.new - self.closed


@dataclass(frozen=True)
class Waiting:
    """Working hours from arriving in the team's list to being picked up."""

    measured: int
    """Inquiries of the period picked up so far."""
    median_hours: float | None
    p90_hours: float | None
    """90 percent were picked up within this many working hours."""


@dataclass(frozen=True)
class FactSheet:
    """One page: a team's period, or (``route`` None) the desk's: every route."""

    period: Period
    route: Route | None
    total: int
    previous: int
    """The same period a year earlier (up to the same moment when ``partial``)."""
    sections: tuple[Section, ...]
    flow: Flow | None = None
    waiting: Waiting | None = None
    partial: bool = False
    """The period is not over yet."""

    @property
    def title(self) -> str:
        return self.route.name if self.route else "Balie: alle vragen"

    @property
    def code(self) -> str:
        return self.route.code if self.route else DESK_CODE

    @property
    def change(self) -> int:
        return self.total - self.previous

    @property
    def change_share(self) -> float | None:
        """The change as part of last year's figure (0.28 for +28%), None without one."""
        return self.change / self.previous if self.previous else None

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)


@dataclass(frozen=True)
class TeamCounts:
    """What a team's page is made of (see :func:`balie.db.factsheets.team_counts`): its
    inquiries of the period counted per village, gender ("" not recorded), age band
    (None not recorded), channel and outcome key (an outcome id, NO_OUTCOME, or OPEN: at
    the period's end); per topic; per working minutes waited until pick-up."""

    villages: Counter
    genders: Counter
    bands: Counter
    channels: Counter
    outcomes: Counter
    topics: Counter
    waits: Counter
    previous: int
    carried: int = 0
    closed: int = 0

    @classmethod
    def of_rows(cls, rows: Counter, topics: Counter, waits: Counter, previous: int,
                carried: int = 0, closed: int = 0) -> TeamCounts:
        """From (village, gender, age band, channel, outcome key) -> inquiries."""
        parts: list[Counter] = [Counter() for _ in range(5)]
        for key, n in rows.items():
            for part, value in zip(parts, key):
                part[value] += n
        return cls(*parts, topics, waits, previous, carried, closed)


@dataclass(frozen=True)
class DeskCounts:
    """What the desk's page is made of: every inquiry of the period, by route."""

    channels: Counter
    """(channel id, route id) -> inquiries."""
    hours: Counter
    """local hour (or UNKNOWN_HOUR) -> inquiries."""
    previous: int


def _shares_of_answers(figures: list[Figure]) -> int:
    return sum(f.count for f in figures if f.shared)


def _waiting(waits: Counter) -> Waiting:
    measured = sum(waits.values())
    if not measured:
        return Waiting(0, None, None)
    ordered = sorted(waits.items())

    def nth(k: int) -> int:  # the k-th smallest (0-based)
        seen = 0
        for minutes, n in ordered:
            seen += n
            if seen > k:
                return minutes
        raise AssertionError("k beyond the count")

    middle = (nth((measured - 1) // 2) + nth(measured // 2)) / 2
    p90 = nth(-(-9 * measured // 10) - 1)  # nearest rank: the ceil(0.9 n)-th value
    return Waiting(measured, middle / 60, p90 / 60)


def _outcome_sections(reference: Reference, outcomes: Counter, period: Period,
                      partial: bool, total: int) -> tuple[Section, Section]:
    """How the period's inquiries ended (by the period's end), and the kinds of
    referral among them: one line "Doorverwezen" in the first, its parts in the second."""
    lines: list[Figure] = []
    referrals: list[Figure] = []
    for outcome in reference.outcomes.all:
        n = outcomes[outcome.id]
        if outcome.retired and not n:
            continue
        if is_referral(outcome.name):
            if not referrals:
                lines.append(Figure("Doorverwezen", 0, REFERRALS))  # counted below
            label = outcome.name.split(":", 1)[1].strip() if ":" in outcome.name \
                else outcome.name
            referrals.append(Figure(label, n, ("outcome", outcome.id)))
        else:
            lines.append(Figure(outcome.name, n, ("outcome", outcome.id)))
    referred = sum(f.count for f in referrals)
    lines = [Figure(f.label, referred, f.key) if f.key == REFERRALS else f for f in lines]
    if outcomes[NO_OUTCOME]:
        lines.append(Figure("Afgerond zonder uitkomst", outcomes[NO_OUTCOME],
                            ("outcome", NO_OUTCOME)))
    still = "nog open" if partial else f"nog open op {period.last:%d-%m-%Y}"
    lines.append(Figure(still, outcomes[OPEN], ("outcome", OPEN)))
    return (Section("outcome", "Uitkomst", tuple(lines), total),
            Section("referral", "Soort verwijzing", tuple(referrals), referred,
                    whole=REFERRALS))


def _residence(reference: Reference, villages: Counter, total: int) -> Section:
    """Areas, and under an area of several villages the villages with inquiries."""
    figures: list[Figure] = []
    for area in reference.areas.all:
        members = [v for v in reference.villages.all if v.area_id == area.id]
        n = sum(villages[v.id] for v in members)
        if not n:
            continue
        figures.append(Figure(area.name, n, ("area", area.id)))
        if len(members) > 1:
            figures.extend(Figure(v.name, villages[v.id], ("village", v.id), level=1)
                           for v in members if villages[v.id])
    return Section("area", "Woonplaats", tuple(figures), total)


def _answers(code: str, title: str, pairs: list[tuple[str, tuple, int]],
             unknown: int) -> Section:
    figures = [Figure(label, n, key) for label, key, n in pairs]
    figures.append(Figure(UNKNOWN_LABEL, unknown, (code, None), shared=False))
    return Section(code, title, tuple(figures), _shares_of_answers(figures))


def _channels(reference: Reference, channels: Counter, total: int) -> Section:
    figures = [Figure(c.name, channels[c.id], ("channel", c.id))
               for c in reference.channels.all if not c.retired or channels[c.id]]
    return Section("channel", "Kanaal", tuple(figures), total)


def build_team_sheet(reference: Reference, period: Period, route: Route, counts: TeamCounts,
                     *, partial: bool = False) -> FactSheet:
    """A team's page from its counts."""
    villages, genders, bands = counts.villages, counts.genders, counts.bands
    channels, outcomes = counts.channels, counts.outcomes
    total = sum(villages.values())
    outcome, referral = _outcome_sections(reference, outcomes, period, partial, total)
    topics = [Figure(t.name, counts.topics[t.id], ("topic", t.id))
              for t in reference.topics.all if counts.topics[t.id]]
    topics.sort(key=lambda f: -f.count)  # stable: ties keep the reference order
    sections = (
        outcome,
        referral,
        Section("topic", "Meest gestelde onderwerpen", tuple(topics[:TOP_TOPICS]), total,
                whole=None, note="Een vraag kan over meer onderwerpen gaan."),
        _residence(reference, villages, total),
        _answers("gender", "Geslacht", [(name, ("gender", code), genders[code])
                                        for code, name in GENDER_NAMES.items()],
                 genders[""]),
        _answers("age", "Leeftijd", [(band, ("age", band), bands[band]) for band in AGE_BANDS],
                 bands[None]),
        _channels(reference, channels, total),
    )
    return FactSheet(period, route, total, counts.previous, sections,
                     flow=Flow(counts.carried, total, counts.closed),
                     waiting=_waiting(counts.waits), partial=partial)


def hour_label(hour: int) -> str:
    if hour == UNKNOWN_HOUR:
        return "tijd onbekend"
    return f"{hour:02d}:00-{hour + 1:02d}:00" if hour < 23 else "23:00-24:00"


def build_desk_sheet(reference: Reference, period: Period, counts: DeskCounts, *,
                     partial: bool = False) -> FactSheet:
    """The desk's page: every inquiry of the period, where it went, channel, hour."""
    routes: Counter = Counter()
    channels: Counter = Counter()
    for (channel, route), n in counts.channels.items():
        routes[route] += n
        channels[channel] += n
    total = sum(counts.channels.values())
    route_figures = tuple(Figure(r.name, routes[r.id], ("route", r.id))
                          for r in reference.routes.all if not r.retired or routes[r.id])
    known = sorted(h for h, n in counts.hours.items() if n and h != UNKNOWN_HOUR)
    # The hours of the day with inquiries, and the quiet hours between them.
    shown = range(known[0], known[-1] + 1) if known else range(0)
    hours = [Figure(hour_label(h), counts.hours[h], ("hour", h)) for h in shown]
    if counts.hours[UNKNOWN_HOUR]:
        hours.append(Figure(hour_label(UNKNOWN_HOUR), counts.hours[UNKNOWN_HOUR],
                            ("hour", UNKNOWN_HOUR)))
    sections = (
        Section("route", "Waar de vragen heen gingen", route_figures, total),
        _channels(reference, channels, total),
        Section("hour", "Uur van de dag", tuple(hours), total,
                note="Registraties zonder tijd (import) staan onder 'tijd onbekend'."
                if counts.hours[UNKNOWN_HOUR] else ""),
    )
    return FactSheet(period, None, total, counts.previous, sections, partial=partial)


def build_factsheets(reference: Reference, period: Period, teams: dict[int, TeamCounts],
                     desk: DeskCounts | None, *, partial: bool = False) -> list[FactSheet]:
    """The pages of a period: each team in ``teams`` (by route id, in route order), then
    the desk's page when ``desk`` is given."""
    sheets = [build_team_sheet(reference, period, route, teams[route.id], partial=partial)
              for route in reference.routes.all if route.id in teams]
    if desk is not None:
        sheets.append(build_desk_sheet(reference, period, desk, partial=partial))
    return sheets
