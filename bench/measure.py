"""The measurements of `python -m bench`, each returning Figures."""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path

from balie.db import open_database
from balie.db.connection import connect
from balie.db.factsheets import published_factsheets
from balie.db.factsheets import query_plans as factsheet_plans
from balie.db.inbox import VIEW_NEW, callbacks_due, change_counter, inbox, inbox_counts
from balie.db.inbox import query_plans as inbox_query_plans
from balie.db.inquiries import InquiryInput, earlier_contacts, save_inquiry
from balie.db.reference import load_reference
from balie.db.reports import query_plans, report
from balie.domain.factsheet_output import pages_csv
from balie.domain.periods import containing
from balie.domain.report_output import to_csv
from bench.common import MILLION_DAYS, MILLION_PER_DAY, ROOT, Figure, bench_actor

MB = 1024 * 1024


def _fresh(path: Path):
    """A new connection per sample: SQLite's page cache starts empty every time."""
    return connect(path, create=False)


# --- building -------------------------------------------------------------------------


def demo(runs: int, keep: Path) -> list[Figure]:
    """`balie demo` for ~1,000,000 inquiries into a new file, and the file's size."""
    seconds, sizes = [], []
    for run in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="balie-bench-"))
        target = folder / "demo.db"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "balie", "--db", str(target), "demo", "--days",
             str(MILLION_DAYS), "--per-day", str(MILLION_PER_DAY), "--seed", str(run + 1)],
            check=True, capture_output=True,
        )
        seconds.append(time.perf_counter() - start)
        sizes.append(target.stat().st_size / MB)
        if run == 0 and not keep.exists():
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(target, keep)
        shutil.rmtree(folder, ignore_errors=True)
    return [
        Figure("balie demo, 1,000,000 inquiries", "s", seconds, target="< 60",
               ok=statistics.median(seconds) < 60),
        Figure("  database size after demo", "MB", sizes),
    ]


# --- starting -------------------------------------------------------------------------

# The installed app has no numpy, but this development environment does (for scipy in
# the tests), and sqlite-utils imports it when it can: keep it out, as on a desk.
NO_NUMPY = "import sys; sys.modules['numpy'] = None\n"

BALIE_START = NO_NUMPY + """
import sys, time
from balie.app import make_app
from bench.common import bench_user
app = make_app(sys.argv[1], username=bench_user(sys.argv[1], "bench.start"))
async def ready(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.focused.id == "village"
    print(time.time(), flush=True)
    pilot.app.exit()
app.run(headless=True, auto_pilot=ready, size=(100, 30))
"""

def _time_start(*args: str) -> float:
    start = time.time()
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    return (float(result.stdout.strip().splitlines()[-1]) - start) * 1000


def compile_bytecode() -> None:
    """An installed package has its bytecode; an editable checkout may not (yet)."""
    import compileall

    for folder in ("balie", "db", "screens"):
        compileall.compile_dir(ROOT / folder, quiet=1)


def startup(db: Path, runs: int) -> list[Figure]:
    """Process start to a usable intake form, against a bare Textual app (interleaved)."""
    compile_bytecode()
    balie, bare = [], []
    for _ in range(runs):
        bare.append(_time_start(str(ROOT / "bench" / "floor_app.py")))
        balie.append(_time_start("-c", BALIE_START, str(db)))
    ratio = statistics.median(balie) / statistics.median(bare)
    return [Figure("start to a usable intake form (1M rows)", "ms", balie,
                   target=f"<= 1.3 x floor (now {ratio:.2f} x)", floor=bare, ok=ratio <= 1.3)]


MEMORY = NO_NUMPY + """
import resource, sys
from balie.app import make_app
from bench.common import bench_user
app = make_app(sys.argv[1], username=bench_user(sys.argv[1], "bench.memory"))
async def work(pilot):
    async def settle():
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await settle()
    await pilot.press("f2")           # today's overview
    await settle()
    await pilot.press("p", "p")       # this month
    await settle()
    await pilot.press("p", "p")       # this year (quarter, year)
    await settle()
    await pilot.press("f")            # the teams' factsheets
    await settle()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
    pilot.app.exit()
app.run(headless=True, auto_pilot=work, size=(120, 40))
"""


def memory(db: Path, runs: int) -> list[Figure]:
    """Peak resident memory of the app with the 1M database open and reports used."""
    peaks = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", MEMORY, str(db)], capture_output=True,
                                text=True, check=True)
        peaks.append(int(result.stdout.strip().splitlines()[-1]) / 1024)
    return [Figure("peak memory, app with 1M rows, overview and factsheets", "MB", peaks,
                   target="< 150", ok=statistics.median(peaks) < 150)]


# --- writing --------------------------------------------------------------------------


