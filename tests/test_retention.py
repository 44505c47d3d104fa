"""Retention: personal details of closed inquiries go when their route's term ends, the
bytes are gone from the file, its log and a backup made afterwards, and every report
stays the same."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from balie.cli import main
from balie.db.access import NotAllowed
from balie.db.backup import backup
from balie.db.inbox import close, pick_up, reopen
from balie.db.inquiries import history, load_inquiry
from balie.db.reference import KINDS, load_reference, update_entry
from balie.db.retention import apply_retention, due_by_route, retention_due
from balie.domain.retention import (
    inquiries,
    number_ranges,
    parse_number_ranges,
    retention_cutoff,
    retention_end,
)
from balie.domain.timekeeping import AMSTERDAM, local
from tests.privacy_support import (
    LONG_AGO,
    NAME,
    NOW,
    PHONE,
    all_reports,
    columns_that_count,
    files_of,
    open_with_beheer,
    plant,
    register,
    staff_with,
    traces,
)
from tests.timers import settle, wait_until


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "balie.db"


@pytest.fixture
def beheer(db_path):
    db, actor = open_with_beheer(db_path)
    yield db, actor
    db.close()


def test_planted_details_are_gone_from_file_log_and_a_later_backup(beheer, db_path, tmp_path):
    db, actor = beheer
    planted = plant(db, actor)
    before = all_reports(db, actor)
    counted = columns_that_count(db, planted.inquiry_id)
    # The test can fail: before retention every planted text is on disk somewhere.
    assert len(sum(traces(*files_of(db_path)).values(), [])) > 10

    run = apply_retention(db, actor, NOW)

    assert run.erased == 1 and run.purge.log_emptied and run.purge.index_merged
    copy = backup(db, actor, tmp_path / "na-bewaartermijn.db", NOW)
    assert traces(*files_of(db_path), copy) == {}
    assert all_reports(db, actor) == before
    assert columns_that_count(db, planted.inquiry_id) == counted
    inquiry = load_inquiry(db, planted.inquiry_id)
    assert (inquiry.person_name, inquiry.phone, inquiry.postcode, inquiry.callback_at,
            inquiry.summary) == (None, None, None, None, "")
    assert inquiry.consent  # what was agreed then stays on record
    events = history(db, actor, planted.inquiry_id)
    assert [e.kind for e in events] == ["created", "callback", "correction", "pickup",
                                        "transfer", "pickup", "close"]
    assert all(e.reason is None for e in events)
    assert db.execute("SELECT count(*) FROM draft").fetchone()[0] == 0


def test_without_merging_the_name_index_the_name_would_survive(beheer, db_path, monkeypatch):
    """Why retention merges the FTS index: a deleted name stays in old segments."""
    import balie.db.erasure as erasure

    db, actor = beheer
    plant(db, actor)
    monkeypatch.setattr(erasure, "_merge_index", lambda db: None)
    apply_retention(db, actor, NOW)
    left = sum(traces(*files_of(db_path)).values(), [])
    assert left and all(label.startswith("token") for label in left)


def test_a_run_interrupted_before_the_merge_is_finished_by_the_next(beheer, db_path,
                                                                     monkeypatch):
    import balie.db.retention as retention

    db, actor = beheer
    plant(db, actor)

    def interrupted(db, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(retention, "purge", interrupted)
    with pytest.raises(KeyboardInterrupt):
        apply_retention(db, actor, NOW)
    assert traces(*files_of(db_path))  # erased, but not yet merged
    monkeypatch.undo()
    assert apply_retention(db, actor, NOW).erased == 0
    assert traces(*files_of(db_path)) == {}


def test_recent_open_and_waiting_callbacks_keep_their_details(beheer):
    db, actor = beheer
    old = plant(db, actor).inquiry_id
    # Team route, closed 10 months ago: 24 months to go.
    recent = register(db, actor, NOW - timedelta(days=300), name="Kees Bewaarmij",
                      phone="+31612000001", summary="recent")
    pick_up(db, recent.id, actor, NOW - timedelta(days=300))
    close(db, recent.id, load_reference(db).outcomes.active[0].id, actor,
          NOW - timedelta(days=300), "nog bewaren")
    # Registered years ago, never closed.
    still_open = register(db, actor, LONG_AGO, name="Open Oudjes", summary="loopt nog")
    # Desk route (6 months), closed long ago, but a callback still to make after the
    # cutoff keeps it; one that was due before the cutoff does not.
    waiting = register(db, actor, LONG_AGO, route="desk", name="Wacht Opbellen",
                       phone="+31612000002", callback=NOW - timedelta(days=30))
    overdue = register(db, actor, LONG_AGO, route="desk", name="Vergeten Terugbel",
                       phone="+31612000003", callback=LONG_AGO + timedelta(days=1))
    # Desk route, closed 7 months ago: past its 6 months.
    desk_old = register(db, actor, NOW - timedelta(days=213), route="desk",
                        name="Balie Zevenmaand", summary="weg ermee")

    assert retention_due(db, NOW) == 3
    run = apply_retention(db, actor, NOW)

    assert run.erased == 3
    names = dict(db.execute("SELECT id, person_name FROM inquiry"))
    assert names[recent.id] == "Kees Bewaarmij"
    assert names[still_open.id] == "Open Oudjes"
    assert names[waiting.id] == "Wacht Opbellen"
    assert names[old] is None and names[overdue.id] is None and names[desk_old.id] is None
    assert history(db, actor, recent.id)[-1].reason == "nog bewaren"
    assert retention_due(db, NOW) == 0
    assert retention_due(db, NOW + timedelta(days=500)) == 2  # recent, and the callback


def test_calendar_months_and_a_changed_retention_period(beheer):
    db, actor = beheer
    closed = datetime(2025, 8, 31, 12, 0, tzinfo=UTC)  # a desk inquiry: closed at once
    register(db, actor, closed, route="desk", name="Augustus Eind")
    end = retention_end(closed, 6)
    assert end == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # 1 March, 0:00 in Beilen
    assert retention_due(db, end - timedelta(seconds=1)) == 0
    assert retention_due(db, end + timedelta(seconds=1)) == 1
    mid = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)
    assert retention_end(mid, 6) == datetime(2026, 2, 15, 13, 0, tzinfo=UTC)  # winter time
    update_entry(db, actor, KINDS["routes"], "Afgehandeld aan de balie", retention_months=12)
    assert retention_due(db, end + timedelta(seconds=1)) == 0


def test_dry_run_counts_per_route_and_changes_nothing(beheer, db_path):
    db, actor = beheer
    plant(db, actor)
    register(db, actor, LONG_AGO, route="desk", name="Balie Oud")
    register(db, actor, LONG_AGO, route="external", summary="doorverwezen")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = {p: p.read_bytes() for p in files_of(db_path)}
    changes = db.conn.total_changes

    due = {d.route: d.count for d in due_by_route(db, actor, NOW)}

    assert due == {"Cliëntondersteuning": 0, "Maatschappelijk werk": 0, "Seniorenwerk": 1,
                   "Afgehandeld aan de balie": 1, "Extern doorverwezen": 1}
    assert db.conn.total_changes == changes
    assert {p: p.read_bytes() for p in files_of(db_path)} == files


def test_batches_each_leave_an_audit_row_and_the_run_one(beheer):
    db, actor = beheer
    ids = [register(db, actor, LONG_AGO, route="desk", summary=f"tekst {n}").id
           for n in range(5)]
    seen = []

    run = apply_retention(db, actor, NOW, batch_size=2, progress=seen.append)

    assert (run.erased, run.batches, seen) == (5, 3, [2, 4, 5])
    rows = db.execute("SELECT action, inquiry_id, detail FROM audit_log "
                      "WHERE action IN ('erase', 'retention') ORDER BY id").fetchall()
    assert rows == [
        ("erase", None, f"bewaartermijn: 2 vragen: {ids[0]}-{ids[1]}"),
        ("erase", None, f"bewaartermijn: 2 vragen: {ids[2]}-{ids[3]}"),
        ("erase", None, f"bewaartermijn: 1 vraag: {ids[4]}"),
        ("retention", None, "5 vragen gewist in 3 delen; logbestand geleegd"),
    ]
    assert apply_retention(db, actor, NOW).erased == 0  # nothing twice


def test_a_reopened_or_corrected_inquiry_is_due_again_after_its_next_closing(beheer):
    db, actor = beheer
    planted = plant(db, actor)
    apply_retention(db, actor, NOW)
    assert load_inquiry(db, planted.inquiry_id).person_name is None
    later = NOW + timedelta(days=1)
    reopen(db, planted.inquiry_id, actor, later, "Zwaantje belde terug")
    close(db, planted.inquiry_id, load_reference(db).outcomes.active[0].id, actor, later)
    assert retention_due(db, later) == 0
    assert retention_due(db, later + timedelta(days=2 * 366)) == 1  # the new reason goes


@pytest.mark.parametrize("roles", ["balie", "team", "teamleider", "balie,teamleider"])
def test_only_beheer_applies_retention(beheer, roles):
    db, actor = beheer
    plant(db, actor)
    other = staff_with(db, actor, "anna", roles,
                       team="Maatschappelijk werk" if "team" in roles.split(",") else None)
    with pytest.raises(NotAllowed, match="bewaartermijn"):
        apply_retention(db, other, NOW)
    with pytest.raises(NotAllowed):
        due_by_route(db, other, NOW)
    assert db.execute("SELECT person_name FROM inquiry").fetchone()[0] == NAME


def test_a_reading_desk_delays_emptying_the_log_and_that_is_said(beheer, db_path,
                                                                  monkeypatch):
    import balie.db.erasure as erasure

    db, actor = beheer
    plant(db, actor)
    monkeypatch.setattr(erasure, "CHECKPOINT_WAIT_MS", 50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM inquiry").fetchone()  # a desk mid-read
        run = apply_retention(db, actor, NOW)
        assert run.erased == 1 and not run.purge.log_emptied
        assert "andere balie" in run.purge.message()
        assert "balie retention" in run.purge.message()
        assert any(PHONE[3:].encode() in p.read_bytes() for p in files_of(db_path))
        other.execute("COMMIT")
        again = apply_retention(db, actor, NOW)
    finally:
        other.close()
    assert again.erased == 0 and again.purge.log_emptied
    assert traces(*files_of(db_path)) == {}


def test_the_start_check_reads_only_the_partial_index(beheer):
    from balie.db.retention import DUE

    db, _ = beheer
    plan = [row[3] for row in db.execute(
        "EXPLAIN QUERY PLAN " + DUE.format(columns="count(*)"), [1, "x", "x", "x"])]
    # One route's range of the index: what is not due yet is never read (and whether an
    # import is incomplete, by the index of import_batch).
    assert plan[0] == "SEARCH inquiry USING INDEX inquiry_retention (route_id=? AND closed_at<?)"
    assert not [step for step in plan if step.startswith("SCAN")], plan


def test_words_and_ranges():
    assert retention_cutoff(datetime(2026, 3, 31, 10, tzinfo=UTC), 1).date().isoformat() \
        == "2026-02-28"
    assert number_ranges([9, 1, 2, 3, 7, 3, 10]) == "1-3, 7, 9-10"
    assert parse_number_ranges("1-3, 7, 9-10") == {1, 2, 3, 7, 9, 10}
    assert (inquiries(1), inquiries(1500)) == ("1 vraag", "1.500 vragen")


# --- the command line ----------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_then_erase(beheer, db_path, capsys, monkeypatch):
    db, actor = beheer
    plant(db, actor, LONG_AGO.replace(year=2021))  # past the term also at today's date
    code, out, _ = run(capsys, "--db", str(db_path), "retention", "--dry-run")
    assert code == 0
    assert "Seniorenwerk" in out and "24 maanden  1 vraag" in out
    assert "Samen 1 vraag over de bewaartermijn. Niets gewist (--dry-run)." in out
    assert db.execute("SELECT person_name FROM inquiry").fetchone()[0] == NAME

    code, out, _ = run(capsys, "--db", str(db_path), "retention")
    assert code == 0
    assert "Persoonsgegevens van 1 vraag gewist (bewaartermijn)" in out
    assert "uit de zoekindex en het logbestand (-wal) verwijderd" in out
    assert db.execute("SELECT person_name FROM inquiry").fetchone()[0] is None

    code, out, _ = run(capsys, "--db", str(db_path), "retention")
    assert code == 0 and "er is niets gewist" in out


def test_cli_refuses_who_is_not_beheer(tmp_path, capsys):
    from balie.config import os_username

    path = tmp_path / "ander.db"
    db, actor = open_with_beheer(path, "beheer1")
    staff_with(db, actor, os_username(), "teamleider")
    db.close()
    code, out, err = run(capsys, "--db", str(path), "retention")
    assert code == 1 and out == ""
    assert err.startswith("balie: Alleen met de rol beheer") and "bewaartermijn toepassen" in err
    assert "rol beheer" in err and "Traceback" not in err


# --- the notice at the start ---------------------------------------------------------


async def notices_at_start(db_path, username, timers) -> list[str]:
    """What the app tells at its start; beheer's retention check runs when its delay is
    over on the test's clock (see tests/timers.py), so nothing depends on the machine."""
    from balie.app import RETENTION_NOTICE_DELAY, make_app

    app = make_app(db_path, username=username, clock=lambda: NOW, origin="test")
    async with app.run_test() as pilot:
        await settle(pilot)
        checks = [t for t in timers.pending() if t.callback == app.retention_notice]
        assert len(checks) == ("beheer" in app.staff.roles)
        assert not [title for title, _ in app.notices_shown if title == "Bewaartermijn"]
        await timers.advance(RETENTION_NOTICE_DELAY, pilot)
        if checks:
            await wait_until(pilot, lambda: ("Bewaartermijn" in dict(app.notices_shown)),
                             "the notice")
        return [f"{title}: {text}" for title, text in app.notices_shown]


