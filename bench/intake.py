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


TYPED = (("village", "hooghalen"), ("topics", "fin, wonen"),
         ("summary", "Zoon belt: moeder redt het niet meer met de post"))
"""What the desk types in the fields where a key costs most: the village and topics
(type-ahead over the reference data) and the summary (a BSN check of the whole text)."""


async def key_handling(db_path, runs: int) -> list[Figure]:
    """From a key arriving to the form interpreted again and every message line under
    it updated (the suggested route, the type-ahead, the warnings), at 80x24 on the 1M
    database. Median and 95th percentile over every key typed in ``runs`` forms."""
    import asyncio

    from textual import events

    app = make_app(db_path, username=bench_user(db_path, f"bench.typing.{time.time_ns()}"))
    samples: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        form = screen.form
        pumps = [app, screen, form, *form.query("*")]
        for _ in range(runs):
            await screen.start_new()
            await _settle(pilot)
            for field, text in TYPED:
                screen.set_focus(screen.query_one(f"#{field}"))
                await _settle(pilot)
                for char in text:
                    before = form.result
                    start, used = time.perf_counter(), time.process_time()
                    app.post_message(events.Key(char if char != " " else "space", char))
                    while form.result is before or not all(
                            p._message_queue.empty() for p in pumps):
                        await asyncio.sleep(0)
                    samples.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
            await _settle(pilot)  # the draft is written meanwhile, as at a desk
        typed = form.read_draft()
        assert (typed.village, typed.topics) == ("Hooghalen", "Financiën, Wonen"), typed
    p95 = percentile(samples, 95)
    return [
        Figure(f"one key in the form ({len(samples)} keys, 1M rows)", "ms", samples),
        Figure("  ... 95th percentile", "ms", [p95], target="<= 16", ok=p95 <= 16),
        Figure("  ... CPU time of this process per key, median", "ms", cpu),
        Figure("  ... CPU time, 95th percentile", "ms", [percentile(cpu, 95)]),
    ]


def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
