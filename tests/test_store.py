"""Inquiries round-trip through the store, and every change lands in the history."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from balie.db.inquiries import (
    STATUS_CLOSED,
    STATUS_NEW,
    InquiryInput,
    correct_inquiry,
    history,
    load_inquiry,
    save_inquiry,
)
from tests.conftest import FROZEN_NOW, lead


def make_input(ref, **changes) -> InquiryInput:
    values = dict(
        channel_id=ref.channels.named("Telefoon").id,
        village_id=ref.villages.named("Hooghalen").id,
        route_id=ref.route("senior_work").id,
        topic_ids=(ref.topics.named("Eenzaamheid en contact").id,),
        age=78,
        gender="f",
        summary="Voelt zich alleen sinds de verhuizing",
    )
    return InquiryInput(**(values | changes))


def test_a_saved_inquiry_reads_back_exactly(db, ref, staff):
    data = make_input(
        ref,
        topic_ids=(ref.topics.named("Wonen").id, ref.topics.named("Financiën").id),
        consent=True,
        person_name="Ëlla d'Ancona-Müller",
        phone="+31612345678",
        postcode="9411 AB",
        callback_at=FROZEN_NOW + timedelta(days=1),
        urgent=True,
    )
    saved = save_inquiry(db, data, staff, FROZEN_NOW)
    again = load_inquiry(db, saved.id)
    assert again == saved
    assert again.person_name == "Ëlla d'Ancona-Müller"
    assert set(again.topic_ids) == set(data.topic_ids)
    assert again.registered_at == FROZEN_NOW
    assert again.registered_by == staff.id
    assert again.callback_at == FROZEN_NOW + timedelta(days=1)
    assert again.status == STATUS_NEW  # a team route waits to be picked up


def test_desk_and_external_routes_are_closed_at_once(db, ref, staff):
    desk = save_inquiry(db, make_input(ref, route_id=ref.route("desk").id), staff, FROZEN_NOW)
    external = save_inquiry(
        db,
        make_input(ref, route_id=ref.route("external").id,
                   referral_ids=(ref.directory.named("Juridisch Loket").id,)),
        staff,
        FROZEN_NOW,
    )
    assert desk.status == external.status == STATUS_CLOSED


def test_personal_fields_need_consent(db, ref, staff):
    with pytest.raises(ValueError):
        make_input(ref, person_name="Jan")
    # The database refuses it too, whoever writes.
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE inquiry SET phone = '+31612345678' WHERE id = ?", [saved.id])


def test_hostile_text_is_stored_as_text(db, ref, staff):
    summary = "'); DROP TABLE inquiry; --\x00\x1b[31m" + "lang " * 2000
    saved = save_inquiry(db, make_input(ref, summary=summary), staff, FROZEN_NOW)
    assert load_inquiry(db, saved.id).summary == summary
    assert db["inquiry"].exists()


def test_creation_and_every_correction_land_in_the_history(db, ref, staff):
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    later = FROZEN_NOW + timedelta(minutes=5)
    corrected = make_input(
        ref,
        route_id=ref.route("social_work").id,
        age=79,
        consent=True,
        person_name="Geheime Naam",
        topic_ids=(ref.topics.named("Psychosociaal").id,),
    )
    changed = correct_inquiry(db, saved.id, corrected, staff, later, reason="belde terug")
    assert set(changed) == {"route_id", "age", "consent", "person_name", "topic_ids"}

    events = history(db, lead(db), saved.id)
    assert events[0].kind == "created"
    assert events[0].to_route_id == ref.route("senior_work").id
    by_field = {e.field: e for e in events if e.kind == "correction"}
    route = next(e for e in events if e.kind == "route")
    assert (route.from_route_id, route.to_route_id) == (
        ref.route("senior_work").id,
        ref.route("social_work").id,
    )
    assert route.reason == "belde terug" and route.staff_name == "Test Balie"
    assert (by_field["age"].old_value, by_field["age"].new_value) == ("78", "79")
    # Personal values never enter the history, only the fact that they changed.
    assert by_field["person_name"].old_value is None
    assert by_field["person_name"].new_value is None
    assert "Geheime Naam" not in str(list(db.query("SELECT * FROM inquiry_event")))
    assert load_inquiry(db, saved.id).age == 79


def test_a_correction_without_changes_writes_nothing(db, ref, staff):
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    assert correct_inquiry(db, saved.id, make_input(ref), staff, FROZEN_NOW) == []
    assert len(history(db, lead(db), saved.id)) == 1


def test_summary_corrections_do_not_keep_the_old_text(db, ref, staff):
    saved = save_inquiry(db, make_input(ref, summary="bsn 111222333 van Jan"), staff,
                         FROZEN_NOW)
    correct_inquiry(db, saved.id, make_input(ref, summary="iets zonder nummer"), staff,
                    FROZEN_NOW, reason="BSN weggehaald")
    (event,) = [e for e in history(db, lead(db), saved.id) if e.kind == "correction"]
    assert event.field == "summary" and event.old_value is None and event.new_value is None
    assert "111222333" not in str(list(db.query("SELECT * FROM inquiry_event")))


def test_a_correction_reason_is_cleaned_and_kept_short(db, ref, staff):
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    correct_inquiry(db, saved.id, make_input(ref, age=80), staff, FROZEN_NOW,
                    reason="\x1b[31m" + "lang " * 100)
    (event,) = [e for e in history(db, lead(db), saved.id) if e.kind == "correction"]
    assert len(event.reason) == 200 and "\x1b" not in event.reason


def test_every_change_raises_the_version(db, ref, staff):
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    assert saved.version == 1
    correct_inquiry(db, saved.id, make_input(ref, age=80), staff, FROZEN_NOW,
                    expected_version=1)
    assert load_inquiry(db, saved.id).version == 2
    from balie.db.inquiries import EditConflict

    with pytest.raises(EditConflict):
        correct_inquiry(db, saved.id, make_input(ref, age=81), staff, FROZEN_NOW,
                        expected_version=1)


def test_earlier_contacts_by_phone_and_by_full_name_newest_first(db, ref, staff):
    from balie.db.inquiries import (
        MAX_SHOWN_IDS,
        EarlierContacts,
        earlier_contacts,
        last_channel_code,
        name_query,
    )

    phone, day = "+31612345678", timedelta(days=1)

    def register(at, route="senior_work", channel="Telefoon", **personal):
        return save_inquiry(db, make_input(ref, route_id=ref.route(route).id, consent=True,
                                           channel_id=ref.channels.named(channel).id,
                                           **personal), staff, at).id

    first = register(FROZEN_NOW - 3 * day, phone=phone, person_name="Anna de Boer")
    other = register(FROZEN_NOW - 2 * day, person_name="Anna de Boer")
    last = register(FROZEN_NOW - day, "desk", "Balie", phone=phone)
    by_phone, by_name = earlier_contacts(db, staff, phone, "anna  de boer", FROZEN_NOW)
    assert by_phone == EarlierContacts("telefoonnummer", 2, FROZEN_NOW - day,
                                       "Afgehandeld aan de balie", (last, first))
    assert by_name == EarlierContacts("naam", 2, FROZEN_NOW - 2 * day, "Seniorenwerk",
                                      (other, first))
    # The inquiry being corrected is not its own earlier contact.
    assert earlier_contacts(db, staff, phone, None, FROZEN_NOW, last)[0].ids == (first,)
    # A first name alone would match half the municipality: no search.
    assert earlier_contacts(db, staff, None, "Anna", FROZEN_NOW) == []
    assert name_query("Anna") is None and name_query("Anna de-Boer") == '"Anna" "de" "Boer"'
    assert last_channel_code(db, staff.id) == ref.channels.named("Balie").code
    # At most MAX_SHOWN_IDS numbers (the newest) go to the audit log; all are counted.
    many = [register(FROZEN_NOW - 10 * day + timedelta(minutes=k), phone="+31699999999")
            for k in range(MAX_SHOWN_IDS + 1)]
    (found,) = earlier_contacts(db, staff, "+31699999999", None, FROZEN_NOW)
    assert found.count == MAX_SHOWN_IDS + 1
    assert found.ids == tuple(reversed(many))[:MAX_SHOWN_IDS]
    logged = db.execute("SELECT detail FROM audit_log WHERE action = 'search' ORDER BY id"
                        ).fetchall()
    assert logged[0] == (f"telefoonnummer: 2 ({last}, {first}); naam: 2 ({other}, {first})",)
    assert logged[2] == ("niets gevonden",)


def test_saving_removes_the_draft_it_was_typed_in_and_no_other(db, ref, staff):
    from balie.db.drafts import save_draft

    typed = save_draft(db, None, staff.id, "balie-1", 101, '{"village": "Elp"}', FROZEN_NOW)
    other = save_draft(db, None, staff.id, "balie-2", 102, '{"village": "Spier"}', FROZEN_NOW)
    save_inquiry(db, make_input(ref), staff, FROZEN_NOW)  # not from a draft
    assert db.execute("SELECT count(*) FROM draft").fetchone() == (2,)
    save_inquiry(db, make_input(ref), staff, FROZEN_NOW, draft_id=typed)
    assert db.execute("SELECT id FROM draft").fetchall() == [(other,)]


def test_viewing_an_inquiry_gives_it_whole_and_logs_only_what_holds_personal_text(db, ref,
                                                                                   staff):
    from balie.db.inquiries import get_inquiry

    plain = save_inquiry(db, make_input(ref, summary=""), staff, FROZEN_NOW)  # no free text
    personal = save_inquiry(db, make_input(ref, summary="", consent=True,
                                           phone="+31612345678"), staff, FROZEN_NOW)
    assert get_inquiry(db, staff, plain.id, FROZEN_NOW, purpose="lijst") == plain
    assert get_inquiry(db, staff, personal.id, FROZEN_NOW, purpose="lijst") == personal
    viewed = db.execute("SELECT inquiry_id, detail FROM audit_log WHERE action = 'view'"
                        ).fetchall()
    assert viewed == [(personal.id, "lijst")]
    correct_inquiry(db, plain.id, make_input(ref, summary="", age=79), staff, FROZEN_NOW,
                    reason="leeftijd verkeerd verstaan")  # a reason is free text too
    get_inquiry(db, staff, plain.id, FROZEN_NOW, purpose="historie")
    assert db.execute("SELECT inquiry_id, detail FROM audit_log WHERE action = 'view' "
                      "ORDER BY id").fetchall()[-1] == (plain.id, "historie")


# --- what each part of saving and correcting leaves in the tables -------------------------


def _referrals(db, inquiry_id: int) -> list[tuple[int, int]]:
    return db.execute("SELECT entry_id, position FROM inquiry_referral WHERE inquiry_id = ? "
                      "ORDER BY position", [inquiry_id]).fetchall()


def test_referrals_keep_the_order_they_were_given_once_each(db, ref, staff):
    first, second = (entry.id for entry in ref.directory.all[:2])
    saved = save_inquiry(db, make_input(ref, route_id=ref.route("external").id,
                                        referral_ids=(second, first, second)),
                         staff, FROZEN_NOW)
    assert saved.referral_ids == (second, first)
    # Positions count from 1, as the migration gave the one referral an inquiry had.
    assert _referrals(db, saved.id) == [(second, 1), (first, 2)]


def test_a_new_inquiry_waits_in_a_teams_list_or_is_closed_at_the_desk(db, ref, staff):
    team = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    desk = save_inquiry(db, make_input(ref, route_id=ref.route("desk").id), staff, FROZEN_NOW)
    assert (team.queued_at, team.closed_at) == (FROZEN_NOW, None)
    assert (desk.queued_at, desk.closed_at) == (None, FROZEN_NOW)


def test_a_correction_of_referrals_replaces_them_and_says_what_they_were(db, ref, staff):
    first, second, third = (entry.id for entry in ref.directory.all[:3])
    external = ref.route("external").id
    saved = save_inquiry(db, make_input(ref, route_id=external, referral_ids=(first, second)),
                         staff, FROZEN_NOW)
    later = FROZEN_NOW + timedelta(minutes=3)
    assert correct_inquiry(db, saved.id, make_input(ref, route_id=external,
                                                    referral_ids=(third, third)),
                           staff, later) == ["referral_ids"]
    assert load_inquiry(db, saved.id).referral_ids == (third,)
    assert _referrals(db, saved.id) == [(third, 1)]
    # Every referral taken away: the history says there is none now.
    correct_inquiry(db, saved.id, make_input(ref, route_id=external), staff, later)
    assert _referrals(db, saved.id) == []
    changes = [(e.old_value, e.new_value) for e in history(db, lead(db), saved.id)
               if e.field == "referral_ids"]
    assert changes == [(f"{first},{second}", f"{third}"), (f"{third}", None)]
    logged = db.execute("SELECT detail FROM audit_log WHERE action = 'correct' ORDER BY id"
                        ).fetchall()
    assert logged == [("referral_ids",), ("referral_ids",)]


def test_a_correction_of_topics_replaces_them(db, ref, staff):
    wonen, geld = ref.topics.named("Wonen").id, ref.topics.named("Financiën").id
    saved = save_inquiry(db, make_input(ref, topic_ids=(wonen,)), staff, FROZEN_NOW)
    correct_inquiry(db, saved.id, make_input(ref, topic_ids=(geld, wonen)), staff, FROZEN_NOW)
    assert set(load_inquiry(db, saved.id).topic_ids) == {wonen, geld}
    correct_inquiry(db, saved.id, make_input(ref, topic_ids=(geld,)), staff, FROZEN_NOW)
    assert load_inquiry(db, saved.id).topic_ids == (geld,)


def test_a_route_correction_to_the_desk_closes_it_in_the_history(db, ref, staff):
    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    correct_inquiry(db, saved.id, make_input(ref, route_id=ref.route("desk").id), staff,
                    FROZEN_NOW, reason="toch aan de balie beantwoord")
    status = [(e.old_value, e.new_value, e.reason) for e in history(db, lead(db), saved.id)
              if e.kind == "status"]
    assert status == [(STATUS_NEW, STATUS_CLOSED, "toch aan de balie beantwoord")]
    assert load_inquiry(db, saved.id).status == STATUS_CLOSED


def test_correcting_removes_the_draft_it_was_typed_in_and_no_other(db, ref, staff):
    from balie.db.drafts import save_draft

    saved = save_inquiry(db, make_input(ref), staff, FROZEN_NOW)
    typed = save_draft(db, None, staff.id, "balie-1", 101, '{"age": "79"}', FROZEN_NOW)
    other = save_draft(db, None, staff.id, "balie-2", 102, '{"village": "Spier"}', FROZEN_NOW)
    correct_inquiry(db, saved.id, make_input(ref, age=80), staff, FROZEN_NOW)
    assert db.execute("SELECT count(*) FROM draft").fetchone() == (2,)
    correct_inquiry(db, saved.id, make_input(ref, age=79), staff, FROZEN_NOW, draft_id=typed)
    assert db.execute("SELECT id FROM draft").fetchall() == [(other,)]


def test_a_new_callback_time_is_a_callback_still_to_make(db, ref, staff):
    from balie.db.inbox import callback_done

    at = FROZEN_NOW + timedelta(hours=2)
    data = make_input(ref, consent=True, phone="+31612345678", callback_at=at)
    saved = save_inquiry(db, data, staff, FROZEN_NOW)
    callback_done(db, saved.id, at, staff, at)
    # Another field corrected: the callback made stays made.
    correct_inquiry(db, saved.id, make_input(ref, consent=True, phone="+31612345678",
                                             callback_at=at, age=80), staff, at)
    assert load_inquiry(db, saved.id).callback_done_at == at
    later = at + timedelta(days=1)
    correct_inquiry(db, saved.id, make_input(ref, consent=True, phone="+31612345678",
                                             callback_at=later, age=80), staff, at)
    assert load_inquiry(db, saved.id).callback_done_at is None


def test_taking_a_follow_up_time_away_keeps_a_result_already_found(db, ref, staff):
    from balie.db.followup import followup_done
    from balie.domain.followup import PENDING

    external = ref.route("external").id
    entry = ref.directory.all[0].id
    at = FROZEN_NOW + timedelta(days=14)

    def data(followup_at, age=78):
        return make_input(ref, route_id=external, referral_ids=(entry,), consent=True,
                          phone="+31612345678", followup_at=followup_at, age=age)

    pending = save_inquiry(db, data(at), staff, FROZEN_NOW)
    found = save_inquiry(db, data(at), staff, FROZEN_NOW)
    followup_done(db, found.id, at, "helped", staff, at)
    # Another field corrected: the follow-up and its result stay as they are.
    correct_inquiry(db, found.id, data(at, age=79), staff, at)
    assert (load_inquiry(db, found.id).followup_result,
            load_inquiry(db, found.id).followup_done_at) == ("helped", at)
    for saved in (pending, found):
        correct_inquiry(db, saved.id, data(None), staff, at)
    assert load_inquiry(db, pending.id).followup_result is None  # cancelled
    assert (load_inquiry(db, found.id).followup_result,
            load_inquiry(db, found.id).followup_done_at) == ("helped", at)
    # A new time is a follow-up still to make.
    correct_inquiry(db, found.id, data(at + timedelta(days=7)), staff, at)
    assert (load_inquiry(db, found.id).followup_result,
            load_inquiry(db, found.id).followup_done_at) == (PENDING, None)


def test_todays_desk_list_names_the_topics(db, ref, staff):
    from balie.db.inquiries import desk_inquiries
    from balie.domain.periods import containing

    wonen, geld = ref.topics.named("Wonen").id, ref.topics.named("Financiën").id
    save_inquiry(db, make_input(ref, topic_ids=(wonen,)), staff, FROZEN_NOW)
    save_inquiry(db, make_input(ref, topic_ids=(geld,)), staff, FROZEN_NOW)
    rows = desk_inquiries(db, staff, containing("day", FROZEN_NOW.date()).span)
    assert [row.topics for row in rows] == ["Financiën", "Wonen"]  # newest first


def test_earlier_contacts_go_by_time_then_number_not_by_route(db, ref, staff):
    from balie.db.inquiries import earlier_contacts, name_query

    def register(at, route, phone):
        return save_inquiry(db, make_input(ref, route_id=ref.route(route).id, consent=True,
                                           phone=phone), staff, at).id

    day = timedelta(days=1)
    # Registered out of order (an import), on routes in both orders.
    for phone, (older, newer) in (("+31611111111", ("desk", "senior_work")),
                                  ("+31622222222", ("senior_work", "desk"))):
        newest = register(FROZEN_NOW - day, newer, phone)
        oldest = register(FROZEN_NOW - 3 * day, older, phone)
        same_time = register(FROZEN_NOW - 3 * day, older, phone)
        (found,) = earlier_contacts(db, staff, phone, None, FROZEN_NOW)
        assert found.ids == (newest, same_time, oldest)
        assert found.last_at == FROZEN_NOW - day
        assert found.last_route == ref.route(newer).name
    # Two words are enough to search by name.
    assert name_query("Anna Boer") == '"Anna" "Boer"'


def test_a_moment_handed_to_sqlite_as_it_is_is_stored_as_every_moment(db):
    from balie.domain.timekeeping import from_db

    (stored,) = db.execute("SELECT ?", [FROZEN_NOW]).fetchone()
    assert stored == "2026-03-10T09:30:00Z" and from_db(stored) == FROZEN_NOW


def test_a_follow_up_moment_stored_in_pythons_form_is_repaired_on_upgrade(db_path, tmp_path):
    from balie.db.connection import connect
    from balie.db.migrations import migrate
    from balie.db.reference import load_reference
    from tests.conftest import member

    db = connect(db_path)
    migrate(db, stop_before="0012_followup_moments")
    ref = load_reference(db)
    saved = save_inquiry(db, make_input(ref), member(db, "test.balie"), FROZEN_NOW)
    with db.write():  # what the correction wrote before this version
        db.execute("UPDATE inquiry SET followup_result = 'helped', followup_done_at = ? "
                   "WHERE id = ?", ["2026-03-24 09:30:00.250000+00:00", saved.id])
    with pytest.raises(ValueError):
        load_inquiry(db, saved.id)
    assert migrate(db) == ["0012_followup_moments"]
    assert load_inquiry(db, saved.id).followup_done_at == FROZEN_NOW + timedelta(days=14)
    db.close()
