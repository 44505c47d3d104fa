"""Dagoverzicht: where inquiries came from and where they went, for any period.

The table is :func:`balie.domain.report_output.table_rows` of the same report that
``balie report`` prints, so screen, command line and export show the same figures.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from balie.db.errors import StoreError
from balie.db.files import write_export
from balie.db.reference import load_reference
from balie.db.reports import report
from balie.domain.models import Reference
from balie.domain.parsing import InvalidInput, parse_day
from balie.domain.periods import (
    KIND_NAMES,
    KINDS,
    Period,
    containing,
    in_calendar,
    parse_period,
)
from balie.domain.report import BREAKDOWNS, Report
from balie.domain.report_output import check_publishable, headers, published_rows, to_csv
from balie.domain.spreadsheet import ENCODING
from balie.domain.timekeeping import local_day
from balie.plain import plain
from balie.screens.factsheet import FactsheetScreen, factsheet_period
from balie.screens.overview_charts import TREND_WEEKS, RouteCharts, week_trends
from balie.screens.report_table import ReportTable
from balie.widgets import StableFooter, StatusLine, TextInput

BROWSE = Binding.Group("Bladeren", compact=True)
CHARTS_FROM_HEIGHT = 32
CHARTS_FROM_WIDTH = 140
REFRESH_SECONDS = 30
"""How often an overview that includes today is counted again (other desks register)."""


class OverviewScreen(Screen):
    """Counts by village (or area, channel, topic, hour) and route, for any period."""

    CSS_PATH = "overview.tcss"
    HELP_TITLE = "Overzicht"
    AUTO_FOCUS = ""  # nothing to type in until D or R opens the question line
    BINDINGS = [
        Binding("left", "shift(-1)", "Vorige", id="overview.previous", priority=True,
                key_display="←", tooltip="De vorige dag (week, maand, ...)", group=BROWSE),
        Binding("right", "shift(1)", "Volgende", id="overview.next", priority=True,
                key_display="→", tooltip="De volgende dag (week, maand, ...)", group=BROWSE),
        # Vandaag and Leeg only in F1: the footer then fits 100 columns.
        Binding("t", "today", "Vandaag", id="overview.today", show=False,
                tooltip="Terug naar vandaag (of de periode van vandaag)"),
        Binding("d", "ask_date", "Datum", id="overview.date",
                tooltip="Naar een datum: gisteren, 12-3, vr, 8 maart, 2024-03-12"),
        Binding("p", "next_kind", "Periode", id="overview.kind",
                tooltip="Dag, week, maand, kwartaal of jaar"),
        Binding("r", "ask_range", "Van-tot", id="overview.range",
                tooltip="Een eigen periode: van een datum tot en met een datum"),
        Binding("i", "next_breakdown", "Indeling", id="overview.breakdown",
                tooltip="Per dorp, gebied, kanaal, onderwerp of uur"),
        Binding("l", "toggle_empty", "Leeg", id="overview.empty", show=False,
                tooltip="Regels zonder vragen tonen of verbergen"),
        Binding("b", "toggle_route_basis", "Binnenkomst", id="overview.route_basis",
                show=False,
                tooltip="Routes tellen zoals de balie ze koos, of waar de vraag nu is"),
        Binding("a", "toggle_avg", "AVG", id="overview.avg",
                tooltip="Kleine aantallen verbergen zoals voor extern gebruik (<10)"),
        Binding("e", "export", "Export", id="overview.export",
                tooltip="Als CSV voor Excel opslaan (met AVG als die aan staat)"),
        Binding("f", "factsheet", "Factsheet", id="overview.factsheet",
                tooltip="Per team en de balie de cijfers van het jaarverslag (het jaar, of "
                        "deze maand, dit kwartaal of deze eigen periode)"),
        Binding("g", "toggle_charts", "Grafiek", id="overview.charts",
                tooltip="Grafieken tonen of verbergen: per route de laatste 30 dagen, "
                        "per dorp een trend van 12 weken"),
        Binding("escape", "app.switch_mode('intake')", "Terug", id="overview.back",
                key_display="Esc", tooltip="Terug naar het registreren"),
        Binding("up", "scroll(-1)", show=False, priority=True),
        Binding("down", "scroll(1)", show=False, priority=True),
        Binding("pageup", "scroll(-10)", show=False),
        Binding("pagedown", "scroll(10)", show=False),
        Binding("shift+left", "pan(-1)", "Kolommen links", id="overview.columns_left",
                show=False, key_display="Shift+←",
                tooltip="De kolommen links (als niet alle kolommen passen)"),
        Binding("shift+right", "pan(1)", "Kolommen rechts", id="overview.columns_right",
                show=False, key_display="Shift+→",
                tooltip="De kolommen rechts: vorig jaar, verschil, per 1.000 inwoners"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reference: Reference | None = None
        self.period: Period | None = None
        self.breakdown = "village"
        self.hide_empty = True
        self.suppressed = False
        self.route_basis = "end"
        """Count at the route an inquiry has now ("end") or the desk's ("intake")."""
        self.report: Report | None = None
        self.show_charts_wanted = False
        """Charts and trends on (when not in the AVG view)."""
        self.asking: str | None = None
        """What the input line asks for: "date", "range", or None when closed."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="title")
        yield Static(id="settings")
        yield ReportTable(id="report")
        yield RouteCharts(id="charts")
        with Horizontal(id="ask"):
            yield Label(id="ask-label")
            yield TextInput(id="ask-input", compact=True)
        yield StatusLine(id="status")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # Charts when there is room for them beside the whole table.
        size = self.app.size
        self.show_charts_wanted = (size.height >= CHARTS_FROM_HEIGHT
                                   and size.width >= CHARTS_FROM_WIDTH)
        self.query_one("#charts").display = self.show_charts_wanted
        self.query_one("#ask").display = False
        self.period = containing("day", local_day(self.app.clock()))
        self.set_interval(REFRESH_SECONDS, self.refresh_if_current)
        self.recount()

    # --- counting ------------------------------------------------------------------

    @work(exclusive=True, group="count", exit_on_error=False)
    async def recount(self) -> None:
        app = self.app
        if self.suppressed and (refused := self.avg_refused()):
            self.suppressed = False
            self.set_status(f"{refused} Nu uit.", "error")
        if self.reference is None:
            self.reference = await app.run_db(load_reference)
        result = await app.run_db(report, app.actor, self.reference, self.period, self.breakdown,
                                  now=app.clock(), include_empty=not self.hide_empty,
                                  route_basis=self.route_basis)
        self.report = result
        trends = None
        # The charts and trends are never suppressed, so the AVG view does without them.
        charts = self.query_one("#charts")
        charts.display = self.show_charts_wanted and not self.suppressed
        if charts.display and self.breakdown in ("village", "area"):
            trends = await week_trends(self.app, self.reference, self.period)
        # AVG suppression is arithmetic of up to a tenth of a second: off the event loop,
        # so keys keep working meanwhile.
        try:
            shown = await asyncio.to_thread(published_rows, result, suppressed=self.suppressed)
        except InvalidInput as error:  # AVG: figures no choice of hidden cells protects
            self.suppressed = False
            self.set_status(f"{error.message} Nu uit.", "error")
            shown = await asyncio.to_thread(published_rows, result)
        self.show(result, trends, shown)
        if charts.display:
            await self.query_one("#charts", RouteCharts).show(
                self.app, self.reference, self.period, self.route_basis)

    def show(self, result: Report, trends: dict[str, str] | None,
             shown: tuple[Report, list[list[str]]]) -> None:
        settings = Text()
        for name, value in (("Periode", KIND_NAMES[result.period.kind]),
                            ("Indeling", BREAKDOWNS[self.breakdown].lower()),
                            ("Lege regels", "verborgen" if self.hide_empty else "getoond"),
                            ("Vorig jaar", result.previous_period.label()
                             + (" (tot hetzelfde moment)" if result.partial else "")),
                            ("AVG", "aan: kleine aantallen <10" if self.suppressed else "uit")):
            if settings:
                settings.append("  ·  ")
            settings.append(f"{name}: ", style="dim")
            settings.append(value, style="bold" if name != "AVG" or self.suppressed else "")
        if result.note:
            settings.append(f"\n{result.note}", style="dim")
        self.query_one("#settings", Static).update(plain(settings, lines=True))
        names = headers(result, short=True)
        published, rows = shown
        left = set()
        if trends is not None:
            names.append(f"Trend {TREND_WEEKS} wk")
            rows = [[*row, trends.get(row[0], "")] for row in rows]
            left.add(len(names) - 1)
        self.query_one("#report", ReportTable).show_figures(
            names, rows, [line.kind in ("subtotal", "total") for line in published.lines], left)
        self.show_title()

    def show_title(self) -> None:
        """The period, and which columns are shown when they do not all fit."""
        if self.report is None:
            return
        title = Text(f"{self.report.heading} x route, {self.report.period.label()}",
                     style="bold")
        table = self.query_one("#report", ReportTable)
        if table.pages > 1:
            title.append(f"  ·  kolommen {table.page + 1}/{table.pages}, Shift+"
                         + ("→" if table.page == 0 else "←" if table.page == table.pages - 1
                            else "← →"), style="dim")
        self.query_one("#title", Static).update(title)

    def refresh_if_current(self) -> None:
        if self.period and self.period.first <= local_day(self.app.clock()) <= self.period.last:
            self.recount()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError | InvalidInput) \
                else type(error).__name__
            self.set_status(f"Niet gelukt: {message}", "error")

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a date is being typed, the arrows move the cursor in it.
        if self.asking and action in ("shift", "scroll"):
            return False
        return True

    def action_shift(self, steps: int) -> None:
        if self.asking:
            return
        try:
            self.period = self.period.shift(steps)
        except InvalidInput as error:  # the end of the calendar balie reports on
            self.set_status(error.message, "error")
            return
        self.recount()

    def action_today(self) -> None:
        kind = "day" if self.period.kind == "range" else self.period.kind
        self.period = containing(kind, local_day(self.app.clock()))
        self.recount()

    def action_next_kind(self) -> None:
        """Day, week, month, quarter, year, and round again (a range has its own key)."""
        fixed = [kind for kind in KINDS if kind != "range"]
        current = self.period.kind if self.period.kind in fixed else fixed[-1]
        kind = fixed[(fixed.index(current) + 1) % len(fixed)]
        # Stay around today while today is in view; otherwise at the period's end.
        today = local_day(self.app.clock())
        focus = today if self.period.first <= today <= self.period.last else self.period.last
        self.period = containing(kind, focus)
        self.recount()

    def action_ask_range(self) -> None:
        self.ask("range", "Eigen periode (bijv. 1-3 t/m 15-3):")

    def action_next_breakdown(self) -> None:
        codes = list(BREAKDOWNS)
        self.breakdown = codes[(codes.index(self.breakdown) + 1) % len(codes)]
        self.recount()

    def action_toggle_route_basis(self) -> None:
        self.route_basis = "intake" if self.route_basis == "end" else "end"
        self.recount()

    def action_toggle_empty(self) -> None:
        self.hide_empty = not self.hide_empty
        self.recount()

    def avg_refused(self) -> str | None:
        """Why the current period and breakdown cannot be shown for outside use."""
        try:
            check_publishable(self.period, self.breakdown, today=local_day(self.app.clock()))
        except InvalidInput as error:
            return error.message
        return None

    def action_toggle_avg(self) -> None:
        if not self.suppressed and (refused := self.avg_refused()):
            self.set_status(refused, "error")
            return
        self.suppressed = not self.suppressed
        self.set_status("")  # an earlier refusal no longer applies
        self.recount()

    def action_toggle_charts(self) -> None:
        if self.suppressed:
            self.set_status("Grafieken zijn er niet in de AVG-weergave (a zet die uit).",
                            "error")
            return
        self.show_charts_wanted = not self.show_charts_wanted
        self.recount()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#report", ReportTable).scroll_relative(y=lines, animate=False)

    def action_pan(self, pages: int) -> None:
        table = self.query_one("#report", ReportTable)
        if not table.turn(pages):
            self.set_status("Er zijn geen kolommen meer " + ("rechts." if pages > 0 else "links.")
                            if table.pages > 1 else "Alle kolommen staan al op het scherm.")
            return
        self.set_status("")
        self.show_title()

    def action_factsheet(self) -> None:
        self.app.push_screen(FactsheetScreen(factsheet_period(self.period), self.reference,
                                             self.suppressed))

    def action_ask_date(self) -> None:
        self.ask("date", "Ga naar (gisteren, 12-3, vr, 8 maart, 2024-03-12):")

    def ask(self, what: str, label: str) -> None:
        self.asking = what
        self.query_one("#ask-label", Label).update(label)
        box = self.query_one("#ask")
        box.display = True
        field = self.query_one("#ask-input", Input)
        field.value = ""
        field.focus()

    def close_question(self) -> None:
        self.asking = None
        self.query_one("#ask").display = False
        self.set_focus(None)

    def on_key(self, event: events.Key) -> None:
        if self.asking and event.key == "escape":
            event.stop()
            self.close_question()

    @on(Input.Submitted, "#ask-input")
    def answered(self, event: Input.Submitted) -> None:
        today = local_day(self.app.clock())
        text = event.value
        try:
            if self.asking == "range":
                first_text, sep, last_text = text.replace("tot en met", "t/m").partition("t/m")
                if not sep:
                    first_text, sep, last_text = text.partition(" - ")
                if not sep:
                    raise InvalidInput("Typ twee datums met t/m ertussen, bijv. 1-3 t/m 15-3.")
                first, last = parse_day(first_text, today), parse_day(last_text, today)
                if last < first:
                    raise InvalidInput("De tweede datum ligt vóór de eerste.")
                self.period = in_calendar(Period("range", first, last))
            else:
                self.period = parse_period(self.period.kind if self.period.kind != "range"
                                           else "day", text, today)
        except InvalidInput as error:
            self.set_status(error.message, "error")  # the question stays open, text kept
            return
        self.close_question()
        self.set_status("")
        self.recount()

    @work(exclusive=True, group="export", exit_on_error=False)
    async def action_export(self) -> None:
        if self.report is None:
            return
        name = (f"balie-{self.breakdown}-{self.report.period.first}-{self.report.period.last}"
                f"{'-avg' if self.suppressed else ''}.csv")
        data = to_csv(self.report, suppressed=self.suppressed).encode(ENCODING)
        app = self.app
        try:
            # A new file (an earlier export of the same figures keeps its name: this one
            # gets the next), owner-only, logged exactly when it is in place.
            target = await app.run_db(
                write_export, app.actor, export_folder() / name, data, app.clock(),
                detail=f"overzicht ({'AVG' if self.suppressed else 'intern'})",
                numbered=True, folders=True)
        except StoreError as error:
            self.set_status(f"Export niet gelukt: {error.message}", "error")
            return
        self.set_status(f"Opgeslagen als {target}", "ok")

    def set_status(self, text: str, kind: str = "info") -> None:
        self.query_one("#status", StatusLine).show(text, kind)


def export_folder() -> Path:
    """Where exports go: BALIE_EXPORT_DIR, or the user's documents folder."""
    import os

    import platformdirs

    configured = os.environ.get("BALIE_EXPORT_DIR")
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_documents_path() / "balie"
