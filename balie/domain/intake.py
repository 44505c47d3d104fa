"""The intake form as data: what was typed, and what it means.

:class:`IntakeDraft` holds the raw text of every field, exactly as typed, so a draft can
be stored and offered again even while it is still invalid. :func:`check` turns a draft
into field messages, type-ahead options, a routing suggestion and, when everything is
in order, the :class:`~balie.domain.models.InquiryInput` to save.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime

from balie.domain.directory_search import Context, directory_index, pick
from balie.domain.followup import parse_followup
from balie.domain.lookup import Candidate, resolve, resolve_many
from balie.domain.models import DirectoryEntry, InquiryInput, Reference, Topic, Village
from balie.domain.parsing import (
    InvalidInput,
    Moment,
    find_bsn,
    format_phone,
    parse_age,
    parse_moment,
    parse_name,
    parse_phone,
    parse_postcode,
    parse_summary,
)
from balie.domain.reference_data import ROUTE_DESK, ROUTE_EXTERNAL
from balie.domain.routing import RuleSet, Suggestion
from balie.domain.timekeeping import local, local_day
from balie.domain.workhours import DEFAULT_OFFICE_HOURS, OfficeHours, off_hours

GENDERS = (("", "-", "-"), ("f", "v", "vrouw"), ("m", "m", "man"), ("x", "x", "anders"))
"""(stored code, key, Dutch label); the empty code means not recorded."""


@dataclass
class IntakeDraft:
    """The raw content of the intake form (JSON-serialisable)."""

    channel: str = ""
    village: str = ""
    age: str = ""
    gender: str = ""
    topics: str = ""
    summary: str = ""
    urgent: bool = False
    route: str = ""
    referral: str = ""
    """Entries of the sociale kaart, separated by commas (external and desk routes)."""
    followup: str = ""
    """When to call back about the referral ("2w", "j"): needs consent and a phone."""
    callback: str = ""
    consent: bool = False
    name: str = ""
    phone: str = ""
    postcode: str = ""
    reason: str = ""
    correction_of: int | None = None
    """The inquiry being corrected, or None for a new registration."""
    expected_version: int | None = None
    """The corrected inquiry's version when it was opened (to detect a conflict)."""

    CONTENT = ("village", "age", "gender", "topics", "summary", "urgent", "route",
               "referral", "followup", "callback", "consent", "name", "phone", "postcode",
               "reason")

    def is_blank(self) -> bool:
        """Nothing worth keeping has been typed (the channel alone is not content)."""
        return not any(getattr(self, name) for name in self.CONTENT)

    def describe(self) -> str:
        """A short reminder of what the draft holds: "Wijster, 81 jaar, eenz"."""
        summary = " ".join(self.summary.split())
        parts = [
            self.village.strip(),
            f"{self.age.strip()} jaar" if self.age.strip() else "",
            self.topics.strip(),
            summary[:40] + ("…" if len(summary) > 40 else ""),
            "met contactgegevens" if (self.name.strip() or self.phone.strip()) else "",
        ]
        return ", ".join(p for p in parts if p) or "alleen keuzevelden ingevuld"

    def storable(self) -> IntakeDraft:
        """The draft as it may be stored: personal details only once consent is given."""
        if self.consent:
            return self
        return replace(self, name="", phone="", postcode="", callback="", followup="")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IntakeDraft:
        """Read a stored draft; unknown keys (from another version) are ignored."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class IntakeCheck:
    """What a draft means, field by field."""

    errors: dict[str, str] = field(default_factory=dict)
    """Problems that block saving, by field name, in Dutch."""
    warnings: dict[str, str] = field(default_factory=dict)
    """Things the desk should know but that do not block saving."""
    village: Village | None = None
    topics: tuple[Topic, ...] = ()
    referrals: tuple[DirectoryEntry, ...] = ()
    """The entries of the sociale kaart named (referred to, or informed about)."""
    age: int | None = None
    callback: Moment | None = None
    followup: Moment | None = None
    phone: str | None = None
    name: str | None = None
    suggestion: Suggestion | None = None
    urgent_reason: str | None = None
    bsn: tuple[str, ...] = ()
    """Numbers in the summary that pass the elfproef: probably a BSN, which does not belong."""
    off_hours: str | None = None
    """Why nobody will be there at the callback moment (a Saturday, a holiday, after
    office hours), or None: saving asks the desk to confirm it."""
    followup_off_hours: str | None = None
    """The same for the follow-up call's moment."""
    data: InquiryInput | None = None
    """The inquiry to save; None while there are errors."""

    @property
    def context(self) -> Context:
        """What the look-up in the sociale kaart takes into account."""
        return Context(frozenset(t.id for t in self.topics),
                       self.village.id if self.village else None)


