"""Documentation is part of the product: these fail when it falls behind the code."""

from __future__ import annotations

import re
from pathlib import Path

from balie.cli import build_parser
from balie.db.reference import KINDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands_install_run_and_install_test():
    commands = quick_start_commands()
    assert len(commands) == 2
    run, test = commands
    assert "pip install" in run and run.rstrip().endswith("balie")
    assert '".[test]"' in test and "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    assert quick_start_commands()[1] in (ROOT / ".ci" / "run").read_text()


def test_every_command_and_reference_kind_is_documented():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"`balie {name}" in README or f"balie {name}`" in README, name
    for kind in KINDS:
        assert f"`{kind}`" in README, kind
    ref = commands["ref"]
    actions = next(a for a in ref._actions if a.dest == "action").choices
    for action in actions:
        assert f"balie ref {action}" in README or f"`{action}`" in README, action


def test_every_key_binding_is_in_the_readme_keys_table():
    from balie.app import BalieApp
    from balie.screens.callbacks import CallbacksScreen
    from balie.screens.directory import DirectoryScreen
    from balie.screens.factsheet import FactsheetScreen
    from balie.screens.help import key_label
    from balie.screens.inbox import InboxScreen
    from balie.screens.intake import IntakeScreen
    from balie.screens.overview import OverviewScreen

    section = README.split("## Keys", 1)[1].split("\n## ", 1)[0]
    for binding in [*BalieApp.BINDINGS, *IntakeScreen.BINDINGS, *OverviewScreen.BINDINGS,
                    *InboxScreen.BINDINGS, *CallbacksScreen.BINDINGS,
                    *FactsheetScreen.BINDINGS, *DirectoryScreen.BINDINGS]:
        if binding.description:
            label = binding.key_display or key_label(binding.key)
            assert f"| {label.upper() if len(label) == 1 else label} | {binding.description}:" \
                in section, binding.key
