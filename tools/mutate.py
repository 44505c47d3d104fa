"""Mutation testing of the modules that protect people: do the tests notice a wrong line?

    .venv/bin/python tools/mutate.py                 # all four modules
    .venv/bin/python tools/mutate.py access --jobs 2 # one module, two test runs at once
    .venv/bin/python tools/mutate.py --list access   # the mutants, without running them

Each mutant is one small change to one module (a comparison turned around, ``and`` for
``or``, a number one higher, a ``not`` dropped, a statement that calls something left
out, a role added to or taken from a set, ``return None``, ``break`` for ``continue``),
made on the syntax tree. The module's tests that call the changed function (found by a
first run without a mutant that records which test calls which function) then run
against it (``pytest -x``); a failing run kills the mutant, a passing one lets it
survive. A change on module level (a table such as the permission matrix) runs all of
the module's tests. The score per module is
killed / (mutants - known equivalents). Not part of the test run: it takes minutes.

Why not mutmut or cosmic-ray: mutmut 3 copies the source into ``mutants/`` and imports
it from there by path, which does not follow ``balie.db`` being installed from ``db/``;
cosmic-ray edits the files in place (one run at a time, and a killed run can leave a
mutated file behind) and makes several mutants per operator. Here the mutated module is
written to a temporary file and imported under its own name by a small pytest plugin
(``tools/mutant_loader.py``), so runs can go in parallel and the tree is never touched.

Strings are not mutated (Dutch messages and SQL text would give many mutants that only
an exact-text test kills), nor docstrings, annotations or decorators.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULES: dict[str, tuple[str, str, tuple[str, ...], float]] = {
    # short name: (file, module name, tests (the most pointed first), target score)
    "access": ("db/access.py", "balie.db.access",
               ("tests/test_access.py", "tests/test_audit_chain.py"), 0.95),
    "suppression": ("balie/domain/suppression.py", "balie.domain.suppression",
                    ("tests/test_suppression_golden.py", "tests/test_suppression.py",
                     "tests/test_suppression_exact.py"), 0.95),
    "intake": ("balie/domain/intake.py", "balie.domain.intake",
               ("tests/test_intake_check.py", "tests/test_lookup.py"), 0.90),
    "inquiries": ("db/inquiries.py", "balie.db.inquiries",
                  ("tests/test_store.py", "tests/test_access.py", "tests/test_inbox.py"), 0.90),
}

EQUIVALENT: dict[str, dict[str, str]] = {
    # module: {mutant signature (see Mutant.signature): why no test can tell}
    "access": {
        "Grant.may: return False -> return None":
            "every caller asks whether the grant holds (if, filter); None and False are "
            "alike to all of them",
        "Grant.may: return False -> return None #2": "as above",
        "grant: 0 -> 1 #2":
            "Grant.username (the staff table's username) is carried for reading only: "
            "no decision and no message uses it",
        "require_view: return current -> return None":
            "every caller uses require_view as a check only and ignores the grant",
    },
    "suppression": {
        # A path's cost is one number (``scale``): figures to hide times scale, plus
        # ``prefer`` times the sum of their values. The sums on one path have one sign
        # and are at most S (all values together), so any scale above 2S keeps the
        # order of the pairs; 2S + 1 leaves room, which makes these alike.
        "_Network.__init__: 2 * sum(self.values.values()) + 1 -> "
        "2 * sum(self.values.values()) - 1":
            "scale 2S - 1 still orders costs as the pairs do: a path's sums differ by at "
            "most S (one sign)",
        "_Network.__init__: 2 -> 3": "scale 3S + 1: as above",
        "_Network.__init__: 1 -> 2 #4": "scale 2S + 2: as above",
        "suppress: 1 -> 2 #2":
            "prefer 2 instead of 1: twice the sums still stays under scale, so every "
            "cost orders as before",
        "suppress: 1 -> 2 #3": "prefer -2 instead of -1: as above",
        "_Network.cycle: 1 -> 2":
            "the default of prefer is used only by searches without public figures to "
            "hide, where no value is counted",
        # The early stop: a cycle that hides nothing new (cost 0) cannot be beaten by the
        # other direction (a cost is never below 0 and a tie keeps the first).
        "_Network.cycle: 0 -> 1 #3":
            "best[0] == 1 is never true (a cost is 0 or at least scale - S > 1): only the "
            "early stop is lost, see 'break -> continue'",
        "_Network.cycle: 0 -> 1 #4":
            "best[1] == 0 compares a list with 0, never true: only the early stop is lost",
        "_Network.cycle: break -> continue":
            "after a free cycle the other direction is searched too, and can only tie, "
            "which keeps the first: the same cycle, found slower",
        "_Network._path: 0 -> 1":
            "the search starts at cost 1 instead of 0: every cost is one higher, so the "
            "order is the same; only the early stop is lost",
        "_Network._hidden_path: 0 -> 1":
            "a cycle along hidden figures said to cost 1: it is still the only kind "
            "found without public figures; only the early stop is lost",
        "_Network._reach: sense * direction -> sense / direction":
            "both are +1 or -1, so x / y == x * y",
        "_prune: break -> continue":
            "the other small counts that needed the cell look for a cycle with it hidden "
            "again: their witness changes, never the mask. Which cycle stands witness "
            "for a small count decides nothing: a cell is published again exactly when "
            "every small count has a cycle without it",
        "hidden_previous: 0 -> 1":
            "the id of the made-up route of last year's column: suppression reads no id",
        "protect_breakdown: 0 -> 1": "the id of the made-up route of the count column: as above",
        # In a table of one column the hub (see _Network) has two figures: the total
        # line's cell and its total. A cycle through the hub uses both or neither.
        "protect_breakdown: {(last, 0), (last, 1)} -> without (last, 0)":
            "the total's cell stays public with its total: a cycle through the hub uses both",
        "protect_breakdown: {(last, 0), (last, 1)} -> without (last, 1)":
            "as above, the other way round",
        "protect_breakdown: 0 -> 1 #2": "freezes (last, 1) twice: as 'without (last, 0)'",
        "protect_breakdown: 1 -> 2 #2":
            "freezes (last, 2), which a table of one column does not have: as "
            "'without (last, 1)'",
        "suppress: v > SMALL_MAX -> v >= SMALL_MAX":
            "adds the 9s to the figures that may be hidden; a 9 is a '<10', always in "
            "the mask, and every search looks at the mask first",
    },
    "intake": {
        "IntakeDraft.to_json: True -> False":
            "sort_keys: the dataclass gives its fields in one fixed order, and a draft is "
            "read back by key",
        "_choices: False -> True":
            "the default of retired is never used: every caller passes it",
        "_choices: 0 -> 1":
            "the cache is never hit and the candidates are built again: the same ones",
        "_choices: 0 -> 1 #2":
            "a village without inhabitants sorts as 1 instead of 0: still after every "
            "village with inhabitants (the smallest has dozens)",
        "_options_text: len(names) <= 2 -> len(names) < 2":
            "for two names both branches write 'a of b'",
    },
    "inquiries": {
        "Inquiry: 0 -> 1": "a default of a saved inquiry's id: every Inquiry is read from "
                           "its row, which gives the id",
        "Inquiry: 0 -> 1 #2": "as above, for registered_by",
        "Inquiry: 1 -> 2": "as above, for version",
    },
}

COMPARE = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
           ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
           ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BINARY = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd,
          ast.BitAnd: ast.BitOr, ast.BitXor: ast.BitOr}


@dataclass
class Mutant:
    number: int
    line: int
    scope: str
    """The function (or class) the change is in."""
    before: str
    after: str
    apply: Callable[[ast.AST], ast.AST]
    occurrence: int = 0
    """How many mutants before this one in the same scope have the same before/after."""

    @property
    def signature(self) -> str:
        """Stable across edits elsewhere in the file (no line number)."""
        suffix = f" #{self.occurrence + 1}" if self.occurrence else ""
        return f"{self.scope}: {self.before} -> {self.after}{suffix}"


def _short(node: ast.AST, limit: int = 60) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Sites(ast.NodeVisitor):
    """Every place a mutation can be made, with a function that makes it."""

    def __init__(self, tree: ast.Module) -> None:
        self.found: list[tuple[ast.AST, str, str, str, Callable]] = []
        self.scope: list[str] = []
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Set):
                names.update(e.id for e in node.elts if isinstance(e, ast.Name))
        self.set_names = sorted(names)
        """Names that stand in set literals: roles may be added to or taken from a set."""

    def add(self, node: ast.AST, before: str, after: str, make: Callable) -> None:
        self.found.append((node, ".".join(self.scope) or "<module>", before, after, make))

    # --- what is skipped ------------------------------------------------------------

    def _body(self, body: list[ast.stmt]) -> None:
        for k, stmt in enumerate(body):
            if k == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                    and isinstance(stmt.value.value, str):
                continue  # a docstring
            if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, str)):
                continue  # an attribute's docstring
            self.visit(stmt)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def _scoped(self, node, visit_rest: Callable[[], None]) -> None:
        self.scope.append(node.name)
        visit_rest()
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        def rest() -> None:
            for default in [*node.args.defaults, *filter(None, node.args.kw_defaults)]:
                self.visit(default)
            self._body(node.body)
        self._scoped(node, rest)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scoped(node, lambda: self._body(node.body))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_arg(self, node: ast.arg) -> None:
        pass

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        pass  # message text

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.visit(node.test)
        self._body(node.body)
        self._body(node.orelse)

    def visit_For(self, node) -> None:
        self.visit(node.iter)
        self._body(node.body)
        self._body(node.orelse)

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self._body(node.body)
        self._body(node.orelse)

    # --- the mutations --------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> None:
        for k, op in enumerate(node.ops):
            new = COMPARE.get(type(op))
            if new is None:
                continue

            def make(n, k=k, new=new):
                n.ops[k] = new()
                return n
            after = copy.deepcopy(node)
            after.ops[k] = new()
            self.add(node, _short(node), _short(after), make)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        new = ast.Or if isinstance(node.op, ast.And) else ast.And

        def make(n, new=new):
            n.op = new()
            return n
        self.add(node, _short(node), _short(ast.BoolOp(new(), node.values)), make)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self.add(node, _short(node), _short(node.operand), lambda n: n.operand)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        new = BINARY.get(type(node.op))
        if new is not None:
            def make(n, new=new):
                n.op = new()
                return n
            self.add(node, _short(node), _short(ast.BinOp(node.left, new(), node.right)),
                     make)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        new = BINARY.get(type(node.op))
        if new is not None:
            def make(n, new=new):
                n.op = new()
                return n
            self.add(node, _short(node),
                     _short(ast.AugAssign(node.target, new(), node.value)), make)
        self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, repr(value), repr(not value),
                     lambda n: ast.Constant(not n.value))
        elif isinstance(value, int | float):
            self.add(node, repr(value), repr(value + 1),
                     lambda n: ast.Constant(n.value + 1))

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant)
                                           and node.value.value is None):
            self.add(node, _short(node), "return None", lambda n: ast.Return(ast.Constant(None)))
            self.visit(node.value)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call | ast.Await):
            self.add(node, _short(node), "(left out)", lambda n: ast.Pass())
        self.generic_visit(node)

    def visit_Break(self, node: ast.Break) -> None:
        self.add(node, "break", "continue", lambda n: ast.Continue())

    def visit_Continue(self, node: ast.Continue) -> None:
        self.add(node, "continue", "break", lambda n: ast.Break())

    def visit_Set(self, node: ast.Set) -> None:
        if len(node.elts) > 1:
            for k, element in enumerate(node.elts):
                def drop(n, k=k):
                    n.elts = [e for i, e in enumerate(n.elts) if i != k]
                    return n
                self.add(node, _short(node), f"without {_short(element)}", drop)
        present = {e.id for e in node.elts if isinstance(e, ast.Name)}
        if present:
            for name in self.set_names:
                if name not in present:
                    def add(n, name=name):
                        n.elts = [*n.elts, ast.Name(name, ast.Load())]
                        return n
                    self.add(node, _short(node), f"with {name}", add)
        self.generic_visit(node)


def mutants(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    sites = _Sites(tree)
    sites.visit(tree)
    result: list[Mutant] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, (node, scope, before, after, make) in enumerate(sites.found):
        key = (scope, before, after)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        result.append(Mutant(number, node.lineno, scope, before, after, make, occurrence))
    return result


def mutated_source(source: str, number: int) -> str:
    """The module's source with mutant ``number`` applied."""
    tree = ast.parse(source)
    sites = _Sites(tree)
    sites.visit(tree)
    node, *_, make = sites.found[number]  # the same walk finds the same node

    class Replace(ast.NodeTransformer):
        def visit(self, current):
            if current is node:
                return make(current)
            return super().visit(current)

    new_tree = ast.fix_missing_locations(Replace().visit(tree))
    return ast.unparse(new_tree)


