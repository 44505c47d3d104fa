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
from balie.domain.report import GENDER_NAMES
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
    if event.kind == "pickup":
        return "opgepakt"
    if event.kind == "transfer":
        return f"doorgezet {route(event.from_route_id)} -> {route(event.to_route_id)}"
    if event.kind == "close":
        outcome = next((o.name for o in ref.outcomes.all if o.code == event.new_value),
                       event.new_value or "-")
        return f"afgerond: {outcome}"
    if event.kind == "reopen":
        return "heropend"
    if event.kind == "callback":
        return "teruggebeld" if event.new_value == "done" else "niet bereikt, opnieuw proberen"
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


def details(inquiry: Inquiry, ref: Reference, owner: str | None) -> Table:
    """What was registered, for the team that takes it on (personal fields only when
    the caller consented; they are not stored otherwise)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    status = STATUS_NAMES.get(inquiry.status, inquiry.status)
    if owner and inquiry.status != "new":
        status += f" door {owner}" if inquiry.status == "closed" else f" (bij {owner})"
    age = "-" if inquiry.age is None else f"{inquiry.age} jaar"
    rows = [
        ("Binnen", f"{local(inquiry.registered_at):%d-%m-%Y %H:%M}, "
                   f"{ref.channels[inquiry.channel_id].name.lower()}"),
        ("Dorp", ref.villages[inquiry.village_id].name),
        ("Leeftijd", age + (f", {GENDER_NAMES[inquiry.gender]}" if inquiry.gender else "")),
        ("Onderwerp", ", ".join(ref.topics[t].name for t in inquiry.topic_ids)),
        ("Route", ref.routes[inquiry.route_id].name + (" (spoed)" if inquiry.urgent else "")),
        ("Status", status),
        ("Omschrijving", inquiry.summary or "-"),
    ]
    if inquiry.person_name:
        rows.append(("Naam", inquiry.person_name))
    if inquiry.phone:
        rows.append(("Telefoon", inquiry.phone))
    if inquiry.postcode:
        rows.append(("Postcode", inquiry.postcode))
    if inquiry.callback_at:
        done = " (gedaan)" if inquiry.callback_done_at else ""
        rows.append(("Terugbellen", f"{local(inquiry.callback_at):%d-%m %H:%M}{done}"))
    for label, value in rows:
        table.add_row(label, Text(value))
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
                Text(event.staff_name),
                Text(describe_event(event, self.reference)),
                Text(event.reason or ""),
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
