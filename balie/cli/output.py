"""What the command line prints is text: control characters from data are shown, never
sent to the terminal.

An origin, a name or a reason in the database can hold an escape sequence (``ESC[2K``
erases a line, ``ESC]52;...`` writes to the clipboard). Every command's output goes
through :func:`shown_output`, which wraps ``sys.stdout`` and ``sys.stderr`` so each
write passes :func:`balie.domain.text.visible` (line breaks stay; ``ESC`` becomes ␛):
``print`` calls, tables, messages, argparse's errors and the server's log alike, to a
terminal, a pipe (``balie audit | grep anna``) or a file. A document meant for a file
(CSV, JSON, the routing rules) goes through :func:`write_document`, which keeps the
data exactly as it is unless it is printed on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from balie.domain.text import visible


class ShownText:
    """A text stream whose writes show control characters instead of sending them."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(visible(text, lines=True))

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer
        return getattr(self.stream, name)


@contextmanager
def shown_output() -> Iterator[None]:
    """While the block runs, everything written to stdout and stderr is shown text."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ShownText(out), ShownText(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def write_document(text: str, encoding: str = "utf-8") -> None:
    """A document (CSV, JSON, TOML) on stdout: as it is when stdout is a file or a pipe
    (``balie report --format csv > maart.csv``), shown (as every print) on a terminal."""
    stream = sys.stdout
    raw = stream.stream if isinstance(stream, ShownText) else stream
    if raw.isatty():
        stream.write(text)
        stream.flush()
        return
    raw.flush()
    raw.buffer.write(text.encode(encoding))
    raw.buffer.flush()
