"""A factsheet as published: every figure a number, or hidden for outside use (AVG).

Inside the organisation every figure is shown. For outside use every figure of every
page is protected together with the other published tables, so the same figure is
never public in one place and hidden in another, and no small count can be recomputed:

- a team's total, last year's and its counts per area and village are figures of the
  village table of the period (and of the year before): hidden exactly where it hides
  them; the desk's total and its counts per route are that table's total line;
- channels: one table channel x route, protected once with the route totals public as
  the village table has them; a team's page shows its column, the desk's page the
  totals. When the village table hides a route total the channels are not published:
  the two tables would share a hidden figure that the channels could give away;
- gender, age band, the outcomes (with the kinds of referral as parts of the line
  "doorverwezen") and the hour of the day are breakdowns of a public total, protected
  with that total public; a breakdown of a hidden total is not published;
- topics: an inquiry can have several, so each is a count of its own: 1-9 is "<10"
  (and none when the total is hidden: a topic is a lower bound of it);
- shares are left out of a section with a hidden figure (they would give sums away);
- the flow (open from before, closed in the period) is not published: it carries over
  from one period to the next, so the pages of neighbouring periods would give a
  hidden count away by subtraction;
- the waiting time only when measured over at least 10 inquiries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from balie.domain.factsheet import REFERRALS, TOTAL, DeskCounts, FactSheet, Flow, Section, Waiting
from balie.domain.models import Reference
from balie.domain.periods import Period
from balie.domain.report import Report, build_report
from balie.domain.report_output import publishable, published_mask
from balie.domain.suppression import (
    SMALL_MAX,
    Mask,
    Unprotectable,
    for_publication,
    line_in,
    protect_breakdown,
    suppress,
)

SMALL = "<10"
HIDDEN = "x"
MIN_MEASURED = 10
"""Under AVG a waiting time is published only when measured over this many inquiries."""
NOT_PUBLISHED = "niet gepubliceerd (te weinig vragen om kleine aantallen te verbergen)"
FLOW_WITHHELD = ("niet gepubliceerd: loopt door van periode tot periode, zodat kleine "
                 "aantallen terug te rekenen zouden zijn")
WAITING_WITHHELD = f"niet gepubliceerd: gemeten over minder dan {MIN_MEASURED} vragen"


@dataclass(frozen=True)
class Shown:
    """A figure as published: its count, or a mark when hidden."""

    label: str
    count: int | None
    mark: str | None = None
    """"<10" or "x" when the count is hidden."""
    share: float | None = None
    level: int = 0
    key: tuple = ()

    @property
    def text(self) -> str:
        """The count in Dutch notation ("1.038"), or its mark."""
        return self.mark if self.mark else dutch_int(self.count)


@dataclass(frozen=True)
class ShownSection:
    code: str
    title: str
    figures: tuple[Shown, ...]
    note: str = ""
    withheld: str | None = None
    """Why the section is not published (its figures are then left out)."""


@dataclass(frozen=True)
class Page:
    """A factsheet as published."""

    sheet: FactSheet
    suppressed: bool
    total: Shown
    previous: Shown
    change: int | None
    change_share: float | None
    sections: tuple[ShownSection, ...]
    flow: Flow | None
    waiting: Waiting | None
    withheld: dict[str, str] = field(default_factory=dict)
    """"flow" or "waiting" -> why it is not published."""


def dutch_int(value: int | None) -> str:
    """12345 -> "12.345"; a real minus sign for negative numbers."""
    if value is None:
        return ""
    return f"{value:,}".replace(",", ".").replace("-", "−")


def _mark(value: int) -> str:
    return SMALL if 0 < value <= SMALL_MAX else HIDDEN


def _shown(section: Section, hidden: Mask | None, base_hidden: bool = False) -> ShownSection:
    """A section with ``hidden`` (figure key -> kind) hidden; None: not published.
    ``base_hidden``: what the shares are of is hidden elsewhere."""
    if hidden is None:
        return ShownSection(section.code, section.title, (), section.note, NOT_PUBLISHED)
    # Shares would give sums of hidden counts away: none in a section with one.
    shares = not base_hidden and not any(f.key in hidden for f in section.figures)
    return ShownSection(section.code, section.title, tuple(
        Shown(f.label, None, _mark(f.count), None, f.level, f.key) if f.key in hidden
        else Shown(f.label, f.count, None, section.share(f) if shares else None, f.level, f.key)
        for f in section.figures), section.note)


def _page(sheet: FactSheet, hidden: dict[str, Mask | None], total_hidden: bool,
          previous_hidden: bool, suppressed: bool) -> Page:
    """A page with the hidden figures of each section (by section code)."""
    label = "vorig jaar tot hetzelfde moment" if sheet.partial else "vorig jaar"
    total = Shown("vragen", None, _mark(sheet.total)) if total_hidden \
        else Shown("vragen", sheet.total)
    previous = Shown(label, None, _mark(sheet.previous)) if previous_hidden \
        else Shown(label, sheet.previous)
    compared = not (total_hidden or previous_hidden)
    withheld = {}
    flow, waiting = sheet.flow, sheet.waiting
    if suppressed and flow is not None:
        flow, withheld["flow"] = None, FLOW_WITHHELD
    if suppressed and waiting is not None and waiting.measured < MIN_MEASURED:
        waiting, withheld["waiting"] = None, WAITING_WITHHELD
    sections = []
    for section in sheet.sections:
        mask = hidden.get(section.code, {})
        # Shares are of the total, or (the kinds of referral) of the line "doorverwezen"
        # of the outcomes: none when that is hidden.
        base_hidden = (section.whole == TOTAL and total_hidden) or (
            section.whole == REFERRALS and REFERRALS in (hidden.get("outcome") or {}))
        sections.append(_shown(section, mask, base_hidden))
    return Page(sheet, suppressed, total, previous, sheet.change if compared else None,
                sheet.change_share if compared else None, tuple(sections), flow, waiting,
                withheld)


def channel_table(reference: Reference, period: Period, desk: DeskCounts) -> Report:
    """The table channel x route of the period, whose cells the pages' channels are."""
    routes: Counter = Counter()
    for (_, route), n in desk.channels.items():
        routes[route] += n
    return build_report(reference, period, "channel", desk.channels, routes, Counter(),
                        Counter())


