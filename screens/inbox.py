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
from balie.domain.timekeeping import local
from balie.domain.workhours import (
    DEFAULT_MAX_WAIT_HOURS,
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    describe_wait,
    waiting_too_long,
)
from balie.plain import plain
from balie.screens.dialog import Answer, ChoiceDialog
from balie.screens.worklist import WorkListScreen, one_line

VIEW_NAMES = {VIEW_NEW: "Nieuw", VIEW_OPEN: "In behandeling", VIEW_CLOSED: "Afgerond"}
ALL_TEAMS = "Alle teams"
SUMMARY_WIDTH = 40


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
        selected, index = self.selected(), table.cursor_row
        table.clear(columns=True)
        team_column = self.team is None
        now = self.app.clock()
        if self.view == VIEW_CLOSED:
            columns = ["Nr", "Afgerond", "Uitkomst", "Door", "Dorp", "Onderwerp"]
        else:
            columns = ["", "Nr", "Wacht", "Bij" if self.view == VIEW_OPEN else "Binnen",
                       "Dorp", "Lft", "Onderwerp", "Omschrijving"]
        if team_column:
            columns.insert(1, "Team")
        table.add_columns(*columns)
        for row in self.rows:
            team = self.reference.routes[row.route_id].short
            if self.view == VIEW_CLOSED:
                cells = [str(row.id), f"{local(row.closed_at):%d-%m %H:%M}",
                         Text(row.outcome or "-"), Text(row.owner_name or "-"),
                         Text(row.village), Text(row.topics)]
            else:
                late = self.overdue(row)
                # Not by colour alone: "!" is spoed, "»" waiting too long.
                mark = Text("!" if row.urgent else ("»" if late else ""), style="bold red")
                wait = Text(describe_wait(row.queued_at, now),
                            style="bold reverse red" if late else "")
                third = (row.owner_name or "-") if self.view == VIEW_OPEN else \
                    f"{local(row.queued_at):%d-%m %H:%M}"
                summary = one_line(row.summary, SUMMARY_WIDTH)
                cells = [mark, str(row.id), wait, Text(third), Text(row.village),
                         "" if row.age is None else str(row.age), Text(row.topics),
                         Text(summary)]
            if team_column:
                cells.insert(1, Text(team))
            table.add_row(*cells, key=str(row.id))
        self.keep_cursor(selected, index)
        self.show_title()

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
                label += f" ({new})"
            elif view == VIEW_OPEN:
                label += f" ({open_})"
            parts.append(Text(f" {label} ", style="reverse bold" if view == self.view else ""))
        title = Text.assemble(plain(f"Werkvoorraad {name}  ", "bold"), *parts)
        self.query_one("#title", Static).update(title)
        if self.view == VIEW_NEW:
            late = [r for r in self.rows if self.overdue(r)]
            max_hours, office = self.office
            rule = (f" · te lang: niet opgepakt binnen {max_hours:g} werkuren "
                    f"(ma-vr {office.start:%H:%M}-{office.end:%H:%M}, geen feestdagen), "
                    "spoed meteen")
            urgent = sum(r.urgent for r in late)
            count = (f"» {len(late)} wachten te lang, {urgent} met spoed" if late
                     else "Niemand wacht te lang")
            summary = Text.assemble(Text(count, style="bold red" if late else ""),
                                    Text(rule, style="dim"))
            if not self.rows:
                summary = Text.assemble("Geen vragen in deze lijst. ", summary)
            waiting = sum(n for (_, status), n in self.counts.items() if status == "new")
            if len(self.rows) < waiting:
                summary = Text.assemble(
                    f"De eerste {len(self.rows)} van {waiting} (spoed en langst wachtend). ",
                    summary)
            self.query_one("#summary", Static).update(summary)
            return
        elif self.view == VIEW_OPEN:
            mine = sum(r.owner_id == self.app.staff.id for r in self.rows)
            text, style = f"{mine} op uw naam (bovenaan)", "dim"
        else:
            text, style = "Afgerond in de laatste 30 dagen, nieuwste eerst", "dim"
        if not self.rows:
            text = "Geen vragen in deze lijst. " + text
        self.query_one("#summary", Static).update(Text(text, style=style))

    # --- switching -----------------------------------------------------------------

    def show_team(self, route_id: int) -> None:
        self.wanted_team = route_id
        self.stale = True
        self.view = VIEW_NEW
        self.load()

    def action_next_team(self) -> None:
        options: list[Route | None] = [*self.teams, *([None] if self.app.may("team_list")
                                                      else [])]
        self.team = options[(options.index(self.team) + 1) % len(options)]
        self.set_status("")
        self.load()

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
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

    def action_pick_up(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        app = self.app
        self.act(pick_up, f"Nummer {row.id} staat op uw naam.", row.id, app.actor,
                 app.clock(), expected_version=row.version)

    def action_transfer(self) -> None:
        row = self.selected_row()
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
        row = self.selected_row()
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
        row = self.selected_row()
        if row is None:
            return
        self.ask(f"Reden om nummer {row.id} te heropenen:",
                 lambda reason: self.act(
                     reopen, f"Nummer {row.id} is heropend en staat op uw naam.",
                     row.id, self.app.actor, self.app.clock(), reason,
                     expected_version=row.version))
