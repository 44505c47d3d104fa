"""Reference data: seeded from DOMAIN.md, then editable without code changes."""

from __future__ import annotations

import pytest

from balie.db.access import load_staff
from balie.db.errors import ReferenceDataError
from balie.db.inquiries import save_inquiry
from balie.db.reference import (
    KINDS,
    add_entry,
    load_reference,
    rename_entry,
    set_retired,
    update_entry,
)
from tests.conftest import FROZEN_NOW, admin, member
from tests.test_store import make_input

# DOMAIN.md: village parts with inhabitants on 1 January 2024.
PUBLISHED = {
    "Beilen": 11665, "Westerbork": 4755, "Smilde": 4575, "Bovensmilde": 3375,
    "Hoogersmilde": 1715, "Hooghalen": 1420, "Wijster": 1095, "Nieuw-Balinge": 960,
    "Hijken": 950, "Witteveen": 600, "Drijber": 485, "Zwiggelte": 470, "Elp": 380,
    "Spier": 375, "Orvelte": 230, "Lieving/Makkum": 215, "Mantinge": 180, "Holthe": 130,
    "Laaghalen": 120, "Garminge": 115, "Oranje": 110, "Balinge": 90, "Brunsting": 90,
    "Zuidveld": 70, "Eursinge": 60,
}


def test_villages_are_seeded_with_published_inhabitants(ref):
    seeded = {v.name: v.inhabitants for v in ref.villages.all}
    for name, inhabitants in PUBLISHED.items():
        assert seeded[name] == inhabitants, name
    for small in ("Bruntinge", "Hijkersmilde", "Laaghalerveen"):
        assert seeded[small] is None  # the source only says "under 40"
    assert {"Buiten Midden-Drenthe", "Onbekend"} <= set(seeded)


def test_the_five_large_kernen_are_each_their_own_area(ref):
    for kern in ("Beilen", "Westerbork", "Smilde", "Bovensmilde", "Hoogersmilde"):
        assert ref.villages.named(kern).area_name == kern
    small = {v.area_name for v in ref.villages.all if v.name not in PUBLISHED or
             PUBLISHED[v.name] < 1500}
    assert all(area.startswith(("Dorpen rond", "Overig")) for area in small)


def test_routes_channels_and_topics_are_seeded(ref):
    assert [(r.code, r.kind) for r in ref.routes.all] == [
        ("client_support", "team"), ("social_work", "team"), ("senior_work", "team"),
        ("desk", "desk"), ("external", "external"),
    ]
    assert [c.name for c in ref.channels.all] == ["Telefoon", "Balie", "E-mail", "Huisbezoek"]
    assert len(ref.topics.all) == 14
    assert ref.topics.named("huiselijk geweld en onveiligheid") is not None
    assert ref.directory.named("Veilig Thuis Drenthe") is not None


def test_names_are_unique_regardless_of_case_and_accents(db):
    with pytest.raises(ReferenceDataError, match="bestaat al"):
        add_entry(db, admin(db), KINDS["routes"], "clientondersteuning", kind="team")
    with pytest.raises(ReferenceDataError, match="bestaat al"):
        rename_entry(db, admin(db), KINDS["villages"], "Elp", "BEILEN")


def test_add_rename_and_retire_keep_history_intact(db, staff):
    village_id = add_entry(db, admin(db), KINDS["villages"], "Nieuwe Wijk", area="Beilen",
                           inhabitants=250)
    ref = load_reference(db)
    assert ref.villages[village_id].area_name == "Beilen"
    saved = save_inquiry(db, make_input(ref, village_id=village_id), staff, FROZEN_NOW)

    rename_entry(db, admin(db), KINDS["villages"], "nieuwe wijk", "Beilen-Oost")
    set_retired(db, admin(db), KINDS["villages"], "Beilen-Oost", True)
    ref = load_reference(db)
    assert ref.villages[saved.village_id].name == "Beilen-Oost"  # history shows the new name
    assert ref.villages[village_id].retired
    assert village_id not in {v.id for v in ref.villages.active}  # not offered any more

    set_retired(db, admin(db), KINDS["villages"], "Beilen-Oost", False)
    assert village_id in {v.id for v in load_reference(db).villages.active}


def test_added_topics_and_routes_get_a_stable_code(db):
    add_entry(db, admin(db), KINDS["topics"], "Digitale vaardigheden")
    add_entry(db, admin(db), KINDS["routes"], "Jongerenwerk", kind="team")
    ref = load_reference(db)
    assert ref.topics.named("Digitale vaardigheden").code == "digitale_vaardigheden"
    assert ref.route("jongerenwerk").is_team


def test_village_attributes_and_staff_roles_can_be_changed(db):
    update_entry(db, admin(db), KINDS["villages"], "Beilen", inhabitants=11700)
    assert load_reference(db).villages.named("Beilen").inhabitants == 11700
    member(db, "j.jansen")
    update_entry(db, admin(db), KINDS["staff"], "j.jansen", roles="team, teamleider",
                 team="Seniorenwerk", display_name="J. Jansen")
    jansen = load_staff(db, member(db, "j.jansen").id)
    assert (jansen.roles, jansen.display_name) == ({"team", "teamleider"}, "J. Jansen")
    assert jansen.team_route_id == load_reference(db).route("senior_work").id
    with pytest.raises(ReferenceDataError, match="Onbekende rol 'baas'"):
        update_entry(db, admin(db), KINDS["staff"], "j.jansen", roles="team,baas")
    with pytest.raises(ReferenceDataError, match="geen team"):
        update_entry(db, admin(db), KINDS["staff"], "j.jansen", team="Afgehandeld aan de balie")


@pytest.mark.parametrize(
    ("kind", "name", "attrs", "message"),
    [
        ("villages", "Nieuwdorp", {}, "gebied"),
        ("villages", "Nieuwdorp", {"area": "Atlantis"}, "Geen gebied"),
        ("villages", "Nieuwdorp", {"area": "Beilen", "inhabitants": -5}, "inwoners"),
        ("routes", "Nieuw team", {}, "soort"),
        ("routes", "Nieuw team", {"kind": "weet niet"}, "soort route"),
        ("areas", "   ", {}, "leeg"),
    ],
)
def test_bad_reference_changes_are_refused_with_a_message(db, kind, name, attrs, message):
    with pytest.raises(ReferenceDataError, match=message):
        add_entry(db, admin(db), KINDS[kind], name, **attrs)


def test_unknown_entries_are_reported_by_name(db):
    with pytest.raises(ReferenceDataError, match="Geen dorp met de naam 'Atlantis'"):
        set_retired(db, admin(db), KINDS["villages"], "Atlantis", True)
