"""Team inboxes in the data layer: pick up, transfer, close, reopen, callbacks; two
processes picking up the same inquiry; reports by intake route and by current route."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from balie.db import open_database
from balie.db.inbox import (
    VIEW_CLOSED,
    VIEW_NEW,
    VIEW_OPEN,
    InboxConflict,
    callback_done,
    callback_not_reached,
    callbacks_due,
    change_counter,
    close,
    inbox,
    inbox_counts,
    pick_up,
    reopen,
    transfer,
)
from balie.db.inquiries import InquiryInput, correct_inquiry, history, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.db.reports import count
from balie.domain.parsing import InvalidInput
from balie.domain.timekeeping import local_days_span
from tests.conftest import FROZEN_NOW, lead, member

NOW = FROZEN_NOW


def register(db, ref, staff, route="social_work", *, at=NOW, urgent=False, callback=None,
             name=None):
    data = InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Beilen").id,
        route_id=ref.route(route).id, topic_ids=(ref.topics.active[0].id,), age=44,
        summary="Schulden en spanning", urgent=urgent, consent=bool(callback or name),
        person_name=name, phone="+31612345678" if callback else None, callback_at=callback)
    return save_inquiry(db, data, staff, at)


@pytest.fixture
def people(db):
    return (member(db, "anna", "Anna"), member(db, "bram", "Bram"),
            member(db, "desk", "Balie"))


def test_a_routed_inquiry_waits_in_its_team_list_until_picked_up(db, ref, people):
    anna, bram, desk = people
    social = ref.route("social_work").id
    first = register(db, ref, desk, at=NOW - timedelta(hours=3))
    urgent = register(db, ref, desk, at=NOW - timedelta(hours=1), urgent=True)
    register(db, ref, desk, route="desk")  # stays at the desk: in no team list
    register(db, ref, desk, route="senior_work")  # another team's
    waiting = inbox(db, anna, [social], VIEW_NEW, NOW)
    assert [r.id for r in waiting] == [urgent.id, first.id]  # spoed first, then oldest
    assert inbox_counts(db, [social]) == {(social, "new"): 2}

    pick_up(db, first.id, anna, NOW)
    assert [r.id for r in inbox(db, anna, [social], VIEW_NEW, NOW)] == [urgent.id]
    mine = inbox(db, anna, [social], VIEW_OPEN, NOW)
    assert [(r.id, r.owner_name) for r in mine] == [(first.id, "Anna")]
    with pytest.raises(InboxConflict, match="al opgepakt door Anna"):
        pick_up(db, first.id, bram, NOW)
    assert load_inquiry(db, first.id).owner_id == anna.id
    kinds = [(e.kind, e.staff_name) for e in history(db, lead(db), first.id)]
    assert kinds == [("created", "Balie"), ("pickup", "Anna")]


def test_transfer_close_and_reopen_leave_every_hop_in_the_history(db, ref, people):
    anna, bram, desk = people
    social, senior = ref.route("social_work").id, ref.route("senior_work").id
    inquiry = register(db, ref, desk)
    pick_up(db, inquiry.id, anna, NOW)
    with pytest.raises(InvalidInput, match="reden"):
        transfer(db, inquiry.id, senior, anna, NOW, "   ")
    with pytest.raises(InboxConflict, match="team"):
        transfer(db, inquiry.id, ref.route("desk").id, anna, NOW, "past niet")
    later = NOW + timedelta(hours=2)
    transfer(db, inquiry.id, senior, anna, later, "81 jaar, eenzaam")
    moved = load_inquiry(db, inquiry.id)
    assert (moved.route_id, moved.status, moved.owner_id) == (senior, "new", None)
    assert moved.intake_route_id == social and moved.queued_at == later
    assert [r.id for r in inbox(db, anna, [senior], VIEW_NEW, later)] == [inquiry.id]
    assert inbox(db, anna, [social], VIEW_OPEN, later) == []

    with pytest.raises(InboxConflict, match="nog niet opgepakt"):
        close(db, inquiry.id, ref.outcomes.active[0].id, bram, later)
    pick_up(db, inquiry.id, bram, later)
    outcome = ref.outcomes.named("Kortdurende ondersteuning")
    close(db, inquiry.id, outcome.id, bram, later, "twee gesprekken")
    done = load_inquiry(db, inquiry.id)
    assert (done.status, done.outcome_id, done.closed_at) == ("closed", outcome.id, later)
    closed = inbox(db, anna, [senior], VIEW_CLOSED, later)
    assert [(r.id, r.outcome, r.owner_name) for r in closed] == [
        (inquiry.id, "Kortdurende ondersteuning", "Bram")]
    with pytest.raises(InvalidInput):
        reopen(db, inquiry.id, anna, later, "")
    reopen(db, inquiry.id, anna, later, "belde opnieuw")
    again = load_inquiry(db, inquiry.id)
    assert (again.status, again.owner_id, again.outcome_id) == ("picked_up", anna.id, None)
    events = [(e.kind, e.staff_name, e.from_route_id, e.to_route_id, e.reason)
              for e in history(db, lead(db), inquiry.id)]
    assert events == [
        ("created", "Balie", None, social, None),
        ("pickup", "Anna", None, social, None),
        ("transfer", "Anna", social, senior, "81 jaar, eenzaam"),
        ("pickup", "Bram", None, senior, None),
        ("close", "Bram", None, None, "twee gesprekken"),
        ("reopen", "Anna", None, senior, "belde opnieuw"),
    ]


def test_reports_count_where_inquiries_came_in_and_where_they_ended(db, ref, people):
    anna, _, desk = people
    social, senior = ref.route("social_work").id, ref.route("senior_work").id
    moved = register(db, ref, desk)
    register(db, ref, desk)
    transfer(db, moved.id, senior, anna, NOW, "ouder dan gedacht")
    day = local_days_span(NOW.date(), NOW.date())
    ended = count(db, day, "village").routes
    came_in = count(db, day, "village", route_basis="intake").routes
    assert (ended[social], ended[senior]) == (1, 1)
    assert (came_in[social], came_in[senior]) == (2, 0)


def test_a_desk_correction_of_the_route_moves_it_and_is_where_it_came_in(db, ref, people):
    anna, _, desk = people
    inquiry = register(db, ref, desk)
    pick_up(db, inquiry.id, anna, NOW)
    senior = ref.route("senior_work").id
    fixed = InquiryInput(**{**{f: getattr(inquiry, f) for f in (
        "channel_id", "village_id", "topic_ids", "age", "summary")}, "route_id": senior})
    correct_inquiry(db, inquiry.id, fixed, desk, NOW, "verkeerd team")
    after = load_inquiry(db, inquiry.id)
    assert (after.route_id, after.intake_route_id, after.status, after.owner_id) == (
        senior, senior, "new", None)


def test_callbacks_due_today_and_overdue_done_or_tried_again(db, ref, people):
    anna, _, desk = people
    yesterday = NOW - timedelta(days=1)
    overdue = register(db, ref, desk, at=yesterday - timedelta(hours=1),
                       callback=yesterday, name="Ëlla de Vries")
    today = register(db, ref, desk, route="desk", callback=NOW + timedelta(hours=2))
    register(db, ref, desk, callback=NOW + timedelta(days=1))  # tomorrow: not yet
    end_of_day = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    due = callbacks_due(db, anna, end_of_day, NOW)
    assert [r.id for r in due] == [overdue.id, today.id]
    assert due[0].person_name == "Ëlla de Vries" and due[0].phone == "+31612345678"
    at_desk = callbacks_due(db, anna, end_of_day, NOW, [ref.route("desk").id])
    assert [r.id for r in at_desk] == [today.id]

    with pytest.raises(InvalidInput, match="later"):
        callback_not_reached(db, overdue.id, yesterday, NOW - timedelta(minutes=1), anna,
                             NOW)
    callback_not_reached(db, overdue.id, yesterday, NOW + timedelta(hours=5), anna, NOW)
    with pytest.raises(InboxConflict, match="verzet"):  # the list showed the old time
        callback_done(db, overdue.id, yesterday, anna, NOW)
    tried = callbacks_due(db, anna, end_of_day, NOW)
    assert [(r.id, r.tries) for r in tried] == [(today.id, 0), (overdue.id, 1)]
    callback_done(db, overdue.id, NOW + timedelta(hours=5), anna, NOW, "afspraak gemaakt")
    assert [r.id for r in callbacks_due(db, anna, end_of_day, NOW)] == [today.id]
    with pytest.raises(InboxConflict, match="al afgehandeld"):
        callback_done(db, overdue.id, NOW + timedelta(hours=5), anna, NOW)
    last = history(db, lead(db), overdue.id)[-2:]
    assert [(e.kind, e.new_value, e.reason) for e in last] == [
        ("callback", "not_reached", None), ("callback", "done", "afspraak gemaakt")]
    # Callback times are personal data: they never enter the history.
    times = {"2026-03-09", "2026-03-10", "09:30", "14:30", "10:30", "15:30"}
    for event in history(db, lead(db), overdue.id):
        for value in (event.old_value, event.new_value, event.field, event.reason):
            assert not any(t in (value or "") for t in times), event


def test_another_connection_changing_something_moves_the_change_counter(db_path, ref, people):
    anna, _, desk = people
    watcher = open_database(db_path)
    try:
        before = change_counter(watcher)
        assert change_counter(watcher) == before  # nothing happened: nothing to reload
        other = open_database(db_path)
        register(other, ref, desk)
        other.close()
        assert change_counter(watcher) != before
    finally:
        watcher.close()


PICKER = """
import sys, time
from datetime import datetime, timezone
from balie.db import open_database
from balie.db.inbox import InboxConflict, pick_up
from tests.conftest import member

