"""A progress bar for a long command: on stderr, and only when stderr is a terminal
(a cron job's log or a pipe gets no bar). Rich draws it (Textual's own renderer,
already installed), with Dutch labels and numbers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from balie.domain.numbers import count as dutch_count


class ProgressBars:
    """``with ProgressBars() as bars: step = bars.add("Inlezen", total)`` then ``step(n)``
    with the amount done so far. Does nothing when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from balie.cli.output import ShownText

        stream = stream or sys.stderr
        # The terminal itself, not the stream that shows control characters
        # (balie.cli.output): drawing a bar takes them, and a bar holds no data, only
        # its labels and numbers.
        self.stream = stream.stream if isinstance(stream, ShownText) else stream
        self._progress = None

    def __enter__(self) -> ProgressBars:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            self._progress = Progress(
                TextColumn("{task.description:<12}", markup=False), BarColumn(),
                TaskProgressColumn(), TextColumn("{task.fields[shown]}", markup=False),
                console=Console(file=self.stream), transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def add(self, label: str, total: int | None, unit: str = "") -> Callable[[int], None]:
        """A bar; the function it returns moves it to ``done`` (of ``total``, if known)."""
        progress = self._progress
        if progress is None:
            return lambda done: None
        task = progress.add_task(label, total=total, shown="")

        def step(done: int) -> None:
            shown = (f"{dutch_count(done)} van {dutch_count(total or 0)} {unit}"
                     if unit and total else "")
            progress.update(task, completed=done, shown=shown)

        return step
