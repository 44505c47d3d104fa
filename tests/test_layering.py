"""The contract of the design card: the data layer and domain code never import the UI.

Checked twice: statically (every import statement in db/ and balie/domain/) and at run
time (importing all of them in a fresh interpreter loads no textual module), so an
indirect import through a helper is caught too.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    # folder: (module prefix, imports it must never make)
    "db": ("balie.db", ("textual", "balie.screens", "balie.app", "rich")),
    "balie/domain": ("balie.domain", ("textual", "balie.screens", "balie.app", "balie.db",
                                      "sqlite_utils", "sqlite3", "rich")),
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def module_names(folder: str, prefix: str) -> list[str]:
    names = []
    for path in sorted((ROOT / folder).glob("*.py")):
        names.append(prefix if path.stem == "__init__" else f"{prefix}.{path.stem}")
    return names


@pytest.mark.parametrize("folder", sorted(LAYERS))
def test_no_forbidden_import_statements(folder):
    _, forbidden = LAYERS[folder]
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / folder).glob("*.py"))
        for name in imports_of(path)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    ]
    assert offenders == []


def test_importing_the_data_layer_and_domain_loads_no_ui():
    modules = [name for folder, (prefix, _) in LAYERS.items()
               for name in module_names(folder, prefix)]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_screens_and_db_install_only_inside_the_balie_namespace():
    assert importlib.util.find_spec("balie.screens").origin.startswith(str(ROOT / "screens"))
    assert importlib.util.find_spec("balie.db").origin.startswith(str(ROOT / "db"))
    outside = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; "
         "print(u.find_spec('screens'), u.find_spec('db'))"],
        capture_output=True, text=True, cwd="/",
    )
    assert outside.stdout.strip() == "None None"
