"""balie import does not stop the desks: short batches, all or nothing, nothing left behind.

An import is written in batches that each hold the write lock briefly; a desk saves in
between. Until the import is complete its rows count nowhere (reports, lists,
retention). A failure removes what was written; a killed import stays invisible and the
next ``balie import`` removes it. The fingerprint still recognises a file imported
before (by its registrations, or by its text as the oldest versions recorded it).
"""

from __future__ import annotations

import os
import pty
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from balie.cli import main
from balie.config import os_username
from balie.db import open_database
from balie.db.access import Actor
from balie.db.connection import connect
from balie.db.errors import StoreError
from balie.db.importing import store_import, store_rows, unfinished_imports
from balie.db.inbox import VIEW_CLOSED, inbox
from balie.db.inquiries import InquiryInput, desk_inquiries, save_inquiry
from balie.db.migrations import migrate
from balie.db.reference import load_reference
from balie.db.reports import report
from balie.db.retention import retention_due
from balie.domain.importing import read_import, text_fingerprint
from balie.domain.periods import containing
from balie.domain.timekeeping import local_day, utc_now
from tests.conftest import FROZEN_NOW, member
from tests.test_import import legacy_fingerprint

WAIT = 60
"""Seconds a test waits for another thread or process at most (never a fixed sleep)."""
HEADER = "datum;tijd;kanaal;dorp;route;onderwerp;leeftijd;geslacht;omschrijving\n"


def csv_text(rows: int, *, newest=FROZEN_NOW, tag: str = "") -> str:
    """``rows`` registrations of seniorenwerk, one a day back from ``newest``'s day."""
    day = local_day(newest)
    lines = [f"{(day - timedelta(days=n % 25)):%d-%m-%Y};{8 + n % 9}:{n % 60:02d};telefoon;"
             f"{('Beilen', 'Elp', 'Smilde')[n % 3]};seniorenwerk;eenzaamheid en contact;"
             f"{60 + n % 30};v;regel {n}{tag}\n" for n in range(rows)]
    return HEADER + "".join(lines)


def importer(db) -> Actor:
    """The OS account running the test, so that the CLI signs in as the same member."""
    return member(db, os_username(), roles=("balie", "teamleider", "beheer"))


def counted(db, actor, when=FROZEN_NOW) -> int:
    """Inquiries the reports count in the year of ``when`` and the one before."""
    year = containing("year", local_day(when))
    shown = report(db, actor, load_reference(db), year, "village").total
    return shown.total + shown.previous


def stored(db) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("inquiry", "inquiry_topic", "inquiry_event", "import_batch")}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the desks keep working ------------------------------------------------------------


def test_a_desk_saves_while_an_import_is_paused_between_batches(db_path):
    db = open_database(db_path)
    actor = importer(db)
    ref = load_reference(db)
    checked = read_import(csv_text(1500), ref, FROZEN_NOW)
    paused, go = threading.Event(), threading.Event()
    seen: list[int] = []
    outcome: list = []

    def between_batches(written: int) -> None:
        seen.append(written)
        if len(seen) == 1:
            paused.set()
            assert go.wait(WAIT)

    def run_import() -> None:
        with open_database(db_path) as own:
            try:
                outcome.append(store_rows(own, checked, checked.rows, "2026.csv", actor,
                                          FROZEN_NOW, progress=between_batches))
            except BaseException as error:  # handed to the test's thread
                outcome.append(error)
                paused.set()

    thread = threading.Thread(target=run_import)
    thread.start()
    try:
        assert paused.wait(WAIT) and not outcome
        # Between two batches nobody holds the write lock: a connection that will not
        # wait at all gets it, and a desk's save goes through at once.
        other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        save_inquiry(db, InquiryInput(channel_id=ref.channels.active[0].id,
                                      village_id=ref.villages.active[0].id,
                                      route_id=ref.routes.active[3].id,
                                      topic_ids=(ref.topics.active[0].id,)),
                     actor, FROZEN_NOW)
        # The first batch is written, and counts nowhere yet.
        assert stored(db)["inquiry"] == seen[0] + 1
        assert counted(db, actor) == 1
        teams = [route.id for route in ref.teams]
        assert inbox(db, actor, teams, VIEW_CLOSED, FROZEN_NOW) == []
        today = containing("day", local_day(FROZEN_NOW)).span
        assert len(desk_inquiries(db, actor, today)) == 1
        assert retention_due(db, FROZEN_NOW + timedelta(days=3650)) == 1  # the desk's
        assert [batch.finished for batch in unfinished_imports(db)] == [False]
    finally:
        go.set()
        thread.join(WAIT)
    (batch,) = outcome
    assert batch.rows == 1500 and len(seen) >= 2 and seen[-1] == 1500
    # Complete: all of it counts, at once.
    assert counted(db, actor) == 1501
    assert len(inbox(db, actor, teams, VIEW_CLOSED, FROZEN_NOW)) == 200  # the list's limit
    assert len(desk_inquiries(db, actor, today)) == 1 + 1500 // 25
    assert unfinished_imports(db) == []
    db.close()


