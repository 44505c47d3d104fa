"""Report counts equal a hand-computed fixture, for every breakdown and period."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from balie.cli import main
from balie.db.factsheets import factsheets
from balie.db.factsheets import query_plans as factsheet_plans
from balie.db.reports import query_plans, report
from balie.domain.periods import Period, containing
from balie.domain.report_output import headers, table_rows, to_csv
from tests.conftest import DST_END, DST_START, FROZEN_NOW, lead


def cells(result, label) -> dict[str, int]:
    line = next(line for line in result.lines if line.label == label)
    return {r.code: n for r, n in zip(result.columns, line.cells) if n}


def test_a_day_across_the_start_of_summer_time(fixture_db):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("day", DST_START), "village")
    assert cells(result, "Beilen") == {"client_support": 1, "senior_work": 1}
    assert cells(result, "Hooghalen") == {"desk": 1}
    assert cells(result, "Totaal Dorpen rond Beilen") == {"desk": 1}
    assert (result.total.total, result.total.previous) == (3, 1)  # 52 weeks earlier: one
    assert result.total.cells == (1, 0, 1, 1, 0)


@pytest.mark.parametrize(
    ("breakdown", "expected"),
    [
        ("area", {"Beilen": 2, "Dorpen rond Beilen": 1}),
        ("channel", {"Telefoon": 1, "Balie": 1, "E-mail": 1}),
        # 10:00 is there for the year before (the same Sunday 52 weeks earlier).
        ("hour", {"00:00-01:00": 1, "03:00-04:00": 1, "10:00-11:00": 0, "23:00-24:00": 1}),
        ("topic", {"Financiën": 1, "Eenzaamheid en contact": 1, "Zorg en Wmo": 1, "Wonen": 1}),
    ],
)
def test_every_breakdown_of_that_day(fixture_db, breakdown, expected):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("day", DST_START), breakdown, include_empty=False)
    items = {line.label: line.total for line in result.lines if line.kind == "item"}
    assert items == expected
    # By topic an inquiry with two topics counts twice, but the total counts inquiries.
    assert result.total.total == 3


@pytest.mark.parametrize(
    ("breakdown", "expected"),
    [
        ("area", {"Beilen": (2, 1), "Smilde": (1, 1), "Dorpen rond Beilen": (2, 0),
                  "Dorpen rond Westerbork": (1, 0)}),
        ("channel", {"Telefoon": (3, 2), "Balie": (1, 0), "E-mail": (1, 0),
                     "Huisbezoek": (1, 0)}),
        ("hour", {"00:00-01:00": (2, 0), "03:00-04:00": (1, 0), "09:00-10:00": (1, 0),
                  "10:00-11:00": (0, 2), "23:00-24:00": (2, 0)}),
        ("topic", {"Financiën": (2, 1), "Wonen": (1, 1), "Zorg en Wmo": (1, 0),
                   "Eenzaamheid en contact": (2, 0), "Overig": (1, 0)}),
    ],
)
def test_every_breakdown_of_that_month_against_last_year(fixture_db, breakdown, expected):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("month", DST_START), breakdown,
                    include_empty=False)
    items = {line.label: (line.total, line.previous) for line in result.lines
             if line.kind == "item"}
    assert items == expected
    assert (result.total.total, result.total.previous) == (6, 2)


def test_the_hour_that_happens_twice_when_summer_time_ends(fixture_db):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("day", DST_END), "hour", include_empty=False)
    assert {line.label: line.total for line in result.lines} == {
        "02:00-03:00": 2, "Totaal": 2}


@pytest.mark.parametrize(
    ("period", "total", "previous"),
    [
        (containing("week", DST_START), 4, 1),  # week 13 of 2025 holds 29 March 2025
        (containing("month", DST_START), 6, 2),
        (containing("quarter", DST_START), 6, 2),
        (containing("year", DST_START), 8, 2),
        (Period("range", date(2026, 3, 28), date(2026, 3, 30)), 5, 1),
    ],
)
def test_totals_of_every_kind_of_period(fixture_db, period, total, previous):
    db, ref = fixture_db
    result = report(db, lead(db), ref, period, "village")
    assert (result.total.total, result.total.previous) == (total, previous)
    # Villages and subtotals agree with the total.
    items = sum(line.total for line in result.lines if line.kind == "item")
    assert items == total


def test_only_one_route(fixture_db):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("year", DST_START), "village",
                    route_codes=("social_work",))
    assert [r.code for r in result.columns] == ["social_work"]
    assert result.total.total == 2 and cells(result, "Westerbork") == {"social_work": 2}


def test_rate_per_thousand_inhabitants(fixture_db):
    db, ref = fixture_db
    result = report(db, lead(db), ref, containing("year", DST_START), "village")
    westerbork = next(line for line in result.lines if line.label == "Westerbork")
    assert westerbork.rate == pytest.approx(2 / 4755 * 1000)


def test_factsheet_of_each_team_and_the_desk(fixture_db):
    db, ref = fixture_db
    sheets = {s.code: s for s in factsheets(db, lead(db), ref, containing("year", DST_START),
                                            now=FROZEN_NOW)}
    assert set(sheets) == {"client_support", "social_work", "senior_work", "alle"}
    senior = sheets["senior_work"]
    assert (senior.total, senior.previous) == (2, 0)
    ages = senior.section("age")
    assert {f.label: f.count for f in ages.figures if f.count} == {"68+": 2}
    gender = senior.section("gender")
    assert {f.label: gender.share(f) for f in gender.figures if f.count} == {"vrouw": 1.0}
    # 2026 is not over on FROZEN_NOW: compared with 2025 up to the same moment.
    assert (sheets["client_support"].total, sheets["client_support"].previous) == (1, 0)
    assert senior.partial
    desk = sheets["alle"]
    assert desk.total == 8 and desk.previous == 0  # up to the same moment of 2025
    routes = {f.label: f.count for f in desk.section("route").figures}
    assert routes["Afgehandeld aan de balie"] == 2 and routes["Seniorenwerk"] == 2


def test_report_queries_use_indexes_and_never_scan_the_table(fixture_db):
    db, _ = fixture_db
    span = containing("month", DST_START).span
    for name, plan in (query_plans(db, span) | factsheet_plans(db, span)).items():
        text = " ".join(plan)
        assert "SCAN inquiry " not in text + " " and "USING COVERING INDEX" in text, name


def run_cli(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_cli_table_shows_the_same_figures(fixture_db, db_path, capsys):
    db, ref = fixture_db
    text = run_cli(capsys, "--db", str(db_path), "report", "--day", "29-3-2026")
    printed = printed_table(text)
    result = report(db, lead(db), ref, containing("day", DST_START), "village")
    assert printed[0] == headers(result)
    assert printed[1:] == table_rows(result)


def printed_table(text: str) -> list[list[str]]:
    """The cells of a printed table, empty ones too: cut at the dashes under the heads."""
    lines = text.splitlines()
    dashes = next(line for line in lines if line.startswith("-"))
    spans = [match.span() for match in re.finditer(r"-+", dashes)]
    start = lines.index(dashes) - 1
    return [[line[a:b].strip() for a, b in spans] for line in lines[start:]
            if line.strip() and not line.startswith("-")]


def test_cli_suppressed_table_shows_the_screen_figures(fixture_db, db_path, capsys):
    db, ref = fixture_db
    text = run_cli(capsys, "--db", str(db_path), "report", "--month", "3-2026", "--suppress")
    result = report(db, lead(db), ref, containing("month", DST_START), "village")
    assert printed_table(text)[1:] == table_rows(result, suppressed=True)
    assert any("<10" in row for row in printed_table(text))


def test_cli_csv_is_for_dutch_excel_and_reads_back(fixture_db, db_path, tmp_path, capsys):
    target = tmp_path / "maart.csv"
    assert main(["--db", str(db_path), "report", "--month", "2026-03", "--by", "area",
                 "--format", "csv", "--output", str(target)]) == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[2]
    assert header[:2] == ["Gebied", "Cliëntondersteuning"] and "Per 1.000 inwoners" in header
    beilen = dict(zip(header, next(r for r in rows if r and r[0] == "Beilen")))
    assert (beilen["Totaal"], beilen["Seniorenwerk"], beilen["Totaal maart 2025"]) == (
        "2", "1", "1")
    assert beilen["Per 1.000 inwoners"] == "0,2"


def test_cli_json_is_stable_and_scriptable(fixture_db, db_path, capsys):
    args = ("--db", str(db_path), "report", "--year", "2026", "--by", "channel",
            "--format", "json")
    first = run_cli(capsys, *args)
    assert run_cli(capsys, *args) == first
    document = json.loads(first)
    assert document["period"] == {"kind": "year", "label": "2026", "first": "2026-01-01",
                                  "last": "2026-12-31"}
    phone = next(line for line in document["lines"] if line["label"] == "Telefoon")
    assert phone["total"] == 4 and phone["cells"]["social_work"] == 1


def test_cli_suppressed_output_hides_small_counts(fixture_db, db_path, capsys):
    text = run_cli(capsys, "--db", str(db_path), "report", "--year", "2025", "--suppress")
    assert "<10" in text and "(AVG" in text
    beilen = next(line for line in text.splitlines() if line.startswith("Beilen "))
    assert " 1 " not in f" {beilen} " and " 2 " not in f" {beilen} "


def test_cli_factsheet(fixture_db, db_path, capsys):
    text = run_cli(capsys, "--db", str(db_path), "report", "--year", "2026", "--factsheet",
                   "--route", "seniorenwerk")
    assert text.startswith("Seniorenwerk · 2026")
    assert "Leeftijd" in text
    assert re.search(r"\n  68\+ +2 100% █+\n", text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--day", "31-2"], "bestaat niet"), (["--from", "1-3-2026"], "--from als --to"),
     (["--from", "5-3-2026", "--to", "1-3-2026"], "vóór"),
     (["--route", "Jongerenwerk"], "onbekende route"),
     (["--day", "1-1-0000"], "bestaat niet"), (["--year", "9999"], "2199"),
     (["--from", "1-1-1800", "--to", "2-1-1800"], "tussen 1900 en 2199"),
     (["--day", "29-3-2026", "--suppress"], "alleen per maand, kwartaal of jaar"),
     (["--month", "3-2026", "--by", "hour", "--suppress"], "alleen per dorp, gebied of adres"),
     (["--month", "3-2026", "--by", "topic", "--suppress"], "alleen per dorp, gebied of adres"),
     (["--month", "3-2026", "--route", "desk", "--route", "external", "--suppress"],
      "één route"),
     (["--month", "--suppress"], "afgelopen maand"),
     (["--year", "--factsheet", "--suppress"], "afgelopen"),
     (["--from", "1-3-2026", "--to", "3-3-2026", "--suppress"], "kwartaal of jaar")],
)
def test_cli_report_mistakes(made_db, capsys, argv, message):
    assert main(["--db", str(made_db), "report", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_first_year_of_the_calendar_compares_with_the_year_before(made_db, capsys):
    text = run_cli(capsys, "--db", str(made_db), "report", "--year", "1900", "--suppress")
    assert "Dorp x route, 1900" in text and "Totaal 1899" in text


def test_an_output_file_that_cannot_be_written_gets_a_message(made_db, tmp_path, capsys):
    target = tmp_path / "bestaat-niet" / "maart.csv"
    assert main(["--db", str(made_db), "report", "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert "De map" in err and "bestaat niet" in err and "Traceback" not in err


def test_csv_of_a_report_has_dutch_numbers(fixture_db):
    db, ref = fixture_db
    text = to_csv(report(db, lead(db), ref, containing("year", DST_START), "village"))
    westerbork = next(line for line in text.split("\r\n") if line.startswith("Westerbork;"))
    assert westerbork.endswith(";2;0;nieuw;0,4")  # total, a year earlier, change, per 1,000