@dataclass
class Outcome:
    mutant: Mutant
    result: str  # killed, survived, timeout, error
    seconds: float
    note: str = ""


def _pytest(tests: list[str], env: dict[str, str], timeout: float | None) -> tuple[str, float]:
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-p", "mutant_loader", "--no-header", "-o", "addopts=", *tests]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    code = done.returncode
    result = "survived" if code == 0 else "killed" if code == 1 else "error"
    return result, time.monotonic() - started


def _environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "tools"),
                                                      env.get("PYTHONPATH")]))
    return env


def _function_ranges(source: str) -> list[tuple[int, int, int]]:
    """Per function: (first line of its body, last line, first line of its code object)."""
    ranges = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            ranges.append((node.body[0].lineno, node.end_lineno, first))
    return ranges


def _tests_for(mutant: Mutant, ranges, calls: dict[int, list[str]], everything: list[str]
               ) -> list[str]:
    """The tests that call the function the mutant is in (with the functions in it);
    all of them for a change that runs on import (module level, class bodies, defaults)."""
    around = [r for r in ranges if r[0] <= mutant.line <= r[1]]
    if not around:
        return everything
    body, end, _ = max(around)  # the innermost function
    start = min(r[2] for r in around if r[0] == body)
    tests: dict[str, None] = {}
    for line, called_by in calls.items():
        if start <= line <= end:
            tests.update(dict.fromkeys(called_by))
    return [t for t in everything if t in tests]


