"""A year in figures per team, like the factsheets of the annual report."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from balie.db.reports import factsheets
from balie.domain.models import Reference
from balie.domain.periods import Period
from balie.domain.report_output import factsheet_text


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
            yield Static(Text("← → ander jaar · a AVG aan/uit · Esc sluiten", style="dim"))

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        sheets = await self.app.run_db(factsheets, self.reference, self.period)
        title = f"Factsheets {self.period.label()}" + (
            " (AVG: kleine aantallen verborgen)" if self.suppressed else "")
        self.query_one("#factsheet-title", Static).update(Text(title, style="bold"))
        body = "\n".join(factsheet_text(s, suppressed=self.suppressed) for s in sheets)
        self.query_one("#factsheet-body", Static).update(Text(body or "Geen teams."))

    def action_year(self, steps: int) -> None:
        self.period = self.period.shift(steps)
        self.load()

    def action_toggle_avg(self) -> None:
        self.suppressed = not self.suppressed
        self.load()
