"""The child process of tests/test_crash_safety.py: saves inquiries until it is killed.

Run as ``python -m tests.crash_child DATABASE RUN`` from the repository root. It prints
``ready`` once the database is open, then, for every inquiry, ``ID N`` after the save
has returned (so after its commit). Everything about inquiry N follows from N, so the
test can check afterwards that each inquiry in the database is whole.

Kept free of pytest and of tests/conftest.py so that it starts quickly.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from balie.db import BalieDatabase, open_database
from balie.db.access import Actor
from balie.db.inquiries import Inquiry, InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.domain.models import Reference
from tests.conftest import member

STAFF = "crash.test"
RUN_SIZE = 100_000
"""Run r numbers its inquiries from r * RUN_SIZE, so no two runs share a number."""
FIRST_MOMENT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
GIVE_UP_AFTER = 60.0
"""Seconds: a child whose test died does not write forever."""


def save(db: BalieDatabase, data: InquiryInput, staff: Actor, now: datetime) -> Inquiry:
    """The one call into the data layer's save function (adapt it here if that changes)."""
    return save_inquiry(db, data, staff, now)


def registered_at(n: int) -> datetime:
    return FIRST_MOMENT + timedelta(minutes=n % RUN_SIZE, seconds=n // RUN_SIZE)


def inquiry_input(ref: Reference, n: int) -> InquiryInput:
    """The content of inquiry number ``n``: every field varies with n."""
    channels, villages, routes = ref.channels.active, ref.villages.active, ref.routes.active
    topics, referrals = ref.topics.active, ref.directory.active
    route = routes[n % len(routes)]
    consent = n % 4 == 0
    return InquiryInput(
        channel_id=channels[n % len(channels)].id,
        village_id=villages[n * 3 % len(villages)].id,
        route_id=route.id,
        # One to three different topics.
        topic_ids=tuple(topics[(n + 5 * k) % len(topics)].id for k in range(1 + n % 3)),
        age=None if n % 7 == 0 else n % 121,
        gender=(None, "f", "m", "x")[n % 4],
        summary=f"crash {n}: " + "vraag " * (n % 40),
        referral_ids=(referrals[n % len(referrals)].id,) if route.kind == "external" else (),
        urgent=n % 5 == 0,
        consent=consent,
        person_name=f"Persoon {n}" if consent else None,
        phone=f"+3161{n % 10_000_000:07d}" if consent else None,
        postcode="9411 AB" if consent else None,
        callback_at=registered_at(n) + timedelta(days=1) if consent else None,
    )


def number_of(summary: str) -> int:
    """N back from a summary written by :func:`inquiry_input`."""
    return int(summary.removeprefix("crash ").split(":", 1)[0])


def main(argv: list[str]) -> int:
    path, run = argv[1], int(argv[2])
    db = open_database(path)
    ref = load_reference(db)
    staff = member(db, STAFF)
    print("ready", flush=True)
    give_up = time.monotonic() + GIVE_UP_AFTER
    n = run * RUN_SIZE
    while time.monotonic() < give_up:
        inquiry = save(db, inquiry_input(ref, n), staff, registered_at(n))
        print(inquiry.id, n, flush=True)  # only now: the save has committed
        n += 1
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
