"""Undo and redo: each undoable transaction records itself and its inverse in the
``history`` table of its document's partition, so an annotator can step back and forth
through their edits of a document, also after a restart."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from threading import RLock
from typing import Any, Protocol

from annotate.errors import StoreError
from annotate.store.parts import Partition
from annotate.store.transaction import Op, Transaction, UndoTag


class HistoryHost(Protocol):
    """What undo and redo need from the store."""

    _doc_part: dict[str, int]
    _mutex: RLock

    def _partition(self, part: int) -> Partition: ...

    def _record(self, op: Op) -> dict[str, Any] | None: ...

    def transaction(
        self, *, undo: UndoTag | None = None
    ) -> AbstractContextManager[Transaction]: ...


#: An :class:`UndoTag`'s ``doc_id`` for an edit of several documents at once (a correction
#: of the source ledger): each document it changed gets its own history entry.
EVERY_DOCUMENT = "*"


class UndoHistory:
    """The store's undo and redo (a mixin of :class:`annotate.store.database.Store`)."""

    def _record_history(self: HistoryHost, tx: Transaction, tag: UndoTag) -> None:
        """Add to ``tx`` its own history entry (and end the redo of the document); for an
        edit of :data:`EVERY_DOCUMENT`, one entry in each document it changed."""
        forward = list(tx.ops)
        if tag.doc_id != EVERY_DOCUMENT:
            _add_entry(self, tx, tag, forward)
            return
        by_document: dict[str, list[Op]] = {}
        for op in forward:
            record = op.get("r") if op["op"] == "put" else self._record(op)
            doc_id = str((record or {}).get("doc_id", ""))
            by_document.setdefault(doc_id, []).append(op)
        for doc_id, ops in by_document.items():
            _add_entry(self, tx, UndoTag(tag.annotator, doc_id, tag.action), ops)

    def undo_latest(
        self: HistoryHost, annotator: str, prefix: str, documents: Iterable[str] | None = None
    ) -> str | None:
        """Undo, in every document it changed, the annotator's latest edit whose action
        starts with ``prefix`` (an edit of :data:`EVERY_DOCUMENT`); returns it, or None.
        Refused (nothing undone) where a later edit in one of its documents stands on it.
        ``documents`` narrows the search to those that may hold such an edit (without it,
        every document's history is read)."""
        with self._mutex:
            return _undo_latest(self, annotator, prefix, documents)

    def undo(self: HistoryHost, annotator: str, doc_id: str) -> str | None:
        """Undo the annotator's last edit in the document; returns what it was, or None."""
        with self._mutex:
            return _undo(self, annotator, doc_id)

    def redo(self: HistoryHost, annotator: str, doc_id: str) -> str | None:
        """Redo the edit undone most recently; returns what it was, or None."""
        with self._mutex:
            return _redo(self, annotator, doc_id)


def _add_entry(host: HistoryHost, tx: Transaction, tag: UndoTag, forward: list[Op]) -> None:
    inverse = inverse_of(host, forward)
    for entry_id, entry in history_entries(host, tag.annotator, tag.doc_id):
        if entry["state"] == "undone":
            tx.patch("history", entry_id, {"state": "dropped"})  # a new edit ends redo
    tx.put(
        "history",
        tx.new_id("history"),
        {
            "annotator": tag.annotator,
            "doc_id": tag.doc_id,
            "action": tag.action,
            "at": tx.stamp,
            "state": "done",
            "ops": forward,
            "inverse": inverse,
        },
    )


def _undo_latest(
    host: HistoryHost, annotator: str, prefix: str, documents: Iterable[str] | None
) -> str | None:
    found: list[tuple[str, str, str, int, dict[str, Any]]] = []  # (at, action, doc, id, entry)
    tops: dict[str, int] = {}
    known = host._doc_part
    for doc_id in list(known) if documents is None else [d for d in documents if d in known]:
        done = [(i, e) for i, e in history_entries(host, annotator, doc_id) if e["state"] == "done"]
        if done:
            tops[doc_id] = done[-1][0]
        for entry_id, entry in done:
            if str(entry["action"]).startswith(prefix):
                found.append((str(entry["at"]), str(entry["action"]), doc_id, entry_id, entry))
    if not found:
        return None
    action = max(found, key=lambda item: item[0])[1]
    chosen = [item for item in found if item[1] == action]
    for _, _, doc_id, entry_id, _ in chosen:
        if tops.get(doc_id) != entry_id:
            raise StoreError(
                f"cannot undo {action!r}: document {doc_id} has a later edit by {annotator}; "
                "undo that first (u in the reader)"
            )
    with host.transaction() as tx:
        for _, _, _, entry_id, entry in chosen:
            tx.ops.extend(entry["inverse"])
            tx.patch("history", entry_id, {"state": "undone"})
    return action


def _undo(host: HistoryHost, annotator: str, doc_id: str) -> str | None:
    done = [(i, e) for i, e in history_entries(host, annotator, doc_id) if e["state"] == "done"]
    if not done:
        return None
    entry_id, entry = done[-1]
    with host.transaction() as tx:
        tx.ops.extend(entry["inverse"])
        tx.patch("history", entry_id, {"state": "undone"})
    return str(entry["action"])


def _redo(host: HistoryHost, annotator: str, doc_id: str) -> str | None:
    undone = [(i, e) for i, e in history_entries(host, annotator, doc_id) if e["state"] == "undone"]
    if not undone:
        return None
    entry_id, entry = undone[0]
    with host.transaction() as tx:
        tx.ops.extend(entry["ops"])
        tx.patch("history", entry_id, {"state": "done"})
    return str(entry["action"])


def inverse_of(host: HistoryHost, ops: list[Op]) -> list[Op]:
    """Operations that undo ``ops``: the before-image of every record they touch."""
    current: dict[tuple[str, int], dict[str, Any] | None] = {}
    inverse: list[Op] = []
    for op in ops:
        key = (op["t"], int(op["id"]))
        before = current[key] if key in current else host._record(op)
        where = {"t": op["t"], "id": op["id"], "p": op["p"]}
        if before is None:
            inverse.append({"op": "del", **where})
        else:
            inverse.append({"op": "put", **where, "r": dict(before)})
        if op["op"] == "put":
            current[key] = op["r"]
        elif op["op"] == "set":
            current[key] = {**(before or {}), **op["r"]}
        else:
            current[key] = None
    inverse.reverse()
    return inverse


def history_entries(
    host: HistoryHost, annotator: str, doc_id: str
) -> list[tuple[int, dict[str, Any]]]:
    """The annotator's history entries of the document, oldest first."""
    part = host._doc_part.get(doc_id)
    if part is None:
        return []
    partition = host._partition(part)
    table = partition.tables["history"]
    return [(i, table[str(i)]) for i in partition.history.get((annotator, doc_id), ())]
