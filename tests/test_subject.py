"""The rights of the people registered: finding one person's inquiries, the export for
the right of access, and erasure on request."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest

from balie.cli import main
from balie.db.access import NotAllowed
from balie.db.backup import backup
from balie.db.inbox import callbacks_due
from balie.db.inquiries import get_inquiry, load_inquiry
from balie.db.subject import (
    NoMatch,
    PersonQuery,
    erase_person,
    export_person,
    find_person,
)
from balie.domain.parsing import InvalidInput
from tests.privacy_support import (
    CLOSE_NOTE,
    LONG_AGO,
    NAME,
    NOW,
    PHONE,
    POSTCODE,
    SUMMARY,
    TRANSFER_REASON,
    all_reports,
    columns_that_count,
    files_of,
    open_with_beheer,
    plant,
    register,
    staff_with,
    traces,
)

LATER = NOW - timedelta(days=30)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "balie.db"


@pytest.fixture
def person(db_path):
    """Zwaantje's inquiry of long ago (closed), a recent open one of hers by phone only,
    and someone else with the same first name."""
    db, actor = open_with_beheer(db_path)
    planted = plant(db, actor)
    recent = register(db, actor, LATER, phone=PHONE, summary="Belt weer over de schuld",
                      callback=NOW + timedelta(days=1))
    other = register(db, actor, LATER, name="Zwaantje de Boer", phone="+31612000009",
                     summary="Iemand anders")
    yield db, actor, planted.inquiry_id, recent.id, other.id
    db.close()


@pytest.mark.parametrize("phone", ["06-12398745", "06 1239 8745", "+31 6 12398745",
                                   "0031612398745", "(06) 12 39 87 45"])
def test_a_phone_number_in_any_usual_form_finds_her_inquiries(person, phone):
    db, actor, old, recent, _ = person
    found = find_person(db, actor, PersonQuery(phone=phone), NOW)
    assert [(m.id, m.basis) for m in found] == [(old, "telefoon"), (recent, "telefoon")]
    assert found[0].status == "afgerond" and found[0].route == "Seniorenwerk"
    assert found[1].status == "nieuw" and found[0].village == "Beilen"


def test_a_name_needs_every_word_in_any_order_accents_and_case_ignored(person):
    db, actor, old, recent, other = person
    found = find_person(db, actor, PersonQuery(name="qxyzzyvlek ZWAANTJE"), NOW)
    assert [m.id for m in found] == [old]
    both = find_person(db, actor, PersonQuery(phone=PHONE, name="Zwaantje Qxyzzyvlek"), NOW)
    assert [(m.id, m.basis) for m in both] == [(old, "telefoon en naam"),
                                               (recent, "telefoon")]
    assert other not in [m.id for m in both]
    assert [m.id for m in find_person(db, actor, PersonQuery(name="Zwaantje de Bóer"),
                                      NOW)] == [other]


@pytest.mark.parametrize("query, message", [
    (PersonQuery(), r"Geef een telefoonnummer \(--phone\) of een naam"),
    (PersonQuery(phone="12"), "Geen geldig telefoonnummer"),
    (PersonQuery(name="Zwaantje"), "minstens twee woorden"),
])
def test_what_cannot_be_searched_is_said(person, query, message):
    db, actor, *_ = person
    with pytest.raises(InvalidInput, match=message):
        find_person(db, actor, query, NOW)


def test_no_match_is_said_and_the_search_is_logged_without_what_was_searched(person):
    db, actor, old, recent, _ = person
    with pytest.raises(NoMatch, match="Geen vragen gevonden met telefoonnummer 06 12000000"):
        find_person(db, actor, PersonQuery(phone="0612000000"), NOW)
    find_person(db, actor, PersonQuery(phone=PHONE, name=NAME), NOW)
    details = [r[0] for r in db.execute(
        "SELECT detail FROM audit_log WHERE action = 'search' ORDER BY id")]
    assert details == ["inzage- of wisverzoek: 0 gevonden",
                       f"inzage- of wisverzoek: 2 gevonden ({old}-{recent})"]


# --- right of access -----------------------------------------------------------------


def test_the_export_holds_every_field_the_history_and_who_saw_it(person, tmp_path):
    db, actor, old, recent, other = person
    anna = staff_with(db, actor, "anna", "team", team="Seniorenwerk")
    get_inquiry(db, anna, old, NOW, purpose="werkvoorraad")
    callbacks_due(db, actor, NOW + timedelta(days=2), NOW)  # her phone on a list
    target = tmp_path / "inzage.md"

    done = export_person(db, actor, PersonQuery(phone="06-12398745"), target, NOW)

    assert done.ids == (old, recent) and done.path == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    for expected in (
        "# Inzage in uw gegevens", "Gezocht op telefoonnummer 06 12398745.",
        f"## Vraag nummer {old}", f"## Vraag nummer {recent}",
        f"- Naam: {NAME}", "- Telefoon: 06 12398745", f"- Postcode: {POSTCODE}",
        f"- Omschrijving: {SUMMARY}", "- Dorp: Beilen", "- Route: Seniorenwerk",
        "- Eerst naar: Maatschappelijk werk", "- Toestemming voor contactgegevens: ja",
        "- Bewaartermijn: 24 maanden na afronden: de persoonsgegevens worden gewist "
        "vanaf 10-01-2025",
        "- Bewaartermijn: 24 maanden na afronden (de vraag is nog niet afgerond)",
        "### Geschiedenis", f"doorgezet Maatschappelijk werk -> Seniorenwerk · reden: "
        f"{TRANSFER_REASON}", f"reden: {CLOSE_NOTE}", "teruggebeld",
        "### Ingezien en gewijzigd (auditlog)", "anna · ingezien · vanaf test · werkvoorraad",
        "· ingezien · vanaf test · terugbellijst: ",
    ):
        assert expected in text, expected
    assert "Iemand anders" not in text and f"nummer {other}" not in text
    assert "_id" not in text  # names, not ids
    rows = db.execute("SELECT inquiry_id, detail FROM audit_log "
                      "WHERE action = 'access_export' ORDER BY inquiry_id").fetchall()
    assert rows == [(old, "inzage-export van 2 vragen"), (recent, "inzage-export van 2 vragen")]
    assert not any("inzage.md" in (d or "") for (d,) in db.execute(
        "SELECT detail FROM audit_log"))  # a file name can carry a name: not in the log


def test_ids_restrict_the_export_and_a_stranger_number_is_refused(person, tmp_path):
    db, actor, old, recent, other = person
    done = export_person(db, actor, PersonQuery(phone=PHONE), tmp_path / "een.md", NOW,
                         ids=[recent])
    assert done.ids == (recent,)
    assert f"## Vraag nummer {old}" not in (tmp_path / "een.md").read_text()
    with pytest.raises(NoMatch, match=f"Nummer {other} hoort niet bij telefoonnummer"):
        export_person(db, actor, PersonQuery(phone=PHONE), tmp_path / "twee.md", NOW,
                      ids=[recent, other])
    assert not (tmp_path / "twee.md").exists()


def test_the_export_never_overwrites_and_says_what_is_wrong_with_the_place(person, tmp_path,
                                                                          monkeypatch):
    db, actor, *_ = person
    query = PersonQuery(phone=PHONE)
    existing = tmp_path / "bestaat.md"
    existing.write_text("van iemand anders")
    with pytest.raises(Exception, match="bestaat al"):
        export_person(db, actor, query, existing, NOW)
    assert existing.read_text() == "van iemand anders"
    with pytest.raises(Exception, match="De map .* bestaat niet"):
        export_person(db, actor, query, tmp_path / "nergens" / "x.md", NOW)
    with pytest.raises(Exception, match="is een map"):
        export_person(db, actor, query, tmp_path, NOW)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(Exception, match="geen toegang voor account"):
        export_person(db, actor, query, tmp_path / "mag-niet.md", NOW)
    monkeypatch.undo()
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'access_export'"
                      ).fetchone()[0] == 0  # nothing exported, nothing logged as such


# --- right to erasure ----------------------------------------------------------------


def test_erasure_on_request_leaves_no_trace_and_reports_stay_the_same(person, db_path,
                                                                      tmp_path):
    db, actor, old, recent, other = person
    before = all_reports(db, actor)
    counted = {i: columns_that_count(db, i) for i in (old, recent)}
    assert traces(*files_of(db_path))  # the test can fail

    done = erase_person(db, actor, PersonQuery(phone=PHONE, name=NAME), NOW,
                        ids=[old, recent])

    assert done.ids == (old, recent) and done.purge.log_emptied
    copy = backup(db, actor, tmp_path / "na-verzoek.db", NOW)
    # "zwaantje" stays in the name index: it is also the first name of Zwaantje de Boer.
    assert traces(*files_of(db_path), copy) == {"balie.db": ["token zwaantje"],
                                                "na-verzoek.db": ["token zwaantje"]}
    assert all_reports(db, actor) == before
    assert {i: columns_that_count(db, i) for i in (old, recent)} == counted
    rows = db.execute("SELECT inquiry_id, detail FROM audit_log WHERE action = 'erase' "
                      "ORDER BY inquiry_id").fetchall()
    assert rows == [(old, "verzoek betrokkene"), (recent, "verzoek betrokkene")]
    assert load_inquiry(db, other).person_name == "Zwaantje de Boer"  # not her
    # Closed: done for good. Open: erased again when its own term ends after closing.
    erased = dict(db.execute("SELECT id, erased_at FROM inquiry"))
    assert erased[old] is not None and erased[recent] is None
    with pytest.raises(NoMatch):
        find_person(db, actor, PersonQuery(phone=PHONE), NOW)


@pytest.mark.parametrize("roles", ["balie", "team", "teamleider", "balie,teamleider,team"])
def test_only_beheer_handles_requests(person, roles, tmp_path):
    db, actor, old, *_ = person
    other = staff_with(db, actor, "anna", roles,
                       team="Seniorenwerk" if "team" in roles.split(",") else None)
    query = PersonQuery(phone=PHONE)
    with pytest.raises(NotAllowed, match="inzage- en wisverzoeken"):
        find_person(db, other, query, NOW)
    with pytest.raises(NotAllowed):
        export_person(db, other, query, tmp_path / "x.md", NOW)
    with pytest.raises(NotAllowed):
        erase_person(db, other, query, NOW, ids=[old])
    assert not (tmp_path / "x.md").exists()
    assert load_inquiry(db, old).person_name == NAME


# --- the command line ----------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_find_export_erase(person, db_path, tmp_path, capsys):
    db, actor, old, recent, other = person
    base = ["--db", str(db_path), "person"]
    code, out, err = run(capsys, *base, "find", "--phone", "06-12398745")
    assert code == 0, err
    assert out.splitlines()[0].split() == ["nummer", "datum", "dorp", "route", "status",
                                           "gevonden", "op", "naam", "telefoon", "postcode"]
    assert f"{old}" in out and NAME in out and "2 vragen gevonden" in out

    target = tmp_path / "inzage.md"
    code, out, err = run(capsys, *base, "export", "--phone", "06-12398745", "--ids",
                         f"{old}", "--output", str(target))
    assert code == 0, err
    assert f"Inzage van 1 vraag (nummer {old}) geschreven naar {target}" in out
    code, _, err = run(capsys, *base, "export", "--phone", "06-12398745", "--output",
                       str(target))
    assert code == 1 and "bestaat al" in err

    code, _, err = run(capsys, *base, "erase", "--phone", "06-12398745")
    assert code == 2 and "Geef met --ids de nummers" in err
    code, _, err = run(capsys, *base, "erase", "--phone", "06-12398745", "--ids",
                       f"{old},{other}")
    assert code == 1 and f"Nummer {other} hoort niet bij" in err
    code, out, err = run(capsys, *base, "erase", "--phone", "06-12398745", "--ids",
                         f"{old},{recent}")
    assert code == 0, err
    assert "Persoonsgegevens gewist in 2 vragen" in out and "(-wal) verwijderd" in out
    code, _, err = run(capsys, *base, "find", "--phone", "06-12398745")
    assert code == 1 and "Geen vragen gevonden" in err


@pytest.mark.parametrize("argv, code, message", [
    (["find"], 2, "Geef een telefoonnummer (--phone) of een naam (--name) op"),
    (["find", "--phone", "12345"], 2, "Geen geldig telefoonnummer"),
    (["find", "--name", "Zwaantje"], 2, "minstens twee woorden"),
    (["find", "--name", "Niemand Nergens"], 1, "Geen vragen gevonden met naam"),
    (["export", "--phone", PHONE], 2, "Geef met --output"),
    (["export", "--phone", PHONE, "--ids", "1x", "--output", "x.md"], 2,
     "dat zijn geen vraagnummers"),
    (["erase", "--phone", PHONE, "--ids", "1", "--all"], 2, "niet allebei"),
])
def test_cli_mistakes_get_a_dutch_message_and_no_traceback(person, db_path, capsys, argv,
                                                           code, message):
    got, out, err = run(capsys, "--db", str(db_path), "person", *argv)
    assert got == code and out == ""
    assert message in err and "Traceback" not in err


def test_cli_unwritable_folder(person, db_path, tmp_path, capsys, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refused)
    code, _, err = run(capsys, "--db", str(db_path), "person", "export", "--phone", PHONE,
                       "--output", str(tmp_path / "x.md"))
    assert code == 1 and f"{tmp_path / 'x.md'} aanmaken: geen toegang" in err


def test_people_registered_long_ago_are_found_until_retention(person):
    """Sanity: the planted inquiry was registered long ago and closed; it is still found
    before retention (retention is what makes it unfindable)."""
    db, actor, old, *_ = person
    assert load_inquiry(db, old).registered_at < LONG_AGO + timedelta(days=1)
    assert old in [m.id for m in find_person(db, actor, PersonQuery(name=NAME), NOW)]
