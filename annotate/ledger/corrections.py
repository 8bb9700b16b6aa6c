"""An analyst's corrections of the source ledger: merge entries, split claims out of one,
rename one, and undo the last correction.

A correction is an edit of the claims concerned, like any other annotation: each claim gets
the entry it belongs to (``source_entry``) and, for a rename, the name to show
(``source_name``), stamped with the annotator, in one transaction across the documents, with
one undo entry in each document (so the reader's ``u`` takes it back there, and
:func:`undo_last` everywhere). Exports carry the two fields, imports and ``merge`` between
databases bring them along, and the ledger lets them win over its automatic linking.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from annotate.errors import ClaimscopeError
from annotate.ledger.sources import CORRECTION_ACTION, KINDS, Entry
from annotate.review.editing import Editor
from annotate.store import Store, UndoTag
from annotate.store.catalog import corrections_in
from annotate.store.history import EVERY_DOCUMENT

#: Every correction's undo entry is named so; the id in brackets finds its documents.
ACTION = CORRECTION_ACTION


@dataclass(frozen=True, slots=True)
class Correction:
    """What a correction did: its id, what it was, and how many claims it changed."""

    id: str
    action: str
    claims: int
    documents: int


def _apply(
    store: Store,
    annotator: str,
    verb: str,
    claims: Iterable[tuple[str, int]],
    changes: dict[str, str],
) -> Correction:
    correction = uuid.uuid4().hex[:8]
    action = f"{ACTION} {verb} [{correction}]"
    chosen = list(dict.fromkeys(claims))
    if not chosen:
        raise ClaimscopeError(f"{verb}: no claim to change")
    with store.transaction(undo=UndoTag(annotator, EVERY_DOCUMENT, action)) as tx:
        for doc_id, claim_id in chosen:
            editor = Editor(store, doc_id, annotator)
            editor.change_claim(tx, claim_id, {**changes, **editor.stamp(tx)})
    return Correction(correction, action, len(chosen), len({doc for doc, _ in chosen}))


def _claims_of(entries: Iterable[Entry]) -> list[tuple[str, int]]:
    return [(ref.doc_id, ref.claim_id) for entry in entries for ref in entry.refs]


def merge(store: Store, annotator: str, entries: list[Entry], into: Entry) -> Correction:
    """Make ``entries`` one with ``into``: their claims take its key (and its name)."""
    others = [entry for entry in entries if entry.key != into.key]
    if not others:
        raise ClaimscopeError("merge: name at least one entry besides the one merged into")
    changes = {"source_entry": into.key}
    return _apply(
        store, annotator, f"merge {len(others)} into {into.id}", _claims_of(others), changes
    )


def split(
    store: Store, annotator: str, entry: Entry, claims: list[tuple[str, int]], name: str
) -> Correction:
    """Take ``claims`` out of ``entry`` into a new entry called ``name``."""
    own = set(_claims_of([entry]))
    strangers = [claim for claim in claims if claim not in own]
    if strangers:
        doc_id, claim_id = strangers[0]
        raise ClaimscopeError(f"split: claim {doc_id}:{claim_id} is not one of {entry.id}'s")
    if len(set(claims)) >= len(own):
        raise ClaimscopeError("split: leave at least one claim in the entry (rename it instead)")
    if not name.strip():
        raise ClaimscopeError("split: the new entry needs a name")
    kind = entry.kind if entry.kind in KINDS else "person"
    key = f"{kind}:split:{uuid.uuid4().hex[:10]}"
    changes = {"source_entry": key, "source_name": name.strip()}
    return _apply(store, annotator, f"split {len(claims)} from {entry.id}", claims, changes)


def rename(store: Store, annotator: str, entry: Entry, name: str) -> Correction:
    """Show ``entry`` as ``name`` from now on (its claims keep the name)."""
    if not name.strip():
        raise ClaimscopeError("rename: the new name is empty")
    changes = {"source_entry": entry.key, "source_name": name.strip()}
    return _apply(store, annotator, f"rename {entry.id}", _claims_of([entry]), changes)


def undo_last(store: Store, annotator: str) -> str | None:
    """Undo the annotator's last correction in every document it changed; None when there is
    none. Refused, naming the document, where an edit made since stands on top of it.

    Each document's catalog row lists the corrections still done in it, so only the
    histories of the documents the annotator corrected are read (and those of documents
    whose rows an older release wrote, which do not say)."""
    candidates = []
    for row in store.catalog():
        done = corrections_in(row)
        if done is None or any(who == annotator for who, _, _ in done):
            candidates.append(str(row["id"]))
    return store.undo_latest(annotator, ACTION, candidates)
