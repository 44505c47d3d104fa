"""What the intake form means: field messages, suggestion, and the inquiry to save."""

from __future__ import annotations

import pytest

from balie.db.inquiries import save_inquiry
from balie.domain.intake import IntakeDraft, check, draft_from_inquiry
from balie.domain.routing import default_rules_text, parse_rules
from tests.conftest import FROZEN_NOW


@pytest.fixture
def rules(ref):
    return parse_rules(default_rules_text(), ref)


def anonymous_call(**changes) -> IntakeDraft:
    values = dict(channel="phone", village="hooghalen", age="78", topics="e",
                  summary="Voelt zich alleen", route="senior_work")
    return IntakeDraft(**(values | changes))


def test_a_complete_anonymous_call_becomes_an_inquiry(ref, rules):
    result = check(anonymous_call(), ref, rules, FROZEN_NOW, for_save=True)
    assert result.errors == {}
    data = result.data
    assert data.village_id == ref.villages.named("Hooghalen").id
    assert data.topic_ids == (ref.topics.named("Eenzaamheid en contact").id,)
    assert data.route_id == ref.route("senior_work").id
    assert (data.age, data.consent, data.person_name, data.phone) == (78, False, None, None)
    assert result.suggestion.route.code == "senior_work"
    assert result.suggestion.reason == "78 jaar, eenzaamheid en contact -> seniorenwerk"


def test_the_kaart_suggestions_know_the_forms_topics_and_village(ref, rules):
    from balie.domain.directory_search import Context

    result = check(anonymous_call(topics="e, wonen"), ref, rules, FROZEN_NOW)
    assert result.context == Context(
        frozenset({ref.topics.named("Eenzaamheid en contact").id,
                   ref.topics.named("Wonen").id}),
        ref.villages.named("Hooghalen").id)
    # Nothing chosen yet: every entry counts as helping (see Context.rank).
    assert check(IntakeDraft(channel="phone"), ref, rules, FROZEN_NOW).context == Context()


def test_a_half_filled_form_shows_no_complaints_about_empty_fields(ref, rules):
    result = check(IntakeDraft(channel="phone", village="bei"), ref, rules, FROZEN_NOW)
    assert result.errors == {} and result.data is None


def test_saving_names_every_missing_field(ref, rules):
    result = check(IntakeDraft(channel="phone"), ref, rules, FROZEN_NOW, for_save=True)
    assert set(result.errors) == {"village", "topics", "route"}
    assert "onbekend" in result.errors["village"]
    assert "Ctrl+R" in result.errors["route"]


def test_an_ambiguous_village_asks_which_one(ref, rules):
    result = check(anonymous_call(village="hoog"), ref, rules, FROZEN_NOW)
    assert result.errors["village"] == "Bedoelt u Hoogersmilde of Hooghalen?"


def test_an_unknown_village_suggests_onbekend(ref, rules):
    result = check(anonymous_call(village="Assen"), ref, rules, FROZEN_NOW)
    assert "'onbekend'" in result.errors["village"]


def test_without_consent_personal_details_are_not_kept(ref, rules):
    draft = anonymous_call(name="Jan de Vries", phone="06-12345678", postcode="9411ab")
    result = check(draft, ref, rules, FROZEN_NOW, for_save=True)
    assert "anoniem" in result.warnings["consent"]
    assert result.data.person_name is None and result.data.phone is None
    assert result.data.postcode is None and not result.data.consent


def test_with_consent_personal_details_are_kept_normalised(ref, rules):
    draft = anonymous_call(consent=True, name="'t Hart", phone="06-12345678",
                           postcode="9411ab", callback="morgen 10u")
    data = check(draft, ref, rules, FROZEN_NOW, for_save=True).data
    assert (data.person_name, data.phone, data.postcode) == ("'t Hart", "+31612345678",
                                                            "9411 AB")
    assert data.callback_at.isoformat() == "2026-03-11T10:00:00+01:00"


def test_a_callback_needs_a_phone_number_and_consent(ref, rules):
    no_phone = check(anonymous_call(callback="14:30"), ref, rules, FROZEN_NOW)
    assert "telefoonnummer" in no_phone.errors["callback"]
    no_consent = check(anonymous_call(callback="14:30", phone="0612345678"), ref, rules,
                       FROZEN_NOW)
    assert "toestemming" in no_consent.errors["consent"]