async def test_beheer_hears_at_the_start_what_is_due_and_others_do_not(db_path, timers):
    from balie.config import os_username

    db, actor = open_with_beheer(db_path)
    plant(db, actor)
    register(db, actor, LONG_AGO, route="desk", summary="oud")
    staff_with(db, actor, "anna", "team", team="Maatschappelijk werk")
    db.close()

    told = await notices_at_start(db_path, os_username(), timers)
    assert ("Bewaartermijn: 2 vragen zijn over de bewaartermijn; wis de persoonsgegevens "
            "met: balie retention") in told
    assert not any("Bewaartermijn" in n for n in
                   await notices_at_start(db_path, "anna", timers))


@settings(max_examples=300, deadline=None)
@given(closed=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                           timezones=st.just(UTC)),
       months=st.integers(min_value=1, max_value=120))
def test_the_end_of_a_term_is_when_the_cutoff_passes_the_closing(closed, months):
    """To the second, except on the two days a year the clock changes: there a term may
    end an hour early or late (wall-clock arithmetic over a repeated or skipped hour)."""
    closed = closed.replace(microsecond=0)
    end = retention_end(closed, months)
    assume(not clock_changes_on(closed) and not clock_changes_on(end))
    assert retention_cutoff(end + timedelta(seconds=1), months) > closed
    assert retention_cutoff(end - timedelta(seconds=1), months) <= closed


def test_cli_says_when_the_log_could_not_be_emptied(beheer, db_path, capsys, monkeypatch):
    import balie.db.erasure as erasure

    db, actor = beheer
    plant(db, actor, LONG_AGO.replace(year=2021))
    monkeypatch.setattr(erasure, "CHECKPOINT_WAIT_MS", 50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM inquiry").fetchone()
        code, out, err = run(capsys, "--db", str(db_path), "retention")
    finally:
        other.close()
    assert code == 3, err
    assert "Persoonsgegevens van 1 vraag gewist" in out
    assert "kon nog niet worden geleegd, omdat een andere balie op dat moment las" in out


def clock_changes_on(moment: datetime) -> bool:
    day = local(moment).date()
    start = datetime.combine(day, time(0), tzinfo=AMSTERDAM)
    return start.utcoffset() != (start + timedelta(days=1)).utcoffset()