@dataclass(frozen=True)
class _Choices:
    villages: list[Candidate[Village]]
    topics: list[Candidate[Topic]]
    referrals: list[Candidate[DirectoryEntry]]


_choices_cache: dict[bool, tuple[Reference, _Choices]] = {}


def _choices(reference: Reference, retired: bool = False) -> _Choices:
    """Type-ahead candidates, built once per loaded reference.

    New registrations offer active entries only; a correction also accepts retired
    ones, so an old registration stays correctable after beheer retired its village.
    Retired entries come after all active ones.
    """
    cached = _choices_cache.get(retired)
    if cached and cached[0] is reference:
        return cached[1]

    def pick(entries):
        return [*entries.active, *(e for e in entries.all if e.retired)] if retired \
            else list(entries.active)

    villages = sorted(pick(reference.villages), key=lambda v: (v.retired, -(v.inhabitants or 0)))
    choices = _Choices(
        # Largest first, so "hoog" offers Hoogersmilde before Hooghalen.
        villages=[Candidate(v, v.name, v.aliases) for v in villages],
        # In their numbered order: 1 is the first topic.
        topics=[Candidate(t, t.name, t.aliases) for t in pick(reference.topics)],
        referrals=[Candidate(r, r.name, r.aliases) for r in pick(reference.directory)],
    )
    _choices_cache[retired] = (reference, choices)
    return choices


def village_candidates(reference: Reference, retired: bool = False) -> list[Candidate[Village]]:
    return _choices(reference, retired).villages


def topic_candidates(reference: Reference, retired: bool = False) -> list[Candidate[Topic]]:
    return _choices(reference, retired).topics


def referral_candidates(reference: Reference, retired: bool = False
                        ) -> list[Candidate[DirectoryEntry]]:
    return _choices(reference, retired).referrals


def single_matches(text: str, candidates: list[Candidate]) -> tuple[list[str], str]:
    """Type-ahead for a one-choice field: matching names, best first, for the whole text."""
    return [c.name for c in resolve(text, candidates).options], text.strip()


def last_piece_matches(text: str, candidates: list[Candidate]) -> tuple[list[str], str]:
    """Type-ahead for a several-choice field: the options for the last unresolved piece."""
    unresolved = resolve_many(text, candidates).unresolved
    if not unresolved:
        return [], ""
    piece, options = unresolved[-1]
    return [c.name for c in options], piece


def _chosen(errors: dict[str, str], field: str, text: str, candidates, unknown: str):
    """The entry a typed name stands for, or None with a message for ``field``: the
    options when it could be several, "'text' <unknown>" when it is none."""
    found = resolve(text, candidates)
    if found.ambiguous:
        errors[field] = f"Bedoelt u {_options_text(found.options)}?"
    elif found.chosen is None:
        errors[field] = f"'{text.strip()}' {unknown}"
    return found.chosen.value if found.chosen else None


def _options_text(options) -> str:
    names = [o.name for o in options[:3]]
    return " of ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " of " + names[-1]


