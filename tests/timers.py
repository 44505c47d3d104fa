"""balie's own timers on a clock the test moves, and waiting for a condition.

balie debounces (a draft 0.3 s after the last key, a returning-caller look-up after
0.4 s of quiet), polls (another desk's changes every 2 s) and delays (beheer's retention
notice). A test that sleeps past such a delay guesses how fast the machine is: under
load the timer fires late and the test fails, or "nothing happened" is checked before
anything could have. With :class:`TimerClock` (the ``timers`` fixture) the timers that
balie's code sets run on a clock that only the test moves: ``await timers.advance(0.4,
pilot)`` fires exactly what is due by then, and waits until it has run.

Textual's own timers (screen updates, cursor blink, batching) keep real time: they are
Textual's business, and the screens need them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from textual.message_pump import MessagePump


def _is_balies(callback: Callable) -> bool:
    return (getattr(callback, "__module__", None) or "").startswith("balie.")


@dataclass(eq=False)
class VirtualTimer:
    """What ``set_timer`` / ``set_interval`` return for a callback of balie's code."""

    clock: TimerClock
    pump: MessagePump
    callback: Callable
    interval: float
    repeat: bool
    due: float
    stopped: bool = False
    paused: bool = False
    name: str = field(default="")

    def stop(self) -> None:
        self.stopped = True

    def reset(self) -> None:
        self.due = self.clock.now + self.interval

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False


class TimerClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[VirtualTimer] = []

    def make(self, pump: MessagePump, delay: float, callback: Callable, repeat: bool,
             pause: bool) -> VirtualTimer:
        timer = VirtualTimer(self, pump, callback, delay, repeat, self.now + delay,
                             paused=pause)
        self.timers.append(timer)
        return timer

    def pending(self) -> list[VirtualTimer]:
        return [t for t in self.timers if not t.stopped]

    async def advance(self, seconds: float, pilot=None) -> None:
        """Move the clock on; every timer due by then fires once (in order), and with
        ``pilot`` this waits until what they started (database work, workers) is done."""
        self.now += seconds
        for timer in sorted(self.pending(), key=lambda t: t.due):
            if timer.paused or timer.due > self.now + 1e-9:
                continue
            if timer.repeat:
                timer.due = self.now + timer.interval
            else:
                timer.stopped = True
            timer.pump.call_next(timer.callback)
        if pilot is not None:
            await settle(pilot)


async def settle(pilot) -> None:
    """Until the screen has handled its messages and every worker (and so every call on
    the database thread that a worker awaits) has finished."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()


@pytest.fixture
def timers(monkeypatch) -> TimerClock:
    """balie's timers on a clock that only the test moves (see the module's doc)."""
    clock = TimerClock()
    set_timer, set_interval = MessagePump.set_timer, MessagePump.set_interval

    def virtual_timer(self, delay, callback=None, *, name=None, pause=False):
        if callback is None or not _is_balies(callback):
            return set_timer(self, delay, callback, name=name, pause=pause)
        return clock.make(self, delay, callback, False, pause)

    def virtual_interval(self, interval, callback=None, *, name=None, repeat=0, pause=False):
        if callback is None or repeat or not _is_balies(callback):
            return set_interval(self, interval, callback, name=name, repeat=repeat,
                                pause=pause)
        return clock.make(self, interval, callback, True, pause)

    monkeypatch.setattr(MessagePump, "set_timer", virtual_timer)
    monkeypatch.setattr(MessagePump, "set_interval", virtual_interval)
    return clock


async def wait_until(pilot, condition: Callable[[], object], what: str,
                     timeout: float = 30.0) -> object:
    """The first true value of ``condition``, checked whenever the app has handled its
    messages; fails after ``timeout`` seconds (a deadline for a hung test, not a guess
    at how long anything takes)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause()
        await asyncio.sleep(0.01)
