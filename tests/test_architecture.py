"""Import contracts: the core never pulls in Textual; only the store touches TinyDB."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CORE = ROOT / "annotate"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_never_import_textual_or_the_tui() -> None:
    offenders = {
        path.name: sorted(imported_modules(path) & {"textual", "tui"}) for path in CORE.glob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_only_the_store_imports_tinydb() -> None:
    users = sorted(p.name for p in CORE.glob("*.py") if "tinydb" in imported_modules(p))
    assert users == ["store.py"]


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__main__")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module('annotate.' + name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""