# --- all or nothing --------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.parametrize("failure", [Boom, KeyboardInterrupt, "full disk"])
def test_an_import_that_fails_halfway_leaves_nothing_behind(db, failure):
    actor = importer(db)
    before = stored(db)
    checked = read_import(csv_text(3000), load_reference(db), FROZEN_NOW)
    written: list[int] = []

    def between_batches(n: int) -> None:
        written.append(n)
        if failure == "full disk" and len(written) == 1:
            # The file may grow by a little more than a batch: the disk fills halfway.
            (pages,) = db.execute("PRAGMA page_count").fetchone()
            db.execute(f"PRAGMA max_page_count = {pages + 20}")
        elif failure != "full disk" and len(written) == 2:
            raise failure()

    with pytest.raises(StoreError if failure == "full disk" else failure) as failed:
        store_rows(db, checked, checked.rows, "2026.csv", actor, FROZEN_NOW,
                   progress=between_batches)
    assert written and written[-1] >= 500  # it did write before it failed
    if failure == "full disk":
        assert "schijf is vol" in failed.value.message
        assert failed.value.message.endswith("Er is niets ingelezen.")
    assert stored(db) == before
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone() == (0,)
    db.execute("PRAGMA max_page_count = 1073741823")
    # Nothing of it is left to say the file was imported: it can be imported now.
    assert store_import(db, checked, "2026.csv", actor, FROZEN_NOW).rows == 3000
    assert counted(db, actor) == 3000


def test_a_problem_while_writing_says_that_nothing_was_imported(db):
    actor = importer(db)
    checked = read_import(csv_text(800), load_reference(db), FROZEN_NOW)

    def between_batches(n: int) -> None:
        raise StoreError("De schijf is vol.")

    with pytest.raises(StoreError, match="De schijf is vol. Er is niets ingelezen."):
        store_rows(db, checked, checked.rows, "x.csv", actor, FROZEN_NOW,
                   progress=between_batches)
    assert stored(db)["import_batch"] == 0


KILLED_IMPORT = """
import os, signal, sys
from balie.db import open_database
from balie.db.access import Actor
from balie.db.importing import store_rows
from balie.db.reference import load_reference
from balie.domain.importing import read_import
from balie.domain.timekeeping import utc_now

db = open_database(sys.argv[1])
checked = read_import(open(sys.argv[2], encoding="utf-8").read(), load_reference(db),
                      utc_now())

def between_batches(written):
    if written >= 1000:  # halfway: killed without a chance to clean up
        os.kill(os.getpid(), signal.SIGKILL)

store_rows(db, checked, checked.rows, "2026.csv", Actor(int(sys.argv[3]), "test"), utc_now(),
           progress=between_batches)
"""


