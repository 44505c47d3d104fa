"""The sociale kaart: the directory of local help the desk refers people to.

An entry is an organisation or one of its services ("Humanitas — thuisadministratie"),
with what it offers, the topics it helps with, the villages it serves (none: all of
Midden-Drenthe), how to reach it, a note for the desk, and when it was last checked.
It holds no client data.

This module is the directory's arithmetic: names, the fields beheer types (with Dutch
messages), which entries are stale, and how they read on screen ("nog aanvullen" for
what is not known). The look-up the form and the kaart screen use is in
:mod:`balie.domain.directory_search`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from balie.domain.models import DirectoryEntry, Reference
from balie.domain.parsing import InvalidInput, clean_text
from balie.domain.retention import retention_cutoff
from balie.domain.text import fold
from balie.domain.timekeeping import local

SEPARATOR = " — "
"""Between organisation and service in an entry's name."""
STALE_MONTHS = 12
"""An entry not checked for this long is marked, and counted for beheer at the start."""
MISSING = "nog aanvullen"
"""What the screens show for a contact detail that is not known yet."""
ALL_VILLAGES = "heel Midden-Drenthe"

_LIST_SPLIT = re.compile(r"[,;|]")


def entry_name(organisation: str, service: str) -> str:
    """"Humanitas — thuisadministratie", or the organisation alone."""
    organisation, service = " ".join(organisation.split()), " ".join(service.split())
    return f"{organisation}{SEPARATOR}{service}" if service else organisation


# --- what beheer types -----------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    """A free-text field of an entry: its column, Dutch label and longest length."""

    key: str
    label: str
    limit: int
    required: bool = False


TEXT_FIELDS: tuple[TextField, ...] = (
    TextField("organisation", "organisatie", 80, required=True),
    TextField("service", "dienst", 80),
    TextField("offers", "aanbod", 300),
    TextField("phone", "telefoon", 60),
    TextField("email", "e-mail", 120),
    TextField("website", "website", 200),
    TextField("address", "bezoekadres", 200),
    TextField("hours", "bereikbaarheid", 200),
    TextField("desk_note", "notitie", 300),
    TextField("aliases", "zoekwoorden", 200),
)
TEXT_KEYS = tuple(f.key for f in TEXT_FIELDS)
LINK_FIELDS = (("topics", "onderwerpen"), ("villages", "dorpen"))
"""The fields that name reference data: topics, and villages or areas served."""
LABELS = {f.key: f.label for f in TEXT_FIELDS} | dict(LINK_FIELDS)


