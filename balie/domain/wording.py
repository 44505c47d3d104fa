"""Dutch words for what is stored: field names, statuses, history events, audit actions.

Shared by the screens (the history of an inquiry, the audit log) and by the export for
a person's right of access, so an inquiry reads the same on screen and on paper.
"""

from __future__ import annotations

import errno
from datetime import datetime
from typing import Protocol

from balie.domain.followup import PENDING_NAME, RESULT_NAMES
from balie.domain.models import Reference
from balie.domain.reference_data import ROUTE_DESK
from balie.domain.report import GENDER_NAMES
from balie.domain.timekeeping import local

FIELD_NAMES = {
    "channel_id": "kanaal", "village_id": "dorp", "age": "leeftijd", "gender": "geslacht",
    "summary": "omschrijving", "referral_target_id": "verwezen naar", "urgent": "spoed",
    "consent": "toestemming", "person_name": "naam", "phone": "telefoon",
    "postcode": "postcode", "callback_at": "terugbellen", "topic_ids": "onderwerpen",
    "referral_ids": "sociale kaart", "followup_at": "nabellen",
}
"""Field names as the history says them (``referral_target_id``: before the sociale
kaart, one referral target per inquiry, under the same ids as the entries now)."""
STATUS_NAMES = {"new": "nieuw", "picked_up": "opgepakt", "closed": "afgerond"}

AUDIT_ACTIONS = {
    "view": "ingezien", "search": "gezocht", "register": "geregistreerd",
    "correct": "gecorrigeerd", "pickup": "opgepakt", "transfer": "doorgezet",
    "close": "afgerond", "reopen": "heropend", "callback": "teruggebeld",
    "export": "geëxporteerd", "erase": "gewist", "retention": "bewaartermijn",
    "access_export": "inzage", "reference": "referentiegegevens", "settings": "instellingen",
    "import": "ingelezen", "backup": "back-up", "bootstrap": "eerste beheerder",
    "sign_in": "aangemeld", "sign_out": "afgemeld", "login_failed": "inloggen mislukt",
    "password": "wachtwoord", "audit_view": "auditlog bekeken",
    "audit_verify": "auditlog gecontroleerd",
    "audit_chain_accepted": "breuk in auditlog gezien", "followup": "nagebeld",
}
"""Dutch words for the actions in the audit log (an unknown action is shown as it is)."""


CALLBACK_RESULTS = {"done": "gedaan", "not_reached": "niet bereikt",
                    "retry": "niet bereikt, opnieuw proberen"}


def audit_detail(action: str, detail: str | None, ref: Reference) -> str:
    """The detail of an audit row in words: the codes the inbox and corrections store
    (``age, phone``, an outcome's code) as the history screen says them; the new status
    of a pick-up, transfer or reopening is left out (the action says it)."""
    if not detail:
        return ""
    if action == "correct":
        return ", ".join(FIELD_NAMES.get(f.strip(), f.strip()) for f in detail.split(","))
    if action == "close":
        return next((o.name for o in ref.outcomes.all if o.code == detail), detail)
    if action == "callback":
        return CALLBACK_RESULTS.get(detail, detail)
    if action == "followup":
        return RESULT_NAMES.get(detail) or CALLBACK_RESULTS.get(detail, detail)
    if action in ("pickup", "transfer", "reopen"):
        return ""  # the new status, which the action already says
    return detail


class HistoryEvent(Protocol):
    """What :func:`describe_event` reads of one history line."""

    kind: str
    from_route_id: int | None
    to_route_id: int | None
    field: str | None
    old_value: str | None
    new_value: str | None


class InquiryDetails(Protocol):
    """What :func:`detail_rows` reads of a saved inquiry."""

    registered_at: datetime | None
    channel_id: int
    village_id: int
    route_id: int
    topic_ids: tuple[int, ...]
    age: int | None
    gender: str | None
    summary: str
    urgent: bool
    status: str
    person_name: str | None
    phone: str | None
    postcode: str | None
    callback_at: datetime | None
    callback_done_at: datetime | None
    referral_ids: tuple[int, ...]
    followup_at: datetime | None
    followup_result: str | None


def describe_event(event: HistoryEvent, ref: Reference) -> str:
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
    if event.kind == "callback" and event.field == "followup":
        if event.new_value in RESULT_NAMES:
            return f"nagebeld: {RESULT_NAMES[event.new_value]}"
        return "nabellen: niet bereikt, opnieuw proberen"
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
            return ref.directory[int(value)].name
        if field == "referral_ids":
            return ", ".join(ref.directory[int(v)].name for v in value.split(",") if v)
        if field == "topic_ids":
            return ", ".join(ref.topics[int(v)].name for v in value.split(",") if v)
    except (KeyError, ValueError):
        return value
    if field in ("urgent", "consent"):
        return "ja" if value == "1" else "nee"
    if field == "summary" and len(value) > 40:
        return value[:39] + "…"
    return value


def detail_rows(inquiry: InquiryDetails, ref: Reference,
                owner: str | None) -> list[tuple[str, str]]:
    """What was registered, as (Dutch label, value) lines; the personal fields only when
    they hold something (they are stored only with the caller's consent)."""
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
        *referral_rows(inquiry, ref),
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
    followup = followup_text(inquiry, "%d-%m %H:%M")
    if followup:
        rows.append(("Nabellen", followup))
    return rows


def referral_rows(inquiry: InquiryDetails, ref: Reference) -> list[tuple[str, str]]:
    """The entries of the sociale kaart: referred to, or (at the desk) informed about."""
    if not inquiry.referral_ids:
        return []
    label = "Info gegeven over" if ref.routes[inquiry.route_id].kind == ROUTE_DESK \
        else "Verwezen naar"
    return [(label, ", ".join(ref.directory[e].name for e in inquiry.referral_ids))]


def followup_text(inquiry: InquiryDetails, moment: str) -> str:
    """The follow-up of a referral: "24-03 09:00", "geholpen", or both."""
    result = inquiry.followup_result
    if result is None:
        return ""
    when = f"{local(inquiry.followup_at):{moment}}" if inquiry.followup_at else ""
    what = PENDING_NAME if result == "pending" else RESULT_NAMES.get(result, result)
    return f"{when} ({what})" if when else what


OS_REASONS = {
    errno.ENOENT: "bestand of map bestaat niet",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.EISDIR: "dat is een map, geen bestand",
    errno.EACCES: "geen toegang (rechten)",
    errno.EPERM: "niet toegestaan (rechten)",
    errno.EEXIST: "bestaat al",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte van dit account is op",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.EIO: "lees- of schrijffout van de schijf",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EBUSY: "het bestand is in gebruik",
    errno.EADDRINUSE: "het adres of de poort is al in gebruik",
    errno.EADDRNOTAVAIL: "dat adres hoort niet bij deze computer",
}
"""Dutch words for what the operating system reports (its own words are English)."""


def os_reason(error: OSError) -> str:
    """Why a file or network action failed, in Dutch: "bestand of map bestaat niet"."""
    return OS_REASONS.get(error.errno, f"systeemfout {error.errno}" if error.errno
                          else "systeemfout")
