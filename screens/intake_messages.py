"""The message lines under the rows of the intake form: what each says, and where.

Errors of fields the desk has left (all of them after a refused save), warnings, the
type-ahead of the focused look-up field, and earlier contacts of a returning caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from balie.domain.intake import IntakeCheck
from balie.domain.text import fold
from balie.domain.timekeeping import local
from balie.screens.intake_referral import referral_hint
from balie.widgets import LookupInput

if TYPE_CHECKING:
    from balie.screens.intake_form import IntakeForm

# Where each field's message is shown: the message line under its row.
MESSAGE_AREA = {
    "channel": "msg-who", "village": "msg-who", "age": "msg-who", "gender": "msg-who",
    "topics": "msg-topics",
    "summary": "msg-summary", "urgent": "msg-summary",
    "route": "msg-route", "referral": "msg-route", "followup": "msg-route",
    "consent": "msg-personal", "name": "msg-personal", "phone": "msg-personal",
    "callback": "msg-personal", "postcode": "msg-personal",
    "reason": "msg-reason",
}
FIELDS = tuple(MESSAGE_AREA)
LABELS = {
    "channel": "Kanaal", "village": "Dorp", "age": "Leeftijd", "gender": "Geslacht",
    "topics": "Onderwerp", "summary": "Omschrijving", "urgent": "Spoed", "route": "Route",
    "referral": "Naar", "followup": "Nabellen", "consent": "Toestemming", "name": "Naam",
    "phone": "Telefoon",
    "callback": "Terugbellen", "postcode": "Postcode", "reason": "Reden",
}
"""The label of each field as the form shows it, to name fields in messages."""
LOOKUPS = ("village", "topics", "referral")


def wrong_fields(result: IntakeCheck) -> str:
    """The fields with an error, as the form labels them: "Dorp, Onderwerp en Route"."""
    names = [LABELS[name] for name in FIELDS if name in result.errors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def field_messages(form: IntakeForm, result: IntakeCheck) -> dict[str, Text]:
    """What each message line under a row of the form says now (empty: hidden)."""
    focused = form.screen.focused.id if form.screen.focused else None
    lines: dict[str, Text] = {area: Text() for area in set(MESSAGE_AREA.values())}

    def add(area: str, text: str, style: str) -> None:
        if lines[area]:
            lines[area].append("\n")
        lines[area].append(text, style=style)

    for name in FIELDS:
        area = MESSAGE_AREA[name]
        hint = lookup_hint(form, name, result) if name == focused else None
        error = f"✗ {result.errors[name]}" if name in result.errors else None
        # While typing, the type-ahead says enough; after a refused save the error
        # stands above it too (why the save was refused).
        if error and (name in form.touched or name == focused and name in LOOKUPS) and \
                not (hint and (not form.save_attempted or error in hint.plain)):
            add(area, error, "bold red")
        if hint is not None:
            add(area, hint.plain, "italic")
        if name in result.warnings:
            add(area, f"! {result.warnings[name]}", "yellow")
    for contact in form.contacts:
        basis = "op deze naam" if contact.basis == "naam" else f"op dit {contact.basis}"
        add("msg-personal",
            f"Eerder contact {basis}: {contact.count}×, laatst "
            f"{local(contact.last_at):%d-%m-%Y} ({contact.last_route}).", "cyan")
    return lines


def lookup_hint(form: IntakeForm, name: str, result: IntakeCheck) -> Text | None:
    """The type-ahead line under a look-up field that has focus."""
    if name not in LOOKUPS:
        return None
    lookup = form.query_one(f"#{name}", LookupInput)
    if name == "referral":  # the sociale kaart: suggestions before anything is typed
        return referral_hint(lookup.options, lookup.pending, lookup.highlighted,
                             lookup.moved, result, form.reference)
    text = Text()
    if name == "topics":
        if result.topics:
            text.append("✓ " + ", ".join(t.name for t in result.topics))
        if not lookup.value.strip():
            numbered = [f"{n} {t.name}"
                        for n, t in enumerate(form.reference.topics.active, start=1)]
            text.append("  ".join(numbered))
    exact = len(lookup.options) == 1 and fold(lookup.options[0]) == fold(lookup.pending)
    if lookup.options and lookup.pending and not exact:
        if text:
            text.append("   ")
        text.append(f"{lookup.pending}: ")
        for index, option in enumerate(lookup.options[:6]):
            if index:
                text.append(" · ")
            marker = "▸" if index == lookup.highlighted else ""
            text.append(marker + option)
        text.append("  (↓↑, Tab)")
    elif name == "village" and result.village:
        text.append(f"✓ {result.village.name} ({result.village.area_name})")
    elif name in result.errors and lookup.value.strip():
        text.append(f"✗ {result.errors[name]}")
    return text if text else None
