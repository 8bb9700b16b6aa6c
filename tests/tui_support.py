"""Shared set-up for the TUI tests: a small pre-annotated database with fixed timestamps."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from annotate.importer import import_paths
from annotate.store import Store
from annotate.store import database as store_module
from tests.conftest import CORPORA, SEED

FIXED_TIME = "2026-01-01T09:00:00.000+00:00"
TEMPLATE_DOCS = [str(SEED), str(CORPORA / "gum-news" / "GUM_news_crane.txt")]


def build_template(path: Path, pipeline: Any) -> None:
    """Import the seed and one GUM article and pre-annotate them, stamped with a fixed time."""
    from annotate.preannotate import preannotate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "utc_now", lambda: FIXED_TIME)
        with Store.open(path) as store:
            import_paths(store, TEMPLATE_DOCS)
            preannotate(store, pipeline)


def copy_database(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target