def save(db_path: Path, runs: int) -> list[Figure]:
    """One inquiry saved with its topic and history line, committed with fsync."""
    db = open_database(db_path, create=False)
    ref = load_reference(db)
    staff = bench_actor(db, "bench.save")
    samples = []
    for n in range(runs):
        data = InquiryInput(channel_id=ref.channels.active[0].id,
                            village_id=ref.villages.active[n % 20].id,
                            route_id=ref.routes.active[n % 5].id,
                            topic_ids=(ref.topics.active[n % 14].id,), age=40 + n % 40)
        start = time.perf_counter()
        save_inquiry(db, data, staff, datetime.now(UTC))
        samples.append((time.perf_counter() - start) * 1000)
    db.close()
    return [Figure("save one inquiry incl. fsync (1M rows)", "ms", samples, target="< 10",
                   ok=statistics.median(samples) < 10)]


WRITER = """
import sys
from datetime import datetime, timezone
from balie.db import open_database
from balie.db.inbox import VIEW_NEW, callbacks_due, change_counter, inbox, inbox_counts
from balie.db.inbox import query_plans as inbox_query_plans
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from bench.common import bench_actor
db = open_database(sys.argv[1], create=False)
ref = load_reference(db)
staff = bench_actor(db, sys.argv[2])
for n in range(int(sys.argv[3])):
    data = InquiryInput(channel_id=ref.channels.active[0].id,
                        village_id=ref.villages.active[n % 20].id,
                        route_id=ref.routes.active[n % 5].id,
                        topic_ids=(ref.topics.active[n % 14].id,), summary=f"{sys.argv[2]} {n}")
    save_inquiry(db, data, staff, datetime.now(timezone.utc))
db.close()
"""


def concurrency(db_path: Path, runs: int, processes: int = 8, each: int = 500) -> list[Figure]:
    """Eight desks saving 500 inquiries each at the same moment: time, errors, losses."""
    seconds, failed, lost = [], [], []
    for _ in range(runs):
        tag = f"bench.{time.time_ns()}"
        start = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), f"{tag}.{k}",
                                     str(each)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for k in range(processes)]
        outcomes = [w.communicate() for w in workers]
        seconds.append(time.perf_counter() - start)
        failed.append(sum(1 for w, (_, err) in zip(workers, outcomes)
                          if w.returncode or err.strip()))
        db = _fresh(db_path)
        saved = db.execute("SELECT count(*) FROM inquiry WHERE summary LIKE ?",
                           [f"{tag}.%"]).fetchone()[0]
        db.close()
        lost.append(processes * each - saved)
    return [
        Figure(f"{processes} processes x {each} saves at once: total time", "s", seconds),
        Figure("  processes that failed", "count", failed, target="0", ok=max(failed) == 0),
        Figure("  inquiries lost", "count", lost, target="0", ok=max(lost) == 0),
    ]


# --- reading --------------------------------------------------------------------------


def _periods(kind: str, runs: int, rng: random.Random) -> list:
    """Different periods for every sample, so no sample reads pages the last one cached."""
    today = date.today()
    days = [date(today.year - rng.randint(1, 8), rng.randint(1, 12), rng.randint(1, 28))
            for _ in range(runs * 3)]
    if kind == "day":
        days = [d for d in days if d.weekday() < 5]
    return [containing(kind, d) for d in days[:runs]]


def _timed_on_fresh(db_path: Path, periods, fn) -> list[float]:
    samples = []
    for period in periods:
        db = _fresh(db_path)
        ref = load_reference(db)
        start = time.perf_counter()
        fn(db, ref, period)
        samples.append((time.perf_counter() - start) * 1000)
        db.close()
    return samples


def _raw_count(db, ref, period) -> None:
    lower, upper = period.span.db_bounds
    db.execute("SELECT count(*) FROM inquiry WHERE registered_at >= ? AND registered_at < ?",
               [lower, upper]).fetchone()


def reports(db_path: Path, runs: int) -> list[Figure]:
    with open_database(db_path, create=False) as db:
        _lead(db)
    rng = random.Random(7)
    figures = []
    for kind, target, label in (("day", 5, "day overview by village and route"),
                                ("month", 20, "month overview by village and route")):
        periods = _periods(kind, runs, rng)
        samples = _timed_on_fresh(db_path, periods,
                                  lambda db, ref, p: report(db, _lead(db), ref, p, "village"))
        floor = _timed_on_fresh(db_path, periods, _raw_count)
        figures.append(Figure(f"{label} (with last year)", "ms", samples,
                              target=f"< {target}", floor=floor,
                              ok=statistics.median(samples) < target))
    # Years apart, so no sample reads pages the one before it cached.
    years = [containing("year", date(date.today().year - k, 1, 1))
             for k in range(1, 2 * runs, 2)]
    samples = _timed_on_fresh(db_path, years, _internal_factsheets)
    floor = _timed_on_fresh(db_path, years, _raw_count)
    figures.append(Figure("year factsheets of the three teams and the desk", "ms", samples,
                          target="< 100", floor=floor, ok=statistics.median(samples) < 100))
    # For outside use: the village table with AVG suppression, and the factsheets that
    # hide what it hides (the village table of the year and of the year before).
    months = _periods("month", runs, rng)
    samples = _timed_on_fresh(db_path, months, _published_month)
    figures.append(Figure("month by village for outside use (AVG)", "ms", samples,
                          target="< 100", ok=statistics.median(samples) < 100))
    samples = _timed_on_fresh(db_path, years, _published_factsheets)
    figures.append(Figure("year factsheets for outside use (AVG)", "ms", samples,
                          target="< 300", ok=statistics.median(samples) < 300))
    return figures


