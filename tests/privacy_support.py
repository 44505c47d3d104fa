"""What the retention and subject-rights tests share: a database with a beheerder,
inquiries with planted details that occur nowhere else, and a search for their bytes
in every file SQLite writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from balie.config import os_username
from balie.db import open_database
from balie.db.access import Actor, sign_in
from balie.db.drafts import save_draft
from balie.db.factsheets import factsheets
from balie.db.inbox import callback_done, close, pick_up, transfer
from balie.db.inquiries import Inquiry, correct_inquiry, save_inquiry
from balie.db.reference import KINDS, add_entry, load_reference
from balie.db.reports import report
from balie.domain.intake import IntakeDraft
from balie.domain.models import InquiryInput
from balie.domain.periods import Period

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
"""Tuesday 10 March 2026, 10:30 in Beilen."""
LONG_AGO = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)
"""More than 24 months before NOW: past every route's retention period."""

NAME = "Zwaantje Qxyzzyvlek"
PHONE = "+31612398745"
POSTCODE = "9411 QX"
SUMMARY = "Zwaantje vertelt over een Wibberkloof-schuld"
CALLBACK_NOTE = "Teruggebeld op het Dommelvinkadres"
CORRECTION_REASON = "Kwartelspelling verbeterd"
TRANSFER_REASON = "Blauwvinkreden: liever een vrouwelijke hulpverlener"
CLOSE_NOTE = "Groenpluimnotitie: regeling getroffen"
DRAFT_TEXT = "Zwaantje belde over Snorrebaard"

PLANTED_TEXTS = (NAME, PHONE, POSTCODE, SUMMARY, CALLBACK_NOTE, CORRECTION_REASON,
                 TRANSFER_REASON, CLOSE_NOTE, DRAFT_TEXT)
FTS_TOKENS = ("zwaantje", "qxyzzyvlek", "xyzzyvlek")
"""How the name index keeps the name: folded to lower case, per word (and a term can be
stored as the suffix after a prefix it shares with the term before it)."""


def needles() -> dict[str, bytes]:
    """Every planted text in UTF-8 and in UTF-16 (either byte order), the name index's
    tokens, and the phone number's digits without the country code."""
    found = {}
    for text in PLANTED_TEXTS:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found[f"{text!r} ({encoding})"] = text.encode(encoding)
    for token in FTS_TOKENS:
        found[f"token {token}"] = token.encode()
    found["phone digits"] = PHONE[3:].encode()
    return found


