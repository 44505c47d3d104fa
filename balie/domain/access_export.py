"""The copy a person gets when they ask what balie holds about them (right of access).

Plain UTF-8 text with Markdown headings and lists: it reads as it is in any editor,
and converts to a tidy document if wanted. Every field has its Dutch label and every
reference its name (no ids); the history and the audit log use the screens' wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from balie.domain.models import Reference
from balie.domain.parsing import format_phone
from balie.domain.retention import number_ranges, retention_end
from balie.domain.timekeeping import local
from balie.domain.wording import (
    AUDIT_ACTIONS,
    HistoryEvent,
    InquiryDetails,
    audit_detail,
    describe_event,
    detail_rows,
    followup_text,
)


class SavedInquiry(InquiryDetails, Protocol):
    """What the export reads of an inquiry beyond what the screens show."""

    id: int
    intake_route_id: int | None
    outcome_id: int | None
    closed_at: datetime | None
    consent: bool


class DatedEvent(HistoryEvent, Protocol):
    at: datetime
    staff_name: str
    reason: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log about an inquiry."""

    at: datetime
    who: str | None
    action: str
    origin: str | None
    detail: str | None


@dataclass(frozen=True)
class Dossier:
    """Everything about one inquiry that goes into the export."""

    inquiry: SavedInquiry
    registered_by: str
    owner: str | None
    retention_months: int
    events: list[DatedEvent]
    audit: list[AuditEntry]


INTRODUCTION = """\
Dit is een overzicht van wat Welzijnswerk Midden-Drenthe in het registratieprogramma
balie over u heeft vastgelegd, met wie het heeft ingezien of gewijzigd.

- Waarom: om uw vraag te beantwoorden of u door te verwijzen, en (zonder naam of
  telefoonnummer) om te tellen hoeveel vragen er per dorp, onderwerp en route komen.
- Naam, telefoonnummer, postcode en een afspraak om terug of na te bellen worden
  alleen vastgelegd als u daar toestemming voor gaf.
- Wie het kan zien: de medewerkers van de balie, het team waar uw vraag ligt, de
  teamleiders en beheer. Elke keer dat iemand uw gegevens inziet of wijzigt, staat in
  het auditlog; dat staat hieronder per vraag.
- Hoe lang: de persoonsgegevens en de vrije tekst worden een vaste termijn na het
  afronden van de vraag gewist (zie per vraag). Wat overblijft zijn gegevens zonder
  naam voor de jaarcijfers: datum, dorp, onderwerp, leeftijd, geslacht en route.
"""


def render_access(dossiers: list[Dossier], ref: Reference, *, made_at: datetime,
                  made_by: str, searched: str) -> str:
    """The whole export as text."""
    numbers = number_ranges(d.inquiry.id for d in dossiers)
    lines = [
        "# Inzage in uw gegevens",
        "",
        f"Opgesteld op {local(made_at):%d-%m-%Y} om {local(made_at):%H:%M} door {made_by}.",
        f"Gezocht op {searched}.",
        f"Aantal vragen: {len(dossiers)} (nummer{'s' if len(dossiers) != 1 else ''} "
        f"{numbers}).",
        "",
        INTRODUCTION,
    ]
    for dossier in dossiers:
        lines += _inquiry_section(dossier, ref)
    return "\n".join(lines).rstrip("\n") + "\n"


def _inquiry_section(dossier: Dossier, ref: Reference) -> list[str]:
    inquiry = dossier.inquiry
    lines = [f"## Vraag nummer {inquiry.id}", "", "### Gegevens", ""]
    # On paper: the phone number in the national form people know, dates with a year.
    full = {"Telefoon": format_phone(inquiry.phone)}
    if inquiry.callback_at:
        done = " (gedaan)" if inquiry.callback_done_at else ""
        full["Terugbellen"] = f"{local(inquiry.callback_at):%d-%m-%Y %H:%M}{done}"
    full["Nabellen"] = followup_text(inquiry, "%d-%m-%Y %H:%M")
    rows = [(label, full.get(label, value))
            for label, value in detail_rows(inquiry, ref, dossier.owner)]
    rows.append(("Vastgelegd door", dossier.registered_by))
    if inquiry.intake_route_id and inquiry.intake_route_id != inquiry.route_id:
        rows.append(("Eerst naar", ref.routes[inquiry.intake_route_id].name))
    if inquiry.outcome_id:
        rows.append(("Uitkomst", ref.outcomes[inquiry.outcome_id].name))
    if inquiry.closed_at:
        rows.append(("Afgerond op", f"{local(inquiry.closed_at):%d-%m-%Y %H:%M}"))
    rows.append(("Toestemming voor contactgegevens", "ja" if inquiry.consent else "nee"))
    rows.append(("Bewaartermijn", _retention(dossier)))
    lines += [_item(label, value) for label, value in rows]
    lines += ["", "### Geschiedenis", ""]
    for event in dossier.events:
        why = f" · reden: {_flat(event.reason)}" if event.reason else ""
        lines.append(f"- {local(event.at):%d-%m-%Y %H:%M} · {event.staff_name} · "
                     f"{describe_event(event, ref)}{why}")
    if not dossier.events:
        lines.append("- (geen)")
    lines += ["", "### Ingezien en gewijzigd (auditlog)", ""]
    for entry in dossier.audit:
        where = f" · vanaf {entry.origin}" if entry.origin else ""
        words = audit_detail(entry.action, entry.detail, ref)
        detail = f" · {_flat(words)}" if words else ""
        lines.append(f"- {local(entry.at):%d-%m-%Y %H:%M} · {entry.who or 'balie'} · "
                     f"{AUDIT_ACTIONS.get(entry.action, entry.action)}{where}{detail}")
    if not dossier.audit:
        lines.append("- (geen)")
    lines.append("")
    return lines


def _retention(dossier: Dossier) -> str:
    months = dossier.retention_months
    closed = dossier.inquiry.closed_at
    if closed is None:
        return f"{months} maanden na afronden (de vraag is nog niet afgerond)"
    return (f"{months} maanden na afronden: de persoonsgegevens worden gewist vanaf "
            f"{local(retention_end(closed, months)):%d-%m-%Y}")


def _item(label: str, value: str) -> str:
    """A list item; the lines of a multi-line text are indented under it."""
    text = "\n  ".join(line.rstrip() for line in value.splitlines()) or "-"
    return f"- {label}: {text}"


def _flat(text: str) -> str:
    return " ".join(text.split())