def test_domestic_violence_makes_the_inquiry_urgent(ref, rules):
    result = check(anonymous_call(topics="hg", route="social_work"), ref, rules, FROZEN_NOW,
                   for_save=True)
    assert result.urgent_reason and result.data.urgent
    assert result.suggestion.route.code == "social_work"


def test_extern_doorverwezen_asks_to_whom(ref, rules):
    result = check(anonymous_call(route="external"), ref, rules, FROZEN_NOW, for_save=True)
    assert result.errors == {"referral": "Naar wie is doorverwezen? Kies een adres van de "
                                         "sociale kaart."}
    fixed = check(anonymous_call(route="external", referral="jur"), ref, rules, FROZEN_NOW,
                  for_save=True)
    assert [ref.directory[e].name for e in fixed.data.referral_ids] == ["Juridisch Loket"]


def test_a_bsn_in_the_summary_is_flagged(ref, rules):
    result = check(anonymous_call(summary="BSN 111222333"), ref, rules, FROZEN_NOW)
    assert result.bsn == ("111222333",)
    assert "BSN" in result.warnings["summary"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("age", "oud"), ("phone", "123"), ("postcode", "12"), ("callback", "gisteren"),
     ("topics", "xyz"), ("summary", "x" * 2001)],
)
def test_bad_fields_block_saving_with_a_message(ref, rules, field, value):
    changes = {field: value}
    if field in ("phone", "postcode", "callback"):
        changes |= {"consent": True, "phone": changes.get("phone", "0612345678")}
    result = check(anonymous_call(**changes), ref, rules, FROZEN_NOW, for_save=True)
    assert field in result.errors and result.data is None


def test_draft_json_round_trips_and_tolerates_other_versions():
    draft = anonymous_call(consent=True, name="Ëlla", urgent=True, correction_of=7)
    assert IntakeDraft.from_json(draft.to_json()) == draft
    newer = draft.to_json().replace('"age"', '"kleur": "rood", "age"')
    assert IntakeDraft.from_json(newer) == draft
    assert IntakeDraft(channel="email").is_blank()
    assert not anonymous_call().is_blank()


def test_a_saved_inquiry_opens_unchanged_for_correction(db, ref, rules, staff):
    draft = anonymous_call(consent=True, name="d'Ancona", phone="0593-123456",
                           callback="morgen 10u", topics="fin, wonen", route="external",
                           referral="Huisarts", gender="f")
    data = check(draft, ref, rules, FROZEN_NOW, for_save=True).data
    saved = save_inquiry(db, data, staff, FROZEN_NOW)
    reopened = draft_from_inquiry(saved, ref)
    again = check(reopened, ref, rules, FROZEN_NOW, for_save=True)
    assert again.errors == {}
    assert again.data == data


def test_a_draft_is_described_in_a_few_words_for_the_offer_at_the_next_start():
    long = "Buurvrouw belt over  zorgen\nthuis en eenzaamheid, al weken lang"
    draft = IntakeDraft(village=" Wijster ", age=" 81 ", topics="eenz", summary=long,
                        name="Ëlla")
    assert draft.describe() == (
        "Wijster, 81 jaar, eenz, Buurvrouw belt over zorgen thuis en eenz…, "
        "met contactgegevens")
    exactly_forty = "x" * 40
    assert IntakeDraft(summary=exactly_forty).describe() == exactly_forty  # whole: no …
    assert IntakeDraft(phone="06").describe() == "met contactgegevens"
    assert IntakeDraft(channel="email", urgent=True).describe() == \
        "alleen keuzevelden ingevuld"


def test_without_consent_a_stored_draft_holds_no_personal_detail():
    typed = dict(village="Elp", name="Ëlla Geheim", phone="0612345678", postcode="9411AB",
                 callback="morgen", summary="verhaal")
    assert IntakeDraft(**typed).storable() == IntakeDraft(village="Elp", summary="verhaal")
    with_consent = IntakeDraft(**typed, consent=True)
    assert with_consent.storable() == with_consent
    stored = IntakeDraft.from_json(with_consent.to_json())
    assert stored == with_consent and stored.consent is True
    assert "Ëlla Geheim" in with_consent.to_json()  # as typed, not escaped
    assert not IntakeDraft(urgent=True).is_blank() and not IntakeDraft(consent=True).is_blank()
    assert IntakeDraft().urgent is False and IntakeDraft().consent is False


