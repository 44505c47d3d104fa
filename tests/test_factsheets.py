"""Factsheets: a history shaped like the 2023 annual report, imported with its outcomes
through ``balie import``, gives back every published figure on screen, in the terminal,
in CSV, JSON and HTML; and the figures of any page add up, suppressed or not."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, date, datetime

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.app import make_app
from balie.cli import main
from balie.db import open_database
from balie.db.factsheets import carried, published_factsheets
from balie.db.reference import load_reference
from balie.domain.factsheet import (
    NO_OUTCOME,
    OPEN,
    REFERRALS,
    TOTAL,
    DeskCounts,
    TeamCounts,
    build_factsheets,
)
from balie.domain.factsheet_html import pages_html
from balie.domain.factsheet_output import page_lines, percent
from balie.domain.factsheet_publication import channel_table, publish
from balie.domain.periods import containing
from balie.domain.report import AGE_BANDS, GENDER_NAMES, UNKNOWN_HOUR, linked_report
from balie.screens.factsheet import FactsheetScreen
from tests import annual_report
from tests.conftest import lead, member

YEAR_2023 = containing("year", date(2023, 6, 1))
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def annual(tmp_path_factory):
    """A database with the annual report's history, imported through balie import."""
    folder = tmp_path_factory.mktemp("jaarverslag")
    path = folder / "balie.db"
    open_database(path).close()
    source = folder / "historie.csv"
    source.write_text(annual_report.csv_text(), encoding="utf-8")
    assert main(["--db", str(path), "import", str(source)]) == 0
    return path


def cli(capsys, path, *argv) -> str:
    assert main(["--db", str(path), "report", "--year", "2023", "--factsheet", *argv]) == 0
    return capsys.readouterr().out


def line_of(text: str, label: str) -> str:
    """The line of a section that starts with ``label`` (after its indent)."""
    return next(line for line in text.splitlines() if line.strip().startswith(label + " "))


def counted(text: str, label: str) -> tuple[str, str]:
    """The count and share printed after a label in a text page."""
    line = line_of(text, label)
    rest = line.strip()[len(label):].split()
    return rest[0], rest[1] if len(rest) > 1 and rest[1].endswith("%") else ""


# --- the published figures, in every output ------------------------------------------


def check_text(text: str) -> None:
    """Every published figure in a text version (terminal or screen) of all pages."""
    pages = dict(re.findall(r"(?ms)^(\S[^\n]*) · 2023\n(.*?)(?=^\S[^\n]* · 2023\n|\Z)", text))
    co, mw, sw = pages["Cliëntondersteuning"], pages["Maatschappelijk werk"], \
        pages["Seniorenwerk"]
    assert "Vragen: 998 · vorig jaar: 778 · verschil: +220 (+28%)" in co
    assert counted(co, "Informatie en advies") == ("216", "22%")
    assert counted(co, "Kortdurende ondersteuning") == ("495", "50%")
    assert counted(co, "Regie tijdelijk overgenomen") == ("32", "3%")
    assert counted(co, "Financiën") == ("174", "17%") and counted(co, "Wonen") == ("133", "13%")
    topics = co.split("Meest gestelde onderwerpen")[1].splitlines()[1:6]
    assert [t.split()[0] for t in topics] == ["Financiën", "Begeleiding", "Wonen", "Zorg",
                                             "Hulpmiddelen"]
    assert counted(co, "man") == ("368", "37%") and counted(co, "vrouw") == ("630", "63%")
    assert counted(co, "46-67") == ("379", "38%")
    assert "Vragen: 83 · vorig jaar: 57 · verschil: +26 (+46%)" in mw
    assert "Open van eerder: 115 · in behandeling: 198 · afgerond: 92 · nog open: 106" in mw
    assert counted(mw, "Beilen")[1] == "39%" and counted(mw, "Dorpen rond Beilen")[1] == "18%"
    assert counted(mw, "Bovensmilde")[1] == "13%" and counted(mw, "Westerbork")[1] == "10%"
    assert counted(mw, "Hoogersmilde")[1] == "5%"
    assert "Vragen: 359 · vorig jaar: 264 · verschil: +95 (+36%)" in sw
    assert "afgerond: 359" in sw
    assert counted(sw, "Informatie en advies")[0] == "106"
    assert counted(sw, "maatwerkvoorziening/Wmo")[0] == "58"


def test_the_terminal_text_gives_every_published_figure(annual, capsys):
    text = cli(capsys, annual)
    check_text(text)
    assert all(len(line) <= 80 for line in text.splitlines())  # to a file or pipe: 80