def test_a_killed_import_counts_nowhere_and_the_next_import_removes_it(made_db, tmp_path,
                                                                        capsys):
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(3000, newest=utc_now()), encoding="utf-8")
    with open_database(made_db) as db:
        actor = importer(db)
    killed = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(made_db), str(source),
                             str(actor.staff_id)], cwd=Path(__file__).parent.parent,
                            capture_output=True, timeout=WAIT * 5)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with open_database(made_db) as db:
        assert stored(db)["inquiry"] >= 1000  # written, and
        assert counted(db, actor, utc_now()) == 0  # counted nowhere
        (left,) = unfinished_imports(db)
    code, out, _ = run(capsys, "--db", str(made_db), "info")
    assert code == 0 and f"import:       {left.id} (2026.csv, 3.000 regels) is afgebroken" in out

    code, out, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 0, err
    assert f"de afgebroken import {left.id} (2026.csv) is opgeruimd" in err
    assert "3.000 registraties" in out
    with open_database(made_db) as db:
        assert stored(db)["inquiry"] == 3000 and stored(db)["import_batch"] == 1
        assert unfinished_imports(db) == []


def test_a_kill_or_closed_terminal_undoes_the_import(made_db, tmp_path, capsys, monkeypatch):
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(1500, newest=utc_now()), encoding="utf-8")
    with open_database(made_db) as db:
        importer(db)
        before = stored(db)
    from balie.db import importing as db_importing

    write_batch = db_importing.write_batch

    def then_killed(*args, **kwargs):
        write_batch(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(db_importing, "write_batch", then_killed)
    handler = signal.getsignal(signal.SIGTERM)
    code, _, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 130 and "de import is afgebroken; er is niets ingelezen" in err
    assert signal.getsignal(signal.SIGTERM) is handler
    with open_database(made_db) as db:
        assert stored(db) == before


def test_what_is_written_is_what_was_checked(made_db, tmp_path, capsys, monkeypatch):
    """The file is read once: changed or gone after the check, it makes no difference."""
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(1200, newest=utc_now()), encoding="utf-8")
    with open_database(made_db) as db:
        importer(db)
    from balie.db import importing as db_importing

    begin = db_importing.begin_import

    def and_then_edited(*args, **kwargs):
        found = begin(*args, **kwargs)
        source.write_text(HEADER + "1-1-2024;;fax;Atlantis;desk;wonen;;;\n", encoding="utf-8")
        return found

    monkeypatch.setattr(db_importing, "begin_import", and_then_edited)
    code, out, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 0 and "1.200 registraties" in out, err
    with open_database(made_db) as db:
        assert db.execute("SELECT count(*), count(DISTINCT summary) FROM inquiry "
                          "WHERE summary LIKE 'regel %'").fetchone() == (1200, 1200)


def test_the_log_an_import_grew_is_given_back(made_db, tmp_path, capsys):
    """The write-ahead log grows with the import; it is emptied when the import ends, not
    at the next retention run, even while a desk keeps the database open (when the last
    connection closes SQLite removes the log anyway, so the desk stays connected)."""
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(3000, newest=utc_now()), encoding="utf-8")
    with open_database(made_db) as desk:
        importer(desk)
        code, out, err = run(capsys, "--db", str(made_db), "import", str(source))
        assert code == 0 and "3.000 registraties" in out, err
        assert desk.execute("SELECT count(*) FROM inquiry").fetchone() == (3000,)
        assert Path(f"{made_db}-wal").stat().st_size == 0


def test_a_file_can_come_through_a_pipe(made_db, tmp_path):
    with open_database(made_db) as db:
        importer(db)
    done = subprocess.run([sys.executable, "-m", "balie", "--db", str(made_db), "import",
                           "/dev/stdin"], input=csv_text(1200, newest=utc_now()).encode(),
                          capture_output=True, cwd=Path(__file__).parent.parent,
                          timeout=WAIT * 5)
    assert done.returncode == 0 and b"1.200 registraties" in done.stdout, done.stderr


# --- the same file never twice ---------------------------------------------------------


