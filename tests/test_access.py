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
from balie.db.errors import StoreError
from balie.db.factsheets import factsheets
from balie.db.followup import followup_done
from balie.db.importing import store_import
from balie.db.inbox import (
    VIEW_CLOSED,
    VIEW_NEW,
    InboxConflict,
    callback_done,
    callback_not_reached,
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
from balie.db.login import set_password
from balie.db.reference import KINDS, add_entry, load_reference
from balie.db.reports import daily, report
from balie.db.retention import apply_retention, due_by_route
from balie.db.rules import active_rules, store_rules
from balie.db.settings import adjust_setting
from balie.db.subject import PersonQuery, erase_person, export_person, find_person
from balie.domain.directory import check_entry
from balie.domain.importing import read_import
from balie.domain.periods import containing
from balie.domain.reference_data import ROLE_CODES
from balie.domain.timekeeping import local_days_span
from tests.conftest import FROZEN_NOW, Member, member
from tests.test_store import make_input

NOW = FROZEN_NOW
LATER = NOW + timedelta(hours=1)
CALLBACK = NOW + timedelta(hours=2)


class World:
    """A database with one inquiry in each state a cell needs, registered by 'desk'."""

    def __init__(self, db, tmp_path, actor=None):
        self.db, self.tmp_path = db, tmp_path
        self.ref = ref = load_reference(db)
        self.desk = member(db, "desk", roles=("balie",))
        self.lead = member(db, "lead", roles=("teamleider",))
        social, senior = ref.route("social_work").id, ref.route("senior_work").id
        self.outcome = ref.outcomes.active[0].id

        def register(route_id, **extra):
            return save_inquiry(db, make_input(ref, route_id=route_id, **extra), self.desk,
                                NOW).id

        def picked_up(route_id, **extra):
            number = register(route_id, **extra)
            pick_up(db, number, self.lead, NOW)
            return number

        def closed(route_id):
            number = picked_up(route_id)
            close(db, number, self.outcome, self.lead, NOW)
            return number

        self.own_new = register(social)
        self.other_new = register(senior)
        self.own_open = picked_up(social)
        self.other_open = picked_up(senior)
        self.own_closed = closed(social)
        self.other_closed = closed(senior)
        self.at_desk = register(ref.route("desk").id)  # closed at once: answered there
        self.desk_callback = register(ref.route("desk").id, consent=True,
                                      phone="+31612345678", callback_at=CALLBACK,
                                      person_name="Jan de Vries")
        self.own_callback = register(social, consent=True, phone="+31687654321",
                                     callback_at=CALLBACK)
        self.other_callback = register(senior, consent=True, phone="+31611112222",
                                       callback_at=CALLBACK)
        self.desk_followup = register(ref.route("external").id, consent=True,
                                      phone="+31633334444", followup_at=CALLBACK,
                                      referral_ids=(ref.directory.named("Voedselbank").id,))
        self.social, self.senior = social, senior
        self.desk_route = ref.route("desk").id
        if actor is not None:
            # An inquiry of another team that the actor registered (set up directly: not
            # every role may register).
            self.mine = register(senior)
            with db.write():
                db.execute("UPDATE inquiry SET registered_by = ? WHERE id = ?",
                           [actor.id, self.mine])


def until(world):
    return NOW + timedelta(days=1)


IMPORT = ("datum;kanaal;dorp;route;onderwerp\n"
          "12-03-2024;telefoon;Beilen;seniorenwerk;eenzaamheid en contact\n")
JAN = PersonQuery(phone="06-12345678")

ALL = frozenset(ROLE_CODES)
DESK, LEADS = frozenset({"balie", "teamleider"}), frozenset({"teamleider"})
TEAM_AND_LEADS = frozenset({"team", "teamleider"})
BEHEER = frozenset({"beheer"})

# cell name -> (roles allowed, the call); a role not allowed gets NotAllowed. A team
# member belongs to maatschappelijk werk ("own team"); the other team is seniorenwerk.
CELLS = {
    "register": (DESK, lambda w, a: save_inquiry(w.db, make_input(w.ref), a, NOW)),
    "search returning callers": (DESK, lambda w, a: earlier_contacts(
        w.db, a, "+31612345678", None, NOW)),
    "own desk list": (DESK, lambda w, a: desk_inquiries(
        w.db, a, local_days_span(NOW.date(), NOW.date()))),
    "correct an inquiry of the desk": (DESK, lambda w, a: correct_inquiry(
        w.db, w.desk_callback, make_input(w.ref, route_id=w.desk_route, age=79, consent=True,
                                          phone="+31612345678", callback_at=CALLBACK,
                                          person_name="Jan de Vries"), a, NOW)),
    "correct an inquiry of another team": (LEADS, lambda w, a: correct_inquiry(
        w.db, w.other_new, make_input(w.ref, age=80), a, NOW)),
    "view a desk inquiry": (DESK | BEHEER, lambda w, a: get_inquiry(
        w.db, a, w.desk_callback, NOW, purpose="test")),
    "view own team's inquiry": (TEAM_AND_LEADS | BEHEER, lambda w, a: get_inquiry(
        w.db, a, w.own_callback, NOW, purpose="test")),
    "view another team's inquiry": (LEADS | BEHEER, lambda w, a: history(
        w.db, a, w.other_callback)),
    "view what one registered oneself, now at a team": (DESK | BEHEER, lambda w, a: history(
        w.db, a, w.mine)),
    "own team's list": (TEAM_AND_LEADS, lambda w, a: inbox(
        w.db, a, [w.social], VIEW_NEW, NOW)),
    "another team's list": (LEADS, lambda w, a: inbox(w.db, a, [w.senior], VIEW_NEW, NOW)),
    "the desk route's list": (LEADS, lambda w, a: inbox(
        w.db, a, [w.desk_route], VIEW_CLOSED, NOW)),
    "all teams' lists": (LEADS, lambda w, a: inbox(
        w.db, a, [w.social, w.senior], VIEW_NEW, NOW)),
    "pick up in own team": (TEAM_AND_LEADS, lambda w, a: pick_up(w.db, w.own_new, a, NOW)),
    "pick up in another team": (LEADS, lambda w, a: pick_up(w.db, w.other_new, a, NOW)),
    "close in own team": (TEAM_AND_LEADS, lambda w, a: close(
        w.db, w.own_open, w.outcome, a, LATER)),
    "close in another team": (LEADS, lambda w, a: close(
        w.db, w.other_open, w.outcome, a, LATER)),
    "reopen in own team": (TEAM_AND_LEADS, lambda w, a: reopen(
        w.db, w.own_closed, a, LATER, "belde terug")),
    "reopen in another team": (LEADS, lambda w, a: reopen(
        w.db, w.other_closed, a, LATER, "belde terug")),
    "transfer": (LEADS, lambda w, a: transfer(w.db, w.own_open, w.senior, a, LATER, "ouder")),
    "desk callbacks": (DESK, lambda w, a: callbacks_due(
        w.db, a, until(w), NOW, [w.desk_route])),
    "own team's callbacks": (TEAM_AND_LEADS, lambda w, a: callbacks_due(
        w.db, a, until(w), NOW, [w.social])),
    "another team's callbacks": (LEADS, lambda w, a: callbacks_due(
        w.db, a, until(w), NOW, [w.senior])),
    "every callback one may make": (ALL - BEHEER, lambda w, a: callbacks_due(
        w.db, a, until(w), NOW)),
    "call back at the desk": (DESK, lambda w, a: callback_done(
        w.db, w.desk_callback, CALLBACK, a, LATER)),
    "call back for own team": (TEAM_AND_LEADS, lambda w, a: callback_not_reached(
        w.db, w.own_callback, CALLBACK, CALLBACK + timedelta(hours=1), a, LATER)),
    "call back for another team": (LEADS, lambda w, a: callback_done(
        w.db, w.other_callback, CALLBACK, a, LATER)),
    "follow up a referral of the desk": (DESK, lambda w, a: followup_done(
        w.db, w.desk_followup, CALLBACK, "helped", a, LATER)),
    "report": (LEADS, lambda w, a: report(
        w.db, a, w.ref, containing("day", NOW.date()), "village")),
    "report by referral": (LEADS, lambda w, a: report(
        w.db, a, w.ref, containing("day", NOW.date()), "referral")),
    "factsheets": (LEADS, lambda w, a: factsheets(
        w.db, a, w.ref, containing("year", NOW.date()))),
    "charts": (LEADS, lambda w, a: daily(
        w.db, a, local_days_span(NOW.date(), NOW.date()), "route")),
    "reference data": (BEHEER, lambda w, a: add_entry(
        w.db, a, KINDS["villages"], "Nieuwdorp", area="Beilen")),
    "sociale kaart": (BEHEER, lambda w, a: add_directory_entry(
        w.db, a, check_entry({"organisation": "Kringloop"}, w.ref), NOW)),
    "check an entry of the sociale kaart": (BEHEER, lambda w, a: mark_checked(
        w.db, a, w.ref.directory.all[0].id, NOW)),
    "someone else's password": (BEHEER, lambda w, a: set_password(
        w.db, a, "desk", "een lang genoeg wachtwoord", NOW)),
    "settings": (BEHEER, lambda w, a: adjust_setting(w.db, a, "max-wait-hours", "6", NOW)),
    "routing rules": (BEHEER, lambda w, a: store_rules(w.db, a, active_rules(w.db).body, NOW)),
    "import": (BEHEER, lambda w, a: store_import(
        w.db, read_import(IMPORT, w.ref, NOW), "oud.csv", a, NOW)),
    "backup": (BEHEER, lambda w, a: backup(w.db, a, w.tmp_path / "kopie.db", NOW)),
    "what retention would erase": (BEHEER, lambda w, a: due_by_route(w.db, a, NOW)),
    "retention": (BEHEER, lambda w, a: apply_retention(w.db, a, NOW)),
    "find a person's inquiries": (BEHEER, lambda w, a: find_person(w.db, a, JAN, NOW)),
    "export a person's inquiries": (BEHEER, lambda w, a: export_person(
        w.db, a, JAN, w.tmp_path / "inzage.md", NOW)),
    "erase a person's details": (BEHEER, lambda w, a: erase_person(
        w.db, a, JAN, NOW, ids=None)),
    "audit log": (BEHEER, lambda w, a: audit_rows(w.db, a, NOW)),
}

STATE_CELLS = {
    # Work a team lead may do but that the state forbids: the desk's inquiries are closed
    # at once and never a team's. Everyone else is refused for their role first.
    "pick up at the desk": lambda w, a: pick_up(w.db, w.at_desk, a, LATER),
    "close at the desk": lambda w, a: close(w.db, w.at_desk, w.outcome, a, LATER),
    "reopen at the desk": lambda w, a: reopen(w.db, w.at_desk, a, LATER, "terug"),
}


def contents(db, folder) -> dict[str, list[str]]:
    """Everything the database holds, table by table, and the files in ``folder``."""
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    found = {table: sorted(repr(tuple(row)) for row in db.execute(f'SELECT * FROM "{table}"'))
             for table in tables}
    found["files"] = sorted(path.name for path in folder.iterdir())
    return found


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_role_x_action_matrix(db, tmp_path, role, cell):
    allowed, call = CELLS[cell]
    actor = member(db, f"as.{role}", roles=(role,), team="social_work")
    world = World(db, tmp_path, actor)
    if role in allowed:
        call(world, actor)
        return
    before = contents(db, tmp_path)
    with pytest.raises(NotAllowed) as refused:
        call(world, actor)
    assert refused.value.message.startswith(("Alleen met de rol", "Dit kan alleen voor uw",
                                             "U mag nummer"))
    assert f"(uw rollen: {role})" in refused.value.message or "ander team" in \
        refused.value.message
    # A refusal changes nothing: not the data, not the log, no file.
    assert contents(db, tmp_path) == before


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("cell", sorted(STATE_CELLS))
def test_a_team_lead_is_refused_desk_work_by_its_state_others_by_their_role(db, tmp_path,
                                                                              role, cell):
    world = World(db, tmp_path)
    actor = member(db, f"as.{role}", roles=(role,), team="social_work")
    before = contents(db, tmp_path)
    with pytest.raises(InboxConflict if role == "teamleider" else NotAllowed) as refused:
        STATE_CELLS[cell](world, actor)
    assert type(refused.value) is (InboxConflict if role == "teamleider" else NotAllowed)
    assert f"Nummer {world.at_desk}" in refused.value.message or "rol" in refused.value.message
    assert contents(db, tmp_path) == before


def test_every_action_of_the_matrix_has_a_cell():
    """A new action in balie.db.access gets its cells here (the matrix is tested by
    calling, so an action without a call would go untested)."""
    from balie.db.access import PERMISSIONS

    covered = {"register", "desk_list", "callbacks", "team_list", "team_work", "transfer",
               "reports", "reference", "settings", "import", "backup", "retention", "audit",
               "subject_rights"}
    assert set(PERMISSIONS) == covered


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_an_unknown_account_is_refused_in_words(db, tmp_path, cell):
    world = World(db, tmp_path, member(db, "iemand"))
    before = contents(db, tmp_path)
    with pytest.raises(NotAllowed, match="^Dit account is onbekend in balie.$"):
        CELLS[cell][1](world, Member(9999, "test", "weg"))
    assert contents(db, tmp_path) == before


MISSING = 9999
ON_ONE_INQUIRY = {
    "view": lambda w, a: get_inquiry(w.db, a, MISSING, NOW, purpose="test"),
    "history": lambda w, a: history(w.db, a, MISSING),
    "correct": lambda w, a: correct_inquiry(w.db, MISSING, make_input(w.ref), a, NOW),
    "pick up": lambda w, a: pick_up(w.db, MISSING, a, NOW),
    "close": lambda w, a: close(w.db, MISSING, w.outcome, a, NOW),
    "reopen": lambda w, a: reopen(w.db, MISSING, a, NOW, "terug"),
    "transfer": lambda w, a: transfer(w.db, MISSING, w.senior, a, NOW, "ouder"),
    "called back": lambda w, a: callback_done(w.db, MISSING, CALLBACK, a, NOW),
    "not reached": lambda w, a: callback_not_reached(w.db, MISSING, CALLBACK, LATER, a, NOW),
    "followed up": lambda w, a: followup_done(w.db, MISSING, CALLBACK, "helped", a, NOW),
}


@pytest.mark.parametrize("action", sorted(ON_ONE_INQUIRY))
def test_a_missing_inquiry_is_said_in_words(db, tmp_path, action):
    world = World(db, tmp_path)
    before = contents(db, tmp_path)
    with pytest.raises(StoreError) as refused:
        ON_ONE_INQUIRY[action](world, world.lead)
    assert refused.value.message == f"Nummer {MISSING} bestaat niet."
    assert contents(db, tmp_path) == before


NAMED_ROLES = {
    # action: the roles a refusal names, as the README's table of roles has them
    "register": {"balie", "teamleider"}, "desk_list": {"balie", "teamleider"},
    "callbacks": {"balie", "team", "teamleider"}, "team_list": {"team", "teamleider"},
    "team_work": {"team", "teamleider"}, "transfer": {"teamleider"},
    "reports": {"teamleider"}, "reference": {"beheer"}, "settings": {"beheer"},
    "import": {"beheer"}, "backup": {"beheer"}, "retention": {"beheer"},
    "audit": {"beheer"}, "subject_rights": {"beheer"},
}


@pytest.mark.parametrize("action", sorted(NAMED_ROLES))
def test_a_refusal_names_the_roles_that_may(action):
    from balie.db.access import Grant, refusal

    message = refusal(Grant(1, "x", frozenset(), None), action)
    named = message.removeprefix("Alleen met de rol ").split(" kunt u ")[0]
    assert set(named.split(" of ")) == NAMED_ROLES[action]
    assert message.endswith("(uw rollen: geen). Vraag beheer om die rol als u dit werk doet.")
    for role in NAMED_ROLES[action]:  # having the role, only another team's work is refused
        other_team = refusal(Grant(1, "x", frozenset({role}), 7), action)
        assert other_team.startswith("Dit kan alleen voor uw eigen team") == (
            action in {"callbacks", "team_list", "team_work"})


GRANTS = {
    # roles (and whether they have a team) -> the actions the screens offer them
    ("balie",): {"register", "desk_list", "callbacks"},
    ("team",): {"callbacks", "team_list", "team_work"},
    ("team", "no team"): set(),
    ("teamleider",): {"register", "desk_list", "callbacks", "team_list", "team_work",
                      "transfer", "reports"},
    ("beheer",): {"reference", "settings", "import", "backup", "retention", "audit",
                  "subject_rights"},
    ("balie", "team"): {"register", "desk_list", "callbacks", "team_list", "team_work"},
    ("balie", "team", "no team"): {"register", "desk_list", "callbacks"},
}


@pytest.mark.parametrize("roles", sorted(GRANTS))
def test_what_the_screens_offer_each_role(roles):
    from balie.db.access import PERMISSIONS, Grant

    held = frozenset(r for r in roles if r in ROLE_CODES)
    current = Grant(1, "x", held, None if "no team" in roles else 7)
    assert {action for action in PERMISSIONS if current.may_some(action)} == GRANTS[roles]


def test_every_team_at_once_is_for_team_leads_only():
    from balie.db.access import SCOPED, Grant

    for roles in (("team",), ("balie",), ("balie", "team")):
        current = Grant(1, "x", frozenset(roles), 7)
        assert not any(current.may(action) for action in SCOPED), roles
    assert all(Grant(1, "x", frozenset({"teamleider"}), None).may(action) for action in SCOPED)


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
    stored = load_inquiry(db, world.desk_callback)
    # There are personal details the reports could read: the authorizer has work to do.
    assert (stored.person_name, stored.phone) == ("Jan de Vries", "+31612345678")

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


def test_the_owner_of_the_file_is_the_account_that_made_it(tmp_path):
    import os

    from balie.db.access import owns_file

    mine = tmp_path / "mijn.db"
    mine.write_text("")
    assert owns_file(mine)
    assert owns_file(tmp_path / "weg.db")  # cannot tell (no file, no uids): one user
    if os.getuid() == 0:  # root can give the file away, as another installer would own it
        os.chown(mine, 12345, -1)
        assert not owns_file(mine)