def run_module(short: str, jobs: int, only: set[int] | None = None) -> list[Outcome]:
    path, name, files, target = MODULES[short]
    source = (ROOT / path).read_text()
    found = mutants(source)
    if only is not None:
        found = [m for m in found if m.number in only]
    with tempfile.TemporaryDirectory(prefix="balie-mutants-") as folder:
        trace = Path(folder) / "calls.json"
        result, seconds = _pytest(list(files), _environment(
            BALIE_MUTANT_TRACE=str(ROOT / path), BALIE_MUTANT_TRACE_OUT=str(trace)), None)
        if result != "survived":
            raise SystemExit(f"{short}: the tests fail without a mutant ({' '.join(files)})")
        traced = json.loads(trace.read_text())
        calls = {int(line): tests for line, tests in traced["calls"].items()}
        # The quickest tests first: a mutant that one of them kills is known sooner.
        everything = sorted(traced["seconds"], key=traced["seconds"].get)
        ranges = _function_ranges(source)
        # Generous: a surviving mutant runs every test, on a machine that may be busy. A
        # mutant that loops for ever is stopped here and counted as killed ("t").
        timeout = 4 * seconds + 60
        print(f"{short}: {len(found)} mutants of {path}; {' '.join(files)} take "
              f"{seconds:.0f} s unmutated", flush=True)

        def one(mutant: Mutant) -> Outcome:
            tests = _tests_for(mutant, ranges, calls, everything or list(files))
            if not tests:
                return Outcome(mutant, "survived", 0.0, "no test calls it")
            file = Path(folder) / f"{mutant.number}" / Path(path).name
            file.parent.mkdir()
            file.write_text(mutated_source(source, mutant.number))
            env = _environment(BALIE_MUTANT_MODULE=name, BALIE_MUTANT_FILE=str(file))
            result, took = _pytest(tests, env, timeout)
            return Outcome(mutant, result, took)

        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for outcome in pool.map(one, found):
                outcomes.append(outcome)
                mark = {"killed": ".", "timeout": "t", "error": "e", "survived": "S"}
                print(mark[outcome.result], end="", flush=True)
    print(flush=True)
    return outcomes