def publish(sheets: list[FactSheet], *, village: Report | None = None,
            channel: Report | None = None) -> list[Page]:
    """The pages as published: internally, or (with ``village`` and ``channel``, the
    village table and the table channel x route of the same period, from
    :func:`balie.db.reports.report` and :func:`channel_table`) for outside use."""
    if village is None:
        return [_page(sheet, {}, False, False, False) for sheet in sheets]
    if channel is None:
        raise ValueError("outside use needs the channel table of the period too")
    tables = Tables(village, channel)
    return [_published(sheet, tables) for sheet in sheets]


class Tables:
    """The published tables a factsheet shares figures with, and what they hide."""

    def __init__(self, village: Report, channel: Report) -> None:
        # Checks the period too: a month, quarter or year that is over.
        self.village, self.village_mask, _ = publishable(village, True)
        self.routes = [route.id for route in self.village.columns]
        self.last = len(self.village.lines) - 1
        self.before_mask: Mask = {}
        self.before_routes: list[int] = []
        if village.before is not None:
            before, self.before_mask = published_mask(village.before)
            self.before_routes = [route.id for route in before.columns]
            self.before_last = len(before.lines) - 1
        self.channel = for_publication(channel)
        self.channel_mask = self._channel_mask()

    def column(self, route_id: int | None) -> int | None:
        """The village table's column of a route; its total column for None."""
        if route_id is None:
            return len(self.routes)
        return self.routes.index(route_id) if route_id in self.routes else None

    def total_hidden(self, route_id: int | None) -> bool:
        j = self.column(route_id)
        return j is not None and (self.last, j) in self.village_mask

    def previous_hidden(self, route_id: int | None) -> bool:
        if route_id is None:
            j = len(self.before_routes)
        elif route_id in self.before_routes:
            j = self.before_routes.index(route_id)
        else:
            return False
        return bool(self.before_routes) and (self.before_last, j) in self.before_mask

    def _channel_mask(self) -> Mask | None:
        """The channel table protected with its total line (the route totals) public as
        the village table has it; None (not published) when the village table hides a
        route total: the two tables would then share hidden figures, and a hidden total
        recomputed from the channels would give away what it protects there."""
        table = self.channel
        last = len(table.lines) - 1
        ids = [route.id for route in table.columns]
        if any(self.total_hidden(route_id) for route_id in [*ids, None]):
            return None
        try:
            return suppress(table, frozen=frozenset((last, j) for j in range(len(ids) + 1)))
        except Unprotectable:
            return None

    def channel_hidden(self, route_id: int | None) -> Mask | None:
        """The hidden channel figures (by key) of a route's column, or of the totals."""
        if self.channel_mask is None:
            return None
        ids = [route.id for route in self.channel.columns]
        if route_id is not None and route_id not in ids:
            return {}  # no inquiries of this route in the period
        j = len(ids) if route_id is None else ids.index(route_id)
        return {line.key: self.channel_mask[(i, j)]
                for i, line in enumerate(self.channel.lines) if (i, j) in self.channel_mask}

    def village_hidden(self, section: Section, route_id: int | None) -> Mask:
        """Areas and villages of a team (its column), or the routes (the total line), as
        the village table hides them."""
        mask: Mask = {}
        j = self.column(route_id)
        for figure in section.figures:
            if figure.key[0] == "route":
                cell = (self.last, self.column(figure.key[1]))
            else:
                cell = (line_in(self.village, figure.key, figure.label), j)
            if None in cell:
                if figure.count:  # not in the table: never, with the same counts
                    mask[figure.key] = "secondary"
            elif cell in self.village_mask:
                mask[figure.key] = self.village_mask[cell]
        return mask


