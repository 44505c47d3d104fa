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


class TodayList(Vertical):
    """This desk's registrations of today, newest last."""

    def compose(self) -> ComposeResult:
        yield Static(id="today-title")
        yield DataTable(id="today-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#today-table", DataTable)
        table.add_columns("Tijd", "Nr", "Dorp", "Route", "Onderwerp")
        self.query_one("#today-title", Static).update("Vandaag")

    @property
    def table(self) -> DataTable:
        return self.query_one("#today-table", DataTable)

    async def reload(self) -> None:
        """Read today's registrations again (on the database thread) and show them."""
        app = self.app
        today = local_day(app.clock())
        rows = await app.run_db(desk_inquiries, app.actor, local_days_span(today, today))
        table = self.table
        # Another desk's change reloads this list too: the cursor stays on its row.
        chosen = None
        if table.row_count:
            chosen = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear()
        for row in rows:
            route = Text(row.route + (" !" if row.urgent else "") + row.progress)
            table.add_row(f"{local(row.registered_at):%H:%M}", str(row.id), Text(row.village),
                          route, Text(row.topics), key=str(row.id))
        if chosen is not None and chosen in table.rows:
            table.move_cursor(row=table.get_row_index(chosen))
        self.query_one("#today-title", Static).update(
            Text(f"Vandaag geregistreerd: {len(rows)}", style="bold")
        )
