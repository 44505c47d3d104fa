"""The sociale kaart's look-up at the scale of a large directory: 2,000 entries.

``python -m bench.kaart`` (also part of ``python -m bench``) fills a new database with
2,000 made-up entries (through ``balie kaart import``'s own code) and measures what
happens on every key:

- in the form's Naar field: the type-ahead (the matcher) and the interpretation of the
  field (several entries, each piece resolved), as the form runs both on a key;
- on the kaart screen (F6), in a real Textual app at 80x24: the screen's own work on a
  key (the look-up, the list of the best 40, the details), and a key pressed in the
  search line to the screen redrawn under Textual's Pilot, beside the same for a bare
  app (the floor: most of that time is Textual's and its test harness's).

Each is timed per key over typed words letter by letter ("v", "vo", "voe", ...), with
the inquiry's topic and village as context; the target is 20 ms per key, for the median
and the 95th percentile.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Figure, bench_actor, print_table

ENTRIES = 2000
TARGET_MS = 20.0
TYPED = ("voedsel", "hum", "schuld", "wmd plus", "vnn", "thuis adm", "taal", "stichting b",
         "buurthuis w", "repair", "mantelzorg", "huisarts hoog", "zorggroep", "kledingbank")

KINDS = ("Stichting", "Vereniging", "Buurthuis", "Dorpshuis", "Huisartsenpraktijk",
         "Fysiotherapie", "Zorggroep", "Kerk", "Sportclub", "Bibliotheek", "Inloophuis",
         "Repair Café", "Kledingbank", "Thuiszorg", "Apotheek", "Jeugdsoos", "Zangkoor")
NAMES = ("De Brink", "Het Anker", "De Linde", "Zonneweide", "De Esch", "Het Veen", "Oranje",
         "De Kamp", "Noorderlicht", "De Wiek", "Het Holt", "Ons Belang", "De Zandhoek")
SERVICES = ("", "", "", "thuisadministratie", "maatjes", "spreekuur", "inloop", "vervoer",
            "maaltijden", "klussendienst", "rouwgroep", "taalcafé", "ouderenbezoek",
            "jongerenwerk", "budgetcursus", "valpreventie", "digitaal spreekuur")
OFFERS = ("Hulp bij {t} voor inwoners van {v}.", "Vrijwilligers helpen met {t}.",
          "Spreekuur over {t}, ook zonder afspraak.", "Advies en ondersteuning bij {t}.",
          "Ontmoeting en activiteiten; ook hulp bij {t}.")


def made_up_directory(reference, count: int = ENTRIES, seed: int = 14) -> list[dict]:
    """``count`` made-up entries (names of no real organisation), fields as typed."""
    rng = random.Random(seed)
    topics = [t.name for t in reference.topics.active]
    villages = [v.name for v in reference.villages.active if v.inhabitants]
    entries, seen = [], set()
    while len(entries) < count:
        village = rng.choice(villages)
        organisation = f"{rng.choice(KINDS)} {rng.choice(NAMES)} {village}"
        service = rng.choice(SERVICES)
        key = (organisation, service)
        if key in seen:
            continue
        seen.add(key)
        chosen = rng.sample(topics, rng.randint(1, 3))
        entries.append({
            "organisation": organisation, "service": service,
            "offers": rng.choice(OFFERS).format(t=chosen[0].lower(), v=village),
            "topics": ", ".join(chosen),
            "villages": "" if rng.random() < 0.7 else ", ".join(
                rng.sample(villages, rng.randint(1, 3))),
            "phone": f"0000 {rng.randrange(10**6):06d}", "hours": "ma-vr 9-12 uur",
            "aliases": "",
        })
    return entries


def build(path: Path) -> None:
    """A new database with the seed and 2,000 made-up entries (one import)."""
    from balie.db import open_database
    from balie.db.directory import import_directory
    from balie.db.reference import load_reference
    from balie.domain.directory import check_entry
    from balie.domain.directory_csv import DirectoryFile, ImportedEntry
    from balie.domain.timekeeping import utc_now

    with open_database(path) as db:
        actor = bench_actor(db, "bench.kaart")
        reference = load_reference(db)
        rows = tuple(ImportedEntry(n, None, check_entry(fields, reference), None, False)
                     for n, fields in enumerate(made_up_directory(reference), start=2))
        import_directory(db, actor, DirectoryFile(rows, ()), utc_now())


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _figures(name: str, samples: list[float]) -> list[Figure]:
    median, p95 = statistics.median(samples), _percentile(samples, 0.95)
    return [Figure(f"{name}, median", "ms", samples, target=f"< {TARGET_MS:.0f}",
                   ok=median < TARGET_MS),
            Figure(f"{name}, 95th percentile", "ms", [p95], target=f"< {TARGET_MS:.0f}",
                   ok=p95 < TARGET_MS)]


def form_lookup(path: Path) -> list[Figure]:
    """The Naar field on every key: its type-ahead and its interpretation."""
    from balie.db import open_database
    from balie.db.reference import load_reference
    from balie.domain.directory_search import Context, directory_index, pick
    from balie.screens.intake_referral import referral_matches

    with open_database(path, create=False) as db:
        start = time.perf_counter()
        reference = load_reference(db)
        loaded = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    directory_index(reference)
    built = (time.perf_counter() - start) * 1000
    context = Context(frozenset({reference.topics.named("Financiën").id}),
                      reference.villages.named("Beilen").id)
    samples = []
    for word in TYPED:
        for n in range(1, len(word) + 1):
            text = word[:n]
            start = time.perf_counter()
            referral_matches(text, reference, False, context)
            pick(text, directory_index(reference), context)
            samples.append((time.perf_counter() - start) * 1000)
    # Before anything is typed: the suggestions from topic and village.
    for _ in range(20):
        start = time.perf_counter()
        referral_matches("", reference, False, context)
        samples.append((time.perf_counter() - start) * 1000)
    return [Figure(f"reading the reference data with {ENTRIES:,} entries", "ms", [loaded]),
            Figure(f"building the look-up of {ENTRIES:,} entries (once)", "ms", [built]),
            *_figures(f"Naar field, per key ({ENTRIES:,} entries)", samples)]


async def screen_lookup(path: Path) -> list[Figure]:
    """The kaart screen (F6) in a real app at 80x24: on a key, its own work (look-up,
    list, details), and, driven by Textual's Pilot, the key to the screen redrawn,
    beside the same for a bare app with an input and a list (the floor: what a key costs
    in Textual, and in its test harness, whatever the app does)."""
    from textual.widgets import Input

    from balie.app import make_app

    app = make_app(path, username="bench.kaart")
    work, pressed = [], []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("f6")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        search = screen.query_one("#search", Input)
        for word in TYPED:
            for n in range(1, len(word) + 1):
                with screen.prevent(Input.Changed):
                    search.value = word[:n]
                start = time.perf_counter()
                screen.search()
                work.append((time.perf_counter() - start) * 1000)
            search.value = ""
            await pilot.pause()
            for key in word:
                start = time.perf_counter()
                await pilot.press("space" if key == " " else key)
                await pilot.pause()
                pressed.append((time.perf_counter() - start) * 1000)
            assert search.value == word, search.value
    floor = await _bare_keys()
    return [*_figures(f"kaart screen, its work per key ({ENTRIES:,} entries)", work),
            Figure(f"kaart screen, key to redrawn in Pilot ({ENTRIES:,} entries)", "ms",
                   pressed, floor=floor,
                   target=f"< floor + {TARGET_MS:.0f}",
                   ok=statistics.median(pressed) < statistics.median(floor) + TARGET_MS)]


async def _bare_keys() -> list[float]:
    """A key pressed in a bare app (an input, a list of 40 rows) under Pilot."""
    from textual.app import App
    from textual.widgets import DataTable, Footer, Header, Input, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Input()
            yield DataTable()
            yield Static("details")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(" ", "Naam", "Telefoon")
            for n in range(40):
                table.add_row(" ", f"naam {n}", "telefoon")
            self.query_one(Input).focus()

    samples = []
    async with Bare().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for word in TYPED:
            for key in word:
                start = time.perf_counter()
                await pilot.press("space" if key == " " else key)
                await pilot.pause()
                samples.append((time.perf_counter() - start) * 1000)
    return samples


def lookups(workdir: Path | None = None) -> list[Figure]:
    """Every figure of the look-up, on a database built for it."""
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        path = Path(folder) / "kaart.db"
        start = time.perf_counter()
        build(path)
        figures = [Figure(f"import of {ENTRIES:,} entries (balie kaart import)", "ms",
                          [(time.perf_counter() - start) * 1000])]
        figures += form_lookup(path)
        figures += asyncio.run(screen_lookup(path))
    return figures


if __name__ == "__main__":
    print_table(lookups())
