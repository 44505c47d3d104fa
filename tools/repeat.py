"""Run test files many times in a row while other processes keep the CPUs busy.

    .venv/bin/python tools/repeat.py 30 tests/test_intake_screen.py tests/test_browser.py

starts two busy loops (``--load N`` for another number), runs ``pytest -x -q`` on the
files N times in a row, prints one line per run (passed or failed, with pytest's
summary and how long it took), stops the busy loops and exits 1 if any run failed.
A test that depends on the machine's speed shows up here: under load its fixed delays
are too short. Not part of the test run.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY = "while True:\n    pass\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("times", type=int)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--load", type=int, default=2, help="busy loops (default 2)")
    parser.add_argument("--keep-going", action="store_true",
                        help="go on after a failed run (default: stop)")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM too, the busy loops end with this script.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.load)]
    failed = run = 0
    try:
        for run in range(1, args.times + 1):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                 *args.files], cwd=ROOT, capture_output=True, text=True)
            took = time.monotonic() - started
            lines = done.stdout.strip().splitlines()
            summary = lines[-1] if lines else done.stderr.strip()[-200:]
            state = "passed" if done.returncode == 0 else "FAILED"
            print(f"run {run:2d}/{args.times}: {state} in {took:5.0f} s  {summary}", flush=True)
            if done.returncode != 0:
                failed += 1
                print("\n".join(lines[-40:]), flush=True)
                if not args.keep_going:
                    break
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(f"{failed} of {run} runs failed, under {args.load} busy loops")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
