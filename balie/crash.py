"""What balie says when it stops on a bug: the kind of error, where in the code, and the
number of the inquiry that was being worked on. Nothing else.

Python's and Textual's usual reports show the error's message and (Textual) the local
variables of every frame; both can hold what was typed about a caller, a name or a
phone number, and would end up on the screen, in a terminal's scrollback or in a log.
The report here holds only class names, file names, line numbers and function names,
all of them code. Imports neither Textual nor Rich: the command line uses it too.
"""

from __future__ import annotations

import contextlib
import sys
import sysconfig
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

EX_SOFTWARE = 70
"""Exit code after a bug (sysexits.h), distinct from the 1 of a problem balie explains."""

MAX_FRAMES = 8
"""The innermost frames shown: enough to find the bug, short enough to read on a desk."""

_ROOT = Path(__file__).resolve().parent.parent
_STDLIB = Path(sysconfig.get_paths()["stdlib"])


def crash_report(error: BaseException | None, *, inquiry_id: int | None = None,
                 typed_work_kept: bool = False) -> str:
    """The report of ``error``: its type (and the types it was raised from), its last
    frames as file:line in function, and the inquiry number when known.

    Never the error's message and never local variables.
    """
    error = _unwrapped(error)
    frames = [(frame.f_code.co_filename, lineno, frame.f_code.co_qualname)
              for frame, lineno in traceback.walk_tb(getattr(error, "__traceback__", None))]
    return _report(_type_name(error), _causes(error), frames, inquiry_id, typed_work_kept)


def report_from_trace(exc_type: str, frames: list[tuple[str, int, str]], *,
                      inquiry_id: int | None = None, typed_work_kept: bool = False) -> str:
    """The same report from a traceback already taken apart (Rich's, in Textual): the
    type's name and (file, line, function) per frame; its message is never passed in."""
    return _report(exc_type, [], frames, inquiry_id, typed_work_kept)


def _report(kind: str, causes: list[str], frames: list[tuple[str, int, str]],
            inquiry_id: int | None, typed_work_kept: bool) -> str:
    lines = [f"balie is gestopt door een programmafout: {kind}."]
    if causes:
        lines.append(f"Ontstaan uit: {', '.join(causes)}.")
    if inquiry_id is not None:
        lines.append(f"Vraag waaraan gewerkt werd: nummer {inquiry_id}.")
    lines.extend(f"  {_where(file)}:{line} in {name}" for file, line, name in
                 frames[-MAX_FRAMES:])
    lines.append(_closing(typed_work_kept))
    return "\n".join(lines)


def _closing(typed_work_kept: bool) -> str:
    if typed_work_kept:
        return ("Wat u typte is als concept bewaard en wordt bij de volgende start "
                "aangeboden. Meld deze fout aan beheer.")
    return "Meld deze fout aan beheer."


def _unwrapped(error: BaseException | None) -> BaseException | None:
    # A failed Textual worker wraps the real error (textual.worker.WorkerFailed).
    inner = getattr(error, "error", None)
    if type(error).__name__ == "WorkerFailed" and isinstance(inner, BaseException):
        return inner
    return error


def _causes(error: BaseException | None) -> list[str]:
    """The types of the errors this one was raised from (``raise ... from``, or during
    the handling of), innermost last."""
    found: list[str] = []
    seen = {id(error)}
    current = error
    while current is not None and len(found) < 5:
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        found.append(_type_name(current))
    return found


def _type_name(error: BaseException | None) -> str:
    if error is None:
        return "onbekend"
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__qualname__}"


def _where(filename: str) -> str:
    """A code file by its place in its package (no home folder in the report)."""
    path = Path(filename)
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            return "/".join(parts[index + 1:])
    for root in (_ROOT, _STDLIB):
        with contextlib.suppress(ValueError):
            return path.relative_to(root).as_posix()
    return filename


def type_only(error: BaseException | None) -> str:
    """The one-line form, for errors that do not stop balie (a background task)."""
    return _type_name(_unwrapped(error))


# --- interpreter-wide hooks ----------------------------------------------------------


def _print(text: str) -> None:
    with contextlib.suppress(Exception):
        print(text, file=sys.stderr, flush=True)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return  # as Python's own hook: a thread that calls sys.exit() ends quietly
    _print(crash_report(args.exc_value))


def _unraisablehook(unraisable) -> None:
    # Python's hook prints the message and a repr of the object, which may hold data.
    _print(f"balie: genegeerde programmafout: {type_only(unraisable.exc_value)}.")


@contextlib.contextmanager
def crash_hooks() -> Iterator[None]:
    """While active, an error nobody catches in another thread, or one raised where
    Python can only ignore it (``__del__``, a callback), is reported as above: no
    message, no locals. (An error of the main thread reaches ``sys.excepthook`` only
    after this block; :func:`balie.cli.main` catches those itself.)"""
    saved = threading.excepthook, sys.unraisablehook
    threading.excepthook, sys.unraisablehook = _thread_excepthook, _unraisablehook
    try:
        yield
    finally:
        threading.excepthook, sys.unraisablehook = saved


def loop_exception_handler(loop, context: dict) -> None:
    """For ``loop.set_exception_handler``: asyncio's own handler logs the error with its
    message, and the repr of a task or future holds its exception's message too."""
    error = context.get("exception")
    if error is not None:  # without one it is a notice (an unclosed transport), no bug
        _print(f"balie: programmafout op de achtergrond: {type_only(error)}.")