def test_the_same_file_is_refused_while_it_is_being_imported(db_path, tmp_path, capsys):
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(1200, newest=utc_now()), encoding="utf-8")
    db = open_database(db_path)
    actor = importer(db)
    checked = read_import(source.read_text(encoding="utf-8"), load_reference(db), utc_now())
    paused, go = threading.Event(), threading.Event()

    def between_batches(written: int) -> None:
        paused.set()
        assert go.wait(WAIT)

    def run_import() -> None:
        with open_database(db_path) as own:
            store_rows(own, checked, checked.rows, "2026.csv", actor, utc_now(),
                       progress=between_batches)

    thread = threading.Thread(target=run_import)
    thread.start()
    try:
        assert paused.wait(WAIT)
        code, out, _ = run(capsys, "--db", str(db_path), "info")
        assert "(2026.csv, 1.200 regels) wordt nu ingelezen; telt mee als die klaar is" in out
        code, _, err = run(capsys, "--db", str(db_path), "import", str(source))
        assert code == 1 and "wordt op dit moment ingelezen" in err
        code, _, err = run(capsys, "--db", str(db_path), "import", "--dry-run", str(source))
        assert code == 1 and "wordt op dit moment ingelezen" in err
    finally:
        go.set()
        thread.join(WAIT)
    code, _, err = run(capsys, "--db", str(db_path), "import", str(source))
    assert code == 1 and "al geïmporteerd" in err
    db.close()


def test_files_imported_before_this_version_are_still_recognised(db_path, tmp_path, capsys):
    by_text, by_rows = csv_text(30, tag=" a"), csv_text(40, tag=" b")
    db = connect(db_path)
    migrate(db, stop_before="0011_import_batches")
    staff = importer(db).id
    rows = read_import(by_rows, load_reference(db), FROZEN_NOW).rows
    with db.write():
        for name, fingerprint in (("oud.csv", text_fingerprint(by_text)),
                                  ("nieuwer.csv", legacy_fingerprint(rows))):
            db.execute("INSERT INTO import_batch (file_name, sha256, rows, imported_at, "
                       "imported_by) VALUES (?, ?, 3, '2026-01-05T09:00:00Z', ?)",
                       [name, fingerprint, staff])
    db.close()
    for text, name in ((by_text, "oud.csv"), (by_rows, "nieuwer.csv")):
        source = tmp_path / f"weer {name}"
        source.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "--db", str(db_path), "import", str(source))
        assert code == 1 and "al geïmporteerd" in err and f"'{name}'" in err
    with open_database(db_path) as db:
        assert stored(db)["inquiry"] == 0 and unfinished_imports(db) == []


# --- the terminal ----------------------------------------------------------------------


def test_a_progress_bar_only_on_a_terminal(made_db, tmp_path, capsys):
    source = tmp_path / "2026.csv"
    source.write_text(csv_text(1200, newest=utc_now()), encoding="utf-8")
    code, out, err = run(capsys, "--db", str(made_db), "import", "--dry-run", str(source))
    assert code == 0 and "Controleren" not in err + out
    # On a terminal: the bars on stderr, in Dutch, up to the end.
    main_side, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "balie", "--db", str(made_db),
                                "import", str(source)], stderr=terminal,
                               stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main_side, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_side)
    out, _ = process.communicate(timeout=WAIT)
    assert process.returncode == 0 and b"1.200 registraties" in out
    screen = shown.decode("utf-8", "replace")
    assert "Controleren" in screen and "Inlezen" in screen
    assert "1.200 van 1.200 regels" in screen and "100%" in screen
    assert "\x1b[" in screen and "␛" not in screen  # drawn, not shown as text


def test_a_folder_or_device_is_refused_with_the_reason(made_db, tmp_path, capsys):
    for source in (tmp_path, "/dev/zero"):
        code, _, err = run(capsys, "--db", str(made_db), "import", str(source))
        assert code == 1 and "geen gewoon bestand" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", str(made_db), "import", str(tmp_path / "nergens.csv"))
    assert code == 1 and "bestaat niet" in err