def test_csv_gives_every_published_figure_for_excel(annual, capsys, tmp_path):
    target = tmp_path / "2023.csv"
    cli(capsys, annual, "--format", "csv", "--output", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Team", "Periode", "Onderdeel", "Categorie", "Deel van", "Aantal",
                       "Aandeel (%)"]
    found = {(r[0], r[2], r[3]): (r[5], r[6]) for r in rows[1:] if len(r) == 7}
    co = "Cliëntondersteuning"
    assert found[(co, "Totaal", "vragen")] == ("998", "")
    assert found[(co, "Totaal", "vorig jaar")] == ("778", "")
    assert found[(co, "Totaal", "verschil")] == ("220", "28,3")  # Excel reads both
    assert found[(co, "Uitkomst", "Informatie en advies")] == ("216", "21,6")
    assert found[(co, "Uitkomst", "Kortdurende ondersteuning")] == ("495", "49,6")
    assert found[(co, "Uitkomst", "Regie tijdelijk overgenomen")] == ("32", "3,2")
    assert found[(co, "Meest gestelde onderwerpen", "Financiën")] == ("174", "17,4")
    assert found[(co, "Meest gestelde onderwerpen", "Wonen")] == ("133", "13,3")
    assert found[(co, "Geslacht", "vrouw")] == ("630", "63,1")
    assert found[(co, "Geslacht", "man")] == ("368", "36,9")
    assert found[(co, "Leeftijd", "46-67")] == ("379", "38,0")
    mw = "Maatschappelijk werk"
    assert found[(mw, "Totaal", "vragen")] == ("83", "")
    assert found[(mw, "Totaal", "verschil")] == ("26", "45,6")
    assert found[(mw, "Doorloop", "in behandeling")] == ("198", "")
    assert found[(mw, "Doorloop", "afgerond")] == ("92", "")
    assert found[(mw, "Woonplaats", "Beilen")] == ("32", "38,6")
    sw = "Seniorenwerk"
    assert found[(sw, "Soort verwijzing", "maatwerkvoorziening/Wmo")][0] == "58"
    assert found[(sw, "Totaal", "verschil")] == ("95", "36,0")
    parts = {(r[3], r[4]) for r in rows[1:] if len(r) == 7 and r[0] == co}
    assert ("Hooghalen", "Dorpen rond Beilen") in parts  # a village names its area
    assert ("maatwerkvoorziening/Wmo", "Doorverwezen") in parts


def test_json_carries_numbers(annual, capsys):
    pages = {p["code"]: p for p in json.loads(cli(capsys, annual, "--format", "json"))}
    assert set(pages) == {"client_support", "social_work", "senior_work", "alle"}
    co = pages["client_support"]
    assert (co["total"], co["previous"], co["change"], co["change_share"]) == (
        998, 778, 220, 0.283)
    sections = {s["code"]: {f["label"]: f for f in s["figures"]} for s in co["sections"]}
    assert sections["gender"]["vrouw"]["share"] == 0.631
    assert sections["gender"]["man"]["count"] == 368
    assert sections["outcome"]["Informatie en advies"]["count"] == 216
    assert sections["outcome"]["Regie tijdelijk overgenomen"]["count"] == 32
    assert sections["topic"]["Financiën"] == {
        "label": "Financiën", "key": ["topic", sections["topic"]["Financiën"]["key"][1]],
        "count": 174, "hidden": None, "share": 0.174, "part_of": None}
    assert sections["age"]["46-67"]["share"] == 0.38
    mw = pages["social_work"]
    assert mw["flow"] == {"carried": 115, "new": 83, "handled": 198, "closed": 92,
                          "open_at_end": 106}
    sw = pages["senior_work"]
    assert sw["change_share"] == 0.36 and sw["flow"]["closed"] == 359
    assert {s["code"]: s["adds_up_to"] for s in sw["sections"]}["referral"] == "referrals"


def html_text(document: str) -> dict[str, str]:
    """The text of each page of an HTML factsheet (by its heading), read the way a
    browser does (html5lib), with the cells of a row joined by " | "."""
    tree = html5lib.parse(document, namespaceHTMLElements=False)
    pages = {}
    for page in tree.iter("section"):
        lines = [" ".join(" ".join(box.itertext()).split()) for box in page.find("dl")]
        for element in page.iter():
            if element.tag == "tr":
                lines.append(" | ".join("".join(cell.itertext()).strip()
                                        for cell in element if cell.tag in ("th", "td")))
            elif element.tag in ("p", "h1", "h2"):
                lines.append(" ".join("".join(element.itertext()).split()))
        pages[page.find("h1").text] = "\n".join(lines)
    return pages


