"""Terugbellen: the callback requests due today and overdue, across teams, and the
follow-ups of referrals ("nabellen: is het gelukt?").

The desk sees all of them (or those that stayed at the desk); a team member starts on
their own team's. Mark one as done (with a note; a follow-up with its result) or not
reached (with a new time). An inquiry can be in the list twice: once to call back,
once to follow up its referral.
The list shows names and phone numbers, because it exists to call them: every time new
inquiries appear in it, the audit log records which ones were shown to whom.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from balie.db.followup import followup_done, followup_not_reached
from balie.db.inbox import (
    FOLLOWUP,
    MAX_ROWS,
    CallbackRow,
    callback_done,
    callback_not_reached,
    callbacks_due,
)
from balie.db.reference import load_reference
from balie.db.settings import office_settings
from balie.domain.followup import RESULTS, parse_followup
from balie.domain.models import Route
from balie.domain.parsing import InvalidInput, describe_moment, format_phone, parse_moment
from balie.domain.timekeeping import local_day, start_of_local_day
from balie.domain.workhours import DEFAULT_OFFICE_HOURS, OfficeHours, off_hours
from balie.plain import plain
from balie.screens.dialog import Answer, ChoiceDialog
from balie.screens.worklist import WorkListScreen
from balie.widgets import cursor_key, show_rows

ALL = "Alle"
AT_DESK = "Balie"
COLUMNS = ("Wanneer", "Nr", "Voor", "Dorp", "Naam", "Telefoon", "Keer", "Omschrijving")
"""("Keer": how often nobody answered.) Narrow columns: the summary fits at 100 wide."""
FLEXIBLE = {"Voor": 8, "Dorp": 8, "Naam": 10, "Omschrijving": 10}
"""Columns that make way at 80 columns (cut with …), and the least width worth showing."""


class CallbacksScreen(WorkListScreen):
    """Callbacks to make today, the overdue ones first."""

    HELP_TITLE = "Terugbellen"
    ACTIONS_ON_ROWS = ("done", "not_reached", "next_filter")
    BINDINGS = [
        Binding("g", "done", "Gebeld", id="callbacks.done",
                tooltip="Teruggebeld (of nagebeld, met de uitkomst): afvinken, met een "
                        "notitie"),
        Binding("n", "not_reached", "Niet bereikt", id="callbacks.not_reached",
                tooltip="Niet bereikt: een nieuw tijdstip om het opnieuw te proberen"),
        Binding("enter", "details", "Bekijken", id="callbacks.details",
                tooltip="De gekozen vraag met zijn geschiedenis"),
        Binding("t", "next_filter", "Voor wie", id="callbacks.filter",
                tooltip="Alle terugbelverzoeken, die van de balie, of van één team"),
        Binding("escape", "back", "Terug", id="callbacks.back", show=False,
                tooltip="Terug naar registreren (of de vraag sluiten)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter: Route | str = ALL
        """ALL, AT_DESK (desk and external routes) or one team."""
        self.rows: list[CallbackRow] = []
        self.logged: set[int] = set()
        """Inquiries whose contact details this screen has shown (and logged)."""
        self.new_list = False
        """The next load shows another list (another filter): the cursor starts on top."""
        self.office: OfficeHours = DEFAULT_OFFICE_HOURS
        """The office hours all desks share: a new time outside them is questioned."""

    @property
    def filters(self) -> list[Route | str]:
        """All (that the person may call back for), the desk's, and each team's."""
        if self.reference is None:
            return [ALL]
        app = self.app
        desk = [AT_DESK] if any(app.may("callbacks", r) for r in self.reference.routes.all
                                if not r.is_team) else []
        specific = [*desk, *(t for t in self.reference.teams if app.may("callbacks", t))]
        return specific if len(specific) == 1 else [ALL, *specific]

    def route_ids(self) -> list[int] | None:
        if self.filter == ALL:
            return None
        if self.filter == AT_DESK:
            return [r.id for r in self.reference.routes.all if not r.is_team]
        return [self.filter.id]

    @work(exclusive=True, group="callbacks", exit_on_error=False)
    async def load(self) -> None:
        app = self.app
        if self.stale:
            first_time = self.reference is None
            self.reference = await app.run_db(load_reference)
            _, self.office = await app.run_db(office_settings)
            self.stale = False
            if first_time:
                own = next((t for t in self.reference.teams
                            if t.id == app.staff.team_route_id), None)
                self.filter = own or self.filters[0]
            elif isinstance(self.filter, Route):
                self.filter = self.reference.routes[self.filter.id]
            self.refresh_bindings()  # "Voor wie" is offered once there is a choice
        now = app.clock()
        end_of_today = start_of_local_day(local_day(now) + timedelta(days=1))
        self.rows = await app.run_db(callbacks_due, app.actor, end_of_today, now,
                                     self.route_ids(), seen=frozenset(self.logged))
        self.logged |= {r.id for r in self.rows}
        self.show()

    def show(self) -> None:
        if self.reference is None:
            return
        now = self.app.clock()
        late = 0
        rows = []
        for row in self.rows:
            overdue = row.callback_at < now
            late += overdue
            # The list is today's: a time of today needs no "vandaag" before it.
            when = Text(describe_moment(row.callback_at, now).removeprefix("vandaag "),
                        style="bold reverse red" if overdue else "")
            route = self.reference.routes[row.route_id]
            owner = f" ({row.owner_name})" if row.owner_name and route.is_team else ""
            summary = row.summary
            purpose = Text(route.short + owner)
            if row.kind == FOLLOWUP:  # "is het gelukt?": the referral it is about first
                purpose = Text("Nabellen", style="bold")
                summary = f"{row.referrals}: {row.summary}".rstrip(": ")
            # Keyed by inquiry and kind: an inquiry can be here to call back and to follow up.
            rows.append((row.key, [
                when, str(row.id), purpose, Text(row.village),
                Text(row.person_name or "-"), format_phone(row.phone),
                str(row.tries) if row.tries else "", Text(summary)]))
        # Another filter is another list: it starts at its top. Text that does not fit
        # the width is cut with an ellipsis (names and numbers first keep their room).
        show_rows(self.query_one("#list", DataTable),
                  *self.fitted(list(COLUMNS), rows, FLEXIBLE), top=self.new_list)
        self.new_list = False
        name = self.filter.name if isinstance(self.filter, Route) else self.filter
        self.query_one("#title", Static).update(Text.assemble(
            Text("Terugbellen vandaag  ", style="bold"), plain(f" {name} ", "reverse")))
        shown = f"{len(self.rows)}" + ("+" if len(self.rows) == MAX_ROWS else "")
        summary_text = (f"{shown} te doen, waarvan {late} te laat (bovenaan)"
                        if self.rows else "Niemand hoeft vandaag nog teruggebeld te worden.")
        self.query_one("#summary", Static).update(
            Text(summary_text, style="bold red" if late else "dim"))

    # --- the chosen row ------------------------------------------------------------

    def selected_row(self) -> CallbackRow | None:
        key = cursor_key(self.query_one("#list", DataTable))
        return next((r for r in self.rows if r.key == key), None)

    def selected(self) -> int | None:
        row = self.selected_row()
        return row.id if row else None

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if super().check_action(action, parameters) is False:
            return False
        if action == "next_filter":  # nothing to choose for one team or the desk alone
            return len(self.filters) > 1
        return True

    def action_next_filter(self) -> None:
        options = self.filters
        current = options.index(self.filter) if self.filter in options else -1
        self.filter = options[(current + 1) % len(options)]
        self.new_list = True
        self.set_status("")
        self.load()

    def action_done(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.kind == FOLLOWUP:
            self.followed_up(row)
            return
        self.ask(f"Nummer {row.id} teruggebeld. Notitie (mag leeg):",
                 lambda note: self.act(callback_done, f"Nummer {row.id}: teruggebeld.",
                                       row.id, row.callback_at, self.app.actor,
                                       self.app.clock(), note))

    def action_not_reached(self) -> None:
        row = self.selected_row()
        if row is None:
            return

        followup = row.kind == FOLLOWUP
        parse = parse_followup if followup else parse_moment

        def again(text: str) -> None:
            now = self.app.clock()
            try:
                moment = parse(text, now).at
            except InvalidInput as error:
                self.set_status(error.message, "error")  # the line stays, text kept
                return
            when = describe_moment(moment, now)

            def retry(answer: str = "yes") -> None:
                if answer == "yes":
                    self.act(followup_not_reached if followup else callback_not_reached,
                             f"Nummer {row.id}: opnieuw proberen {when}.",
                             row.id, row.callback_at, moment, self.app.actor, now, None)

            concern = off_hours(moment, self.office)
            if concern is None:
                retry()
            else:  # the same question as the form asks; Nee keeps the line to type again
                self.app.push_screen(ChoiceDialog(
                    "Terugbellen buiten werktijd",
                    f"Opnieuw proberen {when}: {concern}. Toch zo?"), retry)

        self.ask(f"Nummer {row.id} niet bereikt. Opnieuw proberen (14:30, morgen 10u, vr):",
                 again)

    def followed_up(self, row: CallbackRow) -> None:
        """A follow-up call made: its result (a digit), then a note."""
        answers = tuple(Answer(str(n), label, code)
                        for n, (code, label) in enumerate(RESULTS, start=1))
        names = dict(RESULTS)

        def chosen(code: str | None) -> None:
            if not code or code == "cancel":
                return
            self.ask(f"Nagebeld: {names[code]}. Notitie (mag leeg):",
                     lambda note: self.act(
                         followup_done, f"Nummer {row.id} nagebeld: {names[code]}.", row.id,
                         row.callback_at, code, self.app.actor, self.app.clock(), note))

        self.app.push_screen(
            ChoiceDialog("Nabellen", f"Nummer {row.id}, verwezen naar {row.referrals}: is "
                                     "het gelukt?",
                         answers, cancel_value="cancel", stacked=True),
            chosen)