def test_type_ahead_offers_active_entries_and_retired_ones_only_to_a_correction(db, ref):
    from balie.db import directory
    from balie.db.reference import KINDS, load_reference, set_retired
    from balie.domain.intake import referral_candidates, topic_candidates, village_candidates
    from tests.conftest import admin

    names = [c.name for c in village_candidates(ref)]
    assert names[:3] == ["Beilen", "Westerbork", "Smilde"]  # the largest first
    assert [c.name for c in topic_candidates(ref)] == [t.name for t in ref.topics.active]
    assert [c.name for c in referral_candidates(ref)] == [
        r.name for r in ref.directory.active]
    beheer = admin(db)
    set_retired(db, beheer, KINDS["villages"], "Beilen", True)
    set_retired(db, beheer, KINDS["topics"], "Wonen", True)
    huisarts = next(e for e in ref.directory.active if e.name.startswith("Huisarts"))
    directory.set_retired(db, beheer, huisarts.id, True, FROZEN_NOW)
    after = load_reference(db)  # beheer's change: a new reference, new candidates
    assert "Beilen" not in [c.name for c in village_candidates(after)]
    assert [c.name for c in village_candidates(after, retired=True)][-1] == "Beilen"
    assert "Wonen" not in [c.name for c in topic_candidates(after)]
    assert [c.name for c in topic_candidates(after, retired=True)][-1] == "Wonen"
    assert huisarts.name not in [c.name for c in referral_candidates(after)]
    assert [c.name for c in referral_candidates(after, retired=True)][-1] == huisarts.name
    assert "Beilen" in [c.name for c in village_candidates(ref)]  # the old one unchanged


def test_type_ahead_names_the_options_for_what_is_typed(ref):
    from balie.domain.intake import (
        last_piece_matches,
        single_matches,
        topic_candidates,
        village_candidates,
    )

    assert single_matches(" hoog ", village_candidates(ref)) == (
        ["Hoogersmilde", "Hooghalen"], "hoog")
    topics = topic_candidates(ref)
    assert last_piece_matches("fin, w", topics) == (
        ["Wonen", "Werk en inkomen", "Zorg en Wmo"], "w")
    assert last_piece_matches("fin, zzq", topics) == ([], "zzq")
    assert last_piece_matches("fin", topics) == ([], "")


@pytest.mark.parametrize("field, typed, said", [
    ("village", "hoog", "Bedoelt u Hoogersmilde of Hooghalen?"),
    ("village", "w", "Bedoelt u Westerbork, Wijster of Witteveen?"),
    ("topics", "w", "'w': Wonen, Werk en inkomen of Zorg en Wmo?"),
    ("topics", "s, fin", "'s': Financiën, Hulpmiddelen en vervoer of Psychosociaal?"),
    ("topics", "zzq, s", "'zzq' is geen onderwerp; 's': Financiën, Hulpmiddelen en vervoer "
                         "of Psychosociaal?"),
    ("topics", "zzq", "'zzq' is geen onderwerp."),
])
def test_a_choice_that_could_be_several_names_at_most_three(ref, rules, field, typed, said):
    assert check(anonymous_call(**{field: typed}), ref, rules, FROZEN_NOW).errors == {
        field: said}


def test_a_retired_choice_is_refused_for_a_new_registration_and_kept_in_a_correction(db):
    from balie.db.reference import KINDS, load_reference, set_retired
    from tests.conftest import admin

    beheer = admin(db)
    set_retired(db, beheer, KINDS["channels"], "E-mail", True)
    set_retired(db, beheer, KINDS["villages"], "Orvelte", True)
    set_retired(db, beheer, KINDS["routes"], "Extern doorverwezen", True)
    reference = load_reference(db)
    rules = parse_rules(default_rules_text(), reference)
    old = anonymous_call(channel="email", village="Orvelte", route="external",
                         referral="Huisarts")
    new = check(old, reference, rules, FROZEN_NOW, for_save=True)
    assert new.errors == {"channel": "Kies een kanaal.",
                          "village": "'Orvelte' is geen dorp in de lijst; kies 'onbekend' als "
                                     "het niet bekend is.",
                          "route": "Extern doorverwezen wordt niet meer gebruikt; kies een "
                                   "andere route."}
    corrected = check(IntakeDraft(**{**old.__dict__, "correction_of": 7}), reference, rules,
                      FROZEN_NOW, for_save=True)
    assert corrected.errors == {} and corrected.data is not None