def test_html_gives_every_published_figure_escaped_and_self_contained(annual, capsys,
                                                                       tmp_path):
    target = tmp_path / "2023.html"
    cli(capsys, annual, "--format", "html", "--output", str(target))
    document = target.read_text(encoding="utf-8")
    pages = html_text(document)
    assert list(pages) == ["Cliëntondersteuning", "Maatschappelijk werk", "Seniorenwerk",
                           "Balie: alle vragen"]
    co = pages["Cliëntondersteuning"]
    assert "vragen 998" in co and "+28% +220, was 778" in co
    for row in ("Informatie en advies | 216 | 22%", "Kortdurende ondersteuning | 495 | 50%",
                "Regie tijdelijk overgenomen | 32 | 3%", "Financiën | 174 | 17%",
                "Wonen | 133 | 13%", "vrouw | 630 | 63%", "man | 368 | 37%",
                "46-67 | 379 | 38%"):
        assert row in co, row
    mw = pages["Maatschappelijk werk"]
    assert "vragen 83" in mw and "+46% +26, was 57" in mw
    assert "in behandeling 198 waarvan 115 van eerder" in mw and "afgerond 92" in mw
    assert "Beilen | 32 | 39%" in mw and "Dorpen rond Beilen | 15 | 18%" in mw
    sw = pages["Seniorenwerk"]
    assert "vragen 359" in sw and "+36%" in sw and "afgerond 359" in sw
    assert "maatwerkvoorziening/Wmo | 58" in sw and "Informatie en advies | 106" in sw


def test_html_is_valid_self_contained_and_prints_one_sheet_per_team(annual, capsys, tmp_path):
    target = tmp_path / "2023.html"
    cli(capsys, annual, "--format", "html", "--output", str(target))
    document = target.read_text(encoding="utf-8")
    # html5lib's strict parser implements the WHATWG parsing rules and raises on every
    # parse error (a stray or unclosed tag, a bad attribute, a missing doctype).
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(document)
    assert "<script" not in document.lower()
    assert not re.search(r"\b(src|href)\s*=|url\(|@import", document, re.I)
    assert document.count('<section class="page"') == 4
    assert "break-after: page" in document and "size: A4" in document
    assert document.count("<svg") > 40  # the bars


def test_every_name_from_data_is_escaped(tmp_path):
    path = tmp_path / "balie.db"
    db = open_database(path)
    try:
        db.execute("UPDATE route SET name = ? WHERE code = 'senior_work'",
                   ['Senioren <script>alert("x")</script> & "co"'])
        db.execute("UPDATE village SET name = '<b>Hooghalen</b>' WHERE name = 'Hooghalen'")
        ref = load_reference(db)
        sheets = build_factsheets(
            ref, YEAR_2023,
            {ref.route("senior_work").id: TeamCounts.of_rows(
                Counter({(ref.villages.named("<b>Hooghalen</b>").id, "f", "68+",
                          ref.channels.all[0].id, OPEN): 12}),
                Counter(), Counter(), 3)}, None)
    finally:
        db.close()
    document = pages_html(publish(sheets), date(2024, 1, 5))
    assert "<script>" not in document and "<b>" not in document
    assert "Senioren &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;co&quot;" \
        in document
    assert "&lt;b&gt;Hooghalen&lt;/b&gt;" in document
    html5lib.HTMLParser(strict=True).parse(document)


async def test_the_screen_gives_every_published_figure(annual):
    with open_database(annual) as db:  # a team lead who may see every report
        member(db, "teamleider", "Teamleider", roles=("teamleider",))
        reference = load_reference(db)
    app = make_app(annual, username="teamleider", clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FactsheetScreen(YEAR_2023, reference, False))
        shown = []
        for _ in range(4):
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            shown.append(str(screen.query_one("#factsheet-body").render()))
            await pilot.press("t")
        text = "\n\n".join(shown)
        check_text(text)
        width = screen.query_one("#factsheet").scrollable_content_region.width
        assert all(len(line) <= width for line in text.splitlines())


def test_the_text_uses_the_width_it_has(annual):
    with open_database(annual) as db:
        pages = published_factsheets(db, lead(db), load_reference(db), YEAR_2023, now=NOW)
    narrow, wide = page_lines(pages[0], 60), page_lines(pages[0], 130)
    assert max(map(len, narrow)) <= 60 and max(map(len, wide)) <= 130
    assert len(wide) < len(narrow) * 0.7  # two columns of sections side by side
    assert any("█" in line for line in narrow)


# --- the flow and the waiting time ------------------------------------------------------


def test_still_open_from_before_is_the_same_counted_from_either_side(annual):
    with open_database(annual) as db:
        team = load_reference(db).route("social_work").id
        for year in (2021, 2022, 2023, 2024):
            start = f"{year}-01-01T00:00:00Z"
            before = carried(db, team, start, NOW, side="before")
            assert before == carried(db, team, start, NOW, side="after")
            assert before == carried(db, team, start, NOW)
        assert carried(db, team, "2023-01-01T00:00:00Z", NOW) == 115


