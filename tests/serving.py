"""``balie serve`` as a subprocess on a free port of 127.0.0.1, for the tests that need
the real server (test_serve, test_browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, poll=None):
    """The first true result of ``condition``; ``poll(seconds)`` waits in between."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        (poll or time.sleep)(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop(process: subprocess.Popen) -> None:
    """End a process started with start_new_session, and all it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


@contextlib.contextmanager
def serving(db_path: Path, log_path: Path, *options: str) -> Iterator[str]:
    """Run balie serve for the database; yields its address (http://127.0.0.1:PORT)."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "balie", "--db", str(db_path), "serve", "--port",
             str(port), *options],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)

        def listening() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"balie serve stopped: {log_path.read_text()}")
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        try:
            wait_until(listening, 20, "balie serve to listen")
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(server)