def _published_month(db, ref, period) -> None:
    to_csv(report(db, _lead(db), ref, period, "village"), suppressed=True)


def _internal_factsheets(db, ref, period) -> None:
    pages_csv(published_factsheets(db, _lead(db), ref, period, now=datetime.now(UTC)))


def _published_factsheets(db, ref, period) -> None:
    pages_csv(published_factsheets(db, _lead(db), ref, period, now=datetime.now(UTC),
                                   suppressed=True))


_LEADS: dict = {}


def _lead(db):
    """The benchmark's team lead: registered once per database, outside any timing."""
    if db.path not in _LEADS:
        _LEADS[db.path] = bench_actor(db, "bench.lead")
    return _LEADS[db.path]


def lookups(db_path: Path, runs: int) -> list[Figure]:
    """Returning callers: by phone number and by name, on values that exist; each
    look-up writes its hit list to the audit log (one small commit, with fsync)."""
    db = _fresh(db_path)
    _lead(db)
    phones = [r[0] for r in db.execute(
        "SELECT phone FROM inquiry WHERE phone IS NOT NULL ORDER BY random() LIMIT ?", [runs])]
    names = [r[0] for r in db.execute(
        "SELECT person_name FROM inquiry WHERE person_name IS NOT NULL ORDER BY random() "
        "LIMIT ?", [runs])]
    db.close()
    figures = []
    def by_phone(db, value):
        return earlier_contacts(db, _lead(db), value, None, datetime.now(UTC))

    def by_name(db, value):
        return earlier_contacts(db, _lead(db), None, value, datetime.now(UTC))

    for label, values, call in (("returning caller by phone number", phones, by_phone),
                                ("returning caller by name (full-text index)", names, by_name)):
        samples = []
        for value in values:
            db = _fresh(db_path)
            start = time.perf_counter()
            found = call(db, value)
            samples.append((time.perf_counter() - start) * 1000)
            assert found, "no earlier contact found for a value taken from the database"
            db.close()
        figures.append(Figure(label, "ms", samples, target="< 20",
                              ok=statistics.median(samples) < 20))
    return figures


def inboxes(db_path: Path, runs: int) -> list[Figure]:
    """What an open team list does when another desk changes something: reload the
    team's new inquiries with the counts beside the views, and the callbacks of today;
    and what it does every two seconds when nothing changed (the change counter)."""
    db = _fresh(db_path)
    ref = load_reference(db)
    db.close()
    teams = [t.id for t in ref.teams]
    now = datetime.now(UTC)
    end_of_day = now.replace(hour=23, minute=0, second=0)
    reload, poll = [], []
    for n in range(runs):
        db = _fresh(db_path)
        team = [teams[n % len(teams)]]
        lead = _lead(db)
        start = time.perf_counter()
        inbox(db, lead, team, VIEW_NEW, now)
        inbox_counts(db, team)
        callbacks_due(db, lead, end_of_day, now, team)
        reload.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        change_counter(db)
        poll.append((time.perf_counter() - start) * 1000)
        db.close()
    return [Figure("team list and callbacks reloaded (1M rows)", "ms", reload, target="< 20",
                   ok=statistics.median(reload) < 20),
            Figure("  check whether another desk changed something", "ms", poll,
                   target="< 1", ok=statistics.median(poll) < 1)]


def plans(db_path: Path) -> tuple[list[str], bool]:
    """EXPLAIN QUERY PLAN of every report and list query; False if one scans a table."""
    db = _fresh(db_path)
    found = query_plans(db, containing("month", date.today()).span)
    found |= factsheet_plans(db, containing("year", date.today()).span)
    team = load_reference(db).teams[0].id
    found |= inbox_query_plans(db, team, datetime.now(UTC))
    db.close()
    lines, ok = [], True
    for name, steps in found.items():
        # A table read whole; not the few rows a subquery made for one inquiry
        # ("SCAN (subquery-4)": the referrals of one callback row, in order).
        scans = [step for step in steps
                 if step.startswith("SCAN ") and not step.startswith("SCAN (subquery")]
        ok = ok and not scans
        plan = textwrap.shorten(f"{name:32} {' / '.join(steps)}", 150)
        lines.append(plan + (f"   <-- FULL SCAN: {'; '.join(scans)}" if scans else ""))
    return lines, ok
