"""F1: every key of the app, generated from the bindings so it is never out of date."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FIELD_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "volgend / vorig veld (in de volgorde van het verhaal)"),
    ("Enter", "naar het volgende veld"),
    ("↓ / ↑ in dorp, onderwerp, naar", "andere suggestie kiezen; Tab neemt hem over"),
    ("letters in dorp", "twee of drie letters zijn genoeg: bei, hoog, bov, n-b"),
    ("onderwerp", "beginletters of nummers, meerdere met spatie of komma: fin wonen, 1 3"),
    ("leeftijd", "leeftijd (78) of geboortejaar (1948)"),
    ("kanaal, geslacht, spoed, toestemming", "beginletter kiest; spatie of ← → wisselt"),
    ("route", "cijfer of beginletter kiest een route; ★ is het voorstel"),
    ("terugbellen", "14:30, morgen 10u, vr, 12-3, 12-3 9.30"),
    ("naar (sociale kaart)", "naam, onderwerp of woord, meerdere met komma: voedsel, hum; "
                             "leeg: ↓ kiest wat past bij onderwerp en dorp"),
    ("nabellen", "j (over 2 weken), 2w, 10 dagen, vr, 24-3: is het gelukt?"),
)


KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Spatie",
             "ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "left": "←", "right": "→",
             "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home",
             "end": "End", "delete": "Del", "backspace": "Backspace", "insert": "Ins"}
"""How people write the keys Textual names."""


def key_label(keys: str) -> str:
    """"ctrl+s" -> "Ctrl+S", "escape" -> "Esc", "shift+right" -> "Shift+→";
    several keys ("ctrl+n,f8") -> "Ctrl+N, F8"."""
    return ", ".join("+".join(KEY_NAMES.get(part, part.upper()) for part in key.split("+"))
                     for key in (k.strip() for k in keys.split(",")) if key)


def bindings_table(title: str, bindings: list[Binding],
                   keys: Callable[[Binding], str] | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None,
                  padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for binding in bindings:
        if binding.description:
            table.add_row(keys(binding) if keys else binding.key_display
                          or key_label(binding.key), binding.tooltip or binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    """All keys: the app's, the current screen's, and those inside the form fields."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Sluiten"),
    ]

    def __init__(self, groups: list[tuple[str, list[Binding]]],
                 keys: Callable[[Binding], str] | None = None) -> None:
        super().__init__()
        self.groups = groups
        self.keys = keys
        """The keys of a binding as they work now (the organisation's keymap)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Toetsen van balie", style="bold"), id="help-title")
            for title, bindings in self.groups:
                yield Static(bindings_table(title, bindings, self.keys), classes="help-group")
            fields = Table(title="In het formulier", title_justify="left", show_header=False,
                           box=None, padding=(0, 2, 0, 0))
            fields.add_column(style="bold", no_wrap=True)
            fields.add_column()
            for key, text in FIELD_KEYS:
                fields.add_row(key, text)
            yield Static(fields, classes="help-group")
            yield Static(Text("In de onderste regel betekent ^ de Ctrl-toets (^s = Ctrl+S). "
                              "Esc of F1 sluit deze hulp.", style="dim"))