def report(short: str, outcomes: list[Outcome]) -> tuple[float, bool]:
    path, _, _, target = MODULES[short]
    equivalent = EQUIVALENT.get(short, {})
    survivors = [o for o in outcomes if o.result == "survived"]
    known = [o for o in survivors if o.mutant.signature in equivalent]
    unknown = [o for o in survivors if o.mutant.signature not in equivalent]
    counted = len(outcomes) - len(known)
    killed = counted - len(unknown)
    score = killed / counted if counted else 1.0
    errors = sum(o.result == "error" for o in outcomes)
    timeouts = sum(o.result == "timeout" for o in outcomes)
    print(f"{path}: {killed}/{counted} killed = {score:.1%} (target {target:.0%}); "
          f"{len(known)} equivalent left out; {timeouts} by timeout, {errors} by an error")
    for o in unknown:
        note = f"  ({o.note})" if o.note else ""
        print(f"  survived  {path}:{o.mutant.line}  {o.mutant.signature}{note}")
    for o in known:
        print(f"  equivalent {path}:{o.mutant.line}  {o.mutant.signature}  "
              f"({equivalent[o.mutant.signature]})")
    stale = set(equivalent) - {o.mutant.signature for o in outcomes}
    for signature in sorted(stale):
        print(f"  (listed as equivalent but no longer made: {signature})")
    return score, score >= target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], default=[],
                        metavar="MODULE", help=f"one or more of {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=2, help="test runs at once (default 2)")
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    parser.add_argument("--only", help="comma-separated mutant numbers (with one module)")
    args = parser.parse_args(argv)
    chosen = args.modules or list(MODULES)
    if args.list:
        for short in chosen:
            path = MODULES[short][0]
            for m in mutants((ROOT / path).read_text()):
                print(f"{short} {m.number:4d} {path}:{m.line}  {m.signature}")
        return 0
    only = {int(n) for n in args.only.split(",")} if args.only else None
    results = {}
    for short in chosen:
        results[short] = report(short, run_module(short, args.jobs, only))
    print()
    for short, (score, met) in results.items():
        print(f"{MODULES[short][0]:32s} {score:6.1%}  {'ok' if met else 'below target'}")
    return 0 if all(met for _, met in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