def check(
    draft: IntakeDraft,
    reference: Reference,
    rules: RuleSet,
    now: datetime,
    *,
    for_save: bool = False,
    office: OfficeHours = DEFAULT_OFFICE_HOURS,
) -> IntakeCheck:
    """Interpret every field of the draft (``office``: the office hours all desks share,
    against which a callback moment is checked).

    With ``for_save`` missing required fields are errors too; without it only what was
    typed is judged, so a half-filled form shows no complaints about empty fields.
    """
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    today = local_day(now)
    correcting = draft.correction_of is not None

    channel = next((c for c in reference.channels.all if c.code == draft.channel), None)
    if channel is None or (channel.retired and not correcting):
        errors["channel"] = "Kies een kanaal."

    village = None
    if draft.village.strip():
        village = _chosen(errors, "village", draft.village,
                          village_candidates(reference, correcting),
                          "is geen dorp in de lijst; kies 'onbekend' als het niet bekend is.")
    elif for_save:
        errors["village"] = "Vul het dorp in (of 'onbekend')."

    age = None
    try:
        age = parse_age(draft.age, today)
    except InvalidInput as error:
        errors["age"] = error.message

    if draft.gender not in {code for code, _, _ in GENDERS}:
        errors["gender"] = "Kies v, m, x of laat leeg."

    candidates = topic_candidates(reference, correcting)
    picked = resolve_many(draft.topics, candidates)
    topics = tuple(c.value for c in picked.chosen)
    if picked.unresolved:
        errors["topics"] = _unresolved(picked.unresolved, "is geen onderwerp")
    elif not topics and for_save:
        errors["topics"] = "Kies minstens één onderwerp (letters of nummer)."

    summary = ""
    try:
        summary = parse_summary(draft.summary)
    except InvalidInput as error:
        errors["summary"] = error.message
    bsns = find_bsn(draft.summary)
    if bsns:
        warnings["summary"] = (f"Dit lijkt een BSN ({bsns[0]}). Een BSN hoort niet in balie: "
                               "haal het weg.")

    urgent_reason = rules.urgent_reason(topics)
    suggestion = rules.suggest(village, age, topics) if village or topics else None

    route = next((r for r in reference.routes.all if r.code == draft.route), None)
    if draft.route and route is None:
        errors["route"] = "Onbekende route; kies opnieuw."
    elif route is None and for_save:
        errors["route"] = "Kies een route (Ctrl+R neemt het voorstel over)."
    elif route is not None and route.retired and draft.correction_of is None:
        errors["route"] = f"{route.name} wordt niet meer gebruikt; kies een andere route."

    referrals: tuple[DirectoryEntry, ...] = ()
    context = Context(frozenset(t.id for t in topics), village.id if village else None)
    if route is not None and route.kind in (ROUTE_EXTERNAL, ROUTE_DESK):
        referrals = _referrals(errors, draft.referral, reference, context, correcting)
        if not referrals and for_save and route.kind == ROUTE_EXTERNAL \
                and "referral" not in errors:
            errors["referral"] = "Naar wie is doorverwezen? Kies een adres van de sociale kaart."

    name = phone = postcode = None
    try:
        name = parse_name(draft.name)
    except InvalidInput as error:
        errors["name"] = error.message
    try:
        phone = parse_phone(draft.phone)
    except InvalidInput as error:
        errors["phone"] = error.message
    try:
        postcode = parse_postcode(draft.postcode)
    except InvalidInput as error:
        errors["postcode"] = error.message

    callback = None
    concern = None
    if draft.callback.strip():
        try:
            # A correction may keep a callback moment that has passed since.
            callback = parse_moment(draft.callback, now,
                                    allow_past=draft.correction_of is not None)
        except InvalidInput as error:
            errors["callback"] = error.message
        else:
            concern = _call_checked(draft, callback, office, errors, warnings, "callback",
                                    "terug te bellen", "Terugbellen")
    followup = followup_concern = None
    if draft.followup.strip() and not referrals and "referral" not in errors and route \
            and route.kind in (ROUTE_EXTERNAL, ROUTE_DESK):
        errors["followup"] = "Nabellen hoort bij een adres: kies dat eerst bij Naar."
    elif draft.followup.strip() and referrals:
        try:
            followup = _followup_moment(draft.followup, now, correcting)
        except InvalidInput as error:
            errors["followup"] = error.message
        else:
            followup_concern = _call_checked(draft, followup, office, errors, warnings,
                                             "followup", "na te bellen", "Nabellen")
    personal = any(v.strip() for v in (draft.name, draft.phone, draft.postcode))
    if personal and not draft.consent and "consent" not in errors:
        warnings["consent"] = ("Zonder toestemming worden naam, telefoon en postcode niet "
                               "bewaard: de vraag wordt anoniem opgeslagen.")

    data = None
    if not errors and channel and village and route and topics:
        consent = draft.consent
        data = InquiryInput(
            channel_id=channel.id,
            village_id=village.id,
            route_id=route.id,
            topic_ids=tuple(t.id for t in topics),
            age=age,
            gender=draft.gender or None,
            summary=summary,
            referral_ids=tuple(e.id for e in referrals),
            urgent=bool(draft.urgent or urgent_reason),
            consent=consent,
            person_name=name if consent else None,
            phone=phone if consent else None,
            postcode=postcode if consent else None,
            callback_at=callback.at if (callback and consent) else None,
            followup_at=followup.at if (followup and consent) else None,
        )
    return IntakeCheck(
        errors=errors,
        warnings=warnings,
        village=village,
        topics=topics,
        referrals=referrals,
        age=age,
        callback=callback,
        followup=followup,
        phone=phone,
        name=name,
        suggestion=suggestion,
        urgent_reason=urgent_reason,
        bsn=tuple(bsns),
        off_hours=concern,
        followup_off_hours=followup_concern,
        data=data,
    )


