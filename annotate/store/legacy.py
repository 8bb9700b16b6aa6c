"""Databases written before partitions (schema 1): one TinyDB file holding everything.

Opening one reads it whole, replays its journal the way that version did (operations without
a partition number), and splits the result into partitions; a writable open then writes the
new layout and empties the journal (the migration), a read-only open keeps it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.store.journal import JournalContents, replay_entries
from annotate.store.parts import INDEX_TABLES, RECORD_TABLES, Table, apply_op

LEGACY_VERSION = 1


@dataclass(slots=True)
class SplitDatabase:
    """A schema-1 database, replayed and dealt into partitions."""

    last_seq: int
    replayed: int
    next_ids: dict[str, int]
    #: Per partition, its record tables and its index tables.
    records: list[dict[str, Table]] = field(default_factory=list)
    indexes: list[dict[str, Table]] = field(default_factory=list)
    #: (table, record id, partition) for every record.
    placed: list[tuple[str, int, int]] = field(default_factory=list)
    ui_state: dict[str, dict[str, Any]] = field(default_factory=dict)


def split_legacy(
    tables: dict[str, Table],
    journal: JournalContents,
    journal_path: Path,
    part_docs: int,
    gap: type[Exception] | None = None,
) -> SplitDatabase:
    """Replay a schema-1 database (its operations name no partition) and deal its records
    into partitions of ``part_docs``; ``gap`` as for :func:`replay_entries`."""

    def apply(op: dict[str, Any], seq: int) -> None:
        apply_op(tables.setdefault(op["t"], {}), op)

    last_seq = int(tables["meta"]["1"].get("last_seq", 0))
    seq, replayed = replay_entries(journal, last_seq, journal_path, apply, gap=gap)
    saved_ids = tables["meta"]["1"].get("next_ids") or {}
    next_ids = {}
    for name in (*RECORD_TABLES, *INDEX_TABLES):
        highest = max(map(int, tables.get(name, {})), default=0)
        next_ids[name] = max(highest + 1, int(saved_ids.get(name, 1)))
    split = SplitDatabase(last_seq=seq, replayed=replayed, next_ids=next_ids)
    doc_part: dict[str, int] = {}
    documents = sorted(tables.get("documents", {}).items(), key=lambda item: int(item[0]))
    for position, (key, record) in enumerate(documents):
        part = position // part_docs
        while len(split.records) <= part:
            split.records.append({name: {} for name in RECORD_TABLES})
            split.indexes.append({name: {} for name in INDEX_TABLES})
        doc_part[record["id"]] = part
        split.records[part]["documents"][key] = record
        split.placed.append(("documents", int(key), part))
    if not split.records:
        split.records.append({name: {} for name in RECORD_TABLES})
        split.indexes.append({name: {} for name in INDEX_TABLES})
    for name in ("spans", "claims", "history", *INDEX_TABLES):
        for key, stored in tables.get(name, {}).items():
            # a record whose document is gone stays, in the first partition, for `db check`
            part = doc_part.get(stored["doc_id"], 0)
            record = stored
            if name == "history":
                record = {**stored, "ops": _placed_ops(stored["ops"], part)}
                record["inverse"] = _placed_ops(stored["inverse"], part)
            target = split.indexes if name in INDEX_TABLES else split.records
            target[part][name][key] = record
            split.placed.append((name, int(key), part))
    for record in tables.get("ui_state", {}).values():
        values = {k: v for k, v in record.items() if k != "annotator"}
        split.ui_state[str(record["annotator"])] = values
    return split


def _placed_ops(ops: list[dict[str, Any]], part: int) -> list[dict[str, Any]]:
    """An undo entry's operations, all in its document's partition (as they always are)."""
    return [{**op, "p": part} for op in ops if op["t"] != "ui_state"]