def files_of(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it (as far as they exist)."""
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]


def traces(*paths: Path) -> dict[str, list[str]]:
    """Which planted bytes occur in which file (empty: none anywhere)."""
    hits: dict[str, list[str]] = {}
    for path in paths:
        content = path.read_bytes() if path.exists() else b""
        for label, needle in needles().items():
            if needle in content:
                hits.setdefault(path.name, []).append(label)
    return hits


def open_with_beheer(path: Path, username: str | None = None) -> tuple:
    """A new database and its first account (balie, teamleider and beheer). By default
    the OS account, so the command line acts as the same staff member."""
    db = open_database(path)
    _, actor = sign_in(db, username or os_username(), "test", LONG_AGO, owns_file=True)
    return db, actor


def staff_with(db, beheer: Actor, username: str, roles: str,
               team: str | None = None) -> Actor:
    """Another staff member with these roles, signed in."""
    extra = {"team": team} if team else {}
    add_entry(db, beheer, KINDS["staff"], username, roles=roles, **extra)
    _, actor = sign_in(db, username, "test", LONG_AGO, owns_file=False)
    return actor


def register(db, actor: Actor, at: datetime, *, route: str = "social_work",
             village: str = "Beilen", name: str | None = None, phone: str | None = None,
             postcode: str | None = None, summary: str = "", callback: datetime | None = None,
             age: int = 44, gender: str = "f") -> Inquiry:
    ref = load_reference(db)
    personal = bool(name or phone or postcode or callback)
    data = InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named(village).id,
        route_id=ref.route(route).id, topic_ids=(ref.topics.active[0].id,
                                                 ref.topics.active[2].id),
        referral_ids=(ref.directory.all[0].id,) if route == "external" else (),
        age=age, gender=gender, summary=summary, consent=personal, person_name=name,
        phone=phone, postcode=postcode, callback_at=callback)
    return save_inquiry(db, data, actor, at)


@dataclass(frozen=True)
class Planted:
    inquiry_id: int
    draft_id: int


def plant(db, actor: Actor, at: datetime = LONG_AGO, *, route_to: str = "senior_work",
          close_it: bool = True) -> Planted:
    """One inquiry of a team that holds every planted text somewhere: its fields, a
    callback note, a correction reason, a transfer reason, a closing note, and a draft
    of a correction typed at a desk that was never saved. Everything happens at
    ``at`` and the hours after it."""
    ref = load_reference(db)
    step = lambda hours: at + timedelta(hours=hours)  # noqa: E731
    inquiry = register(db, actor, at, name=NAME, phone=PHONE, postcode=POSTCODE,
                       summary=SUMMARY, callback=step(1))
    callback_done(db, inquiry.id, step(1), actor, step(2), CALLBACK_NOTE)
    fixed = InquiryInput(**{**{k: getattr(inquiry, k) for k in (
        "channel_id", "village_id", "route_id", "topic_ids", "age", "gender", "summary",
        "referral_ids", "urgent", "consent", "person_name", "phone", "postcode",
        "callback_at")}, "age": inquiry.age + 1})
    correct_inquiry(db, inquiry.id, fixed, actor, step(3), CORRECTION_REASON)
    pick_up(db, inquiry.id, actor, step(4))
    transfer(db, inquiry.id, ref.route(route_to).id, actor, step(5), TRANSFER_REASON)
    pick_up(db, inquiry.id, actor, step(6))
    if close_it:
        close(db, inquiry.id, ref.outcomes.active[0].id, actor, step(7), CLOSE_NOTE)
    draft = IntakeDraft(name=NAME, phone=PHONE, summary=DRAFT_TEXT, consent=True,
                        correction_of=inquiry.id)
    draft_id = save_draft(db, None, actor.staff_id, "elders", 1, draft.to_json(), step(8))
    return Planted(inquiry.id, draft_id)


PERIOD = Period("range", date(2022, 1, 1), date(2026, 3, 10))
"""Every registration of the tests, and the comparison year before."""


def all_reports(db, actor: Actor) -> list:
    """Every report balie makes of the period: each breakdown, by the route an inquiry
    has now and by the route the desk gave it, and the teams' factsheets."""
    ref = load_reference(db)
    results: list = []
    for breakdown in ("village", "area", "channel", "topic", "hour", "referral"):
        for basis in ("end", "intake"):
            results.append(report(db, actor, ref, PERIOD, breakdown, now=NOW,
                                  route_basis=basis))
    for year in (2023, 2024, 2025):
        results.append(factsheets(db, actor, ref, Period("year", date(year, 1, 1),
                                                         date(year, 12, 31)), now=NOW))
    return results


def columns_that_count(db, inquiry_id: int) -> dict:
    """What reports count of an inquiry: everything but the personal details."""
    row = next(db.query(
        """SELECT registered_at, channel_id, village_id, age, gender, route_id,
                  intake_route_id, urgent, status, closed_at, outcome_id, followup_result,
                  time_known, (SELECT group_concat(topic_id) FROM inquiry_topic
                               WHERE inquiry_id = inquiry.id) AS topics,
                  (SELECT group_concat(entry_id) FROM inquiry_referral
                   WHERE inquiry_id = inquiry.id) AS referrals
           FROM inquiry WHERE id = ?""", [inquiry_id]))
    return row
