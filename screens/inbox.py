"""Werkvoorraad: a team's list of routed inquiries, to pick up, transfer, close, reopen.

One screen for every team (``t`` goes to the next team, and to all teams at once for
the team lead). Three views: new (not picked up: spoed first, then the longest
waiting), in progress (mine first) and closed in the last 30 days (to reopen). An
inquiry not picked up within the configured working hours is marked, spoed at once.
The list reloads by itself when another desk changes something (see
:meth:`balie.app.BalieApp.poll_changes`).
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import DataTable, Static

from balie.db.access import refusal
from balie.db.inbox import (
    VIEW_CLOSED,
    VIEW_NEW,
    VIEW_OPEN,
    VIEWS,
    InboxRow,
    close,
    inbox,
    inbox_counts,
    pick_up,
    reopen,
    transfer,
)
from balie.db.reference import load_reference
from balie.db.settings import office_settings
from balie.domain.models import Route
from balie.domain.numbers import count
from balie.domain.timekeeping import local
from balie.domain.workhours import (
    DEFAULT_MAX_WAIT_HOURS,
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    describe_working_time,
    waiting_too_long,
)
from balie.plain import plain
from balie.screens.dialog import Answer, ChoiceDialog
from balie.screens.worklist import WorkListScreen
from balie.widgets import show_rows

VIEW_NAMES = {VIEW_NEW: "Nieuw", VIEW_OPEN: "In behandeling", VIEW_CLOSED: "Afgerond"}
ALL_TEAMS = "Alle teams"


class InboxScreen(WorkListScreen):
    """The werkvoorraad of one team, or of all teams."""

    HELP_TITLE = "Werkvoorraad"
    ACTIONS_ON_ROWS = ("pick_up", "transfer", "close", "reopen", "next_team", "next_view")
    ROLE_ACTIONS = {"transfer": "transfer"}
    """Keys only some roles get (see balie.db.access): the others do not see them."""
    BINDINGS = [
        Binding("o", "pick_up", "Oppakken", id="inbox.pick_up",
                tooltip="De gekozen vraag oppakken: hij staat dan op uw naam"),
        Binding("d", "transfer", "Doorzetten", id="inbox.transfer",
                tooltip="De gekozen vraag naar een ander team, met een reden"),
        Binding("a", "close", "Afronden", id="inbox.close",
                tooltip="De gekozen vraag afronden met een uitkomst"),
        Binding("h", "reopen", "Heropenen", id="inbox.reopen",
                tooltip="Een afgeronde vraag weer openen, met een reden"),
        Binding("enter", "details", "Bekijken", id="inbox.details",
                tooltip="De gekozen vraag met zijn geschiedenis"),
        Binding("t", "next_team", "Team", id="inbox.team",
                tooltip="Naar de lijst van het volgende team (of alle teams)"),
        Binding("w", "next_view", "Weergave", id="inbox.view",
                tooltip="Nieuw, in behandeling of afgerond"),
        Binding("escape", "back", "Terug", id="inbox.back", show=False,
                tooltip="Terug naar registreren (of de vraag sluiten)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.team: Route | None = None
        """The team shown, or None for all teams."""
        self.view = VIEW_NEW
        self.rows: list[InboxRow] = []
        self.wanted_team: int | None = None
        """A team asked for before the reference data was read (command palette)."""
        self.counts: dict[tuple[int, str], int] = {}
        self.office: tuple[float, OfficeHours] = (DEFAULT_MAX_WAIT_HOURS, DEFAULT_OFFICE_HOURS)
        self.logged: set[int] = set()
        """Inquiries whose summary this screen has shown (and logged)."""
        self.new_list = True
        """The next list shown is another view or team: the cursor starts at the top."""

    @work(exclusive=True, group="inbox", exit_on_error=False)
    async def load(self) -> None:
        app = self.app
        if self.stale:
            first_time = self.reference is None
            self.reference = await app.run_db(load_reference)
            self.office = await app.run_db(office_settings)
            self.stale = False
            if first_time:
                # A team member starts at their team, a team lead at all teams at once.
                own = next((t for t in self.teams if t.id == app.staff.team_route_id), None)
                active = next((t for t in self.teams if not t.retired), None)
                self.team = own or (None if app.may("team_list") else active)
            if self.wanted_team is not None:
                self.team, self.wanted_team = self.reference.routes[self.wanted_team], None
            elif self.team is not None:
                self.team = self.reference.routes[self.team.id]  # renamed, retired
        route_ids = [self.team.id] if self.team else [t.id for t in self.teams]
        self.rows = await app.run_db(inbox, app.actor, route_ids, self.view, app.clock(),
                                     seen=frozenset(self.logged))
        self.logged |= {r.id for r in self.rows}
        self.counts = await app.run_db(inbox_counts, route_ids)
        self.show()

    @property
    def teams(self) -> list[Route]:
        """Every team the person works for (a team lead: all), retired ones too: what is
        still open there must stay in reach."""
        teams = self.reference.teams if self.reference else ()
        return [team for team in teams if self.app.may("team_list", team)]

    # --- showing -------------------------------------------------------------------

    def overdue(self, row: InboxRow) -> bool:
        if row.status != "new":
            return False
        max_hours, office = self.office
        return waiting_too_long(row.queued_at, self.app.clock(), urgent=row.urgent,
                                max_hours=max_hours, office=office)

    def show(self) -> None:
        if self.reference is None:
            return
        table = self.query_one("#list", DataTable)
        now = self.app.clock()
        office = self.office[1]
        # The client's wait in working time, like "te lang": here since the inquiry
        # came to this team, in total since it was registered (shown when that differs:
        # after a transfer).
        waits = {row.id: (describe_working_time(row.queued_at, now, office),
                          describe_working_time(row.registered_at, now, office))
                 for row in self.rows}
        total = self.view != VIEW_CLOSED and any(here != since for here, since in waits.values())
        if self.view == VIEW_CLOSED:
            names = ["Nr", "Afgerond", "Uitkomst", "Door", "Dorp", "Onderwerp"]
        else:
            names = ["", "Nr", "Wacht", *(["Totaal"] if total else []),
                     *(["Bij"] if self.view == VIEW_OPEN else []), "Dorp", "Lft", "Onderwerp",
                     "Omschrijving"]
        if self.team is None:
            names.insert(1, "Team")
        least = {"Uitkomst": 12, "Door": 10, "Bij": 10, "Dorp": 10, "Onderwerp": 10,
                 "Omschrijving": 12}
        rows = []
        for row in self.rows:
            here, since = waits[row.id]
            team = [self.reference.routes[row.route_id].short] if self.team is None else []
            if self.view == VIEW_CLOSED:
                cells = [str(row.id), *team, f"{local(row.closed_at):%d-%m %H:%M}",
                         Text(row.outcome or "-"), Text(row.owner_name or "-"),
                         Text(row.village), Text(row.topics)]
            else:
                late = self.overdue(row)
                # Not by colour alone: "!" is spoed, "»" waiting too long.
                cells = [Text("!" if row.urgent else ("»" if late else ""), style="bold red"),
                         *team, str(row.id),
                         Text(here, style="bold reverse red" if late else ""),
                         *([since] if total else []),
                         *([Text(row.owner_name or "-")] if self.view == VIEW_OPEN else []),
                         Text(row.village), "" if row.age is None else str(row.age),
                         Text(row.topics), Text(row.summary)]
            rows.append((str(row.id), cells))
        # Another view or team is a new list: its first row, which the header names.
        show_rows(table, *self.fitted(names, rows, least), top=self.new_list)
        self.new_list = False
        self.show_title()
        self.refresh_bindings()

    def show_title(self) -> None:
        name = self.team.name if self.team else ALL_TEAMS
        if self.team is not None and self.team.retired:
            name += " (ingetrokken)"
        counts = self.counts
        new = sum(n for (_, status), n in counts.items() if status == "new")
        open_ = sum(n for (_, status), n in counts.items() if status == "picked_up")
        parts = []
        for view in VIEWS:
            label = VIEW_NAMES[view]
            if view == VIEW_NEW:
                label += f" ({count(new)})"
            elif view == VIEW_OPEN:
                label += f" ({count(open_)})"
            parts.append(Text(f" {label} ", style="reverse bold" if view == self.view else ""))
        title = Text.assemble(plain(f"Werkvoorraad {name}  ", "bold"), *parts)
        self.query_one("#title", Static).update(title)
        max_hours, office = self.office
        clock = (f"Wacht (bij dit team) en Totaal (sinds de registratie) in werktijd: "
                 f"ma-vr {office.start:%H:%M}-{office.end:%H:%M}, geen feestdagen; "
                 "wd = werkdag.")
        if self.view == VIEW_NEW:
            late = [r for r in self.rows if self.overdue(r)]
            urgent = sum(r.urgent for r in late)
            said = (f"» {count(len(late))} wachten te lang, {count(urgent)} met spoed. " if late
                    else "Niemand wacht te lang. ")
            summary = Text.assemble(
                Text(said, style="bold red" if late else ""),
                Text(f"Te lang: {max_hours:g} werkuren niet opgepakt; spoed meteen. {clock}",
                     style="dim"))
            waiting = sum(n for (_, status), n in self.counts.items() if status == "new")
            if len(self.rows) < waiting:
                summary = Text.assemble(
                    f"De eerste {count(len(self.rows))} van {count(waiting)} (spoed en "
                    "langst wachtend). ", summary)
        elif self.view == VIEW_OPEN:
            mine = sum(r.owner_id == self.app.staff.id for r in self.rows)
            summary = Text.assemble(f"{count(mine)} op uw naam (bovenaan). ",
                                    Text(clock, style="dim"))
        else:
            summary = Text("Afgerond in de laatste 30 dagen, nieuwste eerst.", style="dim")
        if not self.rows:
            summary = Text.assemble("Geen vragen in deze lijst. ", summary)
        self.query_one("#summary", Static).update(summary)

    # --- switching -----------------------------------------------------------------

    def show_team(self, route_id: int) -> None:
        self.wanted_team = route_id
        self.stale = True
        self.view = VIEW_NEW
        self.new_list = True
        self.load()

    def action_next_team(self) -> None:
        options: list[Route | None] = [*self.teams, *([None] if self.app.may("team_list")
                                                      else [])]
        self.team = options[(options.index(self.team) + 1) % len(options)]
        self.new_list = True
        self.set_status("")
        self.load()

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.new_list = True
        self.set_status("")
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if super().check_action(action, parameters) is False:
            return False
        allowed = {"pick_up": (VIEW_NEW,), "transfer": (VIEW_NEW, VIEW_OPEN),
                   "close": (VIEW_OPEN,), "reopen": (VIEW_CLOSED,)}
        if action in allowed and self.view not in allowed[action]:
            return False  # not in this view (and the footer keeps room for what is)
        if action in self.ROLE_ACTIONS:
            return self.app.grant.may_some(self.ROLE_ACTIONS[action])
        if action == "next_team":  # a team member with one team has nothing to switch to
            return len(self.teams) > 1 or self.app.may("team_list")
        return True

    def why_not(self, action: str) -> str | None:
        if action in self.ROLE_ACTIONS and not self.app.grant.may_some(
                self.ROLE_ACTIONS[action]):
            return refusal(self.app.grant, self.ROLE_ACTIONS[action])
        switch = "w wisselt de weergave"
        if action == "pick_up":
            return f"Oppakken kan alleen in Nieuw ({switch})."
        if action == "close":
            return ("Afronden kan alleen als de vraag in behandeling is: pak hem eerst op "
                    "(o)." if self.view == VIEW_NEW else "Deze vraag is al afgerond.")
        if action == "transfer":
            return "Een afgeronde vraag doorzetten kan niet; heropen hem eerst (h)."
        if action == "reopen":
            return f"Heropenen kan alleen bij een afgeronde vraag, in Afgerond ({switch})."
        if action == "next_team":
            return "U werkt voor één team; er is geen ander team om te tonen."
        return None

    def action_pick_up(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        app = self.app
        self.act(pick_up, f"Nummer {row.id} staat op uw naam.", row.id, app.actor,
                 app.clock(), expected_version=row.version)

    def action_transfer(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        others = [t for t in self.teams if t.id != row.route_id and not t.retired]
        if not others:
            self.set_status("Er is geen ander team om naar door te zetten.", "error")
            return
        answers = tuple(Answer(str(n), t.name, str(t.id)) for n, t in enumerate(others, 1))

        def chosen(value: str | None) -> None:
            if not value or value == "cancel":
                return
            target = self.reference.routes[int(value)]
            self.ask(f"Reden voor {target.name}:",
                     lambda reason: self.act(
                         transfer, f"Nummer {row.id} is doorgezet naar {target.name}.",
                         row.id, target.id, self.app.actor, self.app.clock(), reason,
                         expected_version=row.version))

        self.app.push_screen(
            ChoiceDialog("Doorzetten", f"Nummer {row.id} doorzetten naar welk team?",
                         answers, cancel_value="cancel", stacked=True),
            chosen)

    def action_close(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        outcomes = self.reference.outcomes.active
        if not outcomes:
            self.set_status("Er zijn geen uitkomsten; beheer voegt ze toe met balie ref add "
                            "outcomes.", "error")
            return
        answers = tuple(Answer(str(n), o.name, str(o.id)) for n, o in enumerate(outcomes, 1))

        def chosen(value: str | None) -> None:
            if not value or value == "cancel":
                return
            outcome = self.reference.outcomes[int(value)]
            self.ask(f"Toelichting bij {outcome.name} (mag leeg):",
                     lambda note: self.act(
                         close, f"Nummer {row.id} is afgerond: {outcome.name}.",
                         row.id, outcome.id, self.app.actor, self.app.clock(), note,
                         expected_version=row.version))

        self.app.push_screen(
            ChoiceDialog("Afronden", f"Nummer {row.id} afronden met welke uitkomst?",
                         answers, cancel_value="cancel", stacked=True),
            chosen)

    def action_reopen(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        self.ask(f"Reden om nummer {row.id} te heropenen:",
                 lambda reason: self.act(
                     reopen, f"Nummer {row.id} is heropend en staat op uw naam.",
                     row.id, self.app.actor, self.app.clock(), reason,
                     expected_version=row.version))
