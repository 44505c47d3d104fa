"""A pytest plugin for tools/mutate.py: import one module from a mutated copy.

``python -m pytest -p mutant_loader`` (with ``tools/`` on ``PYTHONPATH``) reads
``BALIE_MUTANT_MODULE`` (e.g. ``balie.db.access``) and ``BALIE_MUTANT_FILE`` (the
mutated source) and, before the tests import anything of balie, puts a finder first on
``sys.meta_path`` that loads that module from that file. Every other module comes from
the working tree as usual, so the mutant is exercised wherever the module is imported
(``balie.db`` installs from ``db/``, which is why the source files are not edited in
place). Child processes the tests start do not see the mutant.

Property tests run derandomized and without Hypothesis's example database: every mutant
meets the same examples, and no failing example of a mutant is kept for later runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, path: str) -> None:
        self.name, self.path = name, path

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.path)


try:
    from hypothesis import settings
except ImportError:  # pragma: no cover - the test extras include it
    pass
else:
    settings.register_profile("balie-mutation", database=None, derandomize=True)
    settings.load_profile("balie-mutation")

_name = os.environ.get("BALIE_MUTANT_MODULE")
_file = os.environ.get("BALIE_MUTANT_FILE")
if _name and _file:
    if _name in sys.modules:
        raise RuntimeError(f"{_name} was imported before the mutant could be installed")
    sys.dont_write_bytecode = True
    sys.meta_path.insert(0, _MutantFinder(_name, _file))


# --- which tests call which function (the run without a mutant) ----------------------

_traced = os.environ.get("BALIE_MUTANT_TRACE")
"""A source file: record, per function of it (by its first line), the tests that call it."""
_traced_out = os.environ.get("BALIE_MUTANT_TRACE_OUT")

if _traced and _traced_out:
    import json
    import threading

    _target = os.path.realpath(_traced)
    _current = ["<import>"]
    _calls: dict[int, set[str]] = {}

    def _trace(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == _target:
            _calls.setdefault(frame.f_code.co_firstlineno, set()).add(_current[0])
        return None  # no line events: cheap

    sys.settrace(_trace)
    threading.settrace(_trace)  # the app's database thread too

    import pytest

    _seconds: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        _current[0] = item.nodeid
        yield
        _current[0] = "<between tests>"

    def pytest_runtest_logreport(report):
        _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(session, exitstatus):
        with open(_traced_out, "w") as out:
            json.dump({"calls": {line: sorted(tests) for line, tests in _calls.items()},
                       "seconds": _seconds}, out)
