"""The floor for the start-up figure: a bare Textual app with the intake form's widgets.

The same layout, stylesheet, widget types, footer keys and hidden rows as balie's
intake screen, but no database, no reference data and no logic: what any Textual app of
this size costs to start. Run as a script (see bench.measure.startup); imports nothing from balie.
"""

import sys
import time
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static, TextArea

SCREENS = Path(__file__).resolve().parent.parent / "screens"


class BareForm(Screen):
    CSS_PATH = str(SCREENS / "intake.tcss")
    BINDINGS = [Binding(key, key.replace("ctrl+", ""), text) for key, text in (
        ("ctrl+s", "Opslaan"), ("ctrl+r", "Voorstel"), ("ctrl+t", "Route"),
        ("ctrl+l", "Lijst"), ("escape", "Wis"))]

    def compose(self):
        yield Header()
        with Horizontal(id="body"):
            with VerticalScroll(id="form"):
                yield Static("Nieuwe vraag", id="mode")
                rows = (("Kanaal", ["Static", "Dorp", "Input"]),
                        ("Leeftijd", ["Input", "Geslacht", "Static"]),
                        ("Onderwerp", ["Input"]),
                        ("Omschrijving", ["TextArea", "Spoed", "Static"]),
                        ("Route", ["Static"]), ("Naar", ["Input"]),
                        ("Toestemming", ["Static", "Naam", "Input", "Telefoon", "Input"]),
                        ("Terugbellen", ["Input", "Static", "Postcode", "Input"]),
                        ("Reden", ["Input"]))
                for label, parts in rows:
                    with Horizontal(classes="row", id=f"row-{label.lower()}"):
                        yield Label(label, classes="label")
                        for part in parts:
                            if part == "Input":
                                yield Input(compact=True)
                            elif part == "TextArea":
                                yield TextArea(compact=True)
                            elif part == "Static":
                                yield Static("◂ - ▸")
                            else:
                                yield Label(part, classes="label-inline")
                    yield Static("", classes="message")
                yield Static("", id="suggestion")
            with Vertical(id="today"):
                yield Static("Vandaag", id="today-title")
                yield DataTable(id="today-table")
        yield Static("", id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self):
        self.query_one(DataTable).add_columns("Tijd", "Nr", "Dorp", "Route", "Onderwerp")
        # What balie's form hides until needed: the empty messages, Naar and Reden.
        for hidden in self.query(".message, #row-naar, #row-reden"):
            hidden.display = False
        self.query_one(Input).focus()


class Bare(App):
    BINDINGS = [Binding("ctrl+n", "n", "Nieuw"), Binding("f2", "o", "Overzicht"),
                Binding("f1", "h", "Help"), Binding("ctrl+q", "quit", "Stop")]

    def on_mount(self):
        self.push_screen(BareForm())


async def ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    print(time.time(), flush=True)
    pilot.app.exit()


if __name__ == "__main__":
    Bare().run(headless=True, auto_pilot=ready, size=(100, 30))
    sys.exit(0)
