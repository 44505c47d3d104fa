"""A year in figures per team, like the factsheets of the annual report."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from balie.db.errors import StoreError
from balie.db.reports import factsheets, report
from balie.domain.models import Reference
from balie.domain.parsing import InvalidInput
from balie.domain.periods import Period
from balie.domain.report_output import check_publishable, factsheet_text
from balie.domain.timekeeping import local_day
from balie.plain import plain
from balie.widgets import StatusLine


class FactsheetScreen(ModalScreen[None]):
    CSS_PATH = "factsheet.tcss"
    HELP_TITLE = "Factsheet"
    BINDINGS = [
        Binding("left", "year(-1)", "Vorig jaar", key_display="←"),
        Binding("right", "year(1)", "Volgend jaar", key_display="→"),
        Binding("a", "toggle_avg", "AVG", tooltip="Kleine aantallen verbergen (<10)"),
        Binding("escape,f,q", "dismiss", "Sluiten", key_display="Esc"),
    ]

    def __init__(self, period: Period, reference: Reference, suppressed: bool) -> None:
        super().__init__()
        self.period = period
        self.reference = reference
        self.suppressed = suppressed

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="factsheet"):
            yield Static(id="factsheet-title")
            yield Static(id="factsheet-body")
            yield StatusLine(id="factsheet-status")
            yield Static(Text("← → ander jaar · a AVG aan/uit · Esc sluiten", style="dim"))

    def on_mount(self) -> None:
        self.load()

    def avg_refused(self) -> str | None:
        """Why this year's factsheets cannot be shown for outside use (None: they can)."""
        try:
            check_publishable(self.period, today=local_day(self.app.clock()))
        except InvalidInput as error:
            return error.message
        return None

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        if self.suppressed and (refused := self.avg_refused()):
            self.suppressed = False
            self.query_one(StatusLine).show(f"{refused} Nu uit.", "error")
        period, suppressed = self.period, self.suppressed
        sheets = await self.app.run_db(factsheets, self.app.actor, self.reference, period,
                                       now=self.app.clock())
        # Suppressed, a team's figures are hidden where the village table hides them.
        village = await self.app.run_db(report, self.app.actor, self.reference, period, "village",
                                        now=self.app.clock()) if suppressed else None
        title = f"Factsheets {period.label()}" + (
            " (AVG: kleine aantallen verborgen)" if suppressed else "")
        self.query_one("#factsheet-title", Static).update(Text(title, style="bold"))
        body = "\n".join(factsheet_text(s, village=village) for s in sheets)
        self.query_one("#factsheet-body", Static).update(plain(body or "Geen teams.", lines=True))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError) else type(error).__name__
            self.query_one(StatusLine).show(f"Niet gelukt: {message}", "error")

    def action_year(self, steps: int) -> None:
        try:
            self.period = self.period.shift(steps)
        except InvalidInput as error:  # the end of the calendar balie reports on
            self.query_one(StatusLine).show(error.message, "error")
            return
        self.query_one(StatusLine).show("")
        self.load()

    def action_toggle_avg(self) -> None:
        if not self.suppressed and (refused := self.avg_refused()):
            self.query_one(StatusLine).show(refused, "error")
            return
        self.suppressed = not self.suppressed
        self.load()
