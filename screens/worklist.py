"""What the werkvoorraad and the callback list share: a list of inquiries to act on,
one line to type a reason or note, and a status line that says what happened.

A change runs on the database thread; a mistake in what was typed leaves the line open
with the text in it, a conflict with another desk (someone was quicker) is said in
words and the list reloads. Lists reload when another desk commits
(:meth:`data_changed`, called by :meth:`balie.app.BalieApp.poll_changes`).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, on, work
from textual.actions import parse
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from balie.db.errors import StoreError
from balie.db.inquiries import get_inquiry, history
from balie.domain.models import Reference
from balie.domain.parsing import InvalidInput
from balie.domain.text import cell_width, cut_to_width
from balie.plain import TextTable, plain
from balie.screens.history import HistoryScreen
from balie.widgets import StableFooter, StatusLine, TextInput


def one_line(text: str, width: int) -> str:
    """Free text for a list column: on one line, cut at ``width`` with an ellipsis."""
    return cut_to_width(" ".join(text.split()), width)


def fit_widths(natural: list[int], flexible: dict[int, int], available: int, *,
               padding: int = 2) -> list[int | None]:
    """Column widths for a list of ``available`` cells: every column as wide as its
    content, except that the ``flexible`` ones (free text: topics, a summary; index ->
    the least width worth showing) share what the others leave, so that nothing runs
    off the screen unseen; their text is then cut with an ellipsis. Numbers, in the
    other columns, are never cut. When not even the least widths fit, the last flexible
    columns are left out (None; Enter shows the inquiry in full)."""
    widths: list[int | None] = list(natural)
    flexible = dict(flexible)
    while len(flexible) > 1 and sum(
            (min(flexible[i], w) if i in flexible else w) + padding
            for i, w in enumerate(natural) if widths[i] is not None) > available:
        dropped = max(flexible)
        del flexible[dropped]
        widths[dropped] = None
    room = available - sum(w + padding for w in widths if w is not None) + sum(
        natural[i] for i in flexible)
    waiting = sorted(flexible, key=lambda i: natural[i])
    while waiting:
        column = waiting.pop(0)
        share = max(room // (len(waiting) + 1), min(flexible[column], natural[column]))
        widths[column] = min(natural[column], share)
        room -= widths[column]
    return widths


class WorkListScreen(Screen):
    """A list of inquiries (rows keyed by inquiry number) with an input line."""

    CSS_PATH = "worklist.tcss"
    ACTIONS_ON_ROWS: tuple[str, ...] = ()
    """This screen's actions on the chosen row: off while the input line is open."""

    def __init__(self) -> None:
        super().__init__()
        self.reference: Reference | None = None
        self.rows: list = []
        self.stale = True
        """Reference data and settings are to be read (again) at the next load."""
        self.asking: Callable[[str], object] | None = None
        """What the input line's answer is for (a reason, a note), or None when closed."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="title")
        yield Static(id="summary")
        yield TextTable(id="list", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="ask"):
            yield Label(id="ask-label")
            yield TextInput(id="ask-input", compact=True)
        yield StatusLine(id="status")
        yield StableFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#ask").display = False
        self.query_one("#list").focus()
        self.load()
        self.set_interval(60, self.show)  # waiting times and "te laat" follow the clock

    def fitted(self, names: list[str], rows: list[tuple[str, list]], least: dict[str, int]
               ) -> tuple[list[str], list[tuple[str, list]]]:
        """Columns and rows (key, cells) cut to the list's width (see :func:`fit_widths`):
        the columns named in ``least`` (free text) make way, with an ellipsis; a column
        without room is left out (Enter shows the inquiry in full)."""
        def text(cell) -> str:
            return cell.plain if isinstance(cell, Text) else str(cell)

        natural = [max([cell_width(name), *(cell_width(text(cells[k])) for _, cells in rows)])
                   for k, name in enumerate(names)]
        flexible = {k: least[name] for k, name in enumerate(names) if name in least}
        widths = fit_widths(natural, flexible, self.list_width())
        shown = [k for k, width in enumerate(widths) if width is not None]

        def cut(cell, width: int):
            if isinstance(cell, Text):
                cell = cell.copy()
                cell.plain = " ".join(cell.plain.split())
                cell.truncate(width, overflow="ellipsis")
                return cell
            return one_line(str(cell), width)

        return ([cut_to_width(names[k], widths[k]) for k in shown],
                [(key, [cut(cells[k], widths[k]) if k in flexible else cells[k]
                        for k in shown]) for key, cells in rows])

    def list_width(self) -> int:
        """Cells for the list's columns: the screen less margins and scrollbar."""
        table = self.query_one("#list", DataTable)
        return max(self.size.width - 2 - table.styles.scrollbar_size_vertical, 20)

    def on_resize(self) -> None:
        self.show()

    def load(self) -> None:
        raise NotImplementedError

    def show(self) -> None:
        raise NotImplementedError

    def data_changed(self) -> None:
        """Another desk committed something: reload."""
        self.load()

    def on_screen_resume(self) -> None:
        # Back from another screen: this desk's own changes there (and reference data or
        # settings changed by beheer) are not announced by the change counter.
        self.stale = True
        self.load()

    # --- the chosen row ------------------------------------------------------------

    def selected(self) -> int | None:
        """The inquiry number under the cursor."""
        table = self.query_one("#list", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return int(key) if key else None

    @property
    def current_inquiry_id(self) -> int | None:
        """The inquiry under the cursor, for a crash report."""
        return self.selected()

    def selected_row(self):
        chosen = self.selected()
        return next((r for r in self.rows if r.id == chosen), None)

    def chosen_row(self):
        """The row under the cursor, or None after saying that there is none."""
        row = self.selected_row()
        if row is None:
            self.set_status("Er is geen vraag gekozen: deze lijst is leeg.", "error")
        return row

    def why_not(self, action: str) -> str | None:
        """Why this screen's ``action`` cannot work now (its key is not offered)."""
        return None

    def on_key(self, event: events.Key) -> None:
        """A key that is not offered now says why, instead of doing nothing."""
        if self.asking:
            return
        for binding in self._bindings.key_to_bindings.get(event.key, []):
            _, name, parameters = parse(binding.action)
            if self.check_action(name, parameters) is False and (reason := self.why_not(name)):
                event.stop()
                self.set_status(reason, "error")
                return

    def set_status(self, text: str, kind: str = "info") -> None:
        self.query_one("#status", StatusLine).show(text, kind)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = error.message if isinstance(error, StoreError) else (
                f"programmafout ({type(error).__name__}); meld het aan beheer")
            self.set_status(f"Niet gelukt: {message}", "error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.asking and action in ("details", *self.ACTIONS_ON_ROWS):
            return False
        return True

    def action_back(self) -> None:
        if self.asking:
            self.close_question()
            self.set_status("Niets gewijzigd.")
            return
        self.app.switch_mode(self.app.DEFAULT_MODE)  # registering, or their first screen

    # --- acting --------------------------------------------------------------------

    def act(self, change: Callable, done: str, *args: object, **kwargs: object) -> None:
        """Run one change on the database and reload; refusals are said, not raised."""

        async def run() -> None:
            try:
                await self.app.run_db(change, *args, **kwargs)
            except InvalidInput as error:
                self.set_status(error.message, "error")  # the line stays, text kept
                return
            except StoreError as error:  # someone else was quicker: say so, reload
                self.set_status(error.message, "error")
                self.close_question()
                self.load()
                return
            self.close_question()
            self.set_status(done, "ok")
            self.load()

        self.run_worker(run(), group="act", exit_on_error=False)

    @work(group="details", exit_on_error=False)
    async def action_details(self) -> None:
        """The chosen inquiry in full, with its history; a view of personal details is
        written to the audit log."""
        row = self.chosen_row()
        if row is None:
            return
        app = self.app
        inquiry = await app.run_db(get_inquiry, app.actor, row.id, app.clock(),
                                   purpose=self.HELP_TITLE.lower())
        events = await app.run_db(history, app.actor, row.id)
        app.push_screen(HistoryScreen(row.id, events, self.reference, inquiry=inquiry,
                                      owner=row.owner_name))

    @on(DataTable.RowSelected, "#list")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_details()

    # --- the input line ------------------------------------------------------------

    def ask(self, label: str, then: Callable[[str], object]) -> None:
        """Open the input line; ``label`` is text (it may name an outcome or a team)."""
        self.asking = then
        self.query_one("#ask-label", Label).update(plain(label))
        self.query_one("#ask").display = True
        field = self.query_one("#ask-input", Input)
        field.value = ""
        field.focus()
        self.refresh_bindings()

    def close_question(self) -> None:
        self.asking = None
        self.query_one("#ask").display = False
        self.query_one("#list").focus()
        self.refresh_bindings()

    @on(Input.Submitted, "#ask-input")
    def answered(self, event: Input.Submitted) -> None:
        if self.asking is not None:
            self.asking(event.value)  # the line stays open until the change succeeded
