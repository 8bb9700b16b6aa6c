"""The review flow of issue 10, measured in keys: one key per decision, a claim in a few keys,
labels by name, done with pending suggestions, undo that shows what it changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotate.formats import export
from annotate.formats.selection import ExportFilter
from annotate.model import ClaimKind, ReviewState, SpanStatus, Verdict
from tests.tui.tui_support import article, move_cursor_to, open_first, running, text_at
from tui.screens.dialogs import LabelPickerScreen, PendingOnDoneScreen
from tui.screens.reader import ReaderScreen


def _pending(screen: ReaderScreen) -> int:
    return sum(s.status == SpanStatus.SUGGESTED for s in screen.spans) + sum(
        c.status == SpanStatus.SUGGESTED for c in screen.claims
    )


async def test_a_whole_document_reviewed_with_one_key_per_decision(
    tui_db: Path, tmp_path: Path
) -> None:
    """Reject every CARDINAL, leave the first DATE undecided, accept the rest: each decision
    is one key and moves on; D asks once about the one left pending."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        pending = _pending(screen)
        assert pending > 50
        keys = 0
        ignored: int | None = None
        decided: dict[tuple[str, int], SpanStatus] = {}
        while _pending(screen) > (1 if ignored is not None else 0):
            focus = screen.focus_item
            assert focus is not None, "a decision must leave the focus on the next pending item"
            entity = screen._focused_entity()
            if entity is not None and entity.id == ignored:
                break
            if entity is not None and entity.label == "CARDINAL":
                key, status = "x", SpanStatus.REJECTED
            elif entity is not None and entity.label == "DATE" and ignored is None:
                key, status, ignored = "space", SpanStatus.SUGGESTED, entity.id
            else:
                key, status = "a", SpanStatus.ACCEPTED
            await pilot.press(key)
            keys += 1
            decided[(focus.kind, focus.id)] = status
            assert keys <= pending + 1, "the flow went round in circles"
        assert keys == pending  # one key for each pending suggestion, no navigation
        assert ignored is not None
        for (kind, record_id), status in decided.items():
            found = (
                app.store.get_span(record_id)
                if kind == "entity"
                else app.store.get_claim(record_id)
            )
            assert found.status == status, (kind, record_id)
        doc_id = screen.doc_id
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, PendingOnDoneScreen)
        await pilot.press("l")  # leave the ignored one pending
        await pilot.pause()
        assert app.store.review_state(doc_id, "tester") == ReviewState.DONE
        left = app.store.get_span(ignored)
        assert left.status == SpanStatus.SUGGESTED
        text = app.store.get_document(doc_id).text
        everything, human = tmp_path / "all.jsonl", tmp_path / "human.jsonl"
        export(app.store, everything, "jsonl", ExportFilter(annotator="tester"))
        export(app.store, human, "jsonl", ExportFilter(annotator="tester", origin="human"))

    def exported(path: Path) -> dict[str, Any]:
        lines = path.read_text().splitlines()
        return next(r for r in map(json.loads, lines) if r["text"] == text)

    record = exported(human)  # what a model is trained on: what the analyst decided
    spans = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
    rejected = {(s["start"], s["end"], s["label"]) for s in exported(everything)["rejected_spans"]}
    assert (left.start, left.end, left.label) not in spans  # undecided: not taught
    assert rejected and all(label == "CARDINAL" for _, _, label in rejected)
    assert not any(label == "CARDINAL" for _, _, label in spans)
    assert record["answer"] == "accept"
    accepted = sum(status == SpanStatus.ACCEPTED for status in decided.values())
    accepted_claims = sum(
        status == SpanStatus.ACCEPTED for (kind, _), status in decided.items() if kind == "claim"
    )
    assert len(spans) == accepted - accepted_claims
    assert len(record["claims"]) == accepted_claims


async def test_done_with_pending_suggestions_asks_accept_reject_or_leave(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, PendingOnDoneScreen)
        await pilot.press("escape")  # back to the document, nothing changed
        await pilot.pause()
        assert app.screen is screen
        assert app.store.review_state(screen.doc_id, "tester") == ReviewState.IN_PROGRESS
        assert _pending(screen) > 0
        await pilot.press("D", "x")  # reject them all, then done + next
        await pilot.pause()
        first = screen.doc_id
        assert app.store.review_state(first, "tester") == ReviewState.DONE
        assert not [s for s in app.store.spans(first) if s.status == SpanStatus.SUGGESTED]
        assert all(s.status == SpanStatus.REJECTED for s in app.store.spans(first))
        second = app.screen
        assert isinstance(second, ReaderScreen) and second.doc_id != first
        await pilot.press("D", "a")  # accept them all
        await pilot.pause()
        assert all(s.status == SpanStatus.ACCEPTED for s in app.store.spans(second.doc_id))
        assert app.store.review_state(second.doc_id, "tester") == ReviewState.DONE


