"""The overview's charts: inquiries per day per route (30 days) and a 12-week trend per
village, counted like the table (never suppressed, so not in the AVG view)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline, Static

from balie.db.reports import daily
from balie.domain.models import Reference
from balie.domain.numbers import count
from balie.domain.periods import Period
from balie.domain.timekeeping import local_day, local_days_span
from balie.plain import plain

CHART_DAYS = 30
TREND_WEEKS = 12
BARS = "▁▂▃▄▅▆▇█"


def trend(values: list[int]) -> str:
    """A small text sparkline: ▁▃▇ for the weeks of a village."""
    top = max(values, default=0)
    if not top:
        return " " * len(values)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)


async def week_trends(app, reference: Reference, period: Period) -> dict[str, str]:
    """A 12-week trend per village (or area), ending with the period."""
    last = period.last
    first = last - timedelta(weeks=TREND_WEEKS) + timedelta(days=1)
    counts = await app.run_db(daily, app.actor, local_days_span(first, last), "village")
    weekly: Counter = Counter()
    for (day, village), n in counts.items():
        week = (date.fromisoformat(day) - first).days // 7
        weekly[(village, week)] += n
    result = {}
    for village in reference.villages.all:
        result[village.name] = trend([weekly[(village.id, w)] for w in range(TREND_WEEKS)])
    for area in reference.areas.all:
        ids = [v.id for v in reference.villages.all if v.area_id == area.id]
        series = [sum(weekly[(v, w)] for v in ids) for w in range(TREND_WEEKS)]
        result[area.name] = result[f"Totaal {area.name}"] = trend(series)
    return result


class RouteCharts(Vertical):
    """One sparkline per route: inquiries per day over the last 30 days of a period."""

    def compose(self) -> ComposeResult:
        yield Static(id="charts-title")
        yield Horizontal(id="sparklines")

    async def show(self, app, reference: Reference, period: Period, route_basis: str) -> None:
        last = min(period.last, local_day(app.clock()))
        first = last - timedelta(days=CHART_DAYS - 1)
        counts = await app.run_db(daily, app.actor, local_days_span(first, last), "route",
                                  route_basis=route_basis)
        days = [(first + timedelta(days=n)).isoformat() for n in range(CHART_DAYS)]
        box = self.query_one("#sparklines", Horizontal)
        await box.remove_children()
        for route in reference.routes.all:
            series = [counts[(day, route.id)] for day in days]
            if route.retired and not any(series):
                continue
            column = Vertical(classes="chart")
            await box.mount(column)
            # The short name (cut with … if need be), and the figures as whole words on
            # as many lines as the width needs: a figure is never cut.
            await column.mount(Label(plain(route.short, no_wrap=True, overflow="ellipsis"),
                                     classes="chart-name"),
                               Label(Text(f"{count(sum(series))}, max {count(max(series))}"),
                                     classes="chart-figures"),
                               Sparkline(series, summary_function=max))
        self.query_one("#charts-title", Static).update(Text.assemble(
            (f"Vragen per dag per route, {first:%d-%m} t/m {last:%d-%m-%Y}", "bold"),
            (" (totaal, hoogste op een dag)", "dim")))
