"""The editor: every edit durable, stamped and undoable — also after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.errors import StoreError
from annotate.io.importing import import_paths
from annotate.model import (
    ClaimKind,
    EntitySpan,
    Offsets,
    OriginKind,
    ReviewState,
    SpanStatus,
    Verdict,
)
from annotate.review.editing import Editor
from annotate.store import Store
from annotate.tokenizing.tokens import Tokens
from tests.conftest import SEED


def open_seed(path: Path) -> tuple[Store, str]:
    store = Store.open(path)
    if not store.document_count():
        import_paths(store, [str(SEED)])
    return store, store.document_ids()[0]


def test_add_relabel_reject_and_undo_everything(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    editor = Editor(store, doc_id, "ann")
    span = editor.add_entity(0, 5, "GPE")
    assert (span.origin, span.status, span.annotator) == ("ann", SpanStatus.ACCEPTED, "ann")
    editor.set_label(span.id, "LOC")
    editor.set_status(span.id, SpanStatus.REJECTED)
    assert store.get_span(span.id).status == SpanStatus.REJECTED
    assert editor.undo() == "reject LOC"
    assert store.get_span(span.id).status == SpanStatus.ACCEPTED
    assert editor.undo() == "label GPE → LOC"
    assert store.get_span(span.id).label == "GPE"
    assert editor.undo() == "add GPE"
    assert store.spans(doc_id) == []
    assert editor.undo() is None
    assert editor.redo() == "add GPE"
    assert store.get_span(span.id).label == "GPE"
    store.close()


def test_undo_survives_a_restart_and_a_crash(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    editor = Editor(store, doc_id, "ann")
    first = editor.add_entity(0, 5, "GPE")
    editor.set_label(first.id, "ORG")
    store.close()
    store = Store.open(db_path)
    editor = Editor(store, doc_id, "ann")
    assert editor.undo() == "label GPE → ORG"
    assert store.get_span(first.id).label == "GPE"
    store._release()  # crash: nothing checkpointed since the undo
    store = Store.open(db_path)
    editor = Editor(store, doc_id, "ann")
    assert store.get_span(first.id).label == "GPE"
    assert editor.redo() == "label GPE → ORG"
    assert store.get_span(first.id).label == "ORG"
    store.close()


def test_a_new_edit_ends_the_redo_chain_and_ids_are_never_reused(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    editor = Editor(store, doc_id, "ann")
    added = editor.add_entity(0, 5, "GPE")
    editor.undo()
    store.close()
    store = Store.open(db_path)
    editor = Editor(store, doc_id, "ann")
    other = editor.add_entity(7, 18, "GPE")
    assert other.id != added.id  # the undone span's id stays reserved
    assert editor.redo() is None
    store.close()


def test_undo_is_per_annotator_and_document(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    alice, bob = Editor(store, doc_id, "alice"), Editor(store, doc_id, "bob")
    span = alice.add_entity(0, 5, "GPE")
    assert bob.undo() is None
    assert store.get_span(span.id).label == "GPE"
    store.close()


def test_edits_are_stamped(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    span = Editor(store, doc_id, "alice").add_entity(0, 5, "GPE")
    Editor(store, doc_id, "alice").set_label(span.id, "LOC")
    stored = store.get_span(span.id)
    assert stored.annotator == "alice" and stored.label == "LOC"
    assert stored.updated_at is not None and stored.updated_at >= (stored.created_at or "")
    # bob changing alice's span makes his own version of it; hers stays as it is
    bobs = Editor(store, doc_id, "bob").set_label(span.id, "FAC")
    assert bobs != span.id
    assert (store.get_span(span.id).label, store.get_span(span.id).annotator) == ("LOC", "alice")
    mine = store.get_span(bobs)
    assert (mine.label, mine.annotator, mine.parent) == ("FAC", "bob", span.id)
    store.close()


def test_model_spans_become_edited(db_path: Path, pipeline: object) -> None:
    from annotate.nlp.preannotate import preannotate

    store, doc_id = open_seed(db_path)
    preannotate(store, pipeline)  # type: ignore[arg-type]
    editor = Editor(store, doc_id, "ann")
    span = store.spans(doc_id)[0]
    editor.move_bounds(span.id, span.start, span.end + 1)
    assert store.get_span(span.id).status == SpanStatus.EDITED
    with pytest.raises(StoreError, match="outside the text"):
        editor.move_bounds(span.id, 5, 5)
    count = editor.accept_all_pending()
    assert count > 50
    assert not [s for s in store.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
    assert editor.undo() == f"accept all ({count})"
    assert [s for s in store.spans(doc_id) if s.status == SpanStatus.SUGGESTED]
    store.close()


def test_claim_editing(db_path: Path) -> None:
    store, doc_id = open_seed(db_path)
    text = store.get_document(doc_id).text
    editor = Editor(store, doc_id, "ann")
    khan = text.index("Muhammed Sarfraz Khan")
    person = editor.add_entity(khan, khan + len("Muhammed Sarfraz Khan"), "PERSON")
    content = text.index("The clerics in Pakistan")
    claim = editor.add_claim(Offsets(content, content + 50))
    assert claim.kind == ClaimKind.UNATTRIBUTED
    editor.set_claim_source(claim.id, Offsets(khan, khan + 8))
    said = text.index("said Muhammed")
    editor.set_claim_cue(claim.id, Offsets(said, said + 4))
    editor.set_verdict(claim.id, Verdict.DISPUTED)
    editor.set_note(claim.id, "check with a second source")
    editor.set_claim_kind(claim.id, ClaimKind.QUOTE)
    stored = store.get_claim(claim.id)
    assert stored.source_entity == person.id
    assert stored.kind == ClaimKind.QUOTE
    assert (stored.verdict, stored.note) == (Verdict.DISPUTED, "check with a second source")
    editor.delete_span(person.id)
    assert store.get_claim(claim.id).source_entity is None
    editor.undo()
    assert store.get_claim(claim.id).source_entity == person.id
    editor.set_state(ReviewState.DONE)
    assert store.review_state(doc_id, "ann") == ReviewState.DONE
    store.close()


def test_tokens_snap_and_move() -> None:
    tokens = Tokens.of("Joe Biden's plan, announced Tuesday, costs $3,500.")
    words = [tokens.text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert words == [
        "Joe",
        "Biden",
        "'s",
        "plan",
        ",",
        "announced",
        "Tuesday",
        ",",
        "costs",
        "$",
        "3,500",
        ".",
    ]
    assert tokens.snap(1, 6) == Offsets(0, 9)  # "oe Bi" → "Joe Biden", not the possessive
    assert tokens.snap(3, 4) is None  # only the space
    assert tokens.next_start(0) == 4
    assert tokens.previous_start(4) == 0
    assert tokens.next_word(12) == 18  # skips ","


def test_relabelling_a_rejected_suggestion_marks_it_edited(db_path: Path) -> None:
    """Issue 10, bug 11: README says a changed model suggestion is `edited`."""
    store, doc_id = open_seed(db_path)
    with store.transaction() as tx:
        suggestion = tx.add_span(
            EntitySpan(0, doc_id, 0, 5, "GPE", "m@1", OriginKind.MODEL, SpanStatus.SUGGESTED)
        )
    editor = Editor(store, doc_id, "ann")
    editor.set_status(suggestion.id, SpanStatus.REJECTED)
    editor.set_label(suggestion.id, "LOC")
    assert store.get_span(suggestion.id).status == SpanStatus.EDITED
    store.close()


def test_labelling_a_pending_suggestion_decides_it_instead_of_duplicating(db_path: Path) -> None:
    """Issue 10, bug 4."""
    store, doc_id = open_seed(db_path)
    with store.transaction() as tx:
        suggestion = tx.add_span(
            EntitySpan(0, doc_id, 0, 5, "GPE", "m@1", OriginKind.MODEL, SpanStatus.SUGGESTED)
        )
        other = tx.add_span(
            EntitySpan(0, doc_id, 7, 18, "ORG", "m@1", OriginKind.MODEL, SpanStatus.SUGGESTED)
        )
    editor = Editor(store, doc_id, "ann")
    span, done = editor.label_range(0, 5, "GPE")
    assert (span.id, span.status, done) == (suggestion.id, SpanStatus.ACCEPTED, "accepted GPE")
    span, done = editor.label_range(7, 18, "GPE")
    assert (span.id, span.status, span.label) == (other.id, SpanStatus.EDITED, "GPE")
    assert done == "ORG → GPE"
    span, done = editor.label_range(0, 4, "LOC")  # other offsets: a new entity
    assert span.id not in (suggestion.id, other.id) and done == "added LOC"
    assert len(store.spans(doc_id)) == 3
    store.close()
