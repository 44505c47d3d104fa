"""Follow-ups of referrals in the callback list (F4), with the keyboard only."""

from __future__ import annotations

from datetime import timedelta

from balie.db import open_database
from balie.db.inquiries import InquiryInput, history, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.domain.followup import PENDING
from balie.screens.callbacks import CallbacksScreen
from balie.screens.dialog import ChoiceDialog
from tests.conftest import FROZEN_NOW, lead, member
from tests.test_inbox_screen import build, settle, shown, text


def referred(db, ref, *, followup, callback=None, entries=("Voedselbank", "Humanitas"),
             name="Ëlla de Vries"):
    desk = member(db, "desk", "Balie")
    return save_inquiry(db, InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Wijster").id,
        route_id=ref.route("external").id, topic_ids=(ref.topics.named("Financiën").id,),
        referral_ids=tuple(ref.directory.named(e).id for e in entries),
        summary="Rekeningen stapelen zich op", consent=True, person_name=name,
        phone="+31612345678", callback_at=callback, followup_at=followup), desk,
        FROZEN_NOW - timedelta(days=14)).id


async def test_a_due_follow_up_is_called_and_its_result_recorded(db_path):
    db = open_database(db_path)
    ref = load_reference(db)
    both = referred(db, ref, followup=FROZEN_NOW - timedelta(hours=1),
                    callback=FROZEN_NOW + timedelta(hours=1))
    other = referred(db, ref, followup=FROZEN_NOW + timedelta(hours=2), entries=("UWV",),
                     name="Jan Smit")
    async with build(db_path, user="desk").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallbacksScreen)
        rows = shown(screen)
        # The same inquiry twice: to follow up its referral (overdue) and to call back.
        assert [(row[1], row[2]) for row in rows] == [
            (str(both), "Nabellen"), (str(both), "Extern"), (str(other), "Nabellen")]
        # The referral it is about comes first (cut to the width at 80 columns).
        assert rows[0][7].startswith("Voedselban")
        assert text(screen, "#summary").startswith("3 te doen, waarvan 1 te laat")

        await pilot.press("g")  # on the follow-up: is het gelukt?
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert "verwezen naar Voedselbank, Humanitas: is het gelukt?" in dialog.question
        await pilot.press("1", *"kon meteen terecht", "enter")
        await settle(pilot)
        assert text(screen, "#status") == f"Nummer {both} nagebeld: geholpen."
        stored = load_inquiry(db, both)
        assert stored.followup_result == "helped" and stored.callback_done_at is None
        assert history(db, lead(db), both)[-1].reason == "kon meteen terecht"
        assert [(row[1], row[2]) for row in shown(screen)] == [
            (str(both), "Extern"), (str(other), "Nabellen")]

        await pilot.press("down", "n", *"2w", "enter")  # nobody answers: in two weeks
        await settle(pilot)
        assert "opnieuw proberen" in text(screen, "#status")
        moved = load_inquiry(db, other)
        assert moved.followup_result == PENDING
        assert moved.followup_at.date() == (FROZEN_NOW + timedelta(days=14)).date()
        assert [row[1] for row in shown(screen)] == [str(both)]

        await pilot.press("g")  # the callback: a plain note, no result to choose
        await settle(pilot)
        assert pilot.app.screen is screen and screen.query_one("#ask").display
        assert "teruggebeld" in str(screen.query_one("#ask-label").render())
    db.close()
