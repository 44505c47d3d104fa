"""Intake figures: keystrokes of a typical phone call, and save-to-ready time at 1M rows."""

from __future__ import annotations

import time

from balie.app import make_app
from bench.common import Figure, bench_user

# A typical anonymous phone inquiry: 78-year-old from Beilen, lonely. Everything the
# desk presses except the summary text itself, which is the caller's story.
TYPICAL_CALL = ("b", "e", "tab", "7", "8", "tab", "tab", "e", "tab")
SUMMARY = "Voelt zich alleen sinds de verhuizing"
FINISH = ("ctrl+r", "ctrl+s")


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def keystrokes(db_path) -> Figure:
    """Drive the real form with keys and check what was saved."""
    app = make_app(db_path, username=bench_user(db_path, f"bench.keys.{time.time_ns()}"))
    async with app.run_test(size=(100, 32)) as pilot:
        await _settle(pilot)
        await pilot.press(*TYPICAL_CALL)
        await pilot.press(*SUMMARY)
        await pilot.press(*FINISH)
        await _settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert status.startswith("Opgeslagen") and "Seniorenwerk" in status, status
    count = len(TYPICAL_CALL) + len(FINISH)
    return Figure("keys for an anonymous phone call (beyond the summary)", "keys",
                  [count], target="<= 12", ok=count <= 12)


async def save_to_ready(db_path, runs: int) -> Figure:
    """From Ctrl+S to an empty form with the list refreshed, on the large database."""
    # A desk of its own, so its list of today grows from empty, as on a real day.
    app = make_app(db_path, username=bench_user(db_path, f"bench.desk.{time.time_ns()}"))
    samples = []
    async with app.run_test(size=(100, 32)) as pilot:
        await _settle(pilot)
        screen = app.screen
        for n in range(runs):
            screen.query_one("#village").value = "Beilen"
            screen.query_one("#age").value = str(60 + n % 30)
            screen.query_one("#topics").value = "eenz"
            screen.query_one("#summary").text = f"benchmark {n}"
            screen.query_one("#route").value = "senior_work"
            await _settle(pilot)
            start = time.perf_counter()
            screen.action_save()
            await app.workers.wait_for_complete()
            samples.append((time.perf_counter() - start) * 1000)
            assert screen.query_one("#village").value == "", "form not cleared"
    return Figure("save one inquiry to ready for the next caller (1M rows)", "ms", samples,
                  target="< 50", ok=sorted(samples)[len(samples) // 2] < 50)