def _published(sheet: FactSheet, tables: Tables) -> Page:
    route_id = sheet.route.id if sheet.route else None
    total_hidden = tables.total_hidden(route_id)
    hidden: dict[str, Mask | None] = {}
    for section in sheet.sections:
        if section.code in ("area", "route"):
            hidden[section.code] = tables.village_hidden(section, route_id)
        elif section.code == "channel":
            hidden["channel"] = tables.channel_hidden(route_id)
        elif section.code == "topic":
            # A topic is a lower bound of the total: none published when it is hidden.
            hidden["topic"] = None if total_hidden else {
                f.key: "primary" for f in section.figures if 0 < f.count <= SMALL_MAX}
        elif section.code in ("gender", "age", "hour"):
            hidden[section.code] = None if total_hidden else protect_breakdown(
                sheet.total, [(f.key, f.count, None) for f in section.figures])
        elif section.code == "outcome":
            hidden["outcome"] = hidden["referral"] = None if total_hidden \
                else _outcomes(sheet, section)
    return _page(sheet, hidden, total_hidden, tables.previous_hidden(route_id), True)


def _outcomes(sheet: FactSheet, section: Section) -> Mask | None:
    """The outcomes and kinds of referral, protected together with the total public."""
    referral = sheet.section("referral")
    items = [(f.key, f.count, None) for f in section.figures if f.key != REFERRALS]
    subtotals = {}
    if referral is not None and any(f.key == REFERRALS for f in section.figures):
        items += [(f.key, f.count, "referrals") for f in referral.figures]
        subtotals = {"referrals": REFERRALS}
    return protect_breakdown(sheet.total, items, subtotals)


def figure_of(page: Page, code: str, label: str) -> Shown | None:
    """A published figure by section code and label (for tests and scripts)."""
    section = next((s for s in page.sections if s.code == code), None)
    if section is None:
        return None
    return next((f for f in section.figures if f.label == label), None)