@dataclass(frozen=True)
class EntryInput:
    """An entry as beheer gave it, checked: what the data layer stores."""

    organisation: str
    service: str = ""
    offers: str = ""
    topic_ids: tuple[int, ...] = ()
    village_ids: tuple[int, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""
    desk_note: str = ""
    aliases: str = ""

    @property
    def name(self) -> str:
        return entry_name(self.organisation, self.service)


class EntryProblems(InvalidInput):
    """What is wrong with the fields of an entry, per field (Dutch)."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{LABELS.get(k, k)}: {m}" for k, m in problems.items()))


def check_entry(values: dict[str, str], reference: Reference) -> EntryInput:
    """Check the typed fields of an entry (every key of :data:`TEXT_KEYS` and ``topics``,
    ``villages``; missing keys are empty). Raises :class:`EntryProblems`."""
    problems: dict[str, str] = {}
    clean: dict[str, str] = {}
    for spec in TEXT_FIELDS:
        text = " ".join(clean_text(values.get(spec.key) or "").split())
        if spec.required and not text:
            problems[spec.key] = "mag niet leeg zijn"
        elif len(text) > spec.limit:
            problems[spec.key] = f"hooguit {spec.limit} tekens (nu {len(text)})"
        clean[spec.key] = text
    for key in ("organisation", "service"):
        if any(mark in clean[key] for mark in ",;|") or SEPARATOR.strip() in clean[key]:
            problems[key] = ("geen komma, puntkomma, | of — (die scheiden meerdere adressen "
                             "in het formulier)")
    if clean["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", clean["email"]):
        problems["email"] = f"'{clean['email']}' is geen e-mailadres"
    if " " in clean["website"]:
        problems["website"] = "een webadres heeft geen spaties"
    topics: tuple[int, ...] = ()
    villages: tuple[int, ...] = ()
    try:
        topics = parse_topics(values.get("topics") or "", reference)
    except InvalidInput as error:
        problems["topics"] = error.message
    try:
        villages = parse_villages(values.get("villages") or "", reference)
    except InvalidInput as error:
        problems["villages"] = error.message
    if problems:
        raise EntryProblems(problems)
    return EntryInput(topic_ids=topics, village_ids=villages,
                      **{key: clean[key] for key in TEXT_KEYS})


def _names(text: str) -> list[str]:
    return [piece.strip() for piece in _LIST_SPLIT.split(text) if piece.strip()]


def parse_topics(text: str, reference: Reference) -> tuple[int, ...]:
    """Topics by name or code, separated by commas: "Financiën, wonen"."""
    found: list[int] = []
    for name in _names(text):
        topic = reference.topics.named(name) or next(
            (t for t in reference.topics.all if t.code == name.strip()), None)
        if topic is None:
            raise InvalidInput(f"'{name}' is geen onderwerp (zie balie ref list topics)")
        if topic.id not in found:
            found.append(topic.id)
    return tuple(found)


ALL_WORDS = frozenset({"", "alle", "alles", "heel midden-drenthe", "midden-drenthe",
                       "gemeente"})


def parse_villages(text: str, reference: Reference) -> tuple[int, ...]:
    """Villages or areas served, separated by commas ("Beilen, Dorpen rond Beilen"); an
    area stands for its villages. Empty (or "alle") means all of Midden-Drenthe."""
    if fold(text) in ALL_WORDS:
        return ()
    found: list[int] = []
    for name in _names(text):
        village = reference.villages.named(name)
        area = reference.areas.named(name)
        if village is not None:
            ids = [village.id]
        elif area is not None:
            ids = [v.id for v in reference.villages.all if v.area_id == area.id]
        else:
            raise InvalidInput(f"'{name}' is geen dorp of gebied (zie balie ref list villages)")
        found += [i for i in ids if i not in found]
    return tuple(found)


# --- how entries read ------------------------------------------------------------------


def is_stale(entry: DirectoryEntry, now: datetime, cutoff: datetime | None = None) -> bool:
    """Not checked in the last :data:`STALE_MONTHS` months: since its last check, or
    (never checked) since it came on the kaart. ``cutoff``: :func:`stale_cutoff` of
    ``now``, when many entries are judged at once."""
    since = entry.checked_at or entry.added_at
    return since is None or since <= (cutoff or stale_cutoff(now))


def stale_cutoff(now: datetime) -> datetime:
    """Checked before this moment: stale."""
    return retention_cutoff(now, STALE_MONTHS)


def stale_entries(entries: Iterable[DirectoryEntry], now: datetime) -> list[DirectoryEntry]:
    cutoff = stale_cutoff(now)
    return [e for e in entries if not e.retired and is_stale(e, now, cutoff)]


def shown(value: str) -> str:
    """A contact detail as the desk reads it: "nog aanvullen" when not known yet."""
    return value or MISSING


def checked_text(entry: DirectoryEntry, now: datetime) -> str:
    if entry.checked_at is None:
        since = f" (op de kaart sinds {local(entry.added_at):%d-%m-%Y})" \
            if entry.added_at else ""
        stale = ", te lang" if is_stale(entry, now) else ""
        return f"nooit gecontroleerd{since}{stale}"
    who = f" door {entry.checked_by}" if entry.checked_by else ""
    stale = " (te lang geleden)" if is_stale(entry, now) else ""
    return f"gecontroleerd {local(entry.checked_at):%d-%m-%Y}{who}{stale}"


def served_text(entry: DirectoryEntry, reference: Reference) -> str:
    """"heel Midden-Drenthe", or the areas and villages served ("Beilen, Hooghalen")."""
    if not entry.village_ids:
        return ALL_VILLAGES
    served = set(entry.village_ids)
    parts: list[str] = []
    for area in reference.areas.all:
        members = [v.id for v in reference.villages.all if v.area_id == area.id]
        if len(members) > 1 and set(members) <= served:
            parts.append(area.name)
            served -= set(members)
    parts += [v.name for v in reference.villages.all if v.id in served]
    return ", ".join(parts)


def topics_text(entry: DirectoryEntry, reference: Reference) -> str:
    return ", ".join(reference.topics[t].name for t in entry.topic_ids)


def reach_line(entry: DirectoryEntry) -> str:
    """What the desk reads out: phone and how to reach it ("nog aanvullen" if unknown)."""
    return f"tel. {shown(entry.phone)} · {shown(entry.hours)}"


def fields_of(entry: DirectoryEntry, reference: Reference) -> dict[str, str]:
    """An entry's fields as text, keyed like :func:`check_entry` takes them."""
    values = {key: getattr(entry, key) for key in TEXT_KEYS}
    values["topics"] = topics_text(entry, reference)
    values["villages"] = "" if not entry.village_ids else served_text(entry, reference)
    return values