async def test_a_document_with_nothing_pending_is_done_in_one_key(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("A", "D")
        await pilot.pause()
        assert app.store.review_state(screen.doc_id, "tester") == ReviewState.DONE
        assert isinstance(app.screen, ReaderScreen) and app.screen is not screen


async def test_the_label_picker_reaches_every_label_by_name(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "drawdown")
        await pilot.press("shift+right", "shift+right", "l")  # "drawdown from Afghanistan"
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LabelPickerScreen)
        await pilot.press(*"work")
        assert [label.name for label in picker.shown][:1] == ["WORK_OF_ART"]
        await pilot.press("enter")
        await pilot.pause()
        made = [s for s in app.store.spans(screen.doc_id) if s.label == "WORK_OF_ART"]
        assert [text_at(screen, s.start, s.end) for s in made] == ["drawdown from Afghanistan"]
        # a label with no digit key, on the focused span, with arrows: LAW is not on 1–9
        await pilot.press("l", *"la", "down", "up", "enter")
        await pilot.pause()
        assert app.store.get_span(made[0].id).label == "LAW"
        # escape leaves everything as it was
        await pilot.press("l", "escape")
        await pilot.pause()
        assert app.screen is screen and app.store.get_span(made[0].id).label == "LAW"
        commands = [c.title for c in app.get_system_commands(screen)]
        assert {f"Label {label.name}" for label in app.labels.labels} <= set(commands)


async def test_a_claim_from_scratch_in_six_keys(tui_db: Path) -> None:
    """Content, source, cue and verdict when the source is a name in the same sentence:
    S (clause) c (claim) s (nearest name) v (the word after it) V s (supported)."""
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        for claim in list(screen.claims):  # start from nothing: no model claim to reuse
            app.store.delete_claim(claim.id)
        screen._reload()
        await move_cursor_to(pilot, screen, "fighting the Taliban in over 100")
        keys = ["S", "c", "s", "v", "V", "s"]
        await pilot.press(*keys[:5])
        await pilot.pause()  # the verdict dialog opens
        await pilot.press(keys[5])
        await pilot.pause()
        (claim,) = app.store.claims(screen.doc_id)
        assert claim.content is not None and claim.source is not None and claim.cue is not None
        content = text_at(screen, claim.content.start, claim.content.end)
        assert (
            content
            == "The Afghan security forces are currently fighting the Taliban in over 100 provinces"
        )
        assert text_at(screen, claim.source.start, claim.source.end) == "TOLO news"
        assert text_at(screen, claim.cue.start, claim.cue.end) == "reported"
        assert claim.verdict == Verdict.SUPPORTED
        assert len(keys) <= 10


async def test_s_selects_the_clause_then_the_sentence(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "the Taliban has launched")
        await pilot.press("S")
        selection = article(screen).selection
        assert selection is not None
        assert text_at(screen, selection.start, selection.end) == (
            "the Taliban has launched over 3,500 attacks since the start of the year"
        )
        await pilot.press("S")
        selection = article(screen).selection
        assert selection is not None
        assert text_at(screen, selection.start, selection.end).startswith("Ahmad Zia Saraj")
        assert text_at(screen, selection.start, selection.end).endswith("of the year.")


