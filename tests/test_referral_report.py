"""Reports by referral: per entry of the sociale kaart, per route, with follow-up results,
equal to a fixture counted by hand."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from balie.cli import main
from balie.db.followup import followup_done
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.db.reports import report
from balie.domain.periods import Period
from balie.domain.report_output import headers, published_rows, to_csv, to_json
from tests.conftest import lead, member

MARCH = Period("month", date(2026, 3, 1), date(2026, 3, 31))
DAY = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
A, B, C = "Voedselbank", "Humanitas", "Juridisch Loket"

# (route, entries, follow-up result: None = no follow-up, "pending" = not yet made)
MARCH_2026 = [
    ("external", (A,), "helped"),
    ("external", (A, B), "not_helped"),
    ("external", (C,), None),
    ("desk", (A,), "pending"),
    ("desk", (B,), None),
    ("external", (B,), "declined"),
    ("social_work", (), None),
    ("desk", (), None),
]
MARCH_2025 = [("external", (A,), None), ("desk", (C,), None)]

# Counted by hand from the lists above. Columns: Afgehandeld aan de balie, Extern
# doorverwezen, total, last year; follow-ups: geholpen, nog bezig, niet geholpen, niet
# bereikt, wil geen contact, nog nabellen, geen nabellen.
EXPECTED = [
    ("Humanitas", (1, 2), 3, 0, (0, 0, 1, 0, 1, 0, 1)),
    ("Juridisch Loket", (0, 1), 1, 1, (0, 0, 0, 0, 0, 0, 1)),
    ("Voedselbank", (1, 2), 3, 1, (1, 0, 1, 0, 0, 1, 0)),
    ("Totaal", (2, 5), 7, 2, (1, 0, 2, 0, 1, 1, 2)),
]


def fill(db, rows, day: datetime) -> None:
    ref = load_reference(db)
    desk = member(db, "verwijzer")
    for n, (route, entries, result) in enumerate(rows):
        at = day + timedelta(hours=n)
        followup = at + timedelta(days=14) if result else None
        saved = save_inquiry(db, InquiryInput(
            channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Elp").id,
            route_id=ref.route(route).id, topic_ids=(ref.topics.active[0].id,),
            referral_ids=tuple(ref.directory.named(e).id for e in entries),
            consent=bool(result), phone="+31612345678" if result else None,
            followup_at=followup), desk, at)
        if result and result != "pending":
            followup_done(db, saved.id, followup, result, desk, followup)


@pytest.fixture
def referrals(db):
    fill(db, MARCH_2026, DAY)
    fill(db, MARCH_2025, DAY - timedelta(days=365))
    return db


def test_counts_per_entry_route_and_follow_up_equal_the_hand_count(referrals):
    db = referrals
    result = report(db, lead(db), load_reference(db), MARCH, "referral", include_empty=False)
    assert [r.name for r in result.columns] == ["Afgehandeld aan de balie",
                                                "Extern doorverwezen"]
    assert [(line.label, line.cells, line.total, line.previous, line.followups)
            for line in result.lines] == EXPECTED
    assert result.followup_names == ("geholpen", "nog bezig", "niet geholpen", "niet bereikt",
                                     "cliënt wil geen contact", "nog nabellen",
                                     "geen nabellen")
    assert "telt bij elk adres" in result.note
    basis = report(db, lead(db), load_reference(db), MARCH, "referral", include_empty=False,
                   route_basis="intake")
    assert [line.total for line in basis.lines] == [3, 1, 3, 7]
    # Every entry, also those without referrals, unless empty lines are hidden.
    everything = report(db, lead(db), load_reference(db), MARCH, "referral")
    assert len(everything.lines) == len(load_reference(db).directory.active) + 1


def test_one_route_and_the_spreadsheet(referrals):
    db = referrals
    ref = load_reference(db)
    external = report(db, lead(db), ref, MARCH, "referral", include_empty=False,
                      route_codes=("external",))
    assert [(line.label, line.total, line.followups) for line in external.lines] == [
        ("Humanitas", 2, (0, 0, 1, 0, 1, 0, 0)), ("Juridisch Loket", 1, (0,) * 6 + (1,)),
        ("Voedselbank", 2, (1, 0, 1, 0, 0, 0, 0)), ("Totaal", 5, (1, 0, 2, 0, 1, 0, 1))]
    result = report(db, lead(db), ref, MARCH, "referral", include_empty=False)
    rows = list(csv.reader(io.StringIO(to_csv(result)), delimiter=";"))
    head = rows[2]
    assert head[:4] == ["Sociale kaart", "Afgehandeld aan de balie", "Extern doorverwezen",
                        "Totaal"]
    assert head[-7:] == ["Nabellen: geholpen", "Nabellen: nog bezig", "Nabellen: niet geholpen",
                         "Nabellen: niet bereikt", "Nabellen: cliënt wil geen contact",
                         "Nabellen: nog nabellen", "Nabellen: geen nabellen"]
    humanitas = rows[3]
    assert humanitas[:4] == ["Humanitas", "1", "2", "3"]
    assert humanitas[-7:] == ["0", "0", "1", "0", "1", "0", "1"]
    document = to_json(result)
    assert '"geholpen": 1' in document
    assert len(headers(result, short=True)) == len(published_rows(result)[1][0])


def test_the_command_line_reports_by_referral(referrals, db_path, capsys):
    assert main(["--db", str(db_path), "report", "--month", "2026-03", "--by", "referral",
                 "--hide-empty"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sociale kaart x route, maart 2026")
    line = next(row for row in out.splitlines() if row.startswith("Voedselbank"))
    assert line.split() == ["Voedselbank", "1", "2", "3", "1", "+200%", "1", "0", "1", "0",
                            "0", "1", "0"]


def test_for_outside_use_no_small_count_can_be_read(referrals):
    db = referrals
    result = report(db, lead(db), load_reference(db), MARCH, "referral", include_empty=False)
    published, rows = published_rows(result, suppressed=True)
    for row in rows:
        for cell in row[1:]:
            # Counts: 0, 10 and more, "<10" or "x"; never 1 to 9 (nor a share of them).
            assert not re.fullmatch(r"[1-9]", cell), row
            assert "%" not in cell, row


async def test_the_overview_breaks_down_by_referral_too(referrals, db_path):
    from tests.test_overview_screen import build, open_overview, shown, title

    app = build(db_path, now=datetime(2026, 4, 15, 9, 0, tzinfo=UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_overview(pilot)
        await pilot.press("p", "p", "left")  # months, then back to March 2026
        await pilot.press(*"iiiii")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # At 80 columns the follow-up results are a second page of columns (Shift+→).
        assert title(screen).startswith("Sociale kaart x route, maart 2026")
        rows = {row[0]: row for row in shown(screen)}
        assert rows["Voedselbank"][1:5] == ["1", "2", "3", "1"]
        assert rows["Totaal"][1:4] == ["2", "5", "7"]
        await pilot.press("a")  # for outside use: every count under 10 is hidden
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for row in shown(screen):
            assert not any(re.fullmatch(r"[1-9]", cell) for cell in row[1:]), row
        await pilot.press("shift+right")  # the follow-up results, on the second page
        await pilot.pause()
        assert "kolommen 2/2" in title(screen)
        for row in shown(screen):
            assert not any(re.fullmatch(r"[1-9]", cell) for cell in row[1:]), row
