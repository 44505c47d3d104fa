"""The command palette (Ctrl+P) in Dutch: Textual's own words replaced.

Textual's palette says "No matches found", names its keys "Exit the command palette"
(which the footer shows while it is open) and searches themes with "Search for
themes…". balie's palette says the same in Dutch; what it offers comes from
:meth:`balie.app.BalieApp.get_system_commands`, which lists every key binding under the
word the footer uses.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "Niets gevonden. F1 toont alle toetsen."


class Palette(CommandPalette):
    """Textual's command palette, in Dutch."""

    BINDINGS = [
        Binding("ctrl+end,shift+end", "command_list('last')", "Naar de laatste",
                show=False),
        Binding("ctrl+home,shift+home", "command_list('first')", "Naar de eerste",
                show=False),
        Binding("down", "cursor_down", "Volgende opdracht", show=False),
        Binding("escape", "escape", "Sluiten", tooltip="De opdrachten sluiten"),
        Binding("pagedown", "command_list('page_down')", "Volgende bladzijde", show=False),
        Binding("pageup", "command_list('page_up')", "Vorige bladzijde", show=False),
        Binding("up", "command_list('cursor_up')", "Vorige opdracht", show=False),
    ]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with Dutch words (it has no setting for them)."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(NO_MATCHES, style="not bold")), disabled=True,
                    id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