db = open_database(sys.argv[1])
me = member(db, sys.argv[2])
start = float(sys.argv[4])
while time.time() < start:
    time.sleep(0.001)
try:
    pick_up(db, int(sys.argv[3]), me, datetime.now(timezone.utc))
    print("mine")
except InboxConflict as error:
    print("refused:", error.message)
db.close()
"""


def test_two_processes_picking_up_at_once_end_with_one_owner(db_path, db, ref, people):
    _, _, desk = people
    import time

    for _ in range(5):
        inquiry = register(db, ref, desk)
        for name in ("piet", "klaas"):
            member(db, name, name.title())
        start = time.time() + 1.0  # both processes are running and wait for this moment
        runs = [subprocess.Popen([sys.executable, "-c", PICKER, str(db_path), name,
                                  str(inquiry.id), str(start)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for name in ("piet", "klaas")]
        outputs = [run.communicate(timeout=60) for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
        said = sorted(out.strip() for out, _ in outputs)
        assert said[0] == "mine" and said[1].startswith("refused: Nummer"), said
        assert "al opgepakt door" in said[1]
        owner = load_inquiry(db, inquiry.id).owner_id
        winner = "piet" if outputs[0][0].strip() == "mine" else "klaas"
        assert owner == member(db, winner).id
        assert [e.kind for e in history(db, lead(db), inquiry.id)].count("pickup") == 1


def test_outcomes_are_reference_data_from_the_annual_report(db):
    names = [o.name for o in load_reference(db).outcomes.active]
    assert names[:3] == ["Informatie en advies", "Kortdurende ondersteuning",
                         "Regie tijdelijk overgenomen"]
    assert "Doorverwezen: maatwerkvoorziening/Wmo" in names
    assert names[-1] == "Geen contact mogelijk"


def test_the_desk_list_of_today_shows_who_has_each_team_inquiry(db, ref, people):
    from balie.db.inquiries import desk_inquiries

    anna, _, desk = people
    waiting = register(db, ref, desk)
    taken = register(db, ref, desk)
    done = register(db, ref, desk)
    at_desk = register(db, ref, desk, route="desk")
    for inquiry in (taken, done):
        pick_up(db, inquiry.id, anna, NOW)
    close(db, done.id, ref.outcomes.active[0].id, anna, NOW)
    rows = {r.id: r.progress for r in desk_inquiries(db, desk,
                                                     local_days_span(NOW.date(), NOW.date()))}
    assert rows == {waiting.id: "", taken.id: " · bij Anna", done.id: " · afgerond",
                    at_desk.id: ""}


def test_an_action_on_what_the_list_showed_is_refused_when_it_changed_since(db, ref, people):
    anna, bram, desk = people
    senior, client = ref.route("senior_work").id, ref.route("client_support").id
    inquiry = register(db, ref, desk)
    seen = inbox(db, anna, [inquiry.route_id], VIEW_NEW, NOW)[0]  # Anna's list shows it as new
    pick_up(db, inquiry.id, bram, NOW, expected_version=seen.version)  # Bram was first
    with pytest.raises(InboxConflict, match="intussen door iemand anders gewijzigd"):
        transfer(db, inquiry.id, senior, anna, NOW, "ouder", expected_version=seen.version)
    assert load_inquiry(db, inquiry.id).owner_id == bram.id  # Bram's pick-up stands

    mine = inbox(db, bram, [inquiry.route_id], VIEW_OPEN, NOW)[0]
    transfer(db, inquiry.id, senior, anna, NOW, "ouder")  # meanwhile, elsewhere
    pick_up(db, inquiry.id, anna, NOW)
    with pytest.raises(InboxConflict):  # Bram's close must not end Anna's case there
        close(db, inquiry.id, ref.outcomes.active[0].id, bram, NOW,
              expected_version=mine.version)
    assert load_inquiry(db, inquiry.id).status == "picked_up"

    moved = register(db, ref, desk)
    shown = inbox(db, anna, [moved.route_id], VIEW_NEW, NOW)[0]
    transfer(db, moved.id, client, bram, NOW, "Wmo-aanvraag")
    with pytest.raises(InboxConflict):  # it left this team's list meanwhile
        pick_up(db, moved.id, anna, NOW, expected_version=shown.version)


def test_a_route_correction_after_the_team_closed_it_is_refused(db, ref, people):
    from balie.db.inquiries import EditConflict

    anna, _, desk = people
    inquiry = register(db, ref, desk)
    pick_up(db, inquiry.id, anna, NOW)
    close(db, inquiry.id, ref.outcomes.active[0].id, anna, NOW)
    fixed = InquiryInput(**{**{f: getattr(inquiry, f) for f in (
        "channel_id", "village_id", "topic_ids", "age", "summary")},
        "route_id": ref.route("desk").id})
    with pytest.raises(EditConflict, match="heropenen"):
        correct_inquiry(db, inquiry.id, fixed, desk, NOW)
    assert load_inquiry(db, inquiry.id).outcome_id == ref.outcomes.active[0].id


def test_reopening_an_inquiry_that_is_no_longer_a_teams_is_refused(db, ref, people):
    _, _, desk = people
    at_desk = register(db, ref, desk, route="desk")
    with pytest.raises(InboxConflict, match="niet .*bij een team"):
        reopen(db, at_desk.id, desk, NOW, "toch een team")
    assert load_inquiry(db, at_desk.id).status == "closed"


def test_the_wait_until_pick_up_is_measured_in_working_hours(db, ref, people):
    anna, bram, desk = people
    senior = ref.route("senior_work").id
    # Registered Friday 6 March 2026 at 15:30 (Amsterdam), picked up Monday at 10:00:
    # 1.5 working hours on Friday and 1 on Monday.
    friday = datetime(2026, 3, 6, 14, 30, tzinfo=UTC)
    inquiry = register(db, ref, desk, at=friday)
    pick_up(db, inquiry.id, anna, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    wait = "SELECT wait_minutes FROM inquiry WHERE id = ?"
    assert db.execute(wait, [inquiry.id]).fetchone() == (150,)
    # A transfer puts it in another team's list: its wait there starts again.
    transfer(db, inquiry.id, senior, lead(db), datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
             "past beter bij seniorenwerk")
    assert db.execute(wait, [inquiry.id]).fetchone() == (None,)
    pick_up(db, inquiry.id, bram, datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    assert db.execute(wait, [inquiry.id]).fetchone() == (120,)  # 11:00 to 13:00 there
