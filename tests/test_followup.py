"""Following up a referral: "nabellen over 2 weken: is het gelukt?"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from balie.db.access import NotAllowed
from balie.db.followup import followup_done, followup_not_reached
from balie.db.inbox import CALLBACK, FOLLOWUP, InboxConflict, callbacks_due
from balie.db.inquiries import correct_inquiry, history, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.db.retention import apply_retention
from balie.domain.followup import parse_followup, parse_result
from balie.domain.models import InquiryInput
from balie.domain.parsing import InvalidInput
from balie.domain.wording import audit_detail, describe_event, detail_rows
from tests.conftest import FROZEN_NOW, lead, member
from tests.privacy_support import LONG_AGO, NOW, files_of, open_with_beheer, traces

END_OF_DAY = datetime(2026, 3, 24, 22, 0, tzinfo=UTC)
IN_TWO_WEEKS = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # 09:00 in Beilen
NOTE = "Vinkenslagnotitie: kon bij de Voedselbank terecht"


def referral(ref, *, route="external", followup=IN_TWO_WEEKS, callback=None,
             entries=("Voedselbank", "Humanitas")) -> InquiryInput:
    return InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Beilen").id,
        route_id=ref.route(route).id, topic_ids=(ref.topics.named("Financiën").id,),
        referral_ids=tuple(ref.directory.named(e).id for e in entries),
        consent=True, phone="+31612345678", person_name="Test Persoon",
        followup_at=followup, callback_at=callback)


def test_moments_and_results_as_typed():
    tuesday = FROZEN_NOW
    for text in ("j", "ja", "2w", "over 2 weken", "14 dagen", "14d"):
        assert parse_followup(text, tuesday).at == IN_TWO_WEEKS, text
    assert parse_followup("vr", tuesday).at.isoformat() == "2026-03-13T09:00:00+01:00"
    with pytest.raises(InvalidInput, match="2w"):
        parse_followup("ooit", tuesday)
    with pytest.raises(InvalidInput, match="een jaar"):
        parse_followup("60w", tuesday)
    assert parse_result("1") == ("helped", None)
    assert parse_result("4 geen gehoor") == ("not_reached", "geen gehoor")
    assert parse_result("niet geholpen, wachtlijst") == ("not_helped", ", wachtlijst")
    assert parse_result("geh") == ("helped", None)
    with pytest.raises(InvalidInput, match="1 geholpen"):
        parse_result("9")
    with pytest.raises(InvalidInput):
        parse_result("niet")  # niet geholpen or niet bereikt


def test_a_follow_up_needs_consent_and_a_phone_number(db, ref, staff):
    with pytest.raises(ValueError):
        replace(referral(ref), consent=False, phone=None, person_name=None)
    saved = save_inquiry(db, referral(ref), staff, FROZEN_NOW)
    assert saved.followup_at == IN_TWO_WEEKS and saved.followup_result == "pending"
    assert [ref.directory[e].name for e in saved.referral_ids] == ["Voedselbank", "Humanitas"]
    with pytest.raises(Exception, match="CHECK"):
        with db.write():
            db.execute("UPDATE inquiry SET phone = NULL, person_name = NULL WHERE id = ?",
                       [saved.id])


def test_due_follow_ups_are_in_the_callback_list_beside_callbacks(db, ref, staff):
    desk = member(db, "balie2", roles=("balie",))
    team = member(db, "team1", roles=("team",), team="social_work")
    inquiry = save_inquiry(db, referral(ref, callback=FROZEN_NOW + timedelta(hours=1)), staff,
                           FROZEN_NOW)
    early = callbacks_due(db, desk, FROZEN_NOW + timedelta(hours=12), FROZEN_NOW)
    assert [(r.id, r.kind) for r in early] == [(inquiry.id, CALLBACK)]
    due = callbacks_due(db, desk, END_OF_DAY, IN_TWO_WEEKS)
    assert [(r.id, r.kind) for r in due] == [(inquiry.id, CALLBACK), (inquiry.id, FOLLOWUP)]
    assert due[1].referrals == "Voedselbank, Humanitas" and due[1].phone == "+31612345678"
    assert len({r.key for r in due}) == 2
    with pytest.raises(NotAllowed):  # a team member: not the desk's calls
        followup_done(db, inquiry.id, IN_TWO_WEEKS, "helped", team, IN_TWO_WEEKS)

    later = IN_TWO_WEEKS + timedelta(days=2)
    followup_not_reached(db, inquiry.id, IN_TWO_WEEKS, later, desk, IN_TWO_WEEKS)
    with pytest.raises(InboxConflict, match="verzet"):
        followup_done(db, inquiry.id, IN_TWO_WEEKS, "helped", desk, IN_TWO_WEEKS)
    again = callbacks_due(db, desk, later + timedelta(hours=1), later)
    assert [(r.kind, r.tries) for r in again] == [(CALLBACK, 0), (FOLLOWUP, 1)]
    followup_done(db, inquiry.id, later, "helped", desk, later, NOTE)
    assert [r.kind for r in callbacks_due(db, desk, later + timedelta(hours=1), later)] \
        == [CALLBACK]
    with pytest.raises(InboxConflict, match="al gedaan"):
        followup_done(db, inquiry.id, later, "helped", desk, later)
    stored = load_inquiry(db, inquiry.id)
    assert stored.followup_result == "helped" and stored.followup_done_at == later
    events = history(db, lead(db), inquiry.id)[-2:]
    ref = load_reference(db)
    assert [describe_event(e, ref) for e in events] == [
        "nabellen: niet bereikt, opnieuw proberen", "nagebeld: geholpen"]
    assert events[-1].reason == NOTE
    # The times are personal details: they never enter the history or the audit log.
    for event in history(db, lead(db), inquiry.id):
        assert "2026-03-2" not in f"{event.old_value}{event.new_value}{event.reason}"
    audit = db.execute("SELECT action, detail FROM audit_log WHERE inquiry_id = ? "
                       "AND action = 'followup'", [inquiry.id]).fetchall()
    assert [audit_detail(a, d, ref) for a, d in audit] == [
        "niet bereikt, opnieuw proberen", "geholpen"]
    rows = dict(detail_rows(stored, ref, None))
    assert rows["Verwezen naar"] == "Voedselbank, Humanitas"
    assert rows["Nabellen"] == "26-03 09:00 (geholpen)"


def test_information_at_the_desk_reads_as_such(db, ref, staff):
    saved = save_inquiry(db, referral(ref, route="desk", entries=("Taalhuis Midden-Drenthe",),
                                      followup=None), staff, FROZEN_NOW)
    rows = dict(detail_rows(saved, ref, None))
    assert rows["Info gegeven over"] == "Taalhuis Midden-Drenthe" and "Nabellen" not in rows


def test_a_correction_moves_or_cancels_the_follow_up(db, ref, staff):
    saved = save_inquiry(db, referral(ref), staff, FROZEN_NOW)
    moved = replace(referral(ref, entries=("Voedselbank",)),
                    followup_at=IN_TWO_WEEKS + timedelta(days=7))
    changed = correct_inquiry(db, saved.id, moved, staff, FROZEN_NOW)
    assert set(changed) == {"followup_at", "referral_ids"}
    stored = load_inquiry(db, saved.id)
    assert stored.followup_result == "pending" and stored.referral_ids == moved.referral_ids
    ref = load_reference(db)
    described = [describe_event(e, ref) for e in history(db, lead(db), saved.id)[1:]]
    assert sorted(described) == ["nabellen gewijzigd",
                                 "sociale kaart: Voedselbank, Humanitas -> Voedselbank"]
    correct_inquiry(db, saved.id, replace(moved, followup_at=None), staff, FROZEN_NOW)
    assert load_inquiry(db, saved.id).followup_result is None


def test_retention_erases_the_time_and_the_note_and_keeps_the_result(tmp_path):
    path = tmp_path / "balie.db"
    db, beheer = open_with_beheer(path)
    ref = load_reference(db)
    done = save_inquiry(db, referral(ref, followup=LONG_AGO + timedelta(days=14)), beheer,
                        LONG_AGO)
    followup_done(db, done.id, LONG_AGO + timedelta(days=14), "not_helped", beheer,
                  LONG_AGO + timedelta(days=14), NOTE)
    # A follow-up still to make keeps the details until it is due (like a callback).
    waiting = save_inquiry(db, referral(ref, followup=NOW + timedelta(days=3)), beheer,
                           LONG_AGO)
    apply_retention(db, beheer, NOW)
    erased, kept = load_inquiry(db, done.id), load_inquiry(db, waiting.id)
    assert erased.followup_at is None and erased.phone is None
    assert erased.followup_result == "not_helped" and erased.referral_ids == done.referral_ids
    assert kept.phone == "+31612345678" and kept.followup_at is not None
    assert all(e.reason is None for e in history(db, lead(db), done.id))
    db.close()
    assert NOTE.encode() not in b"".join(p.read_bytes() for p in files_of(path))
    assert "Vinkenslag" not in str(traces(*files_of(path)))
