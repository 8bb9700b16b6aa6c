"""Shared set-up for the TUI tests: a small pre-annotated database with fixed timestamps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from annotate.io.importing import import_paths
from annotate.store import Store
from annotate.store import database as store_module
from annotate.store import opening as opening_module
from annotate.store import transaction as transaction_module
from annotate.store.files import copy_database as store_copy
from tests.conftest import CORPORA, SEED
from tui.app import ClaimscopeApp, make_app
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView

FIXED_TIME = "2026-01-01T09:00:00.000+00:00"
TEMPLATE_DOCS = [str(SEED), str(CORPORA / "gum-news" / "GUM_news_crane.txt")]


def build_template(path: Path, pipeline: Any) -> None:
    """Import the seed and one GUM article and pre-annotate them, stamped with a fixed time."""
    from annotate.nlp.preannotate import preannotate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "utc_now", lambda: FIXED_TIME)
        patch.setattr(opening_module, "utc_now", lambda: FIXED_TIME)
        patch.setattr(transaction_module, "utc_now", lambda: FIXED_TIME)
        with Store.open(path) as store:
            import_paths(store, TEMPLATE_DOCS)
            preannotate(store, pipeline)


def copy_database(template: Path, target: Path) -> Path:
    return store_copy(template, target)


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


def build_three_annotators(path: Path) -> Path:
    """The seed with three suggestions (Kabul, Afghanistan, May 29) reviewed by alice, bob
    and carol: Kabul accepted by all, May 29 rejected by all, Afghanistan a GPE for alice and
    carol but a LOC for bob; alice also marked "ANI" an ORG. All three marked it done."""
    from annotate.model import EntitySpan, OriginKind, ReviewState, SpanStatus
    from annotate.review.editing import Editor

    with Store.open(path) as store:
        import_paths(store, [str(SEED)])
        doc_id = store.document_ids()[0]
        kabul, afghanistan, may = (
            store.add_span(
                EntitySpan(
                    0, doc_id, start, end, label, "ner@1", OriginKind.MODEL, SpanStatus.SUGGESTED
                )
            )
            for start, end, label in ((0, 5, "GPE"), (7, 18, "GPE"), (21, 27, "DATE"))
        )
        for name in ("alice", "bob", "carol"):
            editor = Editor(store, doc_id, name)
            editor.set_status(kabul.id, SpanStatus.ACCEPTED)
            editor.set_status(may.id, SpanStatus.REJECTED)
            if name == "bob":
                editor.set_label(afghanistan.id, "LOC")
            else:
                editor.set_status(afghanistan.id, SpanStatus.ACCEPTED)
            if name == "alice":
                editor.add_entity(29, 32, "ORG")
            editor.set_state(ReviewState.DONE)
    return path


def drawn(app: ClaimscopeApp) -> str:
    """What the screen shows now, as text (what a user reads, not a widget's attribute)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
