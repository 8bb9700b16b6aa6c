"""Undo and redo: each undoable transaction records itself and its inverse in the
``history`` table of its document's partition, so an annotator can step back and forth
through their edits of a document, also after a restart."""

from __future__ import annotations

from contextlib import AbstractContextManager
from threading import RLock
from typing import Any, Protocol

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


class UndoHistory:
    """The store's undo and redo (a mixin of :class:`annotate.store.database.Store`)."""

    def _record_history(self: HistoryHost, tx: Transaction, tag: UndoTag) -> None:
        """Add to ``tx`` its own history entry (and end the redo of the document)."""
        forward = list(tx.ops)
        inverse = inverse_of(self, forward)
        for entry_id, entry in history_entries(self, tag.annotator, tag.doc_id):
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

    def undo(self: HistoryHost, annotator: str, doc_id: str) -> str | None:
        """Undo the annotator's last edit in the document; returns what it was, or None."""
        with self._mutex:
            return _undo(self, annotator, doc_id)

    def redo(self: HistoryHost, annotator: str, doc_id: str) -> str | None:
        """Redo the edit undone most recently; returns what it was, or None."""
        with self._mutex:
            return _redo(self, annotator, doc_id)


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
