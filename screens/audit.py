"""Auditlog (beheer): who saw or changed which inquiry, when and from where.

Filters combine: a period (default the last 7 days), a staff member, an inquiry
number. Enter on a line shows everything of that line's inquiry. Looking at the log
is itself logged.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from balie.db.auditlog import MAX_AUDIT_ROWS, AuditRow, audit_rows
from balie.db.reference import load_reference
from balie.domain.parsing import InvalidInput, parse_day_range
from balie.domain.timekeeping import local, local_day, local_days_span
from balie.domain.wording import audit_detail
from balie.plain import plain
from balie.screens.worklist import WorkListScreen, one_line
from balie.widgets import show_rows

DEFAULT_DAYS = 7
COLUMNS = ("Tijd", "Medewerker", "Wat", "Nr", "Waarvandaan", "Toelichting")


class AuditScreen(WorkListScreen):
    """The audit log, newest first, filtered by period, staff member and inquiry."""

    HELP_TITLE = "Auditlog"
    ACTIONS_ON_ROWS = ("period", "staff", "inquiry", "clear")
    BINDINGS = [
        Binding("p", "period", "Periode", id="audit.period",
                tooltip="Alleen een periode: een datum, of 1-11 t/m 22-11"),
        Binding("m", "staff", "Medewerker", id="audit.staff",
                tooltip="Alleen wat één medewerker deed (gebruikersnaam)"),
        Binding("n", "inquiry", "Nummer", id="audit.inquiry",
                tooltip="Alles over één vraag (nummer), over de hele periode"),
        Binding("enter", "details", "Deze vraag", id="audit.details",
                tooltip="Alles over de vraag van de gekozen regel"),
        Binding("w", "clear", "Alles", id="audit.clear",
                tooltip="Filters wissen: de laatste 7 dagen van iedereen"),
        Binding("escape", "back", "Terug", id="audit.back", show=False,
                tooltip="De vraag sluiten, of terug"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AuditRow] = []
        self.username: str | None = None
        self.inquiry_id: int | None = None
        self.days: tuple | None = None
        """(first, last) local days, or None for the default (the last 7 days)."""
        self.new_list = False
        """The next load shows other filters' lines: the cursor starts on top."""

    def period(self):
        today = local_day(self.app.clock())
        if self.days is None:
            return (today - timedelta(days=DEFAULT_DAYS - 1), today)
        return self.days

    @work(exclusive=True, group="audit", exit_on_error=False)
    async def load(self) -> None:
        app = self.app
        if self.reference is None:
            self.reference = await app.run_db(load_reference)
        # One inquiry's lines: over all time, unless a period was chosen.
        span = None if self.inquiry_id is not None and self.days is None \
            else local_days_span(*self.period())
        self.rows = await app.run_db(audit_rows, app.actor, app.clock(),
                                     username=self.username, inquiry_id=self.inquiry_id,
                                     span=span)
        self.show()

    def data_changed(self) -> None:
        """The log grows with every action: reading it again would log that too."""

    def show(self) -> None:
        rows = [(str(row.id), (
            f"{local(row.at):%d-%m %H:%M}", Text(row.username or "-"), row.action_label,
            str(row.inquiry_id or ""), Text(one_line(row.origin or "", 22)),
            Text(one_line(audit_detail(row.action, row.detail, self.reference), 40))))
            for row in self.rows]
        # Other filters are another list: it starts at its top (the newest line).
        show_rows(self.query_one("#list", DataTable), COLUMNS, rows, top=self.new_list)
        self.new_list = False
        first, last = self.period()
        filters = [f"{first:%d-%m-%Y} t/m {last:%d-%m-%Y}"
                   if self.inquiry_id is None or self.days else "hele periode"]
        if self.username:
            filters.append(f"medewerker {self.username}")
        if self.inquiry_id is not None:
            filters.append(f"nummer {self.inquiry_id}")
        self.query_one("#title", Static).update(
            Text.assemble(("Auditlog", "bold"), plain("  ·  " + "  ·  ".join(filters))))
        more = f" (de nieuwste {MAX_AUDIT_ROWS}; kies een kortere periode)" \
            if len(self.rows) >= MAX_AUDIT_ROWS else ""
        count = len(self.rows)
        self.query_one("#summary", Static).update(
            Text(f"{count} {'regel' if count == 1 else 'regels'}{more}"))

    def selected_row(self):
        chosen = self.selected()
        return next((r for r in self.rows if r.id == chosen), None)

    @property
    def current_inquiry_id(self) -> int | None:
        """The inquiry of the line under the cursor (the list's keys are log rows)."""
        row = self.selected_row()
        return row.inquiry_id if row else None

    # --- filters -------------------------------------------------------------------

    def action_period(self) -> None:
        def chosen(text: str) -> None:
            if not text.strip():
                self.days = None
            else:
                try:
                    self.days = parse_day_range(text, local_day(self.app.clock()))
                except InvalidInput as error:
                    self.set_status(error.message, "error")  # the line stays, text kept
                    return
            self.refilter()

        self.ask("Periode (12-11, of 1-11 t/m 22-11; leeg: laatste 7 dagen):", chosen)

    def action_staff(self) -> None:
        def chosen(text: str) -> None:
            self.username = text.strip() or None
            self.refilter()

        self.ask("Gebruikersnaam (leeg: iedereen):", chosen)

    def action_inquiry(self) -> None:
        def chosen(text: str) -> None:
            text = text.strip().lstrip("#")
            if text and not text.isdigit():
                self.set_status("Typ het nummer van de vraag (alleen cijfers).", "error")
                return
            self.inquiry_id = int(text) if text else None
            self.refilter()

        self.ask("Nummer van de vraag (leeg: alle):", chosen)

    def action_details(self) -> None:
        row = self.selected_row()
        if row is None or row.inquiry_id is None:
            self.set_status("Deze regel gaat niet over één vraag.")
            return
        self.inquiry_id, self.days = row.inquiry_id, None
        self.refilter()

    def action_clear(self) -> None:
        self.username = self.inquiry_id = self.days = None
        self.refilter()

    def refilter(self) -> None:
        self.new_list = True
        self.close_question()
        self.set_status("")
        self.load()
