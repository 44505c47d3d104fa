"""Who may do what: the role x action matrix, checked in the data layer itself.

Every cell calls the real data-layer function as a staff member with one role; the
screens hide what a role may not do, but these calls prove the refusal does not depend
on them. A team member ("team") belongs to maatschappelijk werk.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from balie.db import open_database
from balie.db.access import NotAllowed, sign_in
from balie.db.auditlog import audit_rows
from balie.db.backup import backup
from balie.db.directory import add_entry as add_directory_entry
from balie.db.directory import mark_checked
from balie.db.factsheets import factsheets
from balie.db.followup import followup_done
from balie.db.inbox import (
    VIEW_NEW,
    callback_done,
    callbacks_due,
    close,
    inbox,
    pick_up,
    reopen,
    transfer,
)
from balie.db.inquiries import (
    correct_inquiry,
    desk_inquiries,
    earlier_contacts,
    get_inquiry,
    history,
    load_inquiry,
    save_inquiry,
)
from balie.db.reference import KINDS, add_entry, load_reference
from balie.db.reports import daily, report
from balie.db.rules import active_rules, store_rules
from balie.db.settings import adjust_setting
from balie.domain.directory import check_entry
from balie.domain.periods import containing
from balie.domain.reference_data import ROLE_CODES
from balie.domain.timekeeping import local_days_span
from tests.conftest import FROZEN_NOW, member
from tests.test_store import make_input

NOW = FROZEN_NOW
LATER = NOW + timedelta(hours=1)
CALLBACK = NOW + timedelta(hours=2)


class World:
    """A database with one inquiry in each state a cell needs, registered by 'desk'."""

    def __init__(self, db, tmp_path):
        self.db, self.tmp_path = db, tmp_path
        self.ref = ref = load_reference(db)
        self.desk = member(db, "desk", roles=("balie",))
        self.lead = member(db, "lead", roles=("teamleider",))
        social, senior = ref.route("social_work").id, ref.route("senior_work").id

        def register(route_id, **extra):
            return save_inquiry(db, make_input(ref, route_id=route_id, **extra), self.desk,
                                NOW).id

        self.own_new = register(social)
        self.other_new = register(senior)
        self.own_open = register(social)
        pick_up(db, self.own_open, self.lead, NOW)
        self.own_closed = register(social)
        pick_up(db, self.own_closed, self.lead, NOW)
        close(db, self.own_closed, ref.outcomes.active[0].id, self.lead, NOW)
        self.desk_callback = register(ref.route("desk").id, consent=True,
                                      phone="+31612345678", callback_at=CALLBACK)
        self.own_callback = register(social, consent=True, phone="+31687654321",
                                     callback_at=CALLBACK)
        self.other_callback = register(senior, consent=True, phone="+31611112222",
                                       callback_at=CALLBACK)
        self.desk_followup = register(ref.route("external").id, consent=True,
                                      phone="+31633334444", followup_at=CALLBACK,
                                      referral_ids=(ref.directory.named("Voedselbank").id,))
        self.social, self.senior = social, senior


def until(world):
    return NOW + timedelta(days=1)


# cell name -> (roles allowed, the call)
CELLS = {
    "register": ({"balie", "teamleider"},
                 lambda w, a: save_inquiry(w.db, make_input(w.ref), a, NOW)),
    "search returning callers": ({"balie", "teamleider"},
                                 lambda w, a: earlier_contacts(w.db, a, "+31612345678", None,
                                                               NOW)),
    "own desk list": ({"balie", "teamleider"},
                      lambda w, a: desk_inquiries(w.db, a, local_days_span(NOW.date(),
                                                                            NOW.date()))),
    "correct an inquiry of the desk": ({"balie", "teamleider"},
                                       lambda w, a: correct_inquiry(
                                           w.db, w.desk_callback,
                                           make_input(w.ref, route_id=w.ref.route("desk").id,
                                                      age=79, consent=True,
                                                      phone="+31612345678",
                                                      callback_at=CALLBACK), a, NOW)),
    "view a desk inquiry": ({"balie", "teamleider", "beheer"},
                            lambda w, a: get_inquiry(w.db, a, w.desk_callback, NOW,
                                                     purpose="test")),
    "view own team's inquiry": ({"team", "teamleider", "beheer"},
                                lambda w, a: get_inquiry(w.db, a, w.own_callback, NOW,
                                                         purpose="test")),
    "view another team's inquiry": ({"teamleider", "beheer"},
                                    lambda w, a: history(w.db, a, w.other_callback)),
    "own team's list": ({"team", "teamleider"},
                        lambda w, a: inbox(w.db, a, [w.social], VIEW_NEW, NOW)),
    "another team's list": ({"teamleider"},
                            lambda w, a: inbox(w.db, a, [w.senior], VIEW_NEW, NOW)),
    "all teams' lists": ({"teamleider"},
                         lambda w, a: inbox(w.db, a, [w.social, w.senior], VIEW_NEW, NOW)),
    "pick up in own team": ({"team", "teamleider"},
                            lambda w, a: pick_up(w.db, w.own_new, a, NOW)),
    "pick up in another team": ({"teamleider"},
                                lambda w, a: pick_up(w.db, w.other_new, a, NOW)),
    "close in own team": ({"team", "teamleider"},
                          lambda w, a: close(w.db, w.own_open, w.ref.outcomes.active[0].id, a,
                                             LATER)),
    "reopen in own team": ({"team", "teamleider"},
                           lambda w, a: reopen(w.db, w.own_closed, a, LATER, "belde terug")),
    "transfer": ({"teamleider"},
                 lambda w, a: transfer(w.db, w.own_open, w.senior, a, LATER, "ouder")),
    "desk callbacks": ({"balie", "teamleider"},
                       lambda w, a: callbacks_due(w.db, a, until(w), NOW,
                                                  [w.ref.route("desk").id])),
    "own team's callbacks": ({"team", "teamleider"},
                             lambda w, a: callbacks_due(w.db, a, until(w), NOW, [w.social])),
    "another team's callbacks": ({"teamleider"},
                                 lambda w, a: callbacks_due(w.db, a, until(w), NOW,
                                                            [w.senior])),
    "call back at the desk": ({"balie", "teamleider"},
                              lambda w, a: callback_done(w.db, w.desk_callback, CALLBACK, a,
                                                         LATER)),
    "follow up a referral of the desk": ({"balie", "teamleider"},
                                         lambda w, a: followup_done(
                                             w.db, w.desk_followup, CALLBACK, "helped", a,
                                             LATER)),
    "report": ({"teamleider"},
               lambda w, a: report(w.db, a, w.ref, containing("day", NOW.date()), "village")),
    "report by referral": ({"teamleider"},
                           lambda w, a: report(w.db, a, w.ref, containing("day", NOW.date()),
                                               "referral")),
    "factsheets": ({"teamleider"},
                   lambda w, a: factsheets(w.db, a, w.ref, containing("year", NOW.date()))),
    "charts": ({"teamleider"},
               lambda w, a: daily(w.db, a, local_days_span(NOW.date(), NOW.date()), "route")),
    "reference data": ({"beheer"},
                       lambda w, a: add_entry(w.db, a, KINDS["villages"], "Nieuwdorp",
                                              area="Beilen")),
    "sociale kaart": ({"beheer"},
                      lambda w, a: add_directory_entry(
                          w.db, a, check_entry({"organisation": "Kringloop"}, w.ref), NOW)),
    "check an entry of the sociale kaart": ({"beheer"},
                                            lambda w, a: mark_checked(
                                                w.db, a, w.ref.directory.all[0].id, NOW)),
    "settings": ({"beheer"},
                 lambda w, a: adjust_setting(w.db, a, "max-wait-hours", "6", NOW)),
    "routing rules": ({"beheer"},
                      lambda w, a: store_rules(w.db, a, active_rules(w.db).body, NOW)),
    "backup": ({"beheer"},
               lambda w, a: backup(w.db, a, w.tmp_path / "kopie.db", NOW)),
    "audit log": ({"beheer"}, lambda w, a: audit_rows(w.db, a, NOW)),
}


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_role_x_action_matrix(db, tmp_path, role, cell):
    allowed, call = CELLS[cell]
    world = World(db, tmp_path)
    actor = member(db, f"as.{role}", roles=(role,), team="social_work")
    rows_before = db.execute("SELECT max(id) FROM audit_log").fetchone()[0] or 0
    if role in allowed:
        call(world, actor)
    else:
        with pytest.raises(NotAllowed) as refused:
            call(world, actor)
        assert refused.value.message  # said in words, not a traceback
        # A refusal changes nothing and logs nothing in the actor's name.
        assert db.execute("SELECT count(*) FROM audit_log WHERE id > ? AND staff_id = ?",
                          [rows_before, actor.id]).fetchone()[0] == 0


def test_a_role_taken_away_holds_from_the_next_action(db):
    world = World(db, None)
    anna = member(db, "anna", roles=("team",), team="social_work")
    pick_up(db, world.own_new, anna, NOW)
    member(db, "anna", roles=("balie",))  # beheer moves her to the desk
    with pytest.raises(NotAllowed):
        close(db, world.own_new, world.ref.outcomes.active[0].id, anna, LATER)
    db.execute("UPDATE staff SET retired_at = '2026-03-10T00:00:00Z' WHERE id = ?", [anna.id])
    with pytest.raises(NotAllowed):
        save_inquiry(db, make_input(world.ref), anna, NOW)


def test_the_callback_list_of_a_desk_or_a_team_member_holds_only_their_routes(db):
    world = World(db, None)
    desk_ids = {r.id for r in callbacks_due(db, world.desk, until(world), NOW)}
    assert desk_ids == {world.desk_callback, world.desk_followup}
    anna = member(db, "anna", roles=("team",), team="social_work")
    assert {r.id for r in callbacks_due(db, anna, until(world), NOW)} == {world.own_callback}
    lead_ids = {r.id for r in callbacks_due(db, world.lead, until(world), NOW)}
    assert lead_ids == {world.desk_callback, world.own_callback, world.other_callback,
                        world.desk_followup}


def test_views_searches_and_changes_are_in_the_audit_log_with_where_from(db):
    world = World(db, None)
    desk = world.desk
    get_inquiry(db, desk, world.desk_callback, NOW, purpose="lijst van vandaag")
    earlier_contacts(db, desk, "+31612345678", None, NOW)
    callback_done(db, world.desk_callback, CALLBACK, desk, LATER, "afspraak gemaakt")
    rows = [(r["action"], r["inquiry_id"], r["origin"]) for r in db.query(
        "SELECT * FROM audit_log WHERE staff_id = ? ORDER BY id", [desk.id])]
    assert ("view", world.desk_callback, "test") in rows
    assert ("search", None, "test") in rows
    assert ("callback", world.desk_callback, "test") in rows
    assert ("register", world.own_new, "test") in rows
    # No personal data in the log: not the phone number searched for, not the note.
    text = str(list(db.query("SELECT * FROM audit_log")))
    assert "612345678" not in text and "afspraak" not in text


def test_the_audit_log_can_be_read_by_person_by_inquiry_and_by_period(db):
    world = World(db, None)
    admin = member(db, "beheer", roles=("beheer",))
    get_inquiry(db, world.lead, world.own_callback, NOW, purpose="test")
    by_inquiry = audit_rows(db, admin, NOW, inquiry_id=world.own_callback)
    assert {r.action for r in by_inquiry} == {"register", "view"}
    by_person = audit_rows(db, admin, NOW, username="LEAD")  # case does not matter
    assert {r.username for r in by_person} == {"lead"}
    assert audit_rows(db, admin, NOW, span=local_days_span(
        NOW.date() - timedelta(days=9), NOW.date() - timedelta(days=2))) == []
    # Reading the log is itself logged.
    assert audit_rows(db, admin, NOW, limit=1)[0].action == "audit_view"


def test_the_audit_log_refuses_update_and_delete(db):
    world = World(db, None)
    del world
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET detail = 'weg'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")


PERSONAL_COLUMNS = {"person_name", "phone", "postcode", "callback_at", "summary", "reason",
                    "detail"}


def test_team_leads_reports_read_no_personal_column(db):
    """SQLite's authorizer denies every read of a personal column while the reports
    run: the reports do not need them (nor the audit log's free text)."""
    world = World(db, None)
    for column in ("person_name", "phone"):
        assert load_inquiry(db, world.desk_callback) is not None and column

    def authorizer(action, table, column, *_):
        if action == sqlite3.SQLITE_READ and column in PERSONAL_COLUMNS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    db.conn.set_authorizer(authorizer)
    try:
        for breakdown in ("village", "area", "channel", "topic", "hour"):
            report(db, world.lead, world.ref, containing("month", NOW.date()), breakdown)
        factsheets(db, world.lead, world.ref, containing("year", NOW.date()))
        daily(db, world.lead, local_days_span(NOW.date(), NOW.date()), "village")
        with pytest.raises(sqlite3.DatabaseError, match="prohibited"):
            db.execute("SELECT person_name FROM inquiry").fetchall()  # the guard works
    finally:
        db.conn.set_authorizer(None)


def test_the_owner_of_a_new_database_is_its_first_beheer_and_nobody_else(tmp_path):
    with open_database(tmp_path / "nieuw.db") as db:
        with pytest.raises(NotAllowed, match="nog niet bekend"):
            sign_in(db, "vreemde", "test", NOW, owns_file=False)
        staff, _ = sign_in(db, "installateur", "test", NOW, owns_file=True)
        assert staff.roles == {"balie", "teamleider", "beheer"}
        # Once there is a beheer, the file's owner is just another unknown account.
        with pytest.raises(NotAllowed, match="balie ref add staff tweede"):
            sign_in(db, "tweede", "test", NOW, owns_file=True)
        member(db, "zonder.rol", roles=())
        with pytest.raises(NotAllowed, match="nog geen rol"):
            sign_in(db, "zonder.rol", "test", NOW, owns_file=False)


def test_beheer_reads_the_audit_log_on_the_command_line(db, db_path, capsys, tmp_path):
    from tests.test_cli import run

    world = World(db, tmp_path)
    get_inquiry(db, world.lead, world.own_callback, NOW, purpose="test")
    # The OS account running the tests owns the file and becomes the first beheer.
    code, out, err = run(capsys, "--db", str(db_path), "audit", "--inquiry",
                         str(world.own_callback))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["tijd", "medewerker", "wat", "nummer", "waarvandaan",
                                "toelichting"]
    assert any("lead" in line and "ingezien" in line for line in lines)
    assert all(str(world.own_callback) in line for line in lines[1:])
    code, _, err = run(capsys, "--db", str(db_path), "audit", "--from", "12-3", "--to", "1-3")
    assert code == 2 and "vóór" in err
    target = tmp_path / "log.csv"
    code, _, err = run(capsys, "--db", str(db_path), "audit", "--user", "lead",
                       "--from", "1-1-2026", "--format", "csv", "--output", str(target))
    assert code == 0 and target.stat().st_mode & 0o777 == 0o600
    assert target.read_text(encoding="utf-8-sig").startswith("tijd;medewerker;wat;")
    code, _, err = run(capsys, "--db", str(db_path), "audit", "--output", str(target))
    assert code == 1 and "bestaat al" in err
    # Once someone else is beheer, the file's owner with only the desk role is refused.
    from balie.config import os_username

    member(db, "hoofd.beheer", roles=("beheer",))
    member(db, os_username(), roles=("balie",))
    code, _, err = run(capsys, "--db", str(db_path), "audit")
    assert code == 1 and "rol beheer" in err


def test_a_team_role_needs_a_team(db):
    admin = member(db, "beheer", roles=("beheer",))
    from balie.db.errors import ReferenceDataError
    from balie.db.reference import update_entry

    with pytest.raises(ReferenceDataError, match="--team"):
        add_entry(db, admin, KINDS["staff"], "tom", roles="team")
    assert db.execute("SELECT count(*) FROM staff WHERE username = 'tom'").fetchone() == (0,)
    add_entry(db, admin, KINDS["staff"], "tom", roles="balie")
    with pytest.raises(ReferenceDataError, match="--team"):
        update_entry(db, admin, KINDS["staff"], "tom", roles="team")
    member(db, "zonder.team", roles=("team",))  # as an older version could leave it
    with pytest.raises(NotAllowed, match="geen team"):
        sign_in(db, "zonder.team", "test", NOW, owns_file=False)


def test_a_team_list_logs_the_summaries_it_shows_once(db):
    world = World(db, None)
    anna = member(db, "anna", roles=("team",), team="social_work")
    first = inbox(db, anna, [world.social], VIEW_NEW, NOW)
    inbox(db, anna, [world.social], VIEW_NEW, NOW, seen=frozenset(r.id for r in first))
    (detail,) = db.execute("SELECT detail FROM audit_log WHERE staff_id = ? AND action = "
                           "'view'", [anna.id]).fetchone()
    assert detail == "werkvoorraad: " + ", ".join(str(r.id) for r in sorted(
        first, key=lambda r: r.id))
    # Beheer finds that view under each inquiry's number.
    admin = member(db, "beheer", roles=("beheer",))
    assert "werkvoorraad" in {r.detail.split(":")[0] for r in audit_rows(
        db, admin, NOW, inquiry_id=world.own_new) if r.detail}


def test_the_audit_log_of_an_inquiry_shows_who_saw_it_on_the_callback_list(db):
    world = World(db, None)
    callbacks_due(db, world.desk, until(world), NOW)
    admin = member(db, "beheer", roles=("beheer",))
    seen = [(r.username, r.action) for r in audit_rows(db, admin, NOW,
                                                      inquiry_id=world.desk_callback)]
    assert ("desk", "view") in seen and ("desk", "register") in seen
    assert all(r.username != "desk" or r.action != "view"
               for r in audit_rows(db, admin, NOW, inquiry_id=world.other_callback))


def test_moving_an_inquiry_someone_works_on_is_a_transfer(db):
    world = World(db, None)
    desk_work = make_input(world.ref, route_id=world.senior)
    with pytest.raises(NotAllowed, match="teamleider"):
        correct_inquiry(db, world.own_open, desk_work, world.desk, LATER)
    correct_inquiry(db, world.own_new, desk_work, world.desk, LATER)  # not picked up: fine
    correct_inquiry(db, world.own_open, desk_work, world.lead, LATER)


def test_a_refused_backup_is_not_logged_as_made(db, tmp_path):
    admin = member(db, "beheer", roles=("beheer",))
    taken = tmp_path / "bestaat.db"
    taken.write_text("")
    from balie.db.errors import StoreError

    with pytest.raises(StoreError, match="bestaat al"):
        backup(db, admin, taken, NOW)
    backup(db, admin, tmp_path / "kopie.db", NOW)
    assert db.execute("SELECT detail FROM audit_log WHERE action = 'backup'").fetchall() == [
        (str(tmp_path / "kopie.db"),)]


def test_nobody_can_retire_the_last_beheer_or_take_its_role(db):
    from balie.db.errors import ReferenceDataError
    from balie.db.reference import set_retired, update_entry

    boss = member(db, "boss", roles=("beheer", "balie"))
    staff = KINDS["staff"]
    for change in (lambda: set_retired(db, boss, staff, "boss", True),
                   lambda: update_entry(db, boss, staff, "boss", roles="balie")):
        with pytest.raises(ReferenceDataError, match="niemand meer de rol beheer"):
            change()
    # Nothing of the refused change stayed behind, and boss is still beheer.
    assert db.execute("SELECT retired_at FROM staff WHERE username = 'boss'").fetchone() \
        == (None,)
    assert {r[0] for r in db.execute(
        "SELECT role FROM staff_role JOIN staff ON staff.id = staff_id "
        "WHERE username = 'boss'")} == {"beheer", "balie"}
    # With a second beheer, either may go.
    add_entry(db, boss, staff, "tweede", roles="beheer")
    update_entry(db, boss, staff, "boss", roles="balie")
    second = member(db, "tweede")
    set_retired(db, second, staff, "boss", True)
    with pytest.raises(ReferenceDataError, match="niemand meer de rol beheer"):
        set_retired(db, second, staff, "tweede", True)


def test_the_file_owner_gets_back_in_when_no_beheer_is_left(tmp_path):
    """An older version or the sqlite3 shell left nobody beheer: the account that owns
    the database file signs in as beheer again (even if it was retired), others do not."""
    with open_database(tmp_path / "dicht.db") as db:
        sign_in(db, "installateur", "test", NOW, owns_file=True)
        member(db, "desk", roles=("balie",))
        with db.write():  # what the guard now refuses, done behind balie's back
            db.execute("UPDATE staff SET retired_at = '2026-01-01T00:00:00Z' "
                       "WHERE username = 'installateur'")
        with pytest.raises(NotAllowed, match="rol beheer"):
            reports_as = sign_in(db, "desk", "test", NOW, owns_file=False)[1]
            audit_rows(db, reports_as, NOW)
        with pytest.raises(NotAllowed, match="nog niet bekend"):
            sign_in(db, "vreemde", "test", NOW, owns_file=False)
        staff, actor = sign_in(db, "installateur", "test", NOW, owns_file=True)
        assert not staff.retired and "beheer" in staff.roles
        assert audit_rows(db, actor, NOW)[0].action == "sign_in"
        assert any(r.action == "bootstrap" and "weer actief" in r.detail
                   for r in audit_rows(db, actor, NOW))
