"""``claimscope db recover``: rebuild a damaged database from what is intact, and say what
could not be recovered.

Every file is judged on its own checksum. A partition whose records are intact is kept (its
index is rebuilt from them when the index is damaged: the catalog and statistics are derived
from the records, its review states, pre-annotation marks and queue assignments are lost); a
partition whose records are damaged is lost, and the report names how many documents went
with it. The main file's counters and placement map are rebuilt from the records, so no id in
use is ever handed out again. The journal's entries are replayed up to the first damaged one.

Nothing is deleted: the damaged files move to ``<db>.damaged-<time>/`` beside the database,
and the recovered database is built in a temporary folder and moved into place only once it
opens and passes ``db check``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import ClaimscopeError, StoreError
from annotate.store.catalog import count_record, summarize
from annotate.store.database import Store
from annotate.store.files import database_files, index_path, parts_folder, records_path
from annotate.store.journal import _decode_line, encode_entry, fsync_dir
from annotate.store.legacy import LEGACY_VERSION
from annotate.store.lock import WriteLock, active_writer
from annotate.store.main_file import SCHEMA_VERSION, decode_main
from annotate.store.parts import INDEX_TABLES, RECORD_TABLES, PartIndex, Partition
from annotate.store.placement import Placement
from annotate.store.seal import seal
from annotate.store.state import PART_DOCS, TABLES

_PART_FILE = re.compile(r"^(\d{5})(\.index)?\.json$")


@dataclass(slots=True)
class RecoveryReport:
    """What was rebuilt, what was lost, and where the damaged files went."""

    path: str
    intact: bool = False
    moved_to: str | None = None
    documents: int = 0
    spans: int = 0
    claims: int = 0
    replayed: int = 0
    mended: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Pieces:
    """The intact parts of a damaged database."""

    meta: dict[str, Any] | None = None
    records: dict[int, Partition] = field(default_factory=dict)
    indexes: dict[int, PartIndex] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)


def recover(path: Path) -> RecoveryReport:
    """Rebuild the database at ``path`` from its intact files (see the module docstring)."""
    report = RecoveryReport(str(path))
    if not path.exists() and not parts_folder(path).is_dir():
        raise StoreError(f"no database at {path}")
    holder = active_writer(path)
    if holder is not None:
        raise StoreError(f"{path} is open for writing by pid {holder}; close it first")
    if _opens_intact(path):
        report.intact = True
        return report
    lock = WriteLock.acquire(path, path.with_name(path.name + ".lock"))
    work = path.with_name(f".{path.name}.recover-{os.getpid()}")
    try:
        pieces = _gather(path, report)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        rebuilt = work / path.name
        _write(rebuilt, pieces, report)
        _open_and_fold(rebuilt, report)
        backup = path.with_name(f"{path.name}.damaged-{stamp}")
        _swap(path, rebuilt, backup)
        report.moved_to = str(backup)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a rebuild that failed leaves nothing behind
        lock.release(keep_folder=True)
    return report


def _opens_intact(path: Path) -> bool:
    """The database opens and every partition reads back: there is nothing to recover."""
    try:
        with Store.open(path, readonly=True) as store:
            for _ in store.partition_contents():
                pass
    except ClaimscopeError:
        return False
    return True


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _gather(path: Path, report: RecoveryReport) -> _Pieces:
    pieces = _Pieces()
    raw = _read(path)
    if raw is not None:
        try:
            loaded = decode_main(raw, path)
        except ClaimscopeError as error:
            report.mended.append(f"the main file was damaged and is rebuilt ({error})")
        else:
            pieces.meta = loaded["meta"]["1"] if loaded else None
            if pieces.meta and pieces.meta["schema_version"] == LEGACY_VERSION:
                raise StoreError(
                    f"{path} is a schema-1 database (one file); its damage cannot be rebuilt "
                    "from partitions — restore it from a backup"
                )
    numbers = set(range(int((pieces.meta or {}).get("parts", 0))))
    folder = parts_folder(path)
    if folder.is_dir():
        for entry in folder.iterdir():
            found = _PART_FILE.match(entry.name)
            if found:
                numbers.add(int(found[1]))
    for part in sorted(numbers):
        _gather_partition(path, part, pieces, report)
    _gather_journal(path, pieces, report)
    return pieces


def _gather_partition(path: Path, part: int, pieces: _Pieces, report: RecoveryReport) -> None:
    where = records_path(path, part)
    raw = _read(where)
    index: PartIndex | None = None
    index_raw = _read(index_path(path, part))
    if index_raw is not None:
        try:
            index = PartIndex.from_bytes(part, index_raw, index_path(path, part), sealed=False)
        except ClaimscopeError:
            index = None
    if raw is None:
        _lose_partition(part, index, "is missing", report)
        return
    try:
        partition = Partition.from_bytes(part, raw, where, sealed=False)
    except ClaimscopeError:
        _lose_partition(part, index, "is damaged", report)
        return
    pieces.records[part] = partition
    if index is None:
        index = _rebuild_index(partition)
        report.mended.append(
            f"partition {part}: its index was damaged or missing and was rebuilt from its "
            "records; the review states, pre-annotation marks and queue assignments it held "
            "are lost"
        )
    pieces.indexes[part] = index


def _lose_partition(part: int, index: PartIndex | None, why: str, report: RecoveryReport) -> None:
    if index is None:
        report.lost.append(
            f"partition {part}: its records file {why}, and so is its index; what it held is lost"
        )
        return
    titles = [str(row.get("title") or row.get("id")) for row in index.catalog.values()]
    shown = "; ".join(titles[:5]) + ("; …" if len(titles) > 5 else "")
    report.lost.append(
        f"partition {part}: its records file {why}: {len(titles)} document(s) and their "
        f"annotations are lost ({shown}) — re-import them from their sources"
    )


def _rebuild_index(partition: Partition) -> PartIndex:
    index = PartIndex.empty(partition.number)
    index.last_seq = partition.last_seq
    for name in ("documents", "spans", "claims"):
        for record in partition.tables[name].values():
            count_record(index.totals, name, record, 1)
    for key, document in partition.tables["documents"].items():
        doc_id = document["id"]
        index.catalog[key] = summarize(
            document,
            partition.span_records(doc_id),
            partition.claim_records(doc_id),
            partition.history_records(doc_id),
        )
    return index


def _gather_journal(path: Path, pieces: _Pieces, report: RecoveryReport) -> None:
    journal = path.with_name(path.name + ".journal")
    raw = _read(journal)
    if not raw:
        return
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, 1):
        entry = _decode_line(line)
        if entry is None and number == len(lines) and line:
            entry = _decode_line(line[:-1])  # a stray byte where its newline should be
            if entry is not None:
                report.mended.append(f"journal entry {number}: its damaged line ending was mended")
        if entry is None:
            if number == len(lines) and not line:
                break  # the newline that ends the last entry
            later = len([rest for rest in lines[number:] if rest])
            if number == len(lines):
                report.lost.append(
                    f"journal: a last write cut short ({len(line)} bytes), never acknowledged"
                )
            else:
                report.lost.append(
                    f"journal: entry {number} is damaged; it and the {later} after it are lost"
                )
            break
        pieces.entries.append(entry)


def _write(target: Path, pieces: _Pieces, report: RecoveryReport) -> None:
    """The recovered files, sealed, at ``target``, and the journal entries they miss."""
    parts = max([*pieces.records, *pieces.indexes], default=-1) + 1
    folder = parts_folder(target)
    folder.mkdir()
    next_ids = dict.fromkeys(TABLES, 1)
    placement = {table: Placement() for table in TABLES}
    placed: dict[str, list[tuple[int, int]]] = {table: [] for table in TABLES}
    sums: list[list[int]] = []
    seqs = []
    journal_end = max((int(entry["seq"]) for entry in pieces.entries), default=0)
    for part in range(parts):
        partition = pieces.records.get(part)
        index = pieces.indexes.get(part)
        if partition is None or index is None:
            # its documents are gone, and so is what indexes them; no entry of the journal
            # applies to it (its sequence is past them all)
            lost_seq = max([journal_end, *(p.last_seq for p in pieces.records.values())])
            partition = Partition(part, Partition.empty(part).tables, lost_seq)
            index = PartIndex.empty(part)
            index.last_seq = lost_seq
        for name in RECORD_TABLES:
            placed[name] += [(int(key), part) for key in partition.tables[name]]
        for name in INDEX_TABLES:
            placed[name] += [(int(key), part) for key in index.tables[name]]
        records_data, records_crc = partition.to_bytes(partition.last_seq)
        index_data, index_crc = index.to_bytes(index.last_seq)
        records_path(target, part).write_bytes(records_data)
        index_path(target, part).write_bytes(index_data)
        sums.append([records_crc, partition.last_seq, index_crc, index.last_seq])
        seqs += [partition.last_seq, index.last_seq]
        report.documents += len(partition.tables["documents"])
    for table, pairs in placed.items():
        for record_id, part in sorted(pairs):
            placement[table].place(record_id, part)
            next_ids[table] = max(next_ids[table], record_id + 1)
    for entry in pieces.entries:  # ids the journal hands out stay taken
        for op in entry.get("ops", ()):
            if op.get("t") in next_ids and isinstance(op.get("id"), int):
                next_ids[op["t"]] = max(next_ids[op["t"]], op["id"] + 1)
    old = pieces.meta or {}
    for table, value in (old.get("next_ids") or {}).items():
        if table in next_ids and isinstance(value, int):
            next_ids[table] = max(next_ids[table], value)
    last_seq = min(seqs, default=0)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "created_at": old.get("created_at") or time.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "last_seq": last_seq,
        "part_docs": old.get("part_docs") if isinstance(old.get("part_docs"), int) else PART_DOCS,
        "parts": parts,
        "next_ids": next_ids,
        "placement": {table: placed.to_dict() for table, placed in placement.items()},
        "sums": sums,
    }
    target.write_bytes(seal(orjson.dumps({"meta": {"1": meta}}))[0])
    later = [entry for entry in pieces.entries if int(entry.get("seq", 0)) > last_seq]
    if later:
        journal = target.with_name(target.name + ".journal")
        journal.write_bytes(b"".join(encode_entry(entry) for entry in later))


def _open_and_fold(rebuilt: Path, report: RecoveryReport) -> None:
    """Replay the journal into the rebuilt files and check the result; a journal that does
    not apply (its entries follow files that were lost) is left out and reported."""
    journal = rebuilt.with_name(rebuilt.name + ".journal")
    try:
        store = Store.open(rebuilt)
    except ClaimscopeError as error:
        if not journal.exists():
            raise
        entries = sum(1 for _ in journal.open("rb"))
        journal.unlink()
        report.lost.append(
            f"journal: {entries} entries do not apply to what was recovered ({error}); left out"
        )
        store = Store.open(rebuilt)
    with store:
        report.replayed = store.replayed_entries
        store._stale.update(store.document_ids())  # every catalog row derived afresh
        store.checkpoint()
        report.spans = sum(1 for _ in store.raw_records("spans"))
        report.claims = sum(1 for _ in store.raw_records("claims"))
        report.documents = store.document_count()
    from annotate.store.integrity import check_store

    with Store.open(rebuilt, readonly=True) as reader:
        checked = check_store(reader)
    for problem in checked.problems:
        report.mended.append(f"still to look at: {problem}")


def _swap(path: Path, rebuilt: Path, backup: Path) -> None:
    """Move the damaged files aside into ``backup`` and the rebuilt ones into place (the
    main file last, so a crash in between leaves no main file pointing at old partitions)."""
    backup.mkdir()
    for original in [*database_files(path), path.with_name(path.name + ".journal")]:
        if original.exists() and original.parent == path.parent:
            os.replace(original, backup / original.name)
    old_parts = parts_folder(path)
    if old_parts.is_dir():
        os.replace(old_parts, backup / old_parts.name)
    os.replace(parts_folder(rebuilt), parts_folder(path))
    os.replace(rebuilt, path)
    fsync_dir(path.parent)
