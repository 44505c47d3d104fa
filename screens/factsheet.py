"""Factsheets: each team's period in figures, and the desk's, like the annual report.

One page at a time (T: the next team, then the desk), in the width the terminal has:
bars for shares, and two columns of sections on a wide terminal. The text is
:func:`balie.domain.factsheet_output.page_lines` of the same pages that ``balie report
--factsheet`` prints, so screen, command line and HTML show the same figures.
"""

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
from balie.db.factsheets import published_factsheets
from balie.domain.factsheet_output import page_lines
from balie.domain.factsheet_publication import Page
from balie.domain.models import Reference
from balie.domain.parsing import InvalidInput
from balie.domain.periods import KIND_NAMES, Period, containing
from balie.domain.report_output import check_publishable
from balie.domain.timekeeping import local_day
from balie.plain import plain
from balie.widgets import StatusLine

KINDS = ("year", "quarter", "month")
"""The periods P goes through; an own range comes from the overview (R, then F)."""
HINT = "← → periode · p jaar/kwartaal/maand · t volgend team · a AVG · Esc sluiten"


def factsheet_period(period: Period) -> Period:
    """The factsheets' period for the overview's: its month, quarter, year or own range;
    the year of a day or week."""
    if period.kind in (*KINDS, "range"):
        return period
    return containing("year", period.last)


class FactsheetScreen(ModalScreen[None]):
    CSS_PATH = "factsheet.tcss"
    HELP_TITLE = "Factsheet"
    BINDINGS = [
        Binding("left", "shift(-1)", "Vorige", key_display="←", priority=True,
                tooltip="De vorige periode (jaar, kwartaal, maand)"),
        Binding("right", "shift(1)", "Volgende", key_display="→", priority=True,
                tooltip="De volgende periode"),
        Binding("p", "next_kind", "Periode", tooltip="Jaar, kwartaal of maand"),
        Binding("t", "next_page", "Team", tooltip="Het volgende team, dan de balie"),
        Binding("a", "toggle_avg", "AVG", tooltip="Kleine aantallen verbergen (<10)"),
        Binding("escape,f,q", "dismiss", "Sluiten", key_display="Esc"),
    ]

    def __init__(self, period: Period, reference: Reference, suppressed: bool) -> None:
        super().__init__()
        self.period = period
        self.reference = reference
        self.suppressed = suppressed
        self.pages: list[Page] = []
        self.index = 0
        """The page shown (a team, or the desk as the last page)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="factsheet"):
            yield Static(id="factsheet-title")
            yield Static(id="factsheet-body")
        yield StatusLine(id="factsheet-status")
        yield Static(Text(HINT, style="dim"), id="factsheet-hint")

    def on_mount(self) -> None:
        self.load()

    def avg_refused(self) -> str | None:
        """Why this period's factsheets cannot be shown for outside use (None: they can)."""
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
        # The AVG protection is arithmetic of up to a few tenths of a second: it runs
        # on the database thread, so keys keep working meanwhile.
        try:
            self.pages = await self.app.run_db(
                published_factsheets, self.app.actor, self.reference, self.period,
                now=self.app.clock(), suppressed=self.suppressed)
        except InvalidInput as error:  # AVG: figures no choice of hidden cells protects
            if not self.suppressed:
                raise
            self.suppressed = False
            self.query_one(StatusLine).show(f"{error.message} Nu uit.", "error")
            self.pages = await self.app.run_db(
                published_factsheets, self.app.actor, self.reference, self.period,
                now=self.app.clock(), suppressed=False)
        self.index = min(self.index, max(0, len(self.pages) - 1))
        self.show()

    def show(self) -> None:
        title = self.query_one("#factsheet-title", Static)
        body = self.query_one("#factsheet-body", Static)
        if not self.pages:
            title.update(Text(f"Factsheets {self.period.label()}", style="bold"))
            body.update(Text("Geen teams."))
            return
        title.update(Text(f"Factsheet {self.index + 1} van {len(self.pages)} · "
                          f"{KIND_NAMES[self.period.kind]}", style="dim"))
        body.update(plain("\n".join(page_lines(self.pages[self.index], self.text_width())),
                          lines=True))

    def text_width(self) -> int:
        """The columns the page's text may use: the scroll area without its scrollbar."""
        area = self.query_one("#factsheet", VerticalScroll)
        return max(1, area.scrollable_content_region.width)

    def on_resize(self) -> None:
        if self.pages:
            self.call_after_refresh(self.show)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError | InvalidInput) \
                else type(error).__name__
            self.query_one(StatusLine).show(f"Niet gelukt: {message}", "error")

    def action_shift(self, steps: int) -> None:
        try:
            self.period = self.period.shift(steps)
        except InvalidInput as error:  # the end of the calendar balie reports on
            self.query_one(StatusLine).show(error.message, "error")
            return
        self.query_one(StatusLine).show("")
        self.load()

    def action_next_kind(self) -> None:
        current = self.period.kind if self.period.kind in KINDS else KINDS[-1]
        kind = KINDS[(KINDS.index(current) + 1) % len(KINDS)]
        today = local_day(self.app.clock())
        focus = today if self.period.first <= today <= self.period.last else self.period.last
        self.period = containing(kind, focus)
        self.query_one(StatusLine).show("")
        self.load()

    def action_next_page(self) -> None:
        if self.pages:
            self.index = (self.index + 1) % len(self.pages)
            self.query_one("#factsheet", VerticalScroll).scroll_home(animate=False)
            self.show()

    def action_toggle_avg(self) -> None:
        if not self.suppressed and (refused := self.avg_refused()):
            self.query_one(StatusLine).show(refused, "error")
            return
        self.suppressed = not self.suppressed
        self.query_one(StatusLine).show("")
        self.load()