def test_a_suggestion_comes_from_the_topics_without_a_village(ref, rules):
    assert check(anonymous_call(village="", age=""), ref, rules, FROZEN_NOW).suggestion
    assert check(anonymous_call(village="", topics="", age="78"), ref, rules,
                 FROZEN_NOW).suggestion is None


def test_only_personal_details_without_consent_are_warned_about(ref, rules):
    assert check(anonymous_call(), ref, rules, FROZEN_NOW, for_save=True).warnings == {}
    assert check(anonymous_call(consent=True, name="Jan de Vries"), ref, rules, FROZEN_NOW,
                 for_save=True).warnings == {}
    refused = check(anonymous_call(callback="14:30", phone="0612345678"), ref, rules,
                    FROZEN_NOW)
    assert "consent" in refused.errors and "consent" not in refused.warnings  # said once
    kept = check(anonymous_call(consent=True, phone="0612345678"), ref, rules, FROZEN_NOW,
                 for_save=True).data
    assert kept.phone == "+31612345678" and kept.callback_at is None


def test_a_summary_of_41_characters_is_shortened_in_the_offer():
    assert IntakeDraft(summary="y" * 41).describe() == "y" * 40 + "…"


def test_a_referral_that_could_be_several_is_asked_as_a_question(ref, rules):
    """The Naar field says its options as the topics field does: a question ends in "?",
    never in "?."; a piece that names nothing ends the sentence with a full stop."""
    asked = check(anonymous_call(route="external", referral="zz, hu"), ref, rules,
                  FROZEN_NOW).errors["referral"]
    assert asked.startswith("'zz' staat niet op de sociale kaart; 'hu': ")
    assert "Humanitas" in asked and asked.endswith("?") and not asked.endswith("?.")
    unknown = check(anonymous_call(route="external", referral="zz"), ref, rules,
                    FROZEN_NOW).errors["referral"]
    assert unknown == "'zz' staat niet op de sociale kaart."


def referred(**changes) -> IntakeDraft:
    """A call referred to the Voedselbank, with a phone number kept with consent."""
    values = dict(topics="fin", route="external", referral="Voedselbank", consent=True,
                  phone="0612345678")
    return anonymous_call(**(values | changes))


def test_a_follow_up_in_the_form_belongs_to_an_address(ref, rules):
    # "j": in two weeks, at the start of that Tuesday's working day.
    saved = check(referred(followup="j"), ref, rules, FROZEN_NOW, for_save=True)
    assert saved.errors == {} and saved.warnings == {}
    assert saved.data.followup_at.isoformat() == "2026-03-24T09:00:00+01:00"
    assert saved.followup_off_hours is None
    # No address in Naar: the follow-up has nothing to ask about.
    alone = check(referred(followup="j", referral=""), ref, rules, FROZEN_NOW)
    assert alone.errors == {"followup": "Nabellen hoort bij een adres: kies dat eerst bij "
                                        "Naar."}
    # An address that names no entry is said there, once.
    unknown = check(referred(followup="j", referral="qqqq"), ref, rules, FROZEN_NOW)
    assert set(unknown.errors) == {"referral"}
    # A team's route has no Naar field: its follow-up is the team's work.
    team = check(referred(followup="j", referral="", route="senior_work", topics="e"),
                 ref, rules, FROZEN_NOW, for_save=True)
    assert team.errors == {} and team.data.followup_at is None


def test_an_answer_at_the_desk_may_name_no_address(ref, rules):
    data = check(referred(referral="", route="desk"), ref, rules, FROZEN_NOW,
                 for_save=True).data
    assert data.referral_ids == () and data.followup_at is None


def test_a_follow_up_on_a_saturday_is_said_and_must_be_confirmed(ref, rules):
    result = check(referred(followup="za 10u"), ref, rules, FROZEN_NOW, for_save=True)
    assert result.errors == {}
    assert result.followup_off_hours and "zaterdag" in result.followup_off_hours
    assert result.warnings == {"followup": f"Let op: {result.followup_off_hours}."}


def test_a_correction_may_keep_a_follow_up_time_that_has_passed(ref, rules):
    passed = referred(followup="2-3-2026 10u")
    assert "followup" in check(passed, ref, rules, FROZEN_NOW).errors
    kept = check(IntakeDraft(**{**passed.__dict__, "correction_of": 7}), ref, rules,
                 FROZEN_NOW, for_save=True)
    assert kept.errors == {}
    assert kept.data.followup_at.isoformat() == "2026-03-02T10:00:00+01:00"
