"""Import contracts: the core never pulls in Textual; only the store touches TinyDB."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CORE = ROOT / "annotate"


def _name(path: Path) -> str:
    """A core module's path inside ``annotate/`` (``store/database.py``)."""
    return path.relative_to(CORE).as_posix()


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def module_level_imports(path: Path) -> set[str]:
    """Modules imported by top-level statements (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        names |= {
            alias.name.split(".")[0]
            for inner in ast.walk(node)
            if isinstance(inner, ast.Import)
            for alias in inner.names
        }
        names |= {
            inner.module.split(".")[0]
            for inner in ast.walk(node)
            if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0
        }
    return names


def test_core_modules_never_import_textual_or_the_tui() -> None:
    offenders = {
        _name(path): sorted(module_level_imports(path) & {"textual", "tui"})
        for path in CORE.rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
    # the one door from the core to the app: the `claimscope tui` command, imported lazily
    lazy = {_name(p) for p in CORE.rglob("*.py") if imported_modules(p) & {"textual", "tui"}}
    assert lazy == {"cli/reader.py"}
    assert "textual" not in imported_modules(CORE / "cli" / "reader.py")


def test_only_the_store_imports_tinydb() -> None:
    users = sorted(_name(p) for p in CORE.rglob("*.py") if "tinydb" in imported_modules(p))
    assert users == ["store/database.py"]


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = sorted(
        _name(p).removesuffix(".py").replace("/", ".")
        for p in CORE.rglob("*.py")
        if p.stem not in ("__main__", "__init__")
    )
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


def test_the_tui_path_never_imports_spacy(tmp_path: Path) -> None:
    """Start the real app headless on a database and read a document: no spaCy loaded."""
    db = tmp_path / "db.json"
    code = (
        "import asyncio, sys\n"
        "from annotate.io.importing import import_paths\n"
        "from annotate.store import Store\n"
        f"store = Store.open({str(db)!r})\n"
        f"import_paths(store, [{str(ROOT / 'corpora' / 'ani-2021-05-30.txt')!r}])\n"
        "store.close()\n"
        "from tui.app import make_app\n"
        "async def main():\n"
        f"    app = make_app({str(db)!r}, annotator='t')\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.press('enter', 'n', '1', 'S', 'c', 'l', 'escape')\n"
        "        await pilot.pause()\n"
        "    app.close_store()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_tui_modules_only_use_the_core_through_its_library() -> None:
    """tui/ may import annotate/ and textual/rich, never spacy or tinydb."""
    paths = list((ROOT / "tui").rglob("*.py"))
    assert len(paths) > 20  # the screens and widgets too
    for path in paths:
        assert not imported_modules(path) & {"spacy", "tinydb", "thinc"}, path.name


def test_the_command_line_starts_without_spacy() -> None:
    """`claimscope tui`, `stats` and friends must not pay for importing spaCy."""
    code = "import sys, annotate.cli; print(sorted(m for m in sys.modules if m == 'spacy'))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def _full_imports(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full dotted name, anywhere in the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_screens_and_widgets_never_import_the_app() -> None:
    """Screens use the app through :class:`tui.workspace.Workspace` and tell it things by
    messages (issue 19): no screen or widget imports ``tui.app``, and no widget a screen."""
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(_full_imports(path) & {"tui.app"})
        for folder in ("screens", "widgets")
        for path in (ROOT / "tui" / folder).rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
    widgets_using_screens = {
        path.name
        for path in (ROOT / "tui" / "widgets").rglob("*.py")
        if any(name.startswith("tui.screens") for name in _full_imports(path))
    }
    assert widgets_using_screens == set()


def test_the_tui_uses_the_stores_public_api_only() -> None:
    """No raw TinyDB dicts, private members or attributes set from outside (issue 19: the
    list read raw records, the app set the store's checkpoint failure itself)."""
    offenders: list[str] = []
    for path in (ROOT / "tui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            named_store = (isinstance(owner, ast.Name) and owner.id == "store") or (
                isinstance(owner, ast.Attribute) and owner.attr == "store"
            )
            if not named_store:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.attr.startswith("_") or node.attr == "raw_records":
                offenders.append(f"{where} store.{node.attr}")
            if isinstance(node.ctx, ast.Store):
                offenders.append(f"{where} sets store.{node.attr}")
    assert offenders == []


def readme_test_names(readme: str) -> list[tuple[str | None, str | None]]:
    """The tests README names: ``tests/x/test_y.py`` and ``tests/x/test_y.py::test_z`` as
    (file, test), and a bare ``::test_z`` (a test of a file named just before) as (None,
    test)."""
    found: list[tuple[str | None, str | None]] = []
    for match in re.finditer(r"(tests/[\w/]+\.py)(?:::(\w+))?|`::(\w+)", readme):
        found.append((match.group(1), match.group(2)) if match.group(1) else (None, match.group(3)))
    return found


def test_every_test_readme_names_is_there() -> None:
    """README names the test behind each promise: a test moved or renamed without README
    following would leave a promise checked by nothing anyone can find."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = readme_test_names(readme)
    every_test = {
        node.name
        for path in (ROOT / "tests").rglob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    missing = []
    for file, test in named:
        if file is not None and not (ROOT / file).is_file():
            missing.append(file)
        elif file is not None and test is not None:
            if f"def {test}(" not in (ROOT / file).read_text(encoding="utf-8"):
                missing.append(f"{file}::{test}")
        elif test is not None and test not in every_test:
            missing.append(f"::{test}")
    assert len(named) > 100  # README names its tests; the pattern still finds them
    assert missing == []
