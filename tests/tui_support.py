"""Shared set-up for the TUI tests: a small pre-annotated database with fixed timestamps."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from annotate.importer import import_paths
from annotate.store import Store
from annotate.store import database as store_module
from tests.conftest import CORPORA, SEED
from tui.app import ClaimscopeApp, make_app
from tui.article import ArticleView
from tui.reader import ReaderScreen

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


SIZE = (120, 40)


@asynccontextmanager
async def running(
    db: Path, annotator: str = "tester", size: tuple[int, int] = SIZE
) -> AsyncIterator[tuple[ClaimscopeApp, Pilot[None]]]:
    app = make_app(db, annotator=annotator)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield app, pilot
    finally:
        app.close_store()


async def open_first(app: ClaimscopeApp, pilot: Pilot[None]) -> ReaderScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def article(screen: ReaderScreen) -> ArticleView:
    return screen.query_one(ArticleView)


def text_at(screen: ReaderScreen, start: int, end: int) -> str:
    assert screen.document is not None
    return screen.document.text[start:end]


async def move_cursor_to(pilot: Pilot[None], screen: ReaderScreen, phrase: str) -> None:
    assert screen.document is not None
    article(screen).move_to(screen.document.text.index(phrase))
    await pilot.pause()
