"""Shared fixtures: temporary databases, the seed article, and running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate.store import Store

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
SEED = DATA / "ani-2021-05-30.txt"
GOLD = DATA / "gum_news_gold.jsonl"
CORPORA = ROOT / "corpora"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimscope.json"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(db_path)
    try:
        yield opened
    finally:
        opened.close()


def run_cli(
    *args: str,
    db: Path | None = None,
    stdin: bytes | None = None,
    check: bool = False,
    env: dict[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``claimscope`` entry point in a subprocess (``env``: variables to set,
    or with None to unset, over the test's ``COLUMNS=200 NO_COLOR=1``)."""
    command = [sys.executable, "-m", "annotate"]
    if db is not None:
        command += ["--db", str(db)]
    wanted: dict[str, str | None] = {"COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    environment = {**os.environ}
    for name, value in wanted.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    result = subprocess.run(
        [*command, *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"claimscope {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def rewrite_records(db: Path, part: int, tables: dict[str, Any]) -> None:
    """Replace a partition's records with ``tables`` as a writer would (sealed, and known to
    the main file), so what the test changes is the data, not the file's integrity."""
    import orjson

    from annotate.store.files import records_path
    from annotate.store.placement import Placement
    from annotate.store.seal import seal

    tables = {name: value for name, value in tables.items() if name != "checksum"}
    data, crc = seal(orjson.dumps(tables))
    records_path(db, part).write_bytes(data)
    main = orjson.loads(db.read_bytes())
    main.pop("checksum")
    meta = main["meta"]["1"]
    meta["sums"][part][0] = crc
    for name in ("documents", "spans", "claims", "history"):
        placement = Placement(meta["placement"].get(name))
        for key in sorted(map(int, tables.get(name, {}))):
            if placement.find(key) is None:
                placement.place(key, part)
            meta["next_ids"][name] = max(meta["next_ids"].get(name, 1), key + 1)
        meta["placement"][name] = placement.to_dict()
    db.write_bytes(seal(orjson.dumps(main))[0])


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    """The English pipeline with Claimscope's claim rules (not the learned attribution model,
    whose claims are tested in test_attribution.py), loaded once per test session."""
    from annotate.nlp.pipeline import load_pipeline
    from annotate.nlp.preannotate import add_claims_component

    loaded = load_pipeline(attribution=False)
    add_claims_component(loaded)
    return loaded


@pytest.fixture(scope="session")
def tui_template(tmp_path_factory: pytest.TempPathFactory, pipeline):  # type: ignore[no-untyped-def]
    from tests.tui.tui_support import build_template

    path = tmp_path_factory.mktemp("template") / "template.json"
    build_template(path, pipeline)
    return path


@pytest.fixture
def three_db(db_path: Path) -> Path:
    """A database three annotators reviewed the seed in (see ``build_three_annotators``)."""
    from tests.tui.tui_support import build_three_annotators

    return build_three_annotators(db_path)


@pytest.fixture
def tui_db(tui_template: Path, tmp_path: Path) -> Path:
    from tests.tui.tui_support import copy_database

    return copy_database(tui_template, tmp_path / "claimscope.json")


def spacy_debug_data(out: Path) -> subprocess.CompletedProcess[str]:
    """``spacy debug data`` on a ``claimscope train`` folder (its config and corpus)."""
    from annotate.nlp.training import debug_data_command

    return subprocess.run(
        [sys.executable, "-m", "spacy", *debug_data_command(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