def _call_checked(draft: IntakeDraft, moment: Moment, office: OfficeHours,
                  errors: dict[str, str], warnings: dict[str, str], field: str,
                  to_call: str, calling: str) -> str | None:
    """What a call back (or a follow-up call) at ``moment`` needs: a phone number, kept
    with consent; and a word at ``field`` when the moment is outside office hours, which
    is returned (saving asks the desk to confirm it). ``to_call``/``calling``: the
    verb in the messages ("terug te bellen"/"Terugbellen")."""
    if not draft.phone.strip():
        errors[field] = f"Vul ook het telefoonnummer in om {to_call}."
    elif not draft.consent:
        errors["consent"] = (f"{calling} kan alleen met toestemming om het "
                             "telefoonnummer te bewaren.")
    concern = off_hours(moment.at, office)
    if concern and field not in errors:
        warnings[field] = f"Let op: {concern}."
    return concern


def _followup_moment(text: str, now: datetime, correcting: bool) -> Moment:
    """A new follow-up time; a correction may keep one that has passed since."""
    try:
        return parse_followup(text, now)
    except InvalidInput:
        if not correcting:
            raise
        return parse_moment(text, now, allow_past=True)


def _referrals(errors: dict[str, str], text: str, reference: Reference, context: Context,
               correcting: bool) -> tuple[DirectoryEntry, ...]:
    """The entries named in the referral field; a message for pieces that are none."""
    if not text.strip():
        return ()
    picked = pick(text, directory_index(reference, correcting), context)
    if picked.unresolved:
        errors["referral"] = _unresolved(picked.unresolved, "staat niet op de sociale kaart")
    return picked.chosen


def _unresolved(unresolved, unknown: str) -> str:
    """The message for pieces of a several-choice field that name no single entry: the
    options of each ("'hu': Humanitas of Huisarts?"), or ``unknown`` for a piece that
    names none; a sentence that ends in a question gets no full stop after it."""
    said = "; ".join(f"'{piece}': {_options_text(options)}?" if options
                     else f"'{piece}' {unknown}" for piece, options in unresolved)
    return said if said.endswith("?") else said + "."


def draft_from_inquiry(inquiry, reference: Reference) -> IntakeDraft:
    """The form content that shows a saved inquiry, for a correction."""
    callback = ""
    if inquiry.callback_at is not None:
        callback = f"{local(inquiry.callback_at):%d-%m-%Y %H:%M}"
    followup = ""
    if inquiry.followup_at is not None:
        followup = f"{local(inquiry.followup_at):%d-%m-%Y %H:%M}"
    referral = ", ".join(reference.directory[e].name for e in inquiry.referral_ids)
    return IntakeDraft(
        channel=reference.channels[inquiry.channel_id].code,
        village=reference.villages[inquiry.village_id].name,
        age="" if inquiry.age is None else str(inquiry.age),
        gender=inquiry.gender or "",
        topics=", ".join(reference.topics[t].name for t in inquiry.topic_ids),
        summary=inquiry.summary,
        urgent=inquiry.urgent,
        route=reference.routes[inquiry.route_id].code,
        referral=referral,
        followup=followup,
        callback=callback,
        consent=inquiry.consent,
        name=inquiry.person_name or "",
        phone=format_phone(inquiry.phone),
        postcode=inquiry.postcode or "",
        correction_of=inquiry.id,
        expected_version=inquiry.version,
    )
