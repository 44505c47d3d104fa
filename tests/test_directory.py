"""The sociale kaart: its entries, the look-up, the migration from referral targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balie.db import open_database
from balie.db.access import NotAllowed
from balie.db.connection import connect
from balie.db.directory import add_entry, mark_checked, set_retired, stale_count, update_entry
from balie.db.errors import ReferenceDataError
from balie.db.inquiries import history, load_inquiry
from balie.db.migrations import migrate
from balie.db.reference import load_reference
from balie.db.reports import report
from balie.db.rules import load_rule_set
from balie.domain.directory import (
    MISSING,
    EntryProblems,
    check_entry,
    is_stale,
    reach_line,
    served_text,
)
from balie.domain.directory_search import Context, directory_index, find_entry, pick
from balie.domain.directory_seed import SEED
from balie.domain.parsing import InvalidInput
from balie.domain.periods import Period
from balie.domain.wording import describe_event
from tests.conftest import FROZEN_NOW, admin, lead, member


def names(entries) -> list[str]:
    return [e.name for e in entries]


def test_the_seed_names_the_partners_of_the_documents_and_invents_no_contact_details(ref):
    entries = ref.directory.all
    for wanted in ("Sociaal Raadsvrouw", "Budgetconsulent", "Humanitas", "De Zonnebloem",
                   "Casemanager dementie", "Huisarts", "GGZ Drenthe", "VNN — verslavingszorg",
                   "Veilig Thuis Drenthe", "Juridisch Loket", "UWV", "Gemeente Wmo-loket",
                   "Taalhuis Midden-Drenthe", "CJG — Centrum Jeugd en Gezin",
                   "Vluchtelingenwerk", "Voedselbank", "MantelzorgNL", "Actium", "Woonservice",
                   "WMD — Welzijn op Recept",
                   "WMD — Pluscafé",
                   "WMD — seniorenrestaurant",
                   "WMD — mantelzorgconsulent"):
        assert ref.directory.named(wanted) is not None, wanted
    # No phone numbers, e-mail addresses or opening hours: the documents give none.
    assert not any(e.phone or e.email or e.hours for e in entries)
    assert all(e.offers and e.topic_ids for e in entries)
    assert all(e.checked_at is None for e in entries)  # nobody checked them yet
    assert len(entries) == len(SEED)
    voedselbank = ref.directory.named("Voedselbank")
    assert reach_line(voedselbank) == f"tel. {MISSING} · {MISSING}"
    assert served_text(voedselbank, ref) == "heel Midden-Drenthe"


def test_typed_words_find_entries_by_name_words_initials_and_accents(ref):
    index = directory_index(ref)
    assert names(index.search("hum"))[0] == "Humanitas"
    assert names(index.search("vnn"))[0] == "VNN — verslavingszorg"
    assert names(index.search("pluscafe"))[0] == "WMD — Pluscafé"
    assert names(index.search("welz rec"))[0] == "WMD — Welzijn op Recept"
    assert len(index.search("welzijnswerk midden")) == 5  # WMD's own, by the long name
    # Words of what it offers, its topics and the topics' search words count too.
    assert "Voedselbank" in names(index.search("voedselpakket"))
    assert "Budgetconsulent" in names(index.search("schulden"))
    assert "VNN — verslavingszorg" in names(index.search("gokken"))
    assert index.search("qqq") == []


def test_the_inquirys_topic_and_village_come_first(db, ref):
    beheer = admin(db)
    smilde_only = check_entry({"organisation": "Schuldhulp Smilde", "topics": "Financiën",
                               "villages": "Smilde"}, ref)
    add_entry(db, beheer, smilde_only, FROZEN_NOW)
    ref = load_reference(db)
    index = directory_index(ref)
    finances = ref.topics.named("Financiën").id
    beilen, smilde = ref.villages.named("Beilen").id, ref.villages.named("Smilde").id
    in_beilen = index.search("", Context(frozenset({finances}), beilen))
    first = in_beilen[:4]
    assert all(finances in e.topic_ids for e in first), names(first)
    # An entry that does not serve the village comes after all that do.
    assert names(in_beilen)[-1] == "Schuldhulp Smilde"
    in_smilde = index.search("", Context(frozenset({finances}), smilde))
    fitting = sum(1 for e in ref.directory.active if finances in e.topic_ids)
    assert "Schuldhulp Smilde" in names(in_smilde[:fitting])
    assert all(finances in e.topic_ids for e in in_smilde[:fitting])
    # Typed words narrow the list; among the matches the context decides the order.
    housing = ref.topics.named("Wonen").id
    typed = names(index.search("w", Context(frozenset({housing}), beilen)))
    assert typed.index("Woonservice") < typed.index("WMD — Pluscafé")


def test_several_entries_in_one_field(ref):
    index = directory_index(ref)
    picked = pick("Voedselbank, hum", index)
    assert names(picked.chosen) == ["Voedselbank", "Humanitas"] and not picked.unresolved
    picked = pick("voedselbank; welzijnswerk", index)
    assert names(picked.chosen) == ["Voedselbank"]
    piece, options = picked.unresolved[0]
    assert piece == "welzijnswerk" and len(options) >= 4
    assert pick("xyz", index).unresolved == (("xyz", ()),)


def test_what_beheer_types_is_checked_field_by_field(ref):
    with pytest.raises(EntryProblems) as error:
        check_entry({"organisation": " ", "email": "geen adres", "topics": "Fietsen",
                     "villages": "Assen", "website": "www. x.nl"}, ref)
    assert set(error.value.problems) == {"organisation", "email", "topics", "villages",
                                         "website"}
    with pytest.raises(EntryProblems) as error:
        check_entry({"organisation": "A, B"}, ref)
    assert "komma" in error.value.problems["organisation"]
    entry = check_entry({"organisation": " Humanitas ", "service": "thuisadministratie",
                         "topics": "financien, ADMINISTRATIE EN FORMULIEREN",
                         "villages": "Beilen, Dorpen rond Beilen"}, ref)
    assert entry.name == "Humanitas — thuisadministratie"
    assert len(entry.topic_ids) == 2
    around_beilen = [v for v in ref.villages.all if v.area_name == "Dorpen rond Beilen"]
    assert len(entry.village_ids) == 1 + len(around_beilen)
    assert check_entry({"organisation": "X", "villages": "alle"}, ref).village_ids == ()


def test_an_entry_is_stale_twelve_months_after_its_last_check():
    from balie.domain.models import DirectoryEntry

    checked = datetime(2025, 3, 10, 12, tzinfo=UTC)
    entry = DirectoryEntry(1, "X", checked_at=checked)
    assert not is_stale(entry, checked + timedelta(days=360))
    assert is_stale(entry, datetime(2026, 3, 10, 12, tzinfo=UTC))
    # Never checked: a year after it came on the kaart.
    new = DirectoryEntry(2, "Y", added_at=checked)
    assert not is_stale(new, checked + timedelta(days=360))
    assert is_stale(new, datetime(2026, 3, 10, 12, tzinfo=UTC))


def test_beheer_adds_changes_checks_and_retires_entries(db, ref):
    beheer, desk = admin(db), member(db, "baliemedewerker")
    entry = check_entry({"organisation": "Repair Café", "topics": "Overig",
                         "phone": "0593 123456"}, ref)
    with pytest.raises(NotAllowed):
        add_entry(db, desk, entry, FROZEN_NOW)
    entry_id = add_entry(db, beheer, entry, FROZEN_NOW)
    with pytest.raises(ReferenceDataError, match="al een vermelding"):
        add_entry(db, beheer, check_entry({"organisation": "repair cafe"}, ref), FROZEN_NOW)
    changed = check_entry({"organisation": "Repair Café", "service": "Beilen",
                           "hours": "elke eerste zaterdag"}, ref)
    update_entry(db, beheer, entry_id, changed, FROZEN_NOW)
    ref = load_reference(db)
    stored = ref.directory[entry_id]
    assert stored.name == "Repair Café — Beilen" and stored.hours == "elke eerste zaterdag"
    assert stored.checked_by == "Test Beheer" and stored.checked_at == FROZEN_NOW
    # The seed was never checked: a year after it came on the kaart, all of it is stale.
    assert stale_count(db, FROZEN_NOW) == 0
    year_on = datetime.now(UTC) + timedelta(days=370)
    assert stale_count(db, year_on) == len(SEED) + 1  # and Repair Café, checked in March
    mark_checked(db, beheer, ref.directory.named("Voedselbank").id, year_on)
    assert stale_count(db, year_on) == len(SEED)
    set_retired(db, beheer, entry_id, True, FROZEN_NOW)
    ref = load_reference(db)
    assert ref.directory[entry_id].retired
    assert entry_id not in {e.entry.id for e in directory_index(ref).items}
    assert find_entry(ref, "repair").id == entry_id  # still found by beheer
    details = [r[0] for r in db.execute(
        "SELECT detail FROM audit_log WHERE action = 'reference' ORDER BY id")]
    assert details == ["sociale kaart toegevoegd: Repair Café",
                       "sociale kaart gewijzigd: Repair Café — Beilen (was Repair Café)",
                       "sociale kaart gecontroleerd: Voedselbank",
                       "sociale kaart ingetrokken: Repair Café — Beilen"]


def test_an_entry_is_named_by_number_name_or_words_that_fit_it_alone(ref):
    voedselbank = ref.directory.named("Voedselbank")
    assert find_entry(ref, str(voedselbank.id)) == voedselbank
    assert find_entry(ref, "VOEDSELBANK") == voedselbank
    assert find_entry(ref, "voedselpakket") == voedselbank
    with pytest.raises(InvalidInput, match="meer vermeldingen"):
        find_entry(ref, "welzijnswerk")
    with pytest.raises(InvalidInput, match="staat niet op de sociale kaart"):
        find_entry(ref, "9999")


def test_the_migration_keeps_the_referrals_and_their_history(db_path):
    db = connect(db_path)
    migrate(db, stop_before="0010_sociale_kaart")
    ids = {name: i for i, name in db.execute("SELECT id, name FROM referral_target")}
    with db.write():
        db.execute("INSERT INTO staff (id, username, display_name, created_at) "
                   "VALUES (1, 'oud', 'Oude Balie', '2025-01-01T00:00:00Z')")
        db.execute("INSERT INTO staff_role VALUES (1, 'balie')")
        db.execute(
            """INSERT INTO inquiry (id, registered_at, registered_by, channel_id, village_id,
                   route_id, referral_target_id, status, updated_at, intake_route_id,
                   closed_at)
               VALUES (7, '2026-03-02T09:00:00Z', 1, 1, 1,
                       (SELECT id FROM route WHERE code = 'external'), ?, 'closed',
                       '2026-03-02T09:00:00Z', (SELECT id FROM route WHERE code = 'external'),
                       '2026-03-02T09:00:00Z')""", [ids["Juridisch Loket"]])
        db.execute("INSERT INTO inquiry_topic VALUES (7, 1)")
        db.execute(
            """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, field, old_value,
                   new_value) VALUES (7, '2026-03-02T09:05:00Z', 1, 'correction',
                   'referral_target_id', ?, ?)""",
            [str(ids["Huisarts"]), str(ids["Juridisch Loket"])])
    db.close()

    upgraded = open_database(db_path)
    ref = load_reference(upgraded)
    for name, entry_id in ids.items():  # same ids, same names: rules and history hold
        assert ref.directory[entry_id].name == name
        assert ref.directory[entry_id].offers
    assert "referral_target" not in upgraded.table_names()
    assert load_inquiry(upgraded, 7).referral_ids == (ids["Juridisch Loket"],)
    events = history(upgraded, lead(upgraded), 7)
    assert describe_event(events[-1], ref) == "verwezen naar: Huisarts -> Juridisch Loket"
    assert load_rule_set(upgraded) is not None
    march = report(upgraded, lead(upgraded), ref,
                   Period("month", datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date()),
                   "referral", include_empty=False)
    assert [(line.label, line.total) for line in march.lines] == [
        ("Juridisch Loket", 1), ("Totaal", 1)]
    upgraded.close()
