"""One entry of the sociale kaart, as beheer adds or changes it (F7, F9 on the kaart).

Every field as text; Ctrl+S checks them all (:func:`balie.domain.directory.check_entry`)
and names each problem at its field, keeping everything typed. A saved change counts as
a check of the entry's details. The status retires an entry (no longer offered; it
stays in history and reports) or offers it again.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from balie.db.directory import add_entry, set_retired, update_entry
from balie.db.errors import StoreError
from balie.domain.directory import LABELS, EntryProblems, check_entry, fields_of
from balie.domain.models import DirectoryEntry, Reference
from balie.plain import plain
from balie.screens.dialog import ChoiceDialog
from balie.widgets import ChoiceField, FormInput, Option, StableFooter

FIELDS: tuple[tuple[str, str], ...] = (
    ("organisation", "naam van de organisatie"),
    ("service", "als de organisatie meer diensten heeft"),
    ("offers", "wat het biedt, in een of twee zinnen"),
    ("topics", "onderwerpen, met komma's: financiën, wonen"),
    ("villages", "leeg: heel Midden-Drenthe; of dorpen/gebieden"),
    ("phone", "telefoonnummer"),
    ("email", "e-mailadres"),
    ("website", "webadres"),
    ("address", "straat, huisnummer en plaats"),
    ("hours", "openingstijden, of hoe het te bereiken is"),
    ("desk_note", "wat de balie moet weten"),
    ("aliases", "extra zoekwoorden"),
)
STATUS = [Option("active", ("a",), "actief"), Option("retired", ("i",), "ingetrokken")]


class DirectoryEditScreen(ModalScreen[tuple[int, str] | None]):
    """Add (``entry`` None) or change an entry; dismissed with (entry id, message)."""

    CSS_PATH = "directory.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Opslaan", id="kaart-edit.save",
                tooltip="Opslaan (telt als controle van de gegevens)"),
        Binding("escape", "cancel", "Annuleren", id="kaart-edit.cancel", key_display="Esc"),
    ]

    def __init__(self, entry: DirectoryEntry | None, reference: Reference) -> None:
        super().__init__()
        self.entry = entry
        self.reference = reference
        self.original = fields_of(entry, reference) if entry else {}

    def compose(self) -> ComposeResult:
        title = f"Wijzigen: {self.entry.name}" if self.entry else "Nieuw adres op de sociale kaart"
        with VerticalScroll(id="edit"):
            yield Static(plain(title, "bold"), id="edit-title")
            for key, placeholder in FIELDS:
                with Horizontal(classes="edit-row"):
                    yield Label(LABELS[key].capitalize(), classes="edit-label")
                    yield FormInput(self.original.get(key, ""), placeholder=placeholder,
                                    id=f"edit-{key}", compact=True)
            with Horizontal(classes="edit-row"):
                yield Label("Status", classes="edit-label")
                yield ChoiceField(STATUS, "retired" if self.entry and self.entry.retired
                                  else "active", id="edit-status")
            yield Static(id="edit-messages")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#edit-messages").display = False
        self.query_one("#edit-organisation").focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#edit-{key}", Input).value for key, _ in FIELDS}

    def retired(self) -> bool:
        return self.query_one("#edit-status", ChoiceField).value == "retired"

    def changed(self) -> bool:
        empty = {key: "" for key, _ in FIELDS}
        return self.values() != (self.original or empty) or (
            self.retired() != bool(self.entry and self.entry.retired))

    def show_problems(self, problems: dict[str, str]) -> None:
        messages = self.query_one("#edit-messages", Static)
        messages.update(plain("\n".join(f"✗ {LABELS.get(k, k)}: {m}"
                                        for k, m in problems.items()), lines=True))
        messages.display = bool(problems)
        first = next((key for key, _ in FIELDS if key in problems), None)
        if first:
            self.query_one(f"#edit-{first}").focus()

    @work(exclusive=True, group="kaart-edit", exit_on_error=False)
    async def action_save(self) -> None:
        try:
            entry = check_entry(self.values(), self.reference)
        except EntryProblems as error:
            self.show_problems(error.problems)
            return
        app = self.app
        now = app.clock()
        try:
            if self.entry is None:
                entry_id = await app.run_db(add_entry, app.actor, entry, now)
            else:
                entry_id = self.entry.id
                await app.run_db(update_entry, app.actor, entry_id, entry, now)
            if self.retired() != bool(self.entry and self.entry.retired):
                await app.run_db(set_retired, app.actor, entry_id, self.retired(), now)
        except StoreError as error:
            self.show_problems({"organisation": error.message})
            return
        state = " (ingetrokken)" if self.retired() else ""
        self.dismiss((entry_id, f"{entry.name} opgeslagen{state}; telt als controle."))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A save that fails for another reason than the fields is said, not raised;
        everything typed stays."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError) else (
                f"programmafout ({type(error).__name__}); meld het aan beheer")
            self.show_problems({"organisation": f"niet opgeslagen: {message}"})

    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(None)
            return

        def answered(answer: str) -> None:
            if answer == "yes":
                self.dismiss(None)

        self.app.push_screen(ChoiceDialog("Annuleren", "Wat u veranderde gaat verloren. "
                                                       "Annuleren?"), answered)
