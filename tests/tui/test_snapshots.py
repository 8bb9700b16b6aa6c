"""How the app looks, at fixed sizes (pytest-textual-snapshot; update with --snapshot-update)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.app import ClaimscopeApp, make_app


@pytest.fixture
def app_on(tui_db: Path) -> Iterator[Callable[..., ClaimscopeApp]]:
    opened: list[ClaimscopeApp] = []

    def build(theme: str | None = None) -> ClaimscopeApp:
        app = make_app(tui_db, annotator="analyst")
        if theme is not None:
            app.theme = theme
        opened.append(app)
        return app

    yield build
    for app in opened:
        app.close_store()


def test_document_list(snap_compare: Any, app_on: Callable[..., ClaimscopeApp]) -> None:
    assert snap_compare(app_on(), terminal_size=(110, 24))


def test_reader_with_entities_and_a_focused_claim(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp]
) -> None:
    # the third claim: Muhammed Sarfraz Khan's, with its source and cue lit up
    assert snap_compare(app_on(), terminal_size=(120, 36), press=["enter", "tab", "tab", "tab"])


def test_side_panel_on_an_entity(snap_compare: Any, app_on: Callable[..., ClaimscopeApp]) -> None:
    assert snap_compare(app_on(), terminal_size=(120, 36), press=["enter", "n", "n", "n"])


def test_help_screen(snap_compare: Any, app_on: Callable[..., ClaimscopeApp]) -> None:
    assert snap_compare(app_on(), terminal_size=(110, 40), press=["enter", "question_mark"])


def test_reader_at_80_by_24_in_the_light_theme(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp]
) -> None:
    assert snap_compare(
        app_on("textual-light"), terminal_size=(80, 24), press=["enter", "N", "shift+right"]
    )


def test_reader_at_80_by_24_with_a_long_claim_panel(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp]
) -> None:
    # a claim whose panel is taller than the room: paged down to its rule and explanation
    assert snap_compare(
        app_on(),
        terminal_size=(80, 24),
        press=["enter", "tab", "tab", "tab", "shift+pagedown"],
    )


def test_label_picker(snap_compare: Any, app_on: Callable[..., ClaimscopeApp]) -> None:
    # typed "or": labels starting with it first, then those containing it
    assert snap_compare(app_on(), terminal_size=(100, 30), press=["enter", "l", "o", "r"])


def test_adjudication_view(snap_compare: Any, three_db: Path) -> None:
    # the first conflict: alice and carol say GPE, bob LOC; the second (ANI) marked below
    app = make_app(three_db, adjudicate=["alice", "bob", "carol"])
    try:
        assert snap_compare(app, terminal_size=(110, 30), press=["enter"])
    finally:
        app.close_store()


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_reader_at_160_by_45_with_a_focused_claim(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp], theme: str
) -> None:
    assert snap_compare(
        app_on(theme), terminal_size=(160, 45), press=["enter", "tab", "tab", "tab"]
    )


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_sources_screen_at_80_by_24(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp], theme: str
) -> None:
    """Who said what (issue 20): the Sources screen from the list's w, in both themes."""

    async def open_sources(pilot: Any) -> None:
        await pilot.press("w")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app_on(theme), terminal_size=(80, 24), run_before=open_sources)


def test_a_sources_claims_at_80_by_24(
    snap_compare: Any, app_on: Callable[..., ClaimscopeApp]
) -> None:
    async def open_claims(pilot: Any) -> None:
        await pilot.press("w")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app_on(), terminal_size=(80, 24), run_before=open_claims)
