"""Team agreement: the coefficients against published worked examples, and entity and claim
agreement on small cases computed by hand."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from annotate.corpus.overview import document_summaries
from annotate.formats import export
from annotate.formats.selection import ExportFilter
from annotate.io.importing import import_paths
from annotate.model import EntitySpan, OriginKind, ReviewState, SpanStatus
from annotate.review.editing import Editor
from annotate.store import Store
from annotate.team.agreement import (
    EXACT,
    OVERLAP,
    ClaimMark,
    EntityMark,
    Version,
    claim_agreement,
    entity_agreement,
    entity_f1,
    token_labels,
)
from annotate.team.coefficients import cohen_kappa, krippendorff_alpha_nominal
from tests.conftest import DATA, SEED

N = None


def test_alpha_matches_krippendorffs_worked_example_with_missing_data() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four
    observers, twelve units, nominal values, missing data: α = 0.743."""
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
    alpha = krippendorff_alpha_nominal(list(zip(*observers, strict=True)))
    assert alpha == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_krippendorffs_two_observer_binary_example() -> None:
    """The same paper, example A: two observers, binary data, α = 0.095."""
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha_nominal(list(zip(first, second, strict=True)))
    assert alpha == pytest.approx(0.095, abs=5e-4)


def test_alpha_edge_cases() -> None:
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([[1, N], [N, 2]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None  # one value only
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == 1.0


def test_kappa_matches_the_textbook_two_by_two_example() -> None:
    """20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, κ = 0.4."""
    judged = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(judged) == pytest.approx(0.4)
    assert cohen_kappa([]) is None
    assert cohen_kappa([("a", "a")] * 3) == 1.0
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)


TEXT = "Alice met Bob in Paris."


def _version(annotator: str, marks: list[tuple[int, int, str]], doc: str = "d1") -> Version:
    text = TEXT if doc == "d1" else "Bob flew to Rome."
    return Version(doc, annotator, text, tuple(EntityMark(*mark) for mark in marks))


ALICE, BOB, PARIS = (0, 5), (10, 13), (17, 22)
VERSIONS = [
    _version("a", [(*ALICE, "PERSON"), (*BOB, "PERSON"), (*PARIS, "GPE")]),
    _version("b", [(*ALICE, "PERSON"), (*BOB, "ORG"), (*PARIS, "GPE")]),
    _version("c", [(*ALICE, "PERSON"), (*PARIS, "LOC")]),
]


def test_token_labels_follow_the_one_tokenizer() -> None:
    assert token_labels(TEXT, VERSIONS[0].entities) == [
        "PERSON",
        "O",
        "PERSON",
        "O",
        "GPE",
        "O",
    ]


def test_entity_agreement_of_three_annotators_by_hand() -> None:
    result = entity_agreement(VERSIONS)
    assert result.annotators == ["a", "b", "c"] and result.documents == 1
    # a and b: 5 of 6 tokens agree; p_e = (2·1 + 3·3 + 1·1) / 36 = 1/3; κ = 0.75
    assert result.kappa[("a", "b")]["*"] == pytest.approx(0.75)
    exact = result.f1[("a", "b")][EXACT]
    assert exact["*"].f1 == pytest.approx(2 / 3)
    assert exact["GPE"].f1 == 1.0 and exact["ORG"].f1 == 0.0
    assert result.confusion[("a", "b")] == {("PERSON", "ORG"): 1}
    # α by hand: n = 18, disagreeing pairs 5, Σ n_c² = 4² + 10² + 1 + 2² + 1 = 122
    assert result.alpha["*"] == pytest.approx(1 - 17 * 5 / (18 * 18 - 122))


def test_a_document_one_annotator_did_not_finish_is_missing_data() -> None:
    second = [
        _version("a", [(0, 3, "PERSON"), (12, 16, "GPE")], doc="d2"),
        _version("b", [(0, 3, "PERSON"), (12, 16, "GPE")], doc="d2"),
    ]
    with_missing = entity_agreement([*VERSIONS, *second])
    assert with_missing.documents == 2
    # c is missing on d2, so d2's units count only a's and b's values (they agree)
    assert with_missing.alpha["*"] is not None
    assert with_missing.alpha["*"] > entity_agreement(VERSIONS).alpha["*"]  # type: ignore[operator]
    assert ("a", "c") in with_missing.kappa  # c shares d1 with a


def test_overlap_f1_pairs_shifted_spans_of_the_same_label() -> None:
    first = _version("a", [(10, 22, "GPE")])
    second = _version("b", [(10, 21, "GPE"), (0, 5, "PERSON")])
    assert entity_f1([(first, second)], EXACT)["*"].f1 == 0.0
    overlap = entity_f1([(first, second)], OVERLAP)["*"]
    assert (overlap.precision, overlap.recall) == (0.5, 1.0)


def test_claim_agreement_pairs_by_content_and_compares_parts() -> None:
    def claim(content: tuple[int, int], cue: tuple[int, int], verdict: str) -> ClaimMark:
        return ClaimMark((content,), (20, 25), cue, "reported", verdict)

    first = Version("d", "a", "x" * 60, (), (claim((0, 10), (26, 30), "supported"),))
    second = Version(
        "d",
        "b",
        "x" * 60,
        (),
        (claim((0, 9), (40, 44), "disputed"), claim((45, 55), (56, 58), "supported")),
    )
    result = claim_agreement([(first, second)])
    assert result.paired == 1
    assert (result.content.precision, result.content.recall) == (0.5, 1.0)
    assert result.source_rate == 1.0 and result.cue_rate == 0.0
    assert result.kind_kappa == 1.0  # both always "reported"
    assert result.verdict_kappa == 0.0  # they never agree, and chance says they would not


# One database, annotators in turns ---------------------------------------------------------


def _suggest(store: Store, doc_id: str, start: int, end: int, label: str) -> EntitySpan:
    return store.add_span(
        EntitySpan(0, doc_id, start, end, label, "ner@1", OriginKind.MODEL, SpanStatus.SUGGESTED)
    )


@pytest.fixture
def shared(store: Store) -> tuple[Store, str, list[EntitySpan]]:
    """The seed article with three model suggestions: Kabul, Afghanistan, May 29."""
    import_paths(store, [str(SEED)])
    doc_id = store.document_ids()[0]
    suggestions = [
        _suggest(store, doc_id, 0, 5, "GPE"),
        _suggest(store, doc_id, 7, 18, "GPE"),
        _suggest(store, doc_id, 21, 27, "DATE"),
    ]
    return store, doc_id, suggestions


def _seen(store: Store, doc_id: str, annotator: str) -> list[tuple[int, int, str, str]]:
    return [
        (s.start, s.end, s.label, s.status.value) for s in Editor(store, doc_id, annotator).spans()
    ]


def test_each_annotator_reviews_the_suggestions_independently(
    shared: tuple[Store, str, list[EntitySpan]],
) -> None:
    store, doc_id, (kabul, afghanistan, may) = shared
    alice, bob = Editor(store, doc_id, "alice"), Editor(store, doc_id, "bob")
    alice.set_status(kabul.id, SpanStatus.ACCEPTED)
    alice.set_label(afghanistan.id, "LOC")
    alice.set_status(may.id, SpanStatus.REJECTED)
    added = alice.add_entity(29, 34, "ORG")  # "(ANI)"-ish: her own work
    assert _seen(store, doc_id, "alice") == [
        (0, 5, "GPE", "accepted"),
        (7, 18, "LOC", "edited"),
        (21, 27, "DATE", "rejected"),
        (29, 34, "ORG", "accepted"),
    ]
    # bob sees every suggestion as it was, and nothing alice made
    before_bob = [
        (0, 5, "GPE", "suggested"),
        (7, 18, "GPE", "suggested"),
        (21, 27, "DATE", "suggested"),
    ]
    assert _seen(store, doc_id, "bob") == before_bob
    # bob's decision on a suggestion alice took over is his own version of it
    mine = bob.set_status(afghanistan.id, SpanStatus.ACCEPTED)
    assert mine != afghanistan.id and store.get_span(mine).parent == afghanistan.id
    assert _seen(store, doc_id, "bob")[1] == (7, 18, "GPE", "accepted")
    assert _seen(store, doc_id, "alice")[1] == (7, 18, "LOC", "edited")  # hers unchanged
    # his undo takes his version away; alice's work never moves
    assert bob.undo() == "accept GPE"
    assert _seen(store, doc_id, "bob") == before_bob
    assert store.get_span(added.id).annotator == "alice"
    # a third annotator still starts from the suggestions
    assert _seen(store, doc_id, "carol") == before_bob


def test_exports_and_the_list_follow_the_annotators_view(
    shared: tuple[Store, str, list[EntitySpan]], tmp_path: Path
) -> None:
    store, doc_id, (kabul, afghanistan, _) = shared
    Editor(store, doc_id, "alice").set_status(kabul.id, SpanStatus.ACCEPTED)
    Editor(store, doc_id, "bob").set_label(kabul.id, "LOC")
    Editor(store, doc_id, "bob").set_status(afghanistan.id, SpanStatus.REJECTED)
    for annotator, spans in (
        ("alice", {(0, 5, "GPE")}),
        ("bob", {(0, 5, "LOC")}),
    ):
        out = tmp_path / f"{annotator}.jsonl"
        export(store, out, "jsonl", ExportFilter(annotator=annotator, origin="human"))
        record = json.loads(out.read_text())
        assert {(s["start"], s["end"], s["label"]) for s in record["spans"]} == spans
    rows = {name: document_summaries(store, name)[0] for name in ("alice", "bob", "carol")}
    assert (rows["alice"].pending, rows["bob"].pending, rows["carol"].pending) == (2, 1, 3)
    assert rows["carol"].annotators == {"alice", "bob"}


def test_a_model_suggestion_is_rejected_not_deleted(
    shared: tuple[Store, str, list[EntitySpan]],
) -> None:
    store, doc_id, (kabul, _, _) = shared
    Editor(store, doc_id, "alice").delete_span(kabul.id)
    assert _seen(store, doc_id, "alice")[0] == (0, 5, "GPE", "rejected")
    assert _seen(store, doc_id, "bob")[0] == (0, 5, "GPE", "suggested")


def test_agreement_between_two_annotators_views(
    shared: tuple[Store, str, list[EntitySpan]],
) -> None:
    store, doc_id, (_, afghanistan, _) = shared
    for name in ("alice", "bob"):
        Editor(store, doc_id, name).accept_all_pending()
    Editor(store, doc_id, "bob").set_label(afghanistan.id, "LOC")
    text = store.get_document(doc_id).text
    versions = [
        Version.of(doc_id, name, text, Editor(store, doc_id, name).spans())
        for name in ("alice", "bob")
    ]
    result = entity_agreement(versions)
    exact = result.f1[("alice", "bob")][EXACT]["*"]
    assert (exact.matched_gold, exact.gold) == (2, 3)
    assert result.confusion[("alice", "bob")] == {("GPE", "LOC"): 1}


async def test_two_annotators_take_turns_in_the_reader(tui_db: Path) -> None:
    from tests.tui.tui_support import open_first, running

    async with running(tui_db, annotator="alice") as (app, pilot):
        screen = await open_first(app, pilot)
        first = screen._focused_entity()
        assert first is not None and first.status == SpanStatus.SUGGESTED
        await pilot.press("x", "a")  # reject Kabul, accept the next
        second = app.store.get_span(screen.spans[1].id)
        alices = {(s.start, s.status) for s in screen.spans}
    async with running(tui_db, annotator="bob") as (app, pilot):
        listing_row = document_summaries(app.store, "bob")[0]
        assert listing_row.pending == 68  # alice's decisions are not his
        screen = await open_first(app, pilot)
        assert screen.status.startswith("✓ alice annotated this too")
        assert screen._focused_entity() is not None
        assert screen._focused_entity().status == SpanStatus.SUGGESTED  # type: ignore[union-attr]
        await pilot.press("a")  # his decision on the suggestion alice rejected
        await pilot.pause()
        bobs = {(s.start, s.status) for s in screen.spans}
        assert (0, SpanStatus.ACCEPTED) in bobs and (0, SpanStatus.REJECTED) in alices
        assert second.status == SpanStatus.ACCEPTED
        assert sum(s.status == SpanStatus.SUGGESTED for s in screen.spans) == 57
    async with running(tui_db, annotator="alice") as (app, pilot):
        screen = await open_first(app, pilot)
        assert {(s.start, s.status) for s in screen.spans} == alices  # untouched by bob


def test_agree_reports_pairs_alpha_and_activity(
    shared: tuple[Store, str, list[EntitySpan]], db_path: Path
) -> None:
    from tests.conftest import run_cli

    store, doc_id, (_, afghanistan, may) = shared
    pending = sum(1 for s in store.spans(doc_id) if s.status == SpanStatus.SUGGESTED)
    pending += sum(1 for c in store.claims(doc_id) if c.status == SpanStatus.SUGGESTED)
    for name in ("alice", "bob", "carol"):
        Editor(store, doc_id, name).accept_all_pending()
    Editor(store, doc_id, "bob").set_label(afghanistan.id, "LOC")
    Editor(store, doc_id, "carol").set_status(may.id, SpanStatus.REJECTED)
    for name in ("alice", "bob"):
        Editor(store, doc_id, name).set_state(ReviewState.DONE)  # carol is not done
    store.close()
    report = json.loads(run_cli("agree", "--json", db=db_path, check=True).stdout)
    assert report["documents"] == 1 and report["annotators"] == ["alice", "bob"]
    (pair,) = report["pairs"]
    assert pair["annotators"] == ["alice", "bob"]
    assert pair["entities"]["exact"]["*"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert pair["entities"]["confusion"] == [["GPE", "LOC", 1]]
    assert report["alpha"]["*"] is not None and report["alpha"]["*"] < 1.0
    # accepting everything at once is one edit per suggestion decided (issue 19, finding 16)
    edits = {row["annotator"]: row["edits"] for row in report["activity"]}
    assert pending > 1 and edits == {"alice": pending, "bob": pending + 1, "carol": pending + 1}
    assert {row["annotator"]: row["documents_done"] for row in report["activity"]} == {
        "alice": 1,
        "bob": 1,
        "carol": 0,
    }
    only = json.loads(
        run_cli("agree", "--json", "--annotators", "alice,carol", db=db_path, check=True).stdout
    )
    assert only["documents"] == 0 and only["pairs"] == []
    tables = run_cli("agree", db=db_path, check=True).stdout
    assert "Krippendorff's α" in tables and "alice / bob" in tables and "Activity" in tables
    # at 80 columns nothing is cut and no name is wrapped; time reads as time
    narrow = run_cli("agree", db=db_path, check=True, env={"COLUMNS": "80"}).stdout
    assert "…" not in narrow and all(len(line) <= 80 for line in narrow.splitlines())
    for header in ("F1 exact", "F1 overlap", "token κ", "content F1", "verdict κ", "edits/hour"):
        assert header in narrow, header
    assert "alice / bob" in narrow and " 0.00 " not in narrow


AGREE_SNAPSHOT = DATA / "agree_at_80_columns.txt"


def test_agree_at_80_columns_matches_its_snapshot(
    shared: tuple[Store, str, list[EntitySpan]], request: pytest.FixtureRequest
) -> None:
    """``agree``'s tables as an analyst sees them at 80 columns (issue 19, finding 16), held
    as a text snapshot; the time each annotator spent is fixed, the rest is computed.
    ``pytest --snapshot-update`` writes it anew."""
    import io

    import annotate.cli.team as team_cli
    from annotate.cli.base import SafeConsole
    from annotate.team.report import team_report

    store, doc_id, (_, afghanistan, may) = shared
    for name in ("alice", "bob", "carol"):
        Editor(store, doc_id, name).accept_all_pending()
    Editor(store, doc_id, "bob").set_label(afghanistan.id, "LOC")
    Editor(store, doc_id, "carol").set_status(may.id, SpanStatus.REJECTED)
    for name in ("alice", "bob"):
        Editor(store, doc_id, name).set_state(ReviewState.DONE)
    report = team_report(store)
    for row in report["activity"]:
        row["hours"] = 0.25
        row["edits_per_hour"] = row["edits"] / 0.25
    shown = io.StringIO()
    console = SafeConsole(file=shown, width=80, force_terminal=False, color_system=None)
    original, team_cli.out = team_cli.out, console
    try:
        team_cli._print(report)
    finally:
        team_cli.out = original
    text = shown.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines())
    if request.config.getoption("--snapshot-update", default=False):
        AGREE_SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        AGREE_SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == AGREE_SNAPSHOT.read_text(encoding="utf-8")


# Separate databases, brought together ------------------------------------------------------


def _views(db: Path, names: Iterable[str]) -> dict[str, list[tuple[int, int, str, str]]]:
    with Store.open(db, readonly=True) as store:
        doc_id = store.document_ids()[0]
        return {name: _seen(store, doc_id, name) for name in names}


def _one_suggestion_in_three_databases(tmp_path: Path) -> tuple[dict[str, Path], str]:
    """A model's suggestion (and a claim) imported once, the database copied to three
    annotators, each deciding it in their own copy (alice accepts, bob rejects, carol
    relabels the span and accepts the claim), and a fourth copy nobody has touched yet."""
    from annotate.store.files import copy_database
    from tests.conftest import run_cli

    text = "Ann Lee said on Monday that the Kabul airport would reopen soon."
    model = tmp_path / "model.jsonl"
    model.write_text(
        json.dumps(
            {
                "text": text,
                "spans": [{"start": 0, "end": 7, "label": "PERSON"}],
                "claims": [
                    {
                        "content": {"start": 28, "end": len(text) - 1},
                        "source": {"start": 0, "end": 7},
                        "cue": {"start": 8, "end": 12},
                        "kind": "reported",
                    }
                ],
            }
        )
        + "\n"
    )
    origin = tmp_path / "origin.json"
    run_cli("import", "--as-suggestions", "--origin", "m@1", str(model), db=origin, check=True)
    dbs = {name: copy_database(origin, tmp_path / f"{name}.json") for name in "abcd"}
    decisions = {"a": "alice", "b": "bob", "c": "carol"}
    with Store.open(origin, readonly=True) as store:
        doc_id = store.document_ids()[0]
    for key, annotator in decisions.items():
        with Store.open(dbs[key]) as store:
            editor = Editor(store, doc_id, annotator)
            span, claim = editor.spans()[0], editor.claims()[0]
            if annotator == "alice":
                editor.set_status(span.id, SpanStatus.ACCEPTED)
                editor.set_claim_status(claim.id, SpanStatus.ACCEPTED)
            elif annotator == "bob":
                editor.set_status(span.id, SpanStatus.REJECTED)
                editor.set_claim_status(claim.id, SpanStatus.REJECTED)
            else:
                editor.set_label(span.id, "ORG")
                editor.set_claim_status(claim.id, SpanStatus.ACCEPTED)
            editor.set_state(ReviewState.DONE)
    return dbs, doc_id


def _decisions(db: Path, doc_id: str) -> dict[str, list[tuple[str, ...]]]:
    with Store.open(db, readonly=True) as store:
        seen = {}
        for name in ("alice", "bob", "carol", "dave"):
            editor = Editor(store, doc_id, name)
            spans = [(s.label, s.status.value) for s in editor.spans()]
            claims = [("claim", c.status.value) for c in editor.claims()]
            seen[name] = spans + claims
        return seen


EXPECTED_DECISIONS = {
    "alice": [("PERSON", "accepted"), ("claim", "accepted")],
    "bob": [("PERSON", "rejected"), ("claim", "rejected")],
    "carol": [("ORG", "edited"), ("claim", "accepted")],
    "dave": [("PERSON", "suggested"), ("claim", "suggested")],  # no one's decision resurfaces
}


def test_merging_three_annotators_keeps_one_suggestion_and_every_decision(
    tmp_path: Path,
) -> None:
    from tests.conftest import run_cli

    dbs, doc_id = _one_suggestion_in_three_databases(tmp_path)
    for other in "bcd":  # d still holds the suggestion undecided
        run_cli("merge", str(dbs[other]), db=dbs["a"], check=True)
    assert _decisions(dbs["a"], doc_id) == EXPECTED_DECISIONS
    # merging in the other direction, or again, changes nothing of that
    for other in "dac":
        run_cli("merge", str(dbs[other]), db=dbs["b"], check=True)
    assert _decisions(dbs["b"], doc_id) == EXPECTED_DECISIONS
    again = run_cli("merge", str(dbs["b"]), db=dbs["a"], check=True).stdout
    assert "got 0 spans, 0 claims and 0 review state(s)" in again
    assert _decisions(dbs["a"], doc_id) == EXPECTED_DECISIONS
    with Store.open(dbs["a"], readonly=True) as store:  # one suggestion, three decisions
        assert len(store.spans(doc_id)) == 3 and len(store.claims(doc_id)) == 3


@pytest.mark.parametrize("annotator_exports", [False, True])
def test_importing_annotators_exports_keeps_one_suggestion_and_every_decision(
    tmp_path: Path, annotator_exports: bool
) -> None:
    from tests.conftest import run_cli

    dbs, doc_id = _one_suggestion_in_three_databases(tmp_path)
    for other, name in (("b", "bob"), ("c", "carol"), ("d", "dave")):
        exported = tmp_path / f"{other}.jsonl"
        chosen = ("--annotator", name) if annotator_exports else ()
        run_cli("export", str(exported), *chosen, db=dbs[other], check=True)
        run_cli("import", str(exported), db=dbs["a"], check=True)
    assert _decisions(dbs["a"], doc_id) == EXPECTED_DECISIONS


def test_an_annotators_second_decision_on_a_suggestion_keeps_the_databases(
    tmp_path: Path,
) -> None:
    from annotate.store.files import copy_database
    from tests.conftest import run_cli

    dbs, doc_id = _one_suggestion_in_three_databases(tmp_path)
    elsewhere = copy_database(dbs["b"], tmp_path / "b2.json")
    with Store.open(elsewhere) as store:  # bob changes his mind in another copy
        editor = Editor(store, doc_id, "bob")
        editor.set_status(editor.spans()[0].id, SpanStatus.ACCEPTED)
    merged = run_cli("merge", str(elsewhere), db=dbs["b"], check=True).stdout
    assert "1 decision(s) on suggestions their annotator had already decided here" in merged
    assert _decisions(dbs["b"], doc_id)["bob"] == EXPECTED_DECISIONS["bob"]


def test_separate_databases_merge_by_database_and_by_export(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    text = SEED.read_text(encoding="utf-8")
    model = tmp_path / "model.jsonl"
    model.write_text(
        json.dumps(
            {
                "text": text,
                "spans": [
                    {"start": 0, "end": 5, "label": "GPE"},
                    {"start": 7, "end": 18, "label": "GPE"},
                    {"start": 21, "end": 27, "label": "DATE"},
                ],
            }
        )
        + "\n"
    )
    databases = {name: tmp_path / f"{name}.json" for name in ("alice", "bob", "team")}
    for db in databases.values():
        run_cli("import", "--as-suggestions", "--origin", "ner@1", str(model), db=db, check=True)
    with Store.open(databases["alice"]) as store:
        doc_id = store.document_ids()[0]
        alice = Editor(store, doc_id, "alice")
        first, second, _ = alice.spans()
        alice.accept_all_pending()
        alice.set_label(second.id, "LOC")
        alice.set_state(ReviewState.DONE)
    with Store.open(databases["bob"]) as store:
        bob = Editor(store, doc_id, "bob")
        bob.set_status(first.id, SpanStatus.REJECTED)
        bob.accept_all_pending()
        bob.add_entity(29, 32, "ORG")
        bob.set_state(ReviewState.DONE)
    alone = {**_views(databases["alice"], ["alice"]), **_views(databases["bob"], ["bob"])}

    merged = run_cli("merge", str(databases["alice"]), db=databases["team"], check=True).stdout
    assert "1 document(s) already there got 3 spans" in merged
    bobs_export = tmp_path / "bob.jsonl"
    run_cli("export", str(bobs_export), "--annotator", "bob", db=databases["bob"], check=True)
    imported = run_cli("import", str(bobs_export), db=databases["team"], check=True).stdout
    assert "1 document(s) already there got" in imported

    together = _views(databases["team"], ["alice", "bob", "carol"])
    assert together["alice"] == alone["alice"] and together["bob"] == alone["bob"]
    assert all(status == "suggested" for *_, status in together["carol"])
    with Store.open(databases["team"], readonly=True) as store:
        assert store.review_state(doc_id, "alice") == ReviewState.DONE
        assert store.review_state(doc_id, "bob") == ReviewState.DONE
    # merging again adds nothing
    again = run_cli("merge", str(databases["alice"]), db=databases["team"], check=True).stdout
    assert "got 0 spans, 0 claims and 0 review state(s)" in again
    report = json.loads(run_cli("agree", "--json", db=databases["team"], check=True).stdout)
    assert report["documents"] == 1 and report["annotators"] == ["alice", "bob"]

    # every record with its owner: a JSONL round trip stays byte for byte
    first_out, second_out = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_cli("export", str(first_out), db=databases["team"], check=True)
    fresh = tmp_path / "fresh.json"
    run_cli("import", str(first_out), db=fresh, check=True)
    run_cli("export", str(second_out), db=fresh, check=True)
    assert first_out.read_bytes() == second_out.read_bytes()
    assert _views(fresh, ["alice", "bob"]) == {k: together[k] for k in ("alice", "bob")}


# Assignment ----------------------------------------------------------------------------------


def test_a_plan_shares_the_overlap_and_deals_the_rest_evenly() -> None:
    from annotate.errors import ClaimscopeError
    from annotate.team.assign import plan_assignments

    docs = [f"d{i}" for i in range(10)]
    plan = plan_assignments(docs, ["a", "b", "c"], overlap=0.2, seed=7)
    assert len(plan.shared) == 2
    sizes = sorted(len(queue) - 2 for queue in plan.queues.values())
    assert sizes == [2, 3, 3]
    for queue in plan.queues.values():
        assert set(plan.shared) <= set(queue)
    own = [set(queue) - set(plan.shared) for queue in plan.queues.values()]
    assert set.union(*own) | set(plan.shared) == set(docs)  # every document is someone's
    assert sum(len(s) for s in own) == 8  # and only one annotator's, outside the overlap
    assert plan == plan_assignments(docs, ["a", "b", "c"], overlap=0.2, seed=7)
    assert plan.queues != plan_assignments(docs, ["a", "b", "c"], 0.2, seed=8).queues
    assert len(plan_assignments(docs, ["a"], overlap=0.01).shared) == 1  # some overlap: ≥ 1
    with pytest.raises(ClaimscopeError, match="between 0 and 1"):
        plan_assignments(docs, ["a"], overlap=1.5)


async def test_assign_puts_each_queue_first_in_the_list(tui_db: Path) -> None:
    from tests.conftest import run_cli
    from tests.tui.tui_support import running
    from tui.screens.documents import DocumentListScreen

    out = run_cli(
        "assign",
        "--annotators",
        "tester,other",
        "--overlap",
        "0",
        "--seed",
        "3",
        db=tui_db,
        check=True,
    ).stdout
    assert "tester 1, other 1" in out
    with Store.open(tui_db, readonly=True) as store:
        mine = store.assignments("tester")
        theirs = store.assignments("other")
    assert len(mine) == len(theirs) == 1 and set(mine) != set(theirs)
    async with running(tui_db) as (app, pilot):
        listing = app.screen
        assert isinstance(listing, DocumentListScreen)
        assert listing.rows[0].doc_id in mine  # the queue comes first
        assert "your queue: 0 of 1 done" in str(listing.query_one("#list-title").render())
        await pilot.press("m")
        assert [row.doc_id for row in listing.shown] == list(mine)
    # assigning again replaces those annotators' queues
    run_cli("assign", "--annotators", "tester", "--overlap", "1", db=tui_db, check=True)
    with Store.open(tui_db, readonly=True) as store:
        assert len(store.assignments("tester")) == 2
        assert store.assignments("other") == theirs


# Adjudication ----------------------------------------------------------------------------------


@pytest.fixture
def three(three_db: Path) -> Iterator[tuple[Store, str]]:
    """The three-annotator case (``tests.tui.tui_support.build_three_annotators``), open."""
    with Store.open(three_db) as store:
        yield store, store.document_ids()[0]


def test_adjudication_adopts_agreement_and_settles_conflicts(
    three: tuple[Store, str], tmp_path: Path
) -> None:
    from annotate.team.adjudicate import Adjudication, adjudicable

    store, doc_id = three
    assert adjudicable(store, ["alice", "bob", "carol"], "gold") == [(doc_id, 2)]
    adjudication = Adjudication(store, doc_id, ("alice", "bob", "carol"))
    assert adjudication.adopt_agreed() == 2  # Kabul, and May 29 (rejected by all)
    assert adjudication.adopt_agreed() == 0
    assert _seen(store, doc_id, "gold") == [
        (0, 5, "GPE", "accepted"),
        (7, 18, "GPE", "suggested"),
        (21, 27, "DATE", "rejected"),
    ]
    afghanistan, ani = adjudication.conflicts()
    text = store.get_document(doc_id).text
    assert [(v.annotators, v.describe(text)) for v in afghanistan.versions] == [
        (("alice", "carol"), "GPE “Afghanistan” 7–18"),
        (("bob",), "LOC “Afghanistan” 7–18"),
    ]
    # numbered by the adjudication's order of annotators, the same in every conflict
    assert [(v.annotators, v.describe(text)) for v in ani.versions] == [
        (("alice",), "ORG “ANI” 29–32"),
        (("bob", "carol"), "nothing marked"),
    ]
    adjudication.pick(afghanistan, 1)  # bob was right
    adjudication.drop(ani)
    assert adjudication.conflicts() == []
    assert _seen(store, doc_id, "gold") == [
        (0, 5, "GPE", "accepted"),
        (7, 18, "LOC", "edited"),
        (21, 27, "DATE", "rejected"),
        (29, 32, "ORG", "rejected"),
    ]
    # the annotators' views are untouched
    assert _seen(store, doc_id, "bob")[1] == (7, 18, "LOC", "edited")
    assert _seen(store, doc_id, "alice")[3] == (29, 32, "ORG", "accepted")
    # undo takes a decision back, as everywhere
    assert Editor(store, doc_id, "gold").undo() == "adjudicate: drop"
    assert [u.offsets for u in adjudication.conflicts()] == [ani.offsets]
    adjudication.keep_all(adjudication.conflicts()[0])
    assert _seen(store, doc_id, "gold")[3] == (29, 32, "ORG", "accepted")
    out = tmp_path / "gold.jsonl"
    export(store, out, "jsonl", ExportFilter(annotator="gold"))
    record = json.loads(out.read_text())
    assert {(s["start"], s["end"], s["label"]) for s in record["spans"]} == {
        (0, 5, "GPE"),
        (7, 18, "LOC"),
        (29, 32, "ORG"),
    }
    assert {(s["start"], s["label"]) for s in record["rejected_spans"]} == {(21, "DATE")}


def test_a_rejection_is_shown_as_one_and_versions_keep_their_numbers(store: Store) -> None:
    """Review finding 15 (issue 19): a version that rejected the suggestion says so, and
    alice's version is 1 in every conflict, whoever else agrees."""
    from annotate.team.adjudicate import Adjudication

    import_paths(store, [str(SEED)])
    doc_id = store.document_ids()[0]
    kabul, may = (
        store.add_span(
            EntitySpan(0, doc_id, start, end, label, "m@1", OriginKind.MODEL, SpanStatus.SUGGESTED)
        )
        for start, end, label in ((0, 5, "GPE"), (21, 27, "DATE"))
    )
    for name in ("alice", "bob"):
        editor = Editor(store, doc_id, name)
        editor.set_status(kabul.id, SpanStatus.ACCEPTED if name == "bob" else SpanStatus.REJECTED)
        editor.set_status(may.id, SpanStatus.ACCEPTED if name == "alice" else SpanStatus.REJECTED)
        editor.set_state(ReviewState.DONE)
    adjudication = Adjudication(store, doc_id, ("alice", "bob"))
    text = store.get_document(doc_id).text
    first, second = adjudication.conflicts()
    assert [(v.annotators, v.describe(text)) for v in first.versions] == [
        (("alice",), "rejected GPE “Kabul” 0–5"),
        (("bob",), "GPE “Kabul” 0–5"),
    ]
    assert [(v.annotators, v.describe(text)) for v in second.versions] == [
        (("alice",), "DATE “May 29” 21–27"),
        (("bob",), "rejected DATE “May 29” 21–27"),
    ]


def test_claims_are_adjudicated_with_their_verdict_and_note(store: Store) -> None:
    from annotate.model import Claim, ClaimKind, Offsets, Verdict
    from annotate.team.adjudicate import Adjudication

    import_paths(store, [str(SEED)])
    doc_id = store.document_ids()[0]
    claim = store.add_claim(
        Claim(
            0,
            doc_id,
            Offsets(149, 242),
            ClaimKind.REPORTED,
            "rules@1",
            OriginKind.MODEL,
            SpanStatus.SUGGESTED,
        )
    )
    for name, verdict in (("alice", Verdict.SUPPORTED), ("bob", Verdict.DISPUTED)):
        editor = Editor(store, doc_id, name)
        editor.set_claim_status(claim.id, SpanStatus.ACCEPTED)
        editor.set_verdict(claim.id, verdict)
        editor.set_note(claim.id, f"{name}'s reading")
        editor.set_state(ReviewState.DONE)
    adjudication = Adjudication(store, doc_id, ("alice", "bob"))
    (conflict,) = adjudication.conflicts()
    text = store.get_document(doc_id).text
    described = [v.describe(text) for v in conflict.versions]
    assert "supported · note: alice's reading" in described[0] + described[1]
    assert "disputed · note: bob's reading" in described[0] + described[1]
    index = next(i for i, v in enumerate(conflict.versions) if v.annotators == ("bob",))
    adjudication.pick(conflict, index)
    (gold,) = Editor(store, doc_id, "gold").claims()
    assert (gold.verdict, gold.note, gold.status) == (
        Verdict.DISPUTED,
        "bob's reading",
        SpanStatus.ACCEPTED,
    )
    assert adjudication.conflicts() == []


async def test_adjudicating_in_the_reader(three_db: Path) -> None:
    from tests.tui.tui_support import SIZE
    from tui.app import make_app
    from tui.screens.adjudication import AdjudicationScreen
    from tui.screens.documents import DocumentListScreen
    from tui.widgets.article import ArticleView

    app = make_app(three_db, adjudicate=["alice", "bob", "carol"])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            listing = app.screen
            assert isinstance(listing, DocumentListScreen)
            assert app.annotator == "gold"
            assert [row.pending for row in listing.rows] == [2]  # conflicts left
            assert "adjudicating alice, bob, carol: 2 conflict(s) left" in str(
                listing.query_one("#list-title").render()
            )
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AdjudicationScreen)
            assert "2 agreed unit(s) taken as gold, 2 conflict(s)" in screen.status
            assert len(screen.query_one(ArticleView).conflicts) == 2
            assert screen.query_one(ArticleView).cursor == 7  # on the first conflict
            panel = str(screen.query_one("#panel").render())
            assert "alice, carol" in panel and "LOC “Afghanistan” 7–18" in panel
            await pilot.press("2")  # bob's version; on to the next conflict
            await pilot.pause()
            assert screen.query_one(ArticleView).cursor == 29
            assert "1 conflict(s) left" in str(screen.query_one("#reader-title").render())
            await pilot.press("D")  # refused: a conflict is left
            assert screen.status.startswith("⚠ 1 conflict(s) left")
            await pilot.press("x")
            await pilot.pause()
            assert screen.open_conflicts == []
            await pilot.press("u")  # undo brings the conflict back
            await pilot.pause()
            assert len(screen.open_conflicts) == 1
            await pilot.press("b")
            await pilot.pause()
            await pilot.press("D")
            await pilot.pause()
            doc_id = screen.doc_id
            assert app.store.review_state(doc_id, "gold") == ReviewState.DONE
            assert _seen(app.store, doc_id, "gold") == [
                (0, 5, "GPE", "accepted"),
                (7, 18, "LOC", "edited"),
                (21, 27, "DATE", "rejected"),
                (29, 32, "ORG", "accepted"),
            ]
    finally:
        app.close_store()


async def test_the_shared_documents_are_named_and_marked_in_the_list(tui_db: Path) -> None:
    """Review finding 15 (issue 19): assign names the documents everyone annotates and the
    list marks them; the title says the queue is listed first."""
    from tests.conftest import run_cli
    from tests.tui.tui_support import drawn, running
    from tui.widgets.doctable import SHARED_MARK

    out = run_cli(
        "assign", "--annotators", "tester,other", "--overlap", "0.5", "--seed", "1", db=tui_db,
        check=True,
    ).stdout  # fmt: skip
    plan = json.loads(
        run_cli(
            "assign", "--annotators", "tester,other", "--overlap", "0.5", "--seed", "1",
            "--json", db=tui_db, check=True,
        ).stdout
    )  # fmt: skip
    (shared,) = plan["shared"]
    assert "shared by everyone, for agreement" in out and shared in out
    with Store.open(tui_db, readonly=True) as store:
        title = store.get_document(shared).display_title
        assert store.shared_documents() == {shared}
    async with running(tui_db) as (app, _pilot):
        shown = drawn(app)
        assert f"{SHARED_MARK} {title[:20]}" in shown
        assert "1 shared (⇄, for agreement), listed first" in shown