async def test_kind_cycles_both_ways(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("tab")
        claim = screen._focused_claim()
        assert claim is not None
        order = list(ClaimKind)
        await pilot.press("k")
        forward = order[(order.index(claim.kind) + 1) % len(order)]
        assert app.store.get_claim(claim.id).kind == forward
        await pilot.press("K", "K")
        back = order[(order.index(claim.kind) - 1) % len(order)]
        assert app.store.get_claim(claim.id).kind == back


async def test_undo_and_redo_move_the_cursor_to_the_change(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        await move_cursor_to(pilot, screen, "Rahimullah Yusufzai")
        entity = screen._focused_entity()
        assert entity is not None
        await pilot.press("x")  # reject it (and move on)
        await pilot.press("ctrl+home")
        assert article(screen).cursor == 0
        await pilot.press("u")
        await pilot.pause()
        assert app.store.get_span(entity.id).status == SpanStatus.SUGGESTED
        assert article(screen).cursor == entity.start
        assert screen._focused_entity() is not None
        assert screen._focused_entity().id == entity.id  # type: ignore[union-attr]
        view = article(screen)
        line, _ = view.text_layout.column_of(view.cursor)
        assert view.scroll_offset.y <= line < view.scroll_offset.y + view.size.height
        await pilot.press("ctrl+home", "ctrl+r")
        await pilot.pause()
        assert app.store.get_span(entity.id).status == SpanStatus.REJECTED
        assert article(screen).cursor == entity.start


# The chrome at 80 columns ------------------------------------------------------------------------


async def test_at_80_columns_the_status_never_pushes_the_counts_off(tui_db: Path) -> None:
    async with running(tui_db, size=(80, 24)) as (app, pilot):
        screen = await open_first(app, pilot)
        screen._say("a very long message " * 8, warning=True)
        await pilot.pause()
        title = str(screen.query_one("#reader-title").render())
        counts = title.splitlines()[1]
        assert counts.startswith("in progress · 58 entities · 10 claims · 68 pending")
        assert "⚠ a very long message" in counts and counts.endswith("…")


async def test_at_80_columns_the_footer_keeps_help_back_and_quit(tui_db: Path) -> None:
    from textual.widgets._footer import FooterKey

    async with running(tui_db, size=(80, 24)) as (app, pilot):
        await open_first(app, pilot)
        await pilot.pause()
        shown = {
            key.key: key.region
            for key in app.screen.query(FooterKey)
            if key.region.width and key.region.right <= 80
        }
        assert {"question_mark", "escape", "q"} <= set(shown)


async def test_the_help_screen_says_it_scrolls_and_does(tui_db: Path) -> None:
    from textual.containers import VerticalScroll

    async with running(tui_db, size=(80, 24)) as (app, pilot):
        await open_first(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body", VerticalScroll)
        heading = str(app.screen.query(".dialog-title").first().render())
        assert "scroll" in heading
        assert body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


async def test_the_legend_explains_every_mark(tui_db: Path) -> None:
    async with running(tui_db) as (app, pilot):
        screen = await open_first(app, pilot)
        legend = str(screen.query_one("#legend").render())
        for mark in ("▌decided", "╏pending", "·rejected", "┃focused", "pending", "rejected"):
            assert mark in legend, mark


# The document list -----------------------------------------------------------------------


async def test_the_list_header_separates_the_annotator(tui_db: Path) -> None:
    """Issue 10, bug 11: the header read "Claimscopeme"."""
    async with running(tui_db, annotator="me") as (app, _pilot):
        header = str(app.screen.query_one("#list-title").render())
        assert header.startswith("Claimscope · me · 0 of 2 documents done")


async def test_the_list_filters_by_kind_verdict_annotator_and_pending(tui_db: Path) -> None:
    from tui.screens.documents import DocumentListScreen

    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        # give the crane story (second) a supported claim by "tester" and nothing pending
        crane = listing.rows[1].doc_id
        from annotate.review.editing import Editor

        editor = Editor(app.store, crane, "tester")
        editor.accept_all_pending()
        claim = app.store.claims(crane)[0]
        editor.set_verdict(claim.id, Verdict.SUPPORTED)
        listing.refresh_rows()
        await pilot.pause()
        assert len(listing.shown) == 2
        await pilot.press("p")  # only documents with pending suggestions
        assert [row.doc_id for row in listing.shown] == [listing.rows[0].doc_id]
        await pilot.press("p")
        assert len(listing.shown) == 2
        await pilot.press("v")  # verdicts present, in order: supported, unreviewed
        assert listing.filters["verdict"] == "supported"
        assert [row.doc_id for row in listing.shown] == [crane]
        await pilot.press("a")  # annotators: tester
        assert listing.filters["annotator"] == "tester"
        await pilot.press("k")
        assert "kind" in listing.filters
        assert [row.doc_id for row in listing.shown] == [crane]
        line = str(listing.query_one("#filters").render())
        assert "verdict=supported [v]" in line and "annotator=tester [a]" in line
        # filters go one by one, the last set first
        await pilot.press("backspace")
        assert list(listing.filters) == ["verdict", "annotator"]
        await pilot.press("backspace")
        assert list(listing.filters) == ["verdict"]
        await pilot.press("escape")
        assert listing.filters == {} and len(listing.shown) == 2


async def test_the_list_finds_documents_by_file_name_and_id_and_shows_context(
    tui_db: Path,
) -> None:
    from tui.screens.documents import DocumentListScreen
    from tui.widgets.doctable import DocumentTable

    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        crane = listing.rows[1]
        await pilot.press("slash", *"GUM_news_crane", "enter")
        await pilot.pause()
        assert [row.doc_id for row in listing.shown] == [crane.doc_id]
        table = listing.query_one(DocumentTable)
        assert str(table.contexts[crane.doc_id]).startswith("file: GUM_news_crane")
        await pilot.press("escape", "slash", *crane.doc_id[:10], "enter")
        await pilot.pause()
        assert [row.doc_id for row in listing.shown] == [crane.doc_id]
        assert str(table.contexts[crane.doc_id]).startswith("id: ")
        await pilot.press("escape", "slash", *"blind eye", "enter")
        await pilot.pause()
        (row,) = listing.shown
        context = str(table.contexts[row.doc_id])
        assert "turn a blind eye, said Muhammed" in context


async def test_statistic_claims_can_be_hidden_and_are_then_skipped(tmp_path: Path) -> None:
    """Issue 9: numbers without a source are not attributions; the reader filters them."""
    from annotate.io.importing import import_paths
    from annotate.model import Claim, Offsets, OriginKind
    from annotate.store import Store
    from tests.conftest import SEED

    db = tmp_path / "db.json"
    with Store.open(db) as store:
        import_paths(store, [str(SEED)])
        doc_id = store.document_ids()[0]
        for start, end, kind in ((149, 242, ClaimKind.REPORTED), (300, 340, ClaimKind.STATISTIC)):
            store.add_claim(
                Claim(
                    0,
                    doc_id,
                    Offsets(start, end),
                    kind,
                    "rules@1",
                    OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                )
            )
    async with running(db) as (app, pilot):
        screen = await open_first(app, pilot)
        await pilot.press("tab", "tab")
        assert screen._focused_claim() is not None
        assert screen._focused_claim().kind == ClaimKind.STATISTIC  # type: ignore[union-attr]
        await pilot.press("T")
        assert screen._focused_claim() is None
        assert screen.status == "✓ statistic claims hidden (T shows them)"
        kinds = {i.kind for i in article(screen)._items()}
        assert [i for i in article(screen)._items() if i.kind == "claim"] and "claim" in kinds
        assert all(i.start != 300 for i in article(screen)._items() if i.kind == "claim")
        await pilot.press("tab", "tab")  # only the reported claim is visited
        assert screen._focused_claim().kind == ClaimKind.REPORTED  # type: ignore[union-attr]
        assert len(screen._pending()) == 1  # the hidden one is not in the review flow
        await pilot.press("T")
        assert len(screen._pending()) == 2


@pytest.mark.parametrize(("size", "rows"), [((160, 45), 1), ((80, 24), 2)])
async def test_the_legend_takes_one_row_at_160_and_two_at_80(
    tui_db: Path, size: tuple[int, int], rows: int
) -> None:
    """Review finding 19 (issue 19): the legend wrapped "┃focused" onto a row of its own at
    160 columns and took 3 of 24 rows at 80; its pieces are packed, never split."""
    async with running(tui_db, size=size) as (app, pilot):
        screen = await open_first(app, pilot)
        legend = screen.query_one("#legend")
        assert legend.size.height == rows
        shown = str(legend.render())
        assert "┃focused" in shown and "9 CARDINAL" in shown


async def test_at_80_columns_the_filter_hint_fits_and_search_rows_keep_their_columns(
    tui_db: Path,
) -> None:
    """Review finding 19 (issue 19): the filter hint was cut at 80 columns, and under a text
    search the date and agency columns moved right of their headings."""
    from tests.tui.tui_support import drawn

    async with running(tui_db, size=(80, 24)) as (app, pilot):
        await pilot.pause()
        filters = str(app.screen.query_one("#filters").render())
        assert filters.rstrip().endswith("shown") and len(filters.rstrip()) <= 78
        await pilot.press("slash", *"taliban", "enter")
        await pilot.pause()
        lines = drawn(app).splitlines()
        header = next(line for line in lines if " date " in line and " agency " in line)
        row = next(line for line in lines if "2021-05-30" in line)
        assert row.index("2021-05-30") == header.index("date")
        assert row.index("ANI") == header.index("agency")
        assert "⌫ drops the last" in str(app.screen.query_one("#filters").render())