def test_waiting_time_is_median_and_90th_percentile_in_working_hours(seeded_reference):
    ref = seeded_reference
    team = ref.teams[0]
    waits = Counter({60: 5, 120: 3, 480: 1, 960: 1})  # minutes
    counts = TeamCounts.of_rows(Counter(), Counter(), waits, 0)
    sheet = build_factsheets(ref, YEAR_2023, {team.id: counts}, None)[0]
    assert (sheet.waiting.measured, sheet.waiting.median_hours, sheet.waiting.p90_hours) == (
        10, 1.5, 8.0)  # (60 + 120) / 2 minutes; the 9th of 10 values
    pages = publish([sheet])
    assert "mediaan 1,5 werkuren" in "\n".join(page_lines(pages[0]))


# --- the figures add up, suppressed or not --------------------------------------------


@st.composite
def periods_of_counts(draw, ref):
    """A year of made-up counts: every team's rows and topics, and the desk's."""
    villages = [v.id for v in ref.villages.all]
    channels = [c.id for c in ref.channels.all]
    outcomes = [o.id for o in ref.outcomes.all] + [NO_OUTCOME, OPEN]
    bands = [None, *AGE_BANDS]
    count = st.one_of(st.integers(1, 9), st.integers(10, 60))
    teams = {}
    desk: Counter = Counter()
    hours: Counter = Counter()
    cells: Counter = Counter()
    for route in ref.routes.all:
        rows: Counter = Counter()
        topics: Counter = Counter()
        for _ in range(draw(st.integers(0, 6))):
            n = draw(count)
            village, channel = draw(st.sampled_from(villages)), draw(st.sampled_from(channels))
            rows[(village, draw(st.sampled_from(["", *GENDER_NAMES])),
                  draw(st.sampled_from(bands)), channel, draw(st.sampled_from(outcomes)))] += n
            for topic in draw(st.sets(st.sampled_from(ref.topics.all), min_size=1,
                                      max_size=2)):
                topics[topic.id] += n
            desk[(channel, route.id)] += n
            hours[draw(st.sampled_from([9, 10, 13, UNKNOWN_HOUR]))] += n
            cells[(village, route.id)] += n
        if route.is_team:
            teams[route.id] = TeamCounts.of_rows(rows, topics, Counter({30: 1}),
                                         draw(st.integers(0, 80)), 2, 1)
    return teams, DeskCounts(desk, hours, draw(st.integers(0, 200))), cells


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), suppressed=st.booleans())
def test_the_figures_of_a_page_add_up(seeded_reference, data, suppressed):
    ref = seeded_reference
    teams, desk, cells = data.draw(periods_of_counts(ref))
    sheets = build_factsheets(ref, YEAR_2023, teams, desk)
    village = channel = None
    if suppressed:
        totals = Counter()
        for (_, route), n in cells.items():
            totals[route] += n
        village = linked_report(ref, YEAR_2023, "village", cells, totals, Counter(),
                                Counter())
        channel = channel_table(ref, YEAR_2023, desk)
    for page in publish(sheets, village=village, channel=channel):
        sheet = page.sheet
        for section in sheet.sections:
            if section.whole is None:  # topics: an inquiry can have several
                assert all(f.count <= sheet.total for f in section.figures)
                continue
            whole = sheet.total if section.whole == TOTAL else next(
                f.count for s in sheet.sections for f in s.figures if f.key == REFERRALS)
            assert sum(f.count for f in section.figures if f.level == 0) == whole, section
            parts: dict[str, int] = {}
            parent = None
            for figure in section.figures:
                if figure.level == 0:
                    parent = figure
                else:
                    parts[parent.label] = parts.get(parent.label, 0) + figure.count
            for figure in section.figures:
                if figure.label in parts:
                    assert parts[figure.label] == figure.count
            shares = [section.share(f) for f in section.figures if f.shared and not f.level]
            if section.base:
                assert sum(shares) == pytest.approx(1.0)
        if sheet.flow is not None:
            flow = sheet.flow
            assert flow.handled == flow.carried + sheet.total
            assert flow.open_at_end == flow.handled - flow.closed
        # As published: every figure a number or a mark, every number the true one.
        true = {(s.code, f.key): f.count for s in sheet.sections for f in s.figures}
        for section in page.sections:
            for figure in section.figures:
                assert (figure.count is None) == (figure.mark is not None)
                if figure.count is not None:
                    assert figure.count == true[(section.code, figure.key)]
                else:
                    value = true[(section.code, figure.key)]
                    assert figure.mark == ("<10" if 0 < value < 10 else "x")
                assert figure.share is None or figure.count is not None
        if page.total.count is not None:
            assert page.total.count == sheet.total
        for line in page_lines(page, 80):
            assert len(line) <= 80
        assert percent(0.005) == "1%" and percent(0.004) == "0%"
