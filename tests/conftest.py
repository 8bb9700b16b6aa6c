"""Shared fixtures: temporary databases, the seed article, and running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
    *args: str, db: Path | None = None, stdin: bytes | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the real ``claimscope`` entry point in a subprocess."""
    command = [sys.executable, "-m", "annotate"]
    if db is not None:
        command += ["--db", str(db)]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [*command, *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"claimscope {args} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    """The English pipeline with Claimscope's components, loaded once per test session."""
    from annotate.nlp.pipeline import load_pipeline
    from annotate.nlp.preannotate import add_claims_component

    loaded = load_pipeline()
    add_claims_component(loaded)
    return loaded


@pytest.fixture(scope="session")
def tui_template(tmp_path_factory: pytest.TempPathFactory, pipeline):  # type: ignore[no-untyped-def]
    from tests.tui_support import build_template

    path = tmp_path_factory.mktemp("template") / "template.json"
    build_template(path, pipeline)
    return path


@pytest.fixture
def three_db(db_path: Path) -> Path:
    """A database three annotators reviewed the seed in (see ``build_three_annotators``)."""
    from tests.tui_support import build_three_annotators

    return build_three_annotators(db_path)


@pytest.fixture
def tui_db(tui_template: Path, tmp_path: Path) -> Path:
    from tests.tui_support import copy_database

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
