"""The Sources screen (issue 20): every source across the corpus from one key in the list,
typed filtering, sorting, a source's claims in date order, Enter opening the reader on a
claim, and from a claim in the reader its source's entry and the same claim elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from annotate.model import ClaimKind, Offsets, OriginKind, SpanStatus
from annotate.store import Store
from tests.ledger.test_ledger import add_story, build
from tests.tui.tui_support import running
from tui.app import ClaimscopeApp
from tui.screens.reader import ReaderScreen
from tui.screens.source_claims import SourceClaimsScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.source_table import SourceTable


async def _settle(app: ClaimscopeApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_sources_from_the_list_filter_sort_and_open_a_claim(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    build(db)
    async with running(db) as (app, pilot):
        await pilot.press("w")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        names = [entry.name for entry in screen.shown]
        assert names[0] == "Zabihullah Mujahid"  # the most claims first
        assert names.count("Officials") == 2  # anonymous: one per document
        await pilot.press("slash", "o", "f", "f")  # / then typing filters
        assert [entry.name for entry in screen.shown] == ["Officials", "Officials"]
        await pilot.press("backspace", "backspace", "backspace", "enter", "tab")
        assert screen.order == "name" and screen.shown[0].name == "Officials"
        await pilot.press("shift+tab")
        assert screen.order == "claims"
        await pilot.press("enter")
        await pilot.pause()
        claims = app.screen
        assert isinstance(claims, SourceClaimsScreen)
        table = claims.query_one("#source-claims", DataTable)
        dates = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert dates == ["2021-06-01", "2021-06-01", "2021-06-03"]  # in date order
        await pilot.press("down", "enter")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        focused = reader._focused_claim()
        assert focused is not None and focused.id == claims.rows["source-claims"][1].claim_id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is claims  # back where the analyst came from
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "DocumentListScreen"


async def test_from_a_claim_the_reader_shows_its_source_and_the_same_claim_elsewhere(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        add_story(
            store,
            "Zabihullah Mujahid said the bridge had reopened to traffic after the storm.",
            "2021-06-04",
            "AP",
            [("Zabihullah Mujahid", "PERSON")],
        )
        add_story(
            store,
            "A witness said the bridge had reopened to traffic after the storm.",
            "2021-06-05",
            "AFP",
            [("A witness", None)],
        )
    async with running(db) as (app, pilot):
        await pilot.press("end", "up", "enter")  # the document of 2021-06-04 (AP)
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.document is not None
        assert reader.document.meta.agency == "AP"
        await pilot.press("tab", "w")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SourceClaimsScreen) and screen.entry is not None
        assert screen.entry.name == "Zabihullah Mujahid" and len(screen.entry.claims) == 4
        group = screen.query_one("#group-claims", DataTable)
        assert group.row_count == 1 and str(group.get_row_at(0)[5]) == "AFP"
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document is not None and app.screen.document.meta.agency == "AFP"


async def test_a_hostile_source_name_is_shown_safely_on_the_sources_screen(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.json"
    hostile = "Evil\x1b[31m[bold]Corp" + "x" * 10_000
    with Store.open(db) as store:
        add_story(
            store, f"{hostile} said the deal was off.", "2021-06-02", "ANI", [(hostile, "ORG")]
        )
    async with running(db) as (app, pilot):
        await pilot.press("w")
        await _settle(app, pilot)
        table = app.screen.query_one(SourceTable)
        shown = table.cells(0)[0]
        assert "\x1b" not in shown and "␛" in shown and "[bold]" in shown
        drawn = "".join(segment.text for segment in table.render_line(1))
        assert "␛" in drawn and "\x1b" not in drawn and len(drawn) == table.size.width
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SourceClaimsScreen)


async def test_a_claim_without_a_source_says_so(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        add_story(
            store, "Rain fell. It was cold all day long in the city.", "2021-06-02", "ANI", []
        )
        doc_id = store.document_ids()[0]
        store.add_claim(
            __import__("annotate.model", fromlist=["Claim"]).Claim(
                0, doc_id, Offsets(11, 47), ClaimKind.REPORTED, "m@1", OriginKind.MODEL,
                SpanStatus.SUGGESTED,
            )
        )  # fmt: skip
    async with running(db) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("tab", "w")
        await _settle(app, pilot)
        title = str(app.screen.query_one("#source-title").render())
        assert "This claim has no source" in title


async def test_merge_rename_split_and_undo_in_the_sources_screens(tmp_path: Path) -> None:
    """Corrections by keyboard: m marks, M merges the marked into the source under the
    cursor, r renames, u undoes the last correction; in a source's claims space marks and x
    splits the marked claims off into a new source. Each is the annotator's edit."""
    from tests.ledger.test_ledger_corrections import two_people

    db = tmp_path / "db.json"
    two_people(db)
    async with running(db, annotator="alice") as (app, pilot):
        await pilot.press("w")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        names = [entry.name for entry in screen.shown]
        await pilot.press(*["down"] * names.index("Z. Mujahid"), "m")
        assert screen.marked and "1 marked" in str(screen.query_one("#sources-title").render())
        await pilot.press(*["up"] * 10, *["down"] * names.index("Zabihullah Mujahid"), "M")
        await _settle(app, pilot)
        assert "Z. Mujahid" not in [entry.name for entry in screen.shown]
        assert "merged Z. Mujahid into Zabihullah Mujahid" in screen.status
        mujahid = next(e for e in screen.shown if e.name == "Zabihullah Mujahid")
        assert len(mujahid.claims) == 4
        await pilot.press("u")
        await _settle(app, pilot)
        assert "Z. Mujahid" in [entry.name for entry in screen.shown]
        # rename through the prompt
        row = [entry.name for entry in screen.shown].index("Ann Lee")
        await pilot.press(*["up"] * 10, *["down"] * row, "r", *["backspace"] * 10, "L", "e", "e")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert "Lee" in [entry.name for entry in screen.shown]
        # split one of "Lee"'s claims off
        row = [entry.name for entry in screen.shown].index("Lee")
        await pilot.press(*["up"] * 10, *["down"] * row, "enter")
        await pilot.pause()
        claims = app.screen
        assert isinstance(claims, SourceClaimsScreen)
        await pilot.press("space", "x", *["backspace"] * 10, "B", "o", "enter")
        await _settle(app, pilot)
        assert claims.entry is not None and len(claims.entry.claims) == 1
        assert "split off into Bo" in claims.status
        await pilot.press("escape")
        await _settle(app, pilot)
        shown = {entry.name: len(entry.claims) for entry in screen.shown}
        assert shown["Lee"] == 1 and shown["Bo"] == 1
    with Store.open(db, readonly=True) as store:
        corrected = [
            c for d in store.document_ids() for c in store.claims(d) if c.source_entry is not None
        ]
    assert corrected and {c.annotator for c in corrected} == {"alice"}


async def test_the_ledger_is_read_ahead_while_the_analyst_is_idle(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """While no key is pressed the app reads the source ledger ahead (after start and after
    each change), so w shows the Sources screen without adding anything up."""
    from annotate.ledger import corpus

    db = tmp_path / "db.json"
    build(db)
    async with running(db) as (app, pilot):
        app.last_input -= 2  # the analyst has been reading for two seconds
        app._read_ledger_when_idle()
        await app.workers.wait_for_complete()

        def adding_up(*args: object) -> None:
            raise AssertionError("the Sources screen added the ledger up when it opened")

        monkeypatch.setattr(corpus, "finish", adding_up)
        await pilot.press("w")
        await _settle(app, pilot)
        assert isinstance(app.screen, SourcesScreen) and app.screen.shown


async def test_the_reader_collects_garbage_less_often_while_it_runs(tmp_path: Path) -> None:
    """The ledger's 100,000s of long-lived objects are not walked every 700 allocations
    while the reader runs; the thresholds it found are back when it ends."""
    import gc

    from tui.app import GC_THRESHOLDS

    db = tmp_path / "db.json"
    build(db)
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    async with running(db):
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before
