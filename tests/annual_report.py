"""A history shaped like the 2023 annual report of Welzijnswerk Midden-Drenthe, as a CSV
file for ``balie import`` (seeds/000_*, see DOMAIN.md).

The published figures this history must give back on every factsheet:

- Cliëntondersteuning 2023: 998 help questions, "ruim 28 procent" more than 2022 (778);
  216 solved with information and advice, 495 with short support, 32 where case
  direction was taken over; most questions about finances (174), then guidance, housing
  (133) and care; 368 asked by men and 630 by women (63% women); 38% aged 46-67.
- Maatschappelijk werk 2023: 83 new registrations (46% more than 2022's 57), 198 help
  questions (the 83 and 115 still open from before), 92 trajectories closed; new
  registrations from Beilen 39%, the surrounding villages 18%, Bovensmilde 13%,
  Westerbork 10%, Hoogersmilde 5% (Smilde's 15% is no whole number of 83: 12 give 14%).
- Seniorenwerk 2023: 359 individual help questions handled (36% more than 2022's 264),
  58 Wmo applications (the referral to a maatwerkvoorziening), 106 short contacts
  (counted as information and advice).

What the report says beyond these is no figure balie keeps (home visits, satisfaction,
"656 solved without an indication", whose categories overlap with the outcomes).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

CO, MW, SW = "Cliëntondersteuning", "Maatschappelijk werk", "Seniorenwerk"
INFO, SHORT, DIRECTION = ("Informatie en advies", "Kortdurende ondersteuning",
                          "Regie tijdelijk overgenomen")
INFORMAL, FORMAL, WMO, INTERNAL = (f"Doorverwezen: {kind}" for kind in (
    "voorliggend informeel", "voorliggend formeel", "maatwerkvoorziening/Wmo", "intern"))
NO_CONTACT = "Geen contact mogelijk"


@dataclass(frozen=True)
class Row:
    day: date
    route: str
    village: str = "Beilen"
    topic: str = "Overig"
    age: int | None = None
    gender: str = ""
    channel: str = "Telefoon"
    closed: date | None = None
    outcome: str = ""
    clock: str = ""


def spread(values: dict[str, int]) -> list[str]:
    """Each value as often as its count, interleaved (so every part of a year gets some)."""
    pools = {value: n for value, n in values.items() if n}
    total = sum(pools.values())
    out: list[str] = []
    taken = dict.fromkeys(pools, 0)
    for k in range(total):
        # The value furthest behind its share so far: a smooth mix.
        value = max(pools, key=lambda v: pools[v] * (k + 1) / total - taken[v])
        taken[value] += 1
        out.append(value)
    return out


def days_of(year: int, n: int) -> list[date]:
    first = date(year, 1, 2)
    return [first + timedelta(days=k * 360 // max(n, 1)) for k in range(n)]


def within(year: int, day: date, days: int) -> date:
    return min(day + timedelta(days=days), date(year, 12, 31))


def client_support() -> list[Row]:
    rows = []
    outcomes = spread({INFO: 216, SHORT: 495, DIRECTION: 32, INFORMAL: 40, FORMAL: 60,
                       WMO: 100, INTERNAL: 30, NO_CONTACT: 25})
    topics = spread({"Financiën": 174, "Begeleiding en dagbesteding": 150, "Wonen": 133,
                     "Zorg en Wmo": 120, "Hulpmiddelen en vervoer": 90,
                     "Administratie en formulieren": 85, "Werk en inkomen": 85,
                     "Mantelzorg": 85, "Overig": 76})
    genders = spread({"v": 630, "m": 368})
    ages = [int(a) for a in spread({"22": 80, "35": 250, "55": 379, "75": 289})]
    villages = spread({"Beilen": 390, "Westerbork": 140, "Smilde": 130, "Bovensmilde": 100,
                       "Hoogersmilde": 50, "Hooghalen": 60, "Wijster": 40, "Witteveen": 30,
                       "Hijkersmilde": 20, "Onbekend": 38})
    channels = spread({"Telefoon": 600, "Balie": 300, "E-mail": 70, "Huisbezoek": 28})
    for k, day in enumerate(days_of(2023, 998)):
        rows.append(Row(day, CO, villages[k], topics[k], ages[k], genders[k], channels[k],
                        within(2023, day, 10), outcomes[k]))
    outcomes_2022 = spread({INFO: 180, SHORT: 400, DIRECTION: 28, WMO: 170})
    for k, day in enumerate(days_of(2022, 778)):
        rows.append(Row(day, CO, topic="Financiën", closed=within(2022, day, 10),
                        outcome=outcomes_2022[k]))
    return rows


def social_work() -> list[Row]:
    rows = []
    # Open from before 2023: 70 of 2021 and 45 of 2022; 92 closed in 2023.
    for k, day in enumerate(days_of(2021, 70)):
        closed = date(2023, 3, 1) + timedelta(days=k) if k < 40 else date(2024, 2, 1)
        rows.append(Row(day, MW, topic="Psychosociaal", closed=closed, outcome=SHORT))
    for k, day in enumerate(days_of(2022, 57)):
        closed = (within(2022, day, 5) if k < 12 else
                  date(2023, 5, 1) + timedelta(days=k) if k < 42 else date(2024, 3, 1))
        rows.append(Row(day, MW, topic="Psychosociaal", closed=closed, outcome=SHORT))
    villages = spread({"Beilen": 32, "Hooghalen": 8, "Wijster": 7, "Smilde": 12,
                       "Bovensmilde": 11, "Westerbork": 8, "Hoogersmilde": 4, "Onbekend": 1})
    for k, day in enumerate(days_of(2023, 83)):
        closed = within(2023, day, 20) if k < 22 else date(2024, 4, 1)
        rows.append(Row(day, MW, villages[k], "Relatie en gezin", 40, "v", closed=closed,
                        outcome=SHORT))
    return rows


def senior_work() -> list[Row]:
    rows = []
    outcomes = spread({INFO: 106, WMO: 58, SHORT: 150, INTERNAL: 20, INFORMAL: 25})
    for k, day in enumerate(days_of(2023, 359)):
        rows.append(Row(day, SW, topic="Eenzaamheid en contact", age=81, gender="v",
                        closed=within(2023, day, 7), outcome=outcomes[k]))
    for day in days_of(2022, 264):
        rows.append(Row(day, SW, topic="Eenzaamheid en contact", closed=within(2022, day, 7),
                        outcome=INFO))
    return rows


def desk() -> list[Row]:
    """A few of the desk's own: answered there or referred outside, with their hour."""
    clocks = spread({"09:20": 40, "10:45": 50, "14:10": 30, "16:30": 10})
    routes = spread({"Afgehandeld aan de balie": 100, "Extern doorverwezen": 30})
    return [Row(day, routes[k], channel="Balie" if k % 3 else "Telefoon", clock=clocks[k])
            for k, day in enumerate(days_of(2023, 130))]


def rows() -> list[Row]:
    return [*client_support(), *social_work(), *senior_work(), *desk()]


def csv_text() -> str:
    """The history as the CSV file an organisation would import."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["datum", "tijd", "kanaal", "dorp", "route", "onderwerp", "leeftijd",
                     "geslacht", "afgerond", "uitkomst"])
    for row in rows():
        writer.writerow([f"{row.day:%d-%m-%Y}", row.clock, row.channel, row.village,
                         row.route, row.topic, "" if row.age is None else row.age,
                         row.gender, f"{row.closed:%d-%m-%Y}" if row.closed else "",
                         row.outcome])
    return "\ufeff" + out.getvalue()
