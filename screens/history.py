"""The history of one inquiry: every routing, pick-up, transfer, closing, callback,
status change and correction."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from balie.db.inquiries import Inquiry, InquiryEvent
from balie.domain.models import Reference
from balie.domain.timekeeping import local
from balie.domain.wording import describe_event, detail_rows
from balie.plain import plain


def details(inquiry: Inquiry, ref: Reference, owner: str | None) -> Table:
    """What was registered, for the team that takes it on (personal fields only when
    the caller consented; they are not stored otherwise)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in detail_rows(inquiry, ref, owner):
        table.add_row(label, plain(value, lines=True))
    return table


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [Binding("escape,ctrl+g,q", "dismiss", "Sluiten")]

    def __init__(self, inquiry_id: int, events: list[InquiryEvent], reference: Reference,
                 *, inquiry: Inquiry | None = None, owner: str | None = None):
        """With ``inquiry``, its details are shown above the history (a team opening it)."""
        super().__init__()
        self.inquiry_id = inquiry_id
        self.events = events
        self.reference = reference
        self.inquiry = inquiry
        self.owner = owner

    @property
    def current_inquiry_id(self) -> int:
        """The inquiry shown, for a crash report."""
        return self.inquiry_id

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
        table.add_column("Wanneer", no_wrap=True)
        table.add_column("Wie")
        table.add_column("Wat")
        table.add_column("Waarom")
        for event in self.events:
            table.add_row(
                f"{local(event.at):%d-%m %H:%M}",
                plain(event.staff_name),
                plain(describe_event(event, self.reference), lines=True),
                plain(event.reason or "", lines=True),
            )
        with VerticalScroll(id="history"):
            if self.inquiry is not None:
                yield Static(Text(f"Nummer {self.inquiry_id}", style="bold"),
                             id="details-title")
                yield Static(details(self.inquiry, self.reference, self.owner), id="details")
            yield Static(Text(f"Geschiedenis van nummer {self.inquiry_id}", style="bold"),
                         id="history-title")
            yield Static(table)
            yield Static(Text("Esc sluit.", style="dim"))
