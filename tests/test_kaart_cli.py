"""``balie kaart``: the sociale kaart on the command line, and in Excel and back."""

from __future__ import annotations

import csv
import io
import stat

import pytest

from balie.cli import main
from balie.config import os_username
from balie.db import open_database
from balie.db.reference import load_reference
from balie.domain.directory import MISSING
from balie.domain.directory_csv import HEADERS
from balie.domain.directory_seed import SEED
from tests.conftest import admin, member


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def kaart(made_db, capsys):
    """Run ``balie --db ... kaart ARGS`` as the database's owner (its first beheer)."""
    return lambda *argv: run(capsys, "--db", str(made_db), "kaart", *argv)


def read_rows(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM: Excel opens it by double-click"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def write_rows(path, rows: list[list[str]], delimiter: str = ";") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())


def test_list_show_add_set_retire_restore(kaart, made_db):
    db = open_database(made_db)
    with db.write():  # the seed came on the kaart more than a year ago
        db.execute("UPDATE directory_entry SET added_at = '2024-01-01T00:00:00Z'")
    db.close()
    code, out, _ = kaart("list")
    assert code == 0 and "Voedselbank" in out and "nooit gecontroleerd" in out
    code, out, _ = kaart("show", "voedselbank")
    assert code == 0 and f"telefoon        {MISSING}" in out and "heel Midden-Drenthe" in out
    code, out, _ = kaart("add", "--organisation", "Humanitas", "--service", "thuisadministratie",
                         "--topics", "financiën, administratie en formulieren",
                         "--phone", "+31 592 123456", "--villages", "Beilen, Hooghalen")
    assert code == 0 and "Humanitas — thuisadministratie (nr" in out
    code, out, _ = kaart("show", "thuisadm")
    assert "+31 592 123456" in out and "Beilen, Hooghalen" in out and "gecontroleerd" in out
    code, out, _ = kaart("set", "Voedselbank", "--hours", "di 10-12 uur")
    assert code == 0 and "gewijzigd en als gecontroleerd vastgelegd" in out
    code, out, _ = kaart("list", "--stale")
    assert f"{len(SEED) - 1} vermelding(en) niet gecontroleerd" in out
    assert "Voedselbank" not in out and "thuisadministratie" not in out
    code, out, _ = kaart("set", "Actium", "--checked")
    assert code == 0 and "als gecontroleerd vastgelegd" in out
    assert kaart("retire", "Actium")[0] == 0
    assert "Actium" not in kaart("list")[1] and "Actium" in kaart("list", "--retired")[1]
    assert kaart("restore", "actium")[0] == 0 and "Actium" in kaart("list")[1]


def test_mistakes_get_a_message_at_their_field(kaart):
    code, _, err = kaart("add", "--organisation", "X", "--email", "nee", "--topics", "Fietsen")
    assert code == 2 and "e-mail: 'nee' is geen e-mailadres" in err
    assert "onderwerpen: 'Fietsen' is geen onderwerp" in err and "Traceback" not in err
    code, _, err = kaart("add", "--organisation", "voedselbank")
    assert code == 1 and "staat al een vermelding 'Voedselbank'" in err
    code, _, err = kaart("show", "welzijnswerk")
    assert code == 2 and "past bij meer vermeldingen" in err
    code, _, err = kaart("set", "Voedselbank")
    assert code == 2 and "--checked" in err


def test_export_then_import_unchanged_changes_nothing(kaart, tmp_path):
    target = tmp_path / "kaart.csv"
    code, out, _ = kaart("export", str(target))
    assert code == 0 and f"{len(SEED)} vermeldingen" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = read_rows(target)
    assert tuple(rows[0]) == HEADERS and len(rows) == 1 + len(SEED)
    code, out, _ = kaart("import", str(target))
    assert code == 0 and f"0 nieuw, 0 gewijzigd, 0 ingetrokken, 0 weer actief, {len(SEED)} " \
        "ongewijzigd" in out
    code, _, err = kaart("export", str(target))
    assert code == 1 and "bestaat al" in err  # never overwritten


def test_a_file_edited_in_excel_comes_back_the_same(kaart, made_db, tmp_path):
    first = tmp_path / "kaart.csv"
    kaart("export", str(first))
    rows = read_rows(first)
    column = {name: i for i, name in enumerate(rows[0])}
    voedselbank = next(r for r in rows if r[column["organisatie"]] == "Voedselbank")
    voedselbank[column["telefoon"]] = "+31 592 000000"  # a formula start for Excel
    voedselbank[column["bereikbaarheid"]] = "di en do 10-12 uur; \"alleen\" na intake"
    voedselbank[column["gecontroleerd op"]] = "01-03-2026"
    actium = next(r for r in rows if r[column["organisatie"]] == "Actium")
    actium[column["status"]] = "ingetrokken"
    new = [""] * len(rows[0])
    new[column["organisatie"]] = "Repair Café"
    new[column["onderwerpen"]] = "Overig"
    new[column["dorpen"]] = "Westerbork"
    rows.append(new)
    edited = tmp_path / "bewerkt.csv"
    write_rows(edited, rows)
    code, out, _ = kaart("import", "--dry-run", str(edited))
    assert code == 0 and "1 nieuw, 1 gewijzigd, 1 ingetrokken" in out and "Niets gewijzigd" in out
    code, out, _ = kaart("import", str(edited))
    assert code == 0 and "1 nieuw, 1 gewijzigd, 1 ingetrokken" in out
    again = tmp_path / "opnieuw.csv"
    kaart("export", str(again))
    exported = read_rows(again)
    assert exported[0] == rows[0]
    # The same cells come back, the new entry with its number and "actief".
    by_name = {r[column["organisatie"]]: r for r in exported}
    voedselbank[column["telefoon"]] = "'+31 592 000000"  # kept from running as a formula
    voedselbank[column["gecontroleerd door"]] = os_username()  # who imported the new date
    assert by_name["Voedselbank"] == voedselbank
    assert by_name["Actium"][column["status"]] == "ingetrokken"
    assert by_name["Repair Café"][column["dorpen"]] == "Westerbork"
    assert by_name["Repair Café"][column["nr"]].isdigit()
    db = open_database(made_db)
    assert load_reference(db).directory.named("Voedselbank").phone == "+31 592 000000"
    db.close()


def test_commas_instead_of_semicolons_are_read_too(kaart, tmp_path):
    target = tmp_path / "komma.csv"
    write_rows(target, [["organisatie", "onderwerpen"], ["Kringloop", "Overig"]],
               delimiter=",")
    code, out, _ = kaart("import", str(target))
    assert code == 0 and "1 nieuw" in out


def test_a_bad_file_is_reported_line_by_line_and_changes_nothing(kaart, tmp_path):
    before = tmp_path / "voor.csv"
    kaart("export", str(before))
    rows = read_rows(before)
    column = {name: i for i, name in enumerate(rows[0])}
    rows[3][column["organisatie"]] = ""
    rows[5][column["e-mail"]] = "geen-adres"
    rows[5][column["gecontroleerd op"]] = "31-02-2026"
    rows[7][column["nr"]] = "9999"
    rows[9][column["nr"]] = rows[8][column["nr"]]
    rows[10][column["status"]] = "weg"
    rows[2][column["telefoon"]] = "0593 111111"  # a good change on a line before them
    bad = tmp_path / "fout.csv"
    write_rows(bad, rows)
    code, out, err = kaart("import", str(bad))
    assert code == 1 and "niet ingelezen" in err and "Traceback" not in err
    for expected in ("regel 4, kolom 'organisatie'", "regel 6, kolom 'e-mail': 'geen-adres'",
                     "regel 6, kolom 'gecontroleerd op': '31-02-2026'",
                     "regel 8, kolom 'nr': '9999'", "regel 10, kolom 'nr'",
                     "regel 11, kolom 'status': 'weg'"):
        assert expected in err, expected
    after = tmp_path / "na.csv"
    kaart("export", str(after))
    assert read_rows(after) == read_rows(before)  # nothing changed, not even line 3


def test_files_that_are_no_directory_at_all(kaart, tmp_path):
    wrong = tmp_path / "wrong.csv"
    write_rows(wrong, [["naam", "telefoon"], ["x", "y"]])
    code, _, err = kaart("import", str(wrong))
    assert code == 1 and "kolom 'naam'" in err and "kolom 'organisatie': deze kolom ontbreekt" \
        in err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("organisatie\nCafé\n".encode("latin-1"))
    code, _, err = kaart("import", str(latin))
    assert code == 1 and "geen UTF-8" in err
    broken = tmp_path / "kapot.csv"
    broken.write_text('organisatie;aanbod\nA;"nooit gesloten\nB;x\n', encoding="utf-8")
    code, _, err = kaart("import", str(broken))
    assert code == 1 and "klopt niet als CSV" in err


def test_changing_the_directory_is_for_beheer(made_db, capsys):
    db = open_database(made_db)
    member(db, os_username(), roles=("balie",))  # the OS account loses beheer
    admin(db)  # someone else keeps it
    db.close()
    code, _, err = run(capsys, "--db", str(made_db), "kaart", "set", "Voedselbank",
                       "--checked")
    assert code == 1 and "Alleen met de rol beheer" in err
    assert run(capsys, "--db", str(made_db), "kaart", "list")[0] == 0  # reading is for all
