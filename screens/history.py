"""The history of one inquiry: every routing, status change and correction."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from balie.db.inquiries import InquiryEvent
from balie.domain.models import Reference
from balie.domain.timekeeping import local

FIELD_NAMES = {
    "channel_id": "kanaal", "village_id": "dorp", "age": "leeftijd", "gender": "geslacht",
    "summary": "omschrijving", "referral_target_id": "verwezen naar", "urgent": "spoed",
    "consent": "toestemming", "person_name": "naam", "phone": "telefoon",
    "postcode": "postcode", "callback_at": "terugbellen", "topic_ids": "onderwerpen",
}
STATUS_NAMES = {"new": "nieuw", "picked_up": "opgepakt", "closed": "afgerond"}


def describe_event(event: InquiryEvent, ref: Reference) -> str:
    """One history line in words: "route Seniorenwerk -> Maatschappelijk werk"."""
    route = lambda route_id: ref.routes[route_id].name if route_id else "-"  # noqa: E731
    if event.kind == "created":
        return f"geregistreerd, route {route(event.to_route_id)}"
    if event.kind == "route":
        return f"route {route(event.from_route_id)} -> {route(event.to_route_id)}"
    if event.kind == "status":
        old = STATUS_NAMES.get(event.old_value or "", event.old_value or "-")
        new = STATUS_NAMES.get(event.new_value or "", event.new_value or "-")
        return f"status {old} -> {new}"
    name = FIELD_NAMES.get(event.field or "", event.field or "?")
    if event.old_value is None and event.new_value is None:
        return f"{name} gewijzigd"
    return f"{name}: {_value(event.field, event.old_value, ref)} -> " \
           f"{_value(event.field, event.new_value, ref)}"


def _value(field: str | None, value: str | None, ref: Reference) -> str:
    if value is None or value == "":
        return "-"
    try:
        if field == "village_id":
            return ref.villages[int(value)].name
        if field == "channel_id":
            return ref.channels[int(value)].name
        if field == "referral_target_id":
            return ref.referral_targets[int(value)].name
        if field == "topic_ids":
            return ", ".join(ref.topics[int(v)].name for v in value.split(",") if v)
    except (KeyError, ValueError):
        return value
    if field in ("urgent", "consent"):
        return "ja" if value == "1" else "nee"
    if field == "summary" and len(value) > 40:
        return value[:39] + "…"
    return value


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [Binding("escape,ctrl+g,q", "dismiss", "Sluiten")]

    def __init__(self, inquiry_id: int, events: list[InquiryEvent], reference: Reference):
        super().__init__()
        self.inquiry_id = inquiry_id
        self.events = events
        self.reference = reference

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1))
        table.add_column("Wanneer", no_wrap=True)
        table.add_column("Wie")
        table.add_column("Wat")
        table.add_column("Waarom")
        for event in self.events:
            table.add_row(
                f"{local(event.at):%d-%m %H:%M}",
                Text(event.staff_name),
                Text(describe_event(event, self.reference)),
                Text(event.reason or ""),
            )
        with VerticalScroll(id="history"):
            yield Static(Text(f"Geschiedenis van nummer {self.inquiry_id}", style="bold"),
                         id="history-title")
            yield Static(table)
            yield Static(Text("Esc sluit.", style="dim"))
