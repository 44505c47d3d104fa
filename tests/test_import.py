"""balie import: historic registrations from CSV, all or nothing, never twice."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from balie.cli import main
from balie.db import open_database
from balie.db.reports import report
from balie.domain import importing
from balie.domain.importing import Fingerprint, read_import
from balie.domain.periods import containing
from tests.conftest import FROZEN_NOW, lead

GOOD = (
    "\ufeffDatum;Tijd;Kanaal;Dorp;Route;Onderwerp;Leeftijd;Geslacht;Omschrijving\r\n"
    "12-03-2024;10:15;telefoon;beilen;seniorenwerk;eenzaamheid en contact|mantelzorg;81;v;"
    "Zoekt gezelschap\r\n"
    "2024-03-13;;Balie;HOOGHALEN;Afgehandeld aan de balie;administratie en formulieren;;;\r\n"
    "\r\n"
    "14-3-2024;9.05;e-mail;Nieuw-Balinge;client_support;Financien;44;man;\"met ; puntkomma\"\r\n"
)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count(db_path) -> int:
    with open_database(db_path) as db:
        return db.execute("SELECT count(*) FROM inquiry").fetchone()[0]


def test_a_good_file_is_imported_as_one_batch(made_db, tmp_path, capsys):
    source = tmp_path / "2024.csv"
    source.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 0 and "3 registraties" in out
    with open_database(made_db) as db:
        # Historic and done: counted at the route they had, as it came in and as it ended.
        assert db.execute("SELECT count(*) FROM inquiry WHERE intake_route_id = route_id "
                          "AND closed_at = registered_at").fetchone() == (3,)
        rows = db.execute(
            """SELECT registered_at, time_known, village.name, route.code, age, gender,
                      summary, status, import_batch_id
               FROM inquiry JOIN village ON village.id = village_id
               JOIN route ON route.id = route_id ORDER BY inquiry.id""").fetchall()
        assert rows == [
            ("2024-03-12T09:15:00Z", 1, "Beilen", "senior_work", 81, "f", "Zoekt gezelschap",
             "closed", 1),
            ("2024-03-13T11:00:00Z", 0, "Hooghalen", "desk", None, None, "", "closed", 1),
            ("2024-03-14T08:05:00Z", 1, "Nieuw-Balinge", "client_support", 44, "m",
             "met ; puntkomma", "closed", 1),
        ]
        topics = db.execute("SELECT count(*) FROM inquiry_topic").fetchone()[0]
        assert topics == 4
        # A registration without a time counts everywhere except in an hour of the day.
        from balie.db.reference import load_reference

        by_hour = report(db, lead(db), load_reference(db), containing("day", FROZEN_NOW.date()
                                                           .replace(2024, 3, 13)), "hour",
                         include_empty=False)
        assert [line.label for line in by_hour.lines] == ["tijd onbekend", "Totaal"]


def test_comma_separated_without_bom_and_columns_in_any_order(made_db, tmp_path, capsys):
    source = tmp_path / "komma.csv"
    source.write_text("onderwerp,route,dorp,kanaal,datum\nwonen,desk,elp,balie,1-2-2023\n",
                      encoding="utf-8")
    assert run(capsys, "--db", str(made_db), "import", str(source))[0] == 0
    assert count(made_db) == 1


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_imported(made_db, tmp_path, capsys):
    bad = GOOD + ("14-3-2024;9:05;e-mail;Assen;team;Financien;200;q;\r\n"
                  "31-02-2024;;telefoon;Elp;desk;wonen;;;\r\n"
                  "01-01-2099;25:00;fax;Elp;desk;;;;\r\n")
    source = tmp_path / "fout.csv"
    source.write_text(bad, encoding="utf-8")
    code, _, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 1
    for expected in ["regel 6, kolom 'dorp': 'Assen': onbekend dorp",
                     "regel 6, kolom 'route': 'team': onbekende route",
                     "regel 6, kolom 'leeftijd': '200'", "regel 6, kolom 'geslacht': 'q'",
                     "regel 7, kolom 'datum': '31-02-2024': die datum bestaat niet",
                     "regel 8, kolom 'datum': '01-01-2099': ligt in de toekomst",
                     "regel 8, kolom 'tijd': '25:00'", "regel 8, kolom 'kanaal': 'fax'",
                     "regel 8, kolom 'onderwerp'"]:
        assert expected in err, expected
    assert "Traceback" not in err and count(made_db) == 0


def test_the_same_file_is_never_imported_twice(made_db, tmp_path, capsys):
    source = tmp_path / "2024.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert run(capsys, "--db", str(made_db), "import", str(source))[0] == 0
    again = tmp_path / "kopie met andere regeleinden.csv"
    again.write_text(GOOD.replace("\r\n", "\n").lstrip("\ufeff"), encoding="utf-8")
    code, _, err = run(capsys, "--db", str(made_db), "import", str(again))
    assert code == 1 and "al geïmporteerd" in err and "2024.csv" in err
    assert count(made_db) == 3


def test_the_same_registrations_saved_differently_are_the_same_file(made_db, tmp_path,
                                                                   capsys):
    source = tmp_path / "2024.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert run(capsys, "--db", str(made_db), "import", str(source))[0] == 0
    # Opened in Excel and saved again: commas, other column order, rows sorted otherwise.
    resaved = tmp_path / "2024 (2).csv"
    resaved.write_text(
        "Dorp,Datum,Tijd,Kanaal,Route,Onderwerp,Leeftijd,Geslacht,Omschrijving\n"
        "Nieuw-Balinge,14-03-2024,09:05,e-mail,client_support,Financien,44,m,"
        "\"met ; puntkomma\"\n"
        "Hooghalen,13-3-2024,,balie,desk,Administratie en formulieren,,,\n"
        "Beilen,2024-03-12,10:15,Telefoon,Seniorenwerk,mantelzorg|eenzaamheid en contact,81,"
        "vrouw,Zoekt gezelschap\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(made_db), "import", str(resaved))
    assert code == 1 and "al geïmporteerd" in err and count(made_db) == 3


def test_dates_before_1900_and_clock_changes(seeded_reference):
    text = (HEADER
            + "1-1-0024;balie;Beilen;desk;wonen;;;;\n"         # a typing error
            + "29-3-2026;balie;Beilen;desk;wonen;02:30;;;\n"   # clocks go forward at 2:00
            + "25-10-2026;balie;Beilen;desk;wonen;02:30;;;\n")  # ... and back at 3:00
    problems = [str(p) for p in read_import(text, seeded_reference, FROZEN_NOW.replace(
        year=2027)).problems]
    assert problems == [
        "regel 2, kolom 'datum': '1-1-0024': ligt vóór 1900 (tikfout?)",
        "regel 3, kolom 'tijd': '02:30': die tijd bestaat niet op die dag (de klok ging een "
        "uur vooruit)",
    ]
    checked = read_import(HEADER + "25-10-2026;balie;Beilen;desk;wonen;02:30;;;\n",
                          seeded_reference, FROZEN_NOW.replace(year=2027))
    (row,) = checked.rows
    assert row.registered_at.utcoffset().total_seconds() == 7200  # the first 02:30: summer


def test_a_value_under_a_column_without_name_is_refused(seeded_reference):
    text = "datum;kanaal;dorp;route;onderwerp;\n1-1-2024;balie;Beilen;desk;wonen;\n" \
           "1-1-2024;balie;Beilen;desk;wonen;extra;\n1-1-2024;balie;Beilen;desk;wonen;;x\n"
    problems = [str(p) for p in read_import(text, seeded_reference, FROZEN_NOW).problems]
    assert problems == ["regel 3: 'extra': waarde in een kolom zonder naam",
                        "regel 4: meer waarden dan kolommen (scheidingsteken?)"]


def test_dry_run_imports_nothing(made_db, tmp_path, capsys):
    source = tmp_path / "2024.csv"
    source.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(made_db), "import", "--dry-run", str(source))
    assert code == 0 and "in orde: 3" in out and count(made_db) == 0
    assert run(capsys, "--db", str(made_db), "import", str(source))[0] == 0  # then for real


def test_header_problems_are_named(seeded_reference):
    checked = read_import("Datum;Plaats;Kanaal;datum\n", seeded_reference, FROZEN_NOW)
    messages = [str(p) for p in checked.problems]
    assert any("'Plaats'" in m and "onbekende kolom" in m for m in messages)
    assert any("twee keer" in m for m in messages)
    assert any("'dorp'" in m and "ontbreekt" in m for m in messages)


def test_a_file_that_is_not_utf8_gets_advice(made_db, tmp_path, capsys):
    source = tmp_path / "latin1.csv"
    source.write_bytes("datum;kanaal;dorp;route;onderwerp\n1-1-2024;balie;Beilen;desk;financiën\n"
                       .encode("latin-1"))
    code, _, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 1 and "CSV UTF-8" in err


HEADER = "datum;kanaal;dorp;route;onderwerp;tijd;leeftijd;geslacht;omschrijving\n"


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list("elpbaiwonde;,|\n\r\"'0123456789-:. vV")),
            max_size=200).map(lambda body: HEADER + body),
))
def test_any_file_gives_rows_or_problems_never_an_error(seeded_reference, text):
    checked = read_import(text, seeded_reference, FROZEN_NOW)
    assert checked.problems or checked.rows  # never silently nothing
    assert all(str(problem) for problem in checked.problems)


def test_a_quote_that_is_never_closed_is_a_problem_on_its_line(seeded_reference):
    # Without this the quote swallowed every later line into one value, silently.
    good = "1-1-2024;balie;Beilen;desk;wonen;;;;\n"
    for wrong, reason in [('1-1-2024;balie;"Beilen;desk;wonen;;;;\n', "nergens gesloten"),
                          ('1-1-2024;balie;"Beilen"x;desk;wonen;;;;\n', 'als ""')]:
        checked = read_import(HEADER + good + wrong + good, seeded_reference, FROZEN_NOW)
        (problem,) = checked.problems
        assert str(problem).startswith("regel 3: ") and reason in str(problem)
    checked = read_import('"datum;kanaal\n', seeded_reference, FROZEN_NOW)
    assert [p.line for p in checked.problems] == [1]
    assert "nergens gesloten" in str(checked.problems[0])


CLOSED = (
    "datum;tijd;kanaal;dorp;route;onderwerp;afgerond;uitkomst\n"
    "12-03-2024;14:15;telefoon;beilen;seniorenwerk;mantelzorg;12-03-2024;Informatie en advies\n"
    "13-03-2024;;telefoon;smilde;client_support;wonen;2024-05-02;referred_wmo\n"
    "14-03-2024;;telefoon;smilde;client_support;wonen;;kortdurende ondersteuning\n"
    "15-03-2024;;balie;smilde;desk;wonen;;\n"
)


def test_a_teams_closing_date_and_outcome_are_imported(made_db, tmp_path, capsys):
    source = tmp_path / "afgerond.csv"
    source.write_text(CLOSED, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(made_db), "import", str(source))
    assert code == 0, err
    with open_database(made_db) as db:
        rows = db.execute(
            """SELECT registered_at, closed_at, outcome.code, status FROM inquiry
               LEFT JOIN outcome ON outcome.id = outcome_id ORDER BY inquiry.id""").fetchall()
    assert rows == [
        # Closed the same day: at noon, but never before it was registered.
        ("2024-03-12T13:15:00Z", "2024-03-12T13:15:00Z", "information_advice", "closed"),
        ("2024-03-13T11:00:00Z", "2024-05-02T10:00:00Z", "referred_wmo", "closed"),
        # Without a date: closed when registered, as every historic registration.
        ("2024-03-14T11:00:00Z", "2024-03-14T11:00:00Z", "short_support", "closed"),
        ("2024-03-15T11:00:00Z", "2024-03-15T11:00:00Z", None, "closed"),
    ]


def test_closing_columns_are_checked_like_the_others(seeded_reference):
    text = ("datum;kanaal;dorp;route;onderwerp;afgerond;uitkomst\n"
            "12-03-2024;telefoon;beilen;seniorenwerk;mantelzorg;11-03-2024;\n"
            "12-03-2024;telefoon;beilen;seniorenwerk;mantelzorg;31-02-2024;\n"
            "12-03-2024;telefoon;beilen;seniorenwerk;mantelzorg;;gewonnen\n"
            "12-03-2024;telefoon;beilen;desk;mantelzorg;12-03-2024;Informatie en advies\n"
            "12-03-2024;telefoon;beilen;seniorenwerk;mantelzorg;12-03-2099;\n")
    checked = read_import(text, seeded_reference, FROZEN_NOW)
    assert checked.rows == ()
    found = [(p.line, p.column, p.reason) for p in checked.problems]
    assert found == [
        (2, "afgerond", "ligt vóór de datum van de registratie"),
        (3, "afgerond", "die datum bestaat niet"),
        (4, "uitkomst", "onbekende uitkomst (zie balie ref list outcomes)"),
        (5, "afgerond", "alleen bij een team (de balie en extern sluiten bij de registratie)"),
        (5, "uitkomst", "alleen bij een team (de balie en extern sluiten bij de registratie)"),
        (6, "afgerond", "ligt in de toekomst"),
    ]


def test_a_closing_makes_another_file_but_an_old_file_keeps_its_print(seeded_reference):
    plain = read_import(GOOD, seeded_reference, FROZEN_NOW)
    header, *lines = GOOD.lstrip("\ufeff").split("\r\n")
    with_columns = "\r\n".join([header + ";Afgerond;Uitkomst"]
                               + [line + ";;" if line else line for line in lines])
    assert read_import(with_columns, seeded_reference, FROZEN_NOW).fingerprint == \
        plain.fingerprint  # empty closing columns: the same registrations
    closed = with_columns.replace("Zoekt gezelschap;;",
                                  "Zoekt gezelschap;20-3-2024;Doorverwezen: intern")
    checked = read_import(closed, seeded_reference, FROZEN_NOW)
    assert checked.problems == () and checked.rows[0].outcome_id is not None
    assert checked.fingerprint != plain.fingerprint


# --- in bounded memory -----------------------------------------------------------------


def many(rows: int) -> str:
    """A file of ``rows`` registrations, each a little different; every third one of a
    team, closed with an outcome (or one of the two)."""
    return HEADER.replace("\n", ";afgerond;uitkomst\n") + "".join(
        f"{1 + n % 28}-{1 + n % 12}-2024;balie;{('Beilen', 'Elp')[n % 2]};"
        + ("seniorenwerk" if n % 3 == 0 else "desk")
        + f";wonen;{n % 24}:{n % 60:02d};{n % 100};v;regel {n};"
        + (("28-12-2024;", ";informatie en advies", "28-12-2024;referred_internal")[n // 3 % 3]
           if n % 3 == 0 else ";")
        + "\n" for n in range(rows))


def legacy_fingerprint(rows) -> str:
    """The fingerprint as balie computed it before imports were read line by line."""
    lines = sorted(repr((row.registered_at.isoformat(), row.time_known, row.channel_id,
                         row.village_id, row.route_id, sorted(row.topic_ids), row.age,
                         row.gender, row.summary)
                        + ((row.closed_at and row.closed_at.isoformat(), row.outcome_id)
                           if row.closed_at or row.outcome_id else ()))
                   for row in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def test_the_fingerprint_in_bounded_memory_is_the_one_balie_always_computed(
        seeded_reference, monkeypatch):
    text = (many(400)
            + '01-01-2020;balie;Elp;desk;wonen;;;;"met ""quotes"", ; en\nregels";;\n')
    rows = read_import(text, seeded_reference, FROZEN_NOW).rows
    assert len(rows) == 401
    runs: list = []
    spill = importing.tempfile.TemporaryFile

    def counted_spill(*args, **kwargs):
        runs.append(1)
        return spill(*args, **kwargs)

    monkeypatch.setattr(importing.tempfile, "TemporaryFile", counted_spill)
    monkeypatch.setattr(Fingerprint, "RUN", 7)
    monkeypatch.setattr(Fingerprint, "MAX_RUNS", 5)
    prints = Fingerprint()
    for row in reversed(rows):
        prints.add(row)
    assert prints.hexdigest() == legacy_fingerprint(rows)
    assert len(runs) > 400 // 7  # it did spill, and merged runs before too many were open


def test_kept_rows_come_back_as_they_were_checked(seeded_reference, monkeypatch, tmp_path):
    rows = read_import(many(50), seeded_reference, FROZEN_NOW).rows
    monkeypatch.setattr(importing.KeptRows, "CHUNK", 7)
    with importing.KeptRows(tmp_path) as kept:
        for row in rows:
            kept.append(row)
        assert kept._file is not None  # most of them waited on disk
        assert list(kept) == list(rows)
    assert list(tmp_path.iterdir()) == []  # anonymous: nothing left in the folder


def test_a_line_too_long_for_memory_is_a_problem(seeded_reference, monkeypatch):
    monkeypatch.setattr(importing, "MAX_LINE", 100)
    text = HEADER + "1-1-2024;balie;Elp;desk;wonen;;;;kort\n" + "1-1-2024;" + "x" * 200 + "\n"
    (problem,) = read_import(text, seeded_reference, FROZEN_NOW).problems
    assert problem.line == 3 and "langer dan 100 tekens" in str(problem)
