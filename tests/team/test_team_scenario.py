"""Issue 11 end to end: three annotators, each in their own database, from assignment to a gold
set that spaCy's `debug data` accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.io.importing import import_paths
from annotate.model import ReviewState, SpanStatus
from annotate.review.editing import Editor
from annotate.store import Store
from annotate.store.files import copy_database
from tests.conftest import CORPORA, SEED, run_cli, spacy_debug_data

ANNOTATORS = ("alice", "bob", "carol")


def _work(db: Path, name: str) -> None:
    """Review every document in the annotator's queue, each in their own way."""
    with Store.open(db) as store:
        for doc_id in sorted(store.assignments(name), key=store.assignments(name).get):
            editor = Editor(store, doc_id, name)
            pending = [s for s in editor.spans() if s.status == SpanStatus.SUGGESTED]
            if name == "bob":  # bob reads the first two entities differently
                for span in pending[:2]:
                    editor.set_label(span.id, "ORG" if span.label != "ORG" else "PERSON")
            if name == "carol":  # carol does not count numbers as entities
                for span in pending:
                    if span.label == "CARDINAL":
                        editor.set_status(span.id, SpanStatus.REJECTED)
            editor.accept_all_pending()
            editor.set_state(ReviewState.DONE)


async def test_three_annotators_from_assignment_to_a_gold_set(
    tmp_path: Path, pipeline: Any
) -> None:
    from annotate.nlp.preannotate import preannotate
    from tui.app import make_app
    from tui.screens.adjudication import AdjudicationScreen

    base = tmp_path / "base.json"
    with Store.open(base) as store:
        import_paths(store, [str(SEED), str(CORPORA / "gum-news" / "GUM_news_crane.txt")])
        preannotate(store, pipeline)
    run_cli("assign", "--annotators", ",".join(ANNOTATORS), "--overlap", "1", db=base, check=True)
    databases = {name: tmp_path / f"{name}.json" for name in (*ANNOTATORS, "team")}
    for db in databases.values():
        copy_database(base, db)
    for name in ANNOTATORS:
        _work(databases[name], name)

    team = databases["team"]
    run_cli("merge", str(databases["alice"]), db=team, check=True)
    run_cli("merge", str(databases["bob"]), db=team, check=True)
    carol = tmp_path / "carol.jsonl"
    run_cli("export", str(carol), "--annotator", "carol", db=databases["carol"], check=True)
    run_cli("import", str(carol), db=team, check=True)

    report = json.loads(run_cli("agree", "--json", db=team, check=True).stdout)
    assert report["documents"] == 2 and report["annotators"] == list(ANNOTATORS)
    assert len(report["pairs"]) == 3
    alice_carol = next(p for p in report["pairs"] if p["annotators"] == ["alice", "carol"])
    # carol only left the numbers out: every swap is CARDINAL against nothing
    assert [(a, b) for a, b, _ in alice_carol["entities"]["confusion"]] == [("CARDINAL", "O")]
    assert 0 < report["alpha"]["*"] < 1

    app = make_app(team, adjudicate=list(ANNOTATORS))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for _ in range(2):
                await pilot.press("enter")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, AdjudicationScreen)
                assert screen.open_conflicts
                while screen.open_conflicts:
                    await pilot.press("1")  # the majority's version comes first
                    await pilot.pause()
                await pilot.press("D")
                await pilot.pause()
                if isinstance(app.screen, AdjudicationScreen):
                    await pilot.press("escape")
                    await pilot.pause()
    finally:
        app.close_store()
    with Store.open(team, readonly=True) as store:
        assert all(
            store.review_state(doc_id, "gold") == ReviewState.DONE
            for doc_id in store.document_ids()
        )

    out = tmp_path / "run"
    trained = run_cli(
        "train",
        str(out),
        "--annotator",
        "gold",
        "--state",
        "done",
        "--origin",
        "human",
        "--max-steps",
        "2",
        "--eval-frequency",
        "1",
        "--split",
        "0.5",
        db=team,
    )
    assert trained.returncode == 0, trained.stderr[-2000:]
    checked = spacy_debug_data(out)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "✘" not in checked.stdout, checked.stdout[-3000:]
