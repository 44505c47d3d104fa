"""Realistic made-up inquiries for demonstrations, training and benchmarks.

The mix follows DOMAIN.md: villages weighted by inhabitants; most questions answered at
the desk; cliëntondersteuning the largest team, then seniorenwerk and maatschappelijk
werk; each team its own topics and ages; a working-week and opening-hours rhythm of
about 30 inquiries per working day. Names and phone numbers are invented; no real
person's data is ever used.

Rows are produced as plain tuples in bulk, because ``balie demo`` must build
1,000,000 inquiries in well under a minute.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from balie.domain.models import Reference
from balie.domain.reference_data import (
    CLIENT_SUPPORT,
    DESK,
    DOMESTIC_VIOLENCE,
    EXTERNAL,
    OUTSIDE_VILLAGE,
    SENIOR_WORK,
    SOCIAL_WORK,
    UNKNOWN_VILLAGE,
)
from balie.domain.timekeeping import AMSTERDAM, DB_FORMAT
from balie.domain.workhours import is_working_day

# Relative number of inquiries per weekday (Monday first): busy Mondays, quiet Fridays,
# and only the odd e-mail at the weekend.
WEEKDAY_WEIGHT = (1.25, 1.1, 1.0, 1.0, 0.65, 0.04, 0.02)
OPENING_HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16)
HOUR_WEIGHT = (4, 16, 17, 15, 8, 12, 12, 10, 6)

ROUTE_WEIGHT = {DESK: 55, EXTERNAL: 12, CLIENT_SUPPORT: 17, SENIOR_WORK: 10, SOCIAL_WORK: 6}
# Outcomes of closed team inquiries (cliëntondersteuning 2023: 216 information and
# advice, 495 short support, 32 case direction taken over; referrals estimated).
OUTCOME_WEIGHT = {"information_advice": 216, "short_support": 495, "case_direction": 32,
                  "referred_informal": 40, "referred_formal": 60, "referred_wmo": 58,
                  "referred_internal": 30, "no_contact": 20}
CHANNEL_WEIGHT = {"phone": 55, "desk": 30, "email": 10, "home_visit": 5}
INFO_SHARE = 0.3
"""Share of inquiries answered at the desk with information about an entry of the
sociale kaart ("info gegeven over")."""
FOLLOWUP_SHARE = 0.4
"""Share of referrals with consent that get a follow-up call two weeks later."""
FOLLOWUP_WEIGHT = {"helped": 45, "in_progress": 15, "not_helped": 10, "not_reached": 20,
                   "declined": 10}

TOPIC_WEIGHT: dict[str, dict[str, int]] = {
    DESK: {"paperwork": 30, "other": 15, "housing": 12, "work_income": 10, "finances": 12,
           "care_wmo": 10, "aids_transport": 8, "loneliness": 3},
    EXTERNAL: {"care_wmo": 25, "finances": 20, "housing": 20, "work_income": 10,
               "paperwork": 10, "domestic_violence": 3, "other": 12},
    CLIENT_SUPPORT: {"finances": 18, "housing": 13, "care_wmo": 20, "aids_transport": 12,
                     "guidance_daycare": 12, "work_income": 8, "paperwork": 10,
                     "informal_care": 7},
    SOCIAL_WORK: {"psychosocial": 30, "finances": 20, "relationship_family": 20,
                  "domestic_violence": 8, "addiction": 7, "housing": 8, "work_income": 7},
    SENIOR_WORK: {"loneliness": 30, "care_wmo": 20, "aids_transport": 15,
                  "informal_care": 12, "paperwork": 10, "housing": 8, "finances": 5},
}

# Age bands of the annual report, per route: ((low, high), weight).
AGE_BANDS: dict[str, tuple[tuple[tuple[int, int], int], ...]] = {
    CLIENT_SUPPORT: (((18, 26), 10), ((27, 45), 25), ((46, 67), 38), ((68, 95), 27)),
    SOCIAL_WORK: (((12, 17), 5), ((18, 26), 20), ((27, 45), 40), ((46, 67), 28), ((68, 90), 7)),
    SENIOR_WORK: (((60, 67), 10), ((68, 79), 50), ((80, 98), 40)),
    DESK: (((16, 26), 10), ((27, 45), 25), ((46, 67), 35), ((68, 95), 30)),
    EXTERNAL: (((18, 26), 12), ((27, 45), 30), ((46, 67), 35), ((68, 95), 23)),
}

SUMMARIES: dict[str, tuple[str, ...]] = {
    "finances": ("Vraag over betalingsachterstand energie", "Hulp bij budget gevraagd",
                 "Aanmaning ontvangen, weet niet wat te doen"),
    "housing": ("Vraag over huurtoeslag", "Zoekt aangepaste woning", "Problemen met verhuurder"),
    "care_wmo": ("Wil Wmo-aanvraag doen voor huishoudelijke hulp", "Vraag over keukentafelgesprek",
                 "Indicatie loopt af"),
    "aids_transport": ("Vraag over scootmobiel", "Zoekt vervoer naar ziekenhuis",
                       "Vraag over traplift"),
    "guidance_daycare": ("Zoekt dagbesteding voor partner", "Vraag over begeleiding thuis"),
    "loneliness": ("Voelt zich eenzaam sinds overlijden partner", "Zoekt contact met dorpsgenoten",
                   "Vraag naar Pluscafé"),
    "informal_care": ("Mantelzorger raakt overbelast", "Vraag over respijtzorg"),
    "psychosocial": ("Veel spanning en slecht slapen", "Rouwverwerking",
                     "Voelt zich somber, wil praten"),
    "relationship_family": ("Vragen rond scheiding", "Spanningen in het gezin"),
    "domestic_violence": ("Zorgen over veiligheid thuis", "Signaal van buren over ruzie"),
    "addiction": ("Zorgen over alcoholgebruik partner", "Vraag over hulp bij gokken"),
    "work_income": ("Vraag over uitkering", "Inkomen valt weg na ontslag"),
    "paperwork": ("Hulp bij invullen formulier", "Brief van gemeente niet begrepen",
                  "Vraag over DigiD"),
    "other": ("Algemene informatievraag", "Vraag over activiteiten in het dorp"),
}

FIRST_NAMES = ("Anna", "Bert", "Carla", "Derk", "Eline", "Fenna", "Geert", "Hilde", "Jan",
               "Klaas", "Lies", "Marten", "Nel", "Otto", "Petra", "Roelof", "Sanne", "Tineke",
               "Wim", "Yara", "Ëlla", "Jürgen")
SURNAME_PARTS = (("Hoek", "Veen", "Dijk", "Brink", "Kamp", "Wold", "Esch", "Zand", "Holt",
                  "Mars", "Bos", "Ekel"),
                 ("stra", "ma", "sema", "inga", "huis", "man", "ing", "ker", "horst"))


@dataclass(frozen=True)
class DemoStaff:
    username: str
    display_name: str


DEMO_STAFF = tuple(DemoStaff(f"demo.balie{n}", f"Baliemedewerker {n} (demo)") for n in (1, 2, 3))


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


OFFICE_START, OFFICE_END = 9 * 3600, 17 * 3600
"""The default office hours, in seconds after local midnight."""


def _waits(day: date):
    """Working minutes from a moment of ``day`` (seconds after local midnight) to the
    pick-up 24 hours later, as the history has it: the office time left that day and
    the office time of the next morning, on working days. (The exact count differs only
    across the night the clocks change.)"""
    today, tomorrow = is_working_day(day), is_working_day(day + timedelta(days=1))

    def wait(seconds: int) -> int:
        left = max(0, OFFICE_END - max(seconds, OFFICE_START)) if today else 0
        morning = max(0, min(seconds, OFFICE_END) - OFFICE_START) if tomorrow else 0
        return round((left + morning) / 60)

    return wait


def _stamp(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(DB_FORMAT)


class DemoGenerator:
    """Produces inquiry rows day by day; ids and staff ids are supplied by the caller."""

    def __init__(self, reference: Reference, staff_ids: list[int], seed: int | None = None):
        self.rng = random.Random(seed)
        self.ref = reference
        self.staff_ids = staff_ids
        routes = {r.code: r for r in reference.routes.active}
        self.route_codes = [c for c in ROUTE_WEIGHT if c in routes]
        self.route_ids = {c: routes[c].id for c in self.route_codes}
        self.route_cum = list(accumulate(ROUTE_WEIGHT[c] for c in self.route_codes))
        self.team_codes = {c for c in self.route_codes if routes[c].is_team}
        channels = {c.code: c.id for c in reference.channels.active}
        known = [c for c in CHANNEL_WEIGHT if c in channels]
        self.channel_ids = [channels[c] for c in known]
        self.channel_cum = list(accumulate(CHANNEL_WEIGHT[c] for c in known))
        villages = reference.villages.active
        special = {OUTSIDE_VILLAGE: 150, UNKNOWN_VILLAGE: 250}
        self.village_ids = [v.id for v in villages]
        self.village_cum = list(
            accumulate(v.inhabitants or special.get(v.name, 25) for v in villages)
        )
        topics = {t.code: t.id for t in reference.topics.active}
        self.topics = {
            code: ([topics[t] for t in w if t in topics],
                   list(accumulate(w[t] for t in w if t in topics)))
            for code, w in TOPIC_WEIGHT.items()
        }
        self.topic_codes = {t.id: t.code for t in reference.topics.all}
        self.dv_topic = topics.get(DOMESTIC_VIOLENCE)
        entries = reference.directory.active
        self.referrals = [e.id for e in entries]
        # Entries by topic: an inquiry is referred to an entry that helps with its topic.
        self.entries_by_topic = {
            t.id: [e.id for e in entries if t.id in e.topic_ids] for t in reference.topics.all}
        self.followup_codes = list(FOLLOWUP_WEIGHT)
        self.followup_cum = list(accumulate(FOLLOWUP_WEIGHT.values()))
        outcomes = {o.code: o.id for o in reference.outcomes.active}
        self.outcome_ids = [outcomes[c] for c in OUTCOME_WEIGHT if c in outcomes]
        self.outcome_cum = list(accumulate(OUTCOME_WEIGHT[c] for c in OUTCOME_WEIGHT
                                           if c in outcomes))
        self.outcome_codes = {o.id: o.code for o in reference.outcomes.all}
        # Every age of a band repeated by the band's weight per year of age, so one
        # rng.choice draws band and age at once.
        self.ages = {
            route: [
                age
                for (low, high), weight in bands
                for age in range(low, high + 1)
                for _ in range(round(100 * weight / (high - low + 1)))
            ]
            for route, bands in AGE_BANDS.items()
        }

    def day_count(self, day: date, per_day: int) -> int:
        expected = per_day * WEEKDAY_WEIGHT[day.weekday()]
        return max(0, round(self.rng.gauss(expected, expected ** 0.5)))

    def rows(self, first: date, last: date, per_day: int, now: datetime, first_id: int
             ) -> Iterator[tuple[list[tuple], list[tuple[int, int]], list[tuple],
                                 list[tuple[int, int, int]]]]:
        """Yield, per day: inquiry rows, topic rows, history rows and referral rows.

        Column order: see ``balie.db.demo.INQUIRY_COLUMNS`` and ``EVENT_COLUMNS``.
        """
        next_id = first_id
        day = first
        while day <= last:
            n = self.day_count(day, per_day)
            if n:
                inquiries, topic_rows, events, referrals = self._day(day, n, now, next_id)
                if inquiries:
                    yield inquiries, topic_rows, events, referrals
                    next_id += len(inquiries)
            day += timedelta(days=1)

    def _day(self, day: date, n: int, now: datetime, first_id: int):
        rng = self.rng
        noon = datetime.combine(day, time(12), tzinfo=AMSTERDAM)
        offset = int(noon.utcoffset().total_seconds())
        midnight_utc = datetime.combine(day, time(0), tzinfo=UTC)
        base = int(midnight_utc.timestamp()) - offset
        hours = rng.choices(OPENING_HOURS, cum_weights=list(accumulate(HOUR_WEIGHT)), k=n)
        seconds = sorted(h * 3600 + rng.randrange(3600) for h in hours)
        limit = int(now.timestamp())
        # Opening hours are well after 02:00 local, so their UTC date is the same day.
        midnight = int(midnight_utc.timestamp())
        prefix = f"{day:%Y-%m-%d}T"
        age_days = (now.date() - day).days
        waits = _waits(day)
        routes = rng.choices(self.route_codes, cum_weights=self.route_cum, k=n)
        channels = rng.choices(self.channel_ids, cum_weights=self.channel_cum, k=n)
        villages = rng.choices(self.village_ids, cum_weights=self.village_cum, k=n)
        inquiries, topic_rows, events, referral_rows = [], [], [], []
        for i in range(n):
            ts = base + seconds[i]
            if ts > limit:
                break
            inquiry_id = first_id + i
            stamp = f"{prefix}{_clock(ts - midnight)}"
            route = routes[i]
            route_id = self.route_ids[route]
            topic_ids, topic_cum = self.topics[route]
            count = 1 if rng.random() < 0.75 else (2 if rng.random() < 0.8 else 3)
            chosen = sorted(set(rng.choices(topic_ids, cum_weights=topic_cum, k=count)))
            urgent = int(self.dv_topic in chosen or rng.random() < 0.02)
            age = rng.choice(self.ages[route]) if rng.random() < 0.7 else None
            r = rng.random()
            gender = None if r < 0.2 else ("f" if r < 0.7 else ("m" if r < 0.98 else "x"))
            owner = outcome = wait = None
            closed_at = stamp
            if route in self.team_codes:
                status = "closed" if age_days > 14 else ("picked_up" if age_days > 2 else "new")
                closed_at = _stamp(ts + 10 * 86400) if status == "closed" else None
                if status != "new":
                    owner = self.staff_ids[(inquiry_id * 11) % len(self.staff_ids)]
                    wait = waits(seconds[i])
                if status == "closed" and self.outcome_ids:
                    outcome = rng.choices(self.outcome_ids, cum_weights=self.outcome_cum)[0]
            else:
                status = "closed"
            referrals = self._referrals(route, chosen)
            consent = rng.random() < 0.25
            name = phone = callback = callback_done = None
            if consent:
                surname = rng.choice(SURNAME_PARTS[0]) + rng.choice(SURNAME_PARTS[1])
                name = f"{rng.choice(FIRST_NAMES)} {surname}"
                phone = f"+316{rng.randrange(10**8):08d}"
                if rng.random() < 0.2:
                    callback = _stamp(ts + 86400)
                    # Callbacks of earlier days were made; today's are still to do.
                    callback_done = _stamp(ts + 86400 + 600) if age_days > 1 else None
            followup = result = followup_done = None
            if referrals and consent and rng.random() < FOLLOWUP_SHARE:
                followup, result = _stamp(ts + 14 * 86400), "pending"
                if ts + 14 * 86400 < limit - 86400:  # due before yesterday: made
                    result = rng.choices(self.followup_codes, cum_weights=self.followup_cum)[0]
                    followup_done = _stamp(ts + 14 * 86400 + 900)
            summary = rng.choice(SUMMARIES.get(self.topic_codes[chosen[0]], SUMMARIES["other"]))
            staff_id = self.staff_ids[(inquiry_id * 7) % len(self.staff_ids)]
            inquiries.append((inquiry_id, stamp, staff_id, channels[i], villages[i], age, gender,
                              summary, route_id, urgent, status, int(consent), name,
                              phone, None, callback, stamp, route_id, owner, stamp, closed_at,
                              outcome, callback_done, wait, followup, result, followup_done))
            topic_rows.extend((inquiry_id, t) for t in chosen)
            referral_rows.extend((inquiry_id, e, n) for n, e in enumerate(referrals, start=1))
            events.append((inquiry_id, stamp, staff_id, "created", None, route_id, None, None,
                           None))
            if followup_done is not None:
                events.append((inquiry_id, followup_done, staff_id, "callback", None, None,
                               "followup", None, result))
            if owner is not None:
                events.append((inquiry_id, _stamp(ts + 86400), owner, "pickup", None, route_id,
                               None, "new", "picked_up"))
                if status == "closed":
                    code = self.outcome_codes.get(outcome)
                    events.append((inquiry_id, closed_at, owner, "close", None, None, None,
                                   "picked_up", code))
        return inquiries, topic_rows, events, referral_rows

    def _referrals(self, route: str, topic_ids: list[int]) -> list[int]:
        """The entries of the sociale kaart an inquiry names: one or two for a referral,
        sometimes one for information given at the desk; one that helps with its topic."""
        rng = self.rng
        if not self.referrals or route not in (EXTERNAL, DESK) or (
                route == DESK and rng.random() >= INFO_SHARE):
            return []
        count = 2 if route == EXTERNAL and rng.random() < 0.15 else 1
        found: list[int] = []
        for _ in range(count):
            fitting = self.entries_by_topic.get(rng.choice(topic_ids)) or self.referrals
            entry = rng.choice(fitting)
            if entry not in found:
                found.append(entry)
        return found
