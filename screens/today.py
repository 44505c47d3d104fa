"""Today's registrations of this desk, beside (or under) the form.

Enter on a row opens that registration for correction (handled by the screen). The
list shows who has what now: a team picking an inquiry up reloads it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from balie.db.inquiries import desk_inquiries
from balie.domain.timekeeping import local, local_day, local_days_span
from balie.plain import TextTable
from balie.widgets import show_rows

COLUMNS = ("Tijd", "Nr", "Dorp", "Route", "Onderwerp")


class TodayList(Vertical):
    """This desk's registrations of today, newest first."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Vandaag"), id="today-title")
        yield TextTable(id="today-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        show_rows(self.table, COLUMNS, ())

    @property
    def table(self) -> DataTable:
        return self.query_one("#today-table", DataTable)

    async def reload(self, select: int | None = None) -> None:
        """Read today's registrations again (on the database thread) and show them.

        The cursor goes to ``select`` (the inquiry just saved: Ctrl+L, Enter opens it),
        or stays on the row it was on (another desk's change reloads this list too).
        """
        app = self.app
        today = local_day(app.clock())
        rows = await app.run_db(desk_inquiries, app.actor, local_days_span(today, today))
        show_rows(self.table, COLUMNS, (
            (str(row.id), (f"{local(row.registered_at):%H:%M}", str(row.id), Text(row.village),
                           Text(row.route + (" !" if row.urgent else "") + row.progress),
                           Text(row.topics)))
            for row in rows
        ), select=None if select is None else str(select))
        self.query_one("#today-title", Static).update(
            Text(f"Vandaag geregistreerd: {len(rows)}", style="bold")
        )
