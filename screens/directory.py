"""Sociale kaart (F6): the directory of local help, searchable at any moment.

During a call, before anything is typed in the form, the desk looks up where to send
someone: type a few letters or words (a name, a topic, what it offers: "voedsel",
"schulden", "vnn") and the list narrows on every key; the highlighted entry's phone
number, opening hours and note are shown below it, so the desk can read them out.
Entries that fit the form's topics and village come first. Enter puts the entry in
the registration form (as referred to, or as information given at the desk).

Beheer adds and changes entries here too (F7, F9) and records that an entry was
checked (Ctrl+G); Ctrl+R shows only the entries not checked for a year.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from balie.db.directory import mark_checked
from balie.db.errors import StoreError
from balie.db.reference import load_reference
from balie.domain.directory import (
    MISSING,
    checked_text,
    is_stale,
    served_text,
    shown,
    stale_cutoff,
    topics_text,
)
from balie.domain.directory_search import NO_CONTEXT, Context, directory_index
from balie.domain.models import DirectoryEntry, Reference
from balie.plain import TextTable, plain
from balie.widgets import StableFooter, StatusLine

MAX_SHOWN = 40
"""Rows in the list at once: the best matches (typing more narrows the list; more rows
are never read, and redrawing them would cost time on every key)."""
STALE_MARK = "!"
PHONE_WIDTH = 16


class DirectoryScreen(Screen):
    """Search the sociale kaart; Enter takes the highlighted entry into the form."""

    CSS_PATH = "directory.tcss"
    HELP_TITLE = "Sociale kaart"
    ROLE_ACTIONS = {"add": "reference", "edit": "reference", "checked": "reference",
                    "stale": "reference"}
    """Keys that are beheer's work (for the help screen)."""
    BINDINGS = [
        Binding("enter", "take", "Naar formulier", id="kaart.take", key_display="Enter",
                tooltip="Het gekozen adres in het registratieformulier zetten (Naar)"),
        # Typing stays in the search line; these move through the list meanwhile.
        Binding("down", "move(1)", "", show=False),
        Binding("up", "move(-1)", "", show=False),
        Binding("pagedown", "move(10)", "", show=False),
        Binding("pageup", "move(-10)", "", show=False),
        Binding("f7", "add", "Nieuw adres", id="kaart.add", key_display="F7",
                tooltip="Een adres toevoegen aan de sociale kaart (beheer)"),
        # Not F8: that is Nieuw everywhere (a browser keeps Ctrl+N for itself).
        Binding("f9", "edit", "Wijzigen", id="kaart.edit", key_display="F9",
                tooltip="Het gekozen adres wijzigen of intrekken (beheer)"),
        Binding("ctrl+g", "checked", "Gecontroleerd", id="kaart.checked",
                tooltip="De gegevens van het gekozen adres zijn nagekeken en kloppen (beheer)"),
        Binding("ctrl+r", "stale", "Te controleren", id="kaart.stale",
                tooltip="Alleen de adressen die een jaar niet zijn gecontroleerd (beheer)"),
        Binding("escape", "back", "Terug", id="kaart.back", show=False,
                tooltip="Terug naar registreren"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reference: Reference | None = None
        self.found: list[DirectoryEntry] = []
        """The entries matching the search, best first (all of them, not only shown)."""
        self.only_stale = False
        self.context: Context = NO_CONTEXT
        self.select_next: str | None = None
        """The entry the cursor goes to at the next load (one just added or changed)."""
        self._summary: Text | None = None
        self._details_height = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-row"):
            yield Label("Zoek", id="search-label")
            yield Input(placeholder="naam, onderwerp of woord: voedsel, schulden, vnn",
                        id="search", compact=True)
            yield Static(id="count")
        yield Static(id="summary")
        yield TextTable(id="list", cursor_type="row", zebra_stripes=True)
        yield Static(id="details")
        yield StatusLine(id="status")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#list", DataTable)
        self.columns(table)
        table.can_focus = False  # typing always goes to the search; ↓↑ move the list
        self.query_one("#search").focus()
        self.load()

    def columns(self, table: DataTable) -> None:
        """Columns of a fixed width (the name takes what the phone number leaves): the
        list is rebuilt on every key, and columns that fit themselves to their cells
        would make the whole screen lay itself out again each time."""
        name = max(20, self.app.size.width - PHONE_WIDTH - 12)
        table.clear(columns=True)
        table.add_column(" ", width=1, key="mark")
        table.add_column("Naam", width=name, key="name")
        table.add_column("Telefoon", width=PHONE_WIDTH, key="phone")

    def on_resize(self) -> None:
        self.columns(self.query_one("#list", DataTable))
        self.search()

    def on_screen_resume(self) -> None:
        self.query_one("#search").focus()
        self.load()

    @work(exclusive=True, group="kaart", exit_on_error=False)
    async def load(self, select: str | None = None) -> None:
        """Read the directory (again: beheer may have changed it) and search it; the
        cursor stays on its entry (or goes to ``select``)."""
        if select is None:
            select, self.select_next = self.select_next, None
        if select is None and self.chosen() is not None:
            select = str(self.chosen().id)
        self.reference = await self.app.run_db(load_reference)
        intake = self.app.intake_screen
        result = intake.form.result if intake is not None else None
        self.context = result.context if result is not None else NO_CONTEXT
        self.search(select)

    def data_changed(self) -> None:
        """Another desk saved something: the directory changes only by beheer's hand,
        and is read again when this screen is opened."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed read (the database busy for long) is said, not raised."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError) else (
                f"programmafout ({type(error).__name__}); meld het aan beheer")
            self.set_status(f"Niet gelukt: {message}", "error")

    # --- searching -----------------------------------------------------------------

    @on(Input.Changed, "#search")
    def typed(self) -> None:
        self.search()

    def search(self, select: str | None = None) -> None:
        """Show the matches of the search line; the cursor on ``select`` (an entry's
        key) when it is among them, else on the best match."""
        if self.reference is None:
            return
        query = self.query_one("#search", Input).value
        found = directory_index(self.reference).search(query, self.context)
        now = self.app.clock()
        cutoff = stale_cutoff(now)
        if self.only_stale:
            found = [e for e in found if is_stale(e, now, cutoff)]
        self.found = found
        table = self.query_one("#list", DataTable)
        table.clear()
        for entry in found[:MAX_SHOWN]:
            mark = Text(STALE_MARK, style="bold red") if is_stale(entry, now, cutoff) \
                else Text(" ")
            table.add_row(mark, Text(entry.name), Text(entry.phone or MISSING,
                                                       style="" if entry.phone else "dim"),
                          key=str(entry.id))
        if select is not None and select in table.rows:
            table.move_cursor(row=table.get_row_index(select))
        elif found:
            table.move_cursor(row=0)
        self.show_summary(query)
        self.show_details()

    def show_summary(self, query: str) -> None:
        """The count beside the search line; below it, what the list shows (which
        changes only with the context or the filter, so it is redrawn only then)."""
        total = len(directory_index(self.reference).items)  # the active entries
        count = Text(f"{len(self.found)} van {total}" if query.strip() or self.only_stale
                     else f"{total} adressen", style="bold")
        if len(self.found) > MAX_SHOWN:
            count.append(f" (eerste {MAX_SHOWN})", style="dim")
        # A fixed width (#count), so a new count does not lay the screen out again.
        self.query_one("#count", Static).update(count, layout=False)
        text = Text()
        if self.only_stale:
            text.append("Alleen te controleren (Ctrl+R: alle) · ", style="yellow")
        fitting = self.context_words()
        if fitting:
            text.append(f"Eerst wat past bij {fitting} · ", style="dim")
        text.append(f"{STALE_MARK} = een jaar niet gecontroleerd", style="dim")
        if self.app.intake_screen is not None:
            text.append(" · Enter: in het formulier", style="dim")
        if text != self._summary:
            self._summary = text
            self.query_one("#summary", Static).update(plain(text))  # names of data

    def context_words(self) -> str:
        ref, context = self.reference, self.context
        topics = [ref.topics[t].name.lower() for t in sorted(context.topic_ids)]
        village = ref.villages[context.village_id].name if context.village_id else ""
        return " in ".join(filter(None, (", ".join(topics), village)))

    def chosen(self) -> DirectoryEntry | None:
        table = self.query_one("#list", DataTable)
        if not self.found or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((e for e in self.found if str(e.id) == key), None)

    def show_details(self) -> None:
        entry = self.chosen()
        if entry is None:
            self.update_details(Text("Niets gevonden. Probeer een ander woord, of een deel "
                                     "ervan.", style="dim"))
            return
        ref, now = self.reference, self.app.clock()
        text = Text(entry.name, style="bold")
        if entry.offers:
            text.append(f"\n{entry.offers}")
        for number, (label, value) in enumerate((("Tel.", entry.phone),
                                                 ("Bereikbaar", entry.hours),
                                                 ("E-mail", entry.email),
                                                 ("Web", entry.website))):
            text.append("\n" if number % 2 == 0 else " · ")
            text.append(f"{label} ", style="dim")
            text.append(shown(value), style=("bold" if label == "Tel." else "") if value
                        else "dim italic")
        if entry.address:
            text.append("\nAdres ", style="dim")
            text.append(entry.address)
        text.append("\nVoor ", style="dim")
        text.append(served_text(entry, ref))
        text.append(" · Onderwerpen ", style="dim")
        text.append(topics_text(entry, ref) or "-")
        if entry.desk_note:
            text.append("\nLet op: ", style="bold yellow")
            text.append(entry.desk_note)
        text.append(f"\n{checked_text(entry, now)}",
                    style="red" if is_stale(entry, now) else "dim")
        self.update_details(text)

    def update_details(self, text: Text) -> None:
        """Show the details; the screen lays itself out again only when their height
        changes (not on every key, which would cost more than the look-up itself)."""
        details = self.query_one("#details", Static)
        text = plain(text, lines=True)  # every part but the labels is data
        width = details.content_size.width or max(20, self.app.size.width - 2)
        height = len(text.wrap(self.app.console, width))
        details.update(text, layout=height != self._details_height)
        self._details_height = height

    # --- keys ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.ROLE_ACTIONS and not self.app.grant.may_some("reference"):
            return False  # not offered, not even in the footer
        if action == "take" and self.app.intake_screen is None:
            return False
        return True

    def action_move(self, delta: int) -> None:
        table = self.query_one("#list", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    @on(DataTable.RowHighlighted, "#list")
    def highlighted(self) -> None:
        self.show_details()

    @on(Input.Submitted, "#search")
    def submitted(self) -> None:
        self.action_take()

    def action_take(self) -> None:
        entry = self.chosen()
        intake = self.app.intake_screen
        if entry is None or intake is None:
            return
        intake.take_referral(entry)
        self.query_one("#search", Input).value = ""
        self.app.switch_mode("intake")

    def action_back(self) -> None:
        self.app.switch_mode(self.app.DEFAULT_MODE)

    def action_stale(self) -> None:
        self.only_stale = not self.only_stale
        self.search()

    def action_add(self) -> None:
        self.edit(None)

    def action_edit(self) -> None:
        entry = self.chosen()
        if entry is not None:
            self.edit(entry)

    def edit(self, entry: DirectoryEntry | None) -> None:
        from balie.screens.directory_edit import DirectoryEditScreen

        def done(saved: tuple[int, str] | None) -> None:
            if saved:  # this screen resumes and loads again: the cursor goes to it
                entry_id, message = saved
                self.select_next = str(entry_id)
                self.set_status(message, "ok")

        self.app.push_screen(DirectoryEditScreen(entry, self.reference), done)

    @work(group="kaart-check", exit_on_error=False)
    async def action_checked(self) -> None:
        entry = self.chosen()
        if entry is None:
            return
        app = self.app
        try:
            await app.run_db(mark_checked, app.actor, entry.id, app.clock())
        except StoreError as error:
            self.set_status(f"Niet gelukt: {error.message}", "error")
            return
        self.set_status(f"{entry.name}: als gecontroleerd vastgelegd.", "ok")
        self.load(str(entry.id))

    def set_status(self, text: str, kind: str = "info") -> None:
        self.query_one("#status", StatusLine).show(text, kind)
