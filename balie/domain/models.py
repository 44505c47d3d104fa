"""Typed values that cross the boundary between the data layer and the screens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from balie.domain.reference_data import ROUTE_TEAM
from balie.domain.text import fold
from balie.domain.timekeeping import to_db


@dataclass(frozen=True)
class Area:
    id: int
    name: str
    retired: bool = False


@dataclass(frozen=True)
class Village:
    id: int
    name: str
    area_id: int
    area_name: str
    inhabitants: int | None
    aliases: str = ""
    retired: bool = False


@dataclass(frozen=True)
class Route:
    id: int
    code: str
    name: str
    kind: str
    retired: bool = False
    short_name: str = ""
    """For narrow columns; the name when not set."""

    @property
    def short(self) -> str:
        return self.short_name or self.name

    @property
    def is_team(self) -> bool:
        """A team receives the inquiry; desk and external routes end at the desk."""
        return self.kind == ROUTE_TEAM


@dataclass(frozen=True)
class Channel:
    id: int
    code: str
    name: str
    retired: bool = False


@dataclass(frozen=True)
class Topic:
    id: int
    code: str
    name: str
    retired: bool = False
    aliases: str = ""
    """Extra words the type-ahead finds this topic by."""


@dataclass(frozen=True)
class DirectoryEntry:
    """One entry of the sociale kaart: an organisation or one of its services, where the
    desk refers people to or gives information about. Holds no client data."""

    id: int
    name: str
    """"Organisation — service" (just the organisation when it has one entry)."""
    retired: bool = False
    organisation: str = ""
    service: str = ""
    offers: str = ""
    """What it offers, in a line or two."""
    topic_ids: tuple[int, ...] = ()
    village_ids: tuple[int, ...] = ()
    """The villages it serves; empty: all of Midden-Drenthe (and anyone else)."""
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""
    """Opening hours, or how to reach it."""
    desk_note: str = ""
    """What the desk should know (e.g. "alleen op afspraak")."""
    aliases: str = ""
    """Extra words the look-up finds it by."""
    checked_at: datetime | None = None
    """When beheer last checked the details (None: never)."""
    checked_by: str | None = None
    """Who checked them (display name)."""
    added_at: datetime | None = None
    """Since when it is on the kaart (an entry never checked is stale a year later)."""

    def serves(self, village_id: int | None) -> bool:
        return not self.village_ids or village_id is None or village_id in self.village_ids


@dataclass(frozen=True)
class Outcome:
    """How a team closed an inquiry (annual-report category)."""

    id: int
    code: str
    name: str
    retired: bool = False


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    team_route_id: int | None = None
    retired: bool = False


class _Entry(Protocol):
    id: int
    name: str
    retired: bool


E = TypeVar("E", bound=_Entry)


@dataclass(frozen=True)
class Entries(Generic[E]):
    """One reference list, in display order, with look-ups by id and by name."""

    all: tuple[E, ...]
    _by_id: dict[int, E] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.all})

    @classmethod
    def of(cls, entries: Iterable[E]) -> Entries[E]:
        return cls(tuple(entries))

    @property
    def active(self) -> tuple[E, ...]:
        """Entries offered for new registrations (retired ones stay in history only)."""
        return tuple(e for e in self.all if not e.retired)

    def __getitem__(self, entry_id: int) -> E:
        return self._by_id[entry_id]

    def named(self, name: str) -> E | None:
        """The entry whose name matches case- and accent-insensitively."""
        wanted = fold(name)
        return next((e for e in self.all if fold(e.name) == wanted), None)


@dataclass(frozen=True)
class Reference:
    """All reference data, loaded once per screen that needs it."""

    areas: Entries[Area]
    villages: Entries[Village]
    routes: Entries[Route]
    channels: Entries[Channel]
    topics: Entries[Topic]
    directory: Entries[DirectoryEntry]
    """The sociale kaart (see balie.domain.directory)."""
    outcomes: Entries[Outcome]

    @property
    def teams(self) -> tuple[Route, ...]:
        """The routes that receive inquiries, retired ones included, in display order."""
        return tuple(r for r in self.routes.all if r.is_team)

    def route(self, code: str) -> Route:
        return next(r for r in self.routes.all if r.code == code)


PERSONAL_FIELDS = ("person_name", "phone", "postcode", "callback_at", "followup_at")
"""Fields that may only be stored with consent, and whose values never enter history."""


@dataclass(frozen=True)
class InquiryInput:
    """What the desk records about one inquiry; validated before it gets here."""

    channel_id: int
    village_id: int
    route_id: int
    topic_ids: tuple[int, ...]
    age: int | None = None
    gender: str | None = None
    summary: str = ""
    referral_ids: tuple[int, ...] = ()
    """Directory entries: referred to (external route) or informed about (desk route)."""
    urgent: bool = False
    consent: bool = False
    person_name: str | None = None
    phone: str | None = None
    postcode: str | None = None
    callback_at: datetime | None = None
    followup_at: datetime | None = None
    """When to call back about the referral ("is het gelukt?"): a callback of its own."""

    def __post_init__(self) -> None:
        if not self.topic_ids:
            raise ValueError("an inquiry has at least one topic")
        if not self.consent and any(getattr(self, f) is not None for f in PERSONAL_FIELDS):
            raise ValueError("personal fields without consent")

    @property
    def has_personal_details(self) -> bool:
        """Does it hold anything about the person: contact fields or free text?"""
        return bool(self.summary) or any(getattr(self, f) is not None for f in PERSONAL_FIELDS)

    def columns(self) -> dict[str, Any]:
        """Column values of the inquiry row (topics live in their own table)."""
        values = {f.name: getattr(self, f.name) for f in fields(InquiryInput)
                  if f.name not in LINKED}
        values["urgent"] = int(self.urgent)
        values["consent"] = int(self.consent)
        for moment in ("callback_at", "followup_at"):
            if values[moment] is not None:
                values[moment] = to_db(values[moment])
        return values


LINKED = ("topic_ids", "referral_ids")
"""Fields of :class:`InquiryInput` kept in tables of their own, not inquiry columns."""
