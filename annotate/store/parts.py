"""The two files of a partition: its records, and its index.

A partition holds up to ``part_docs`` documents (in import order) with everything that belongs
to them. Its *records* file (``NNNNN.json``: documents, spans, claims, undo history) is read
when one of its documents is opened; its *index* file (``NNNNN.index.json``: the catalog rows
of its documents, their reviews, pre-annotation marks and assignments, and the partition's
statistics) is small and read when the database opens. Both are plain TinyDB files and each
records the journal sequence number it holds (``last_seq``), so a replay after a crash
applies to each file exactly the entries it misses. Since schema 3 each is sealed with a
checksum (:mod:`annotate.store.seal`) that is verified whenever it is read.

A partition remembers how many records of each kind its file held when it was read, and how
many the journal has deleted since: the store never writes a file with fewer records than
that explains (:meth:`Partition.unexplained_loss`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import DamagedDatabaseError
from annotate.store.catalog import Row, Totals, empty_totals
from annotate.store.seal import SEAL_TABLE, check_seal, seal

Table = dict[str, dict[str, Any]]
Op = dict[str, Any]

RECORD_TABLES = ("documents", "spans", "claims", "history")
INDEX_TABLES = ("reviews", "preannotated", "assignments")
#: Tables whose records are unique by these fields, with an index from them to the record id.
UNIQUE_FIELDS = {
    "reviews": ("doc_id", "annotator"),
    "preannotated": ("doc_id", "origin"),
    "assignments": ("doc_id", "annotator"),
}


def decode_tables(raw: bytes, path: Path, remedy: str) -> dict[str, Table]:
    """The tables a TinyDB file holds, or :class:`DamagedDatabaseError` naming the file and
    what to do (``remedy``)."""
    try:
        loaded = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise DamagedDatabaseError(
            f"{path} is damaged ({error}); it was left untouched — {remedy}"
        ) from None
    if not isinstance(loaded, dict) or not all(isinstance(t, dict) for t in loaded.values()):
        raise DamagedDatabaseError(
            f"{path} is not a TinyDB database (expected an object of tables)"
        )
    tables: dict[str, Table] = loaded
    return tables


RECOVER = "run `claimscope db recover` to rebuild the database from what is intact"


def parse_tables(
    raw: bytes, path: Path, expected: tuple[str, ...], *, sealed: bool
) -> tuple[dict[str, Table], dict[str, Any], int | None]:
    """The tables of a partition file, its meta record and its checksum, or
    :class:`DamagedDatabaseError` naming it. ``sealed``: the file must carry a checksum."""
    crc = check_seal(raw, path)
    if crc is None and sealed:
        raise DamagedDatabaseError(
            f"{path} is damaged: it carries no checksum; it was left untouched — {RECOVER}"
        )
    tables = decode_tables(raw, path, RECOVER)
    tables.pop(SEAL_TABLE, None)
    for name in (*expected, "meta"):
        tables.setdefault(name, {})
    meta = tables.pop("meta").get("1")
    unknown = set(tables) - set(expected)
    if not isinstance(meta, dict) or unknown:
        what = f"unknown tables {sorted(unknown)}" if unknown else "no meta record"
        raise DamagedDatabaseError(f"{path} is damaged ({what}); it was left untouched — {RECOVER}")
    return tables, meta, crc


def _seq_of(meta: dict[str, Any], path: Path) -> int:
    seq = meta.get("last_seq")
    if not isinstance(seq, int) or seq < 0:
        raise DamagedDatabaseError(
            f"{path} is damaged (its meta record has no valid last_seq); {RECOVER}"
        )
    return seq


def damaged_structure(path: Path, error: Exception) -> DamagedDatabaseError:
    """A file whose JSON decodes but whose records lack what every record has."""
    return DamagedDatabaseError(
        f"{path} is damaged (a record lacks {type(error).__name__}: {error}); "
        f"it was left untouched — {RECOVER}"
    )


def apply_op(table: Table, op: Op) -> None:
    """One journaled operation on one table. Ids are never reused, even of deleted records."""
    key = str(op["id"])
    kind = op["op"]
    if kind == "put":
        table[key] = op["r"]
    elif kind == "set":
        table[key] = {**table[key], **op["r"]}
    elif kind == "del":
        table.pop(key, None)
    else:
        raise KeyError(f"unknown operation {kind!r}")


class Partition:
    """The records of one partition, in memory, with the per-document indexes."""

    def __init__(
        self, number: int, tables: dict[str, Table], last_seq: int, crc: int | None = None
    ) -> None:
        self.number = number
        self.tables = tables
        self.last_seq = last_seq
        #: The checksum of the file these records were read from or last written to.
        self.crc = crc
        #: Records per table in that file, and how many the journal has deleted since.
        self.on_disk = {name: len(tables[name]) for name in RECORD_TABLES}
        self.deleted = dict.fromkeys(RECORD_TABLES, 0)
        self.doc_key: dict[str, int] = {}
        self.spans_by_doc: dict[str, set[int]] = defaultdict(set)
        self.claims_by_doc: dict[str, set[int]] = defaultdict(set)
        self.history: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.doc_key = {rec["id"]: int(key) for key, rec in tables["documents"].items()}
        for key, rec in tables["spans"].items():
            self.spans_by_doc[rec["doc_id"]].add(int(key))
        for key, rec in tables["claims"].items():
            self.claims_by_doc[rec["doc_id"]].add(int(key))
        for key, rec in sorted(tables["history"].items(), key=lambda item: int(item[0])):
            self.history[(rec["annotator"], rec["doc_id"])].append(int(key))

    @classmethod
    def empty(cls, number: int) -> Partition:
        return cls(number, {name: {} for name in RECORD_TABLES}, 0)

    @classmethod
    def from_bytes(cls, number: int, raw: bytes, path: Path, *, sealed: bool) -> Partition:
        tables, meta, crc = parse_tables(raw, path, RECORD_TABLES, sealed=sealed)
        try:
            return cls(number, tables, _seq_of(meta, path), crc)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise damaged_structure(path, error) from None

    def to_bytes(self, seq: int) -> tuple[bytes, int]:
        """The sealed file of these records as of entry ``seq``, and its checksum."""
        meta = {"partition": self.number, "last_seq": seq}
        return seal(orjson.dumps({"meta": {"1": meta}, **self.tables}))

    def written(self, seq: int, crc: int) -> None:
        """The records are on disk as of ``seq``."""
        self.last_seq, self.crc = seq, crc
        self.on_disk = {name: len(self.tables[name]) for name in RECORD_TABLES}
        self.deleted = dict.fromkeys(RECORD_TABLES, 0)

    def unexplained_loss(self) -> str | None:
        """A table holding fewer records than its file did, less those the journal deleted:
        writing it would lose data no edit removed."""
        for name in RECORD_TABLES:
            if len(self.tables[name]) < self.on_disk[name] - self.deleted[name]:
                return (
                    f"{name}: {len(self.tables[name])} records where the file holds "
                    f"{self.on_disk[name]} and the journal deleted {self.deleted[name]}"
                )
        return None

    def get(self, table: str, record_id: int) -> dict[str, Any] | None:
        return self.tables[table].get(str(record_id))

    def apply(self, op: Op) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Apply ``op`` and keep the indexes in step; returns the record before and after."""
        name = op["t"]
        record_id = int(op["id"])
        table = self.tables[name]
        before = table.get(str(record_id))
        apply_op(table, op)
        after = table.get(str(record_id))
        if before is not None and after is None:
            self.deleted[name] += 1
        if name == "documents":
            if before is not None:
                self.doc_key.pop(before["id"], None)
            if after is not None:
                self.doc_key[after["id"]] = record_id
        elif name in ("spans", "claims"):
            index = self.spans_by_doc if name == "spans" else self.claims_by_doc
            if before is not None:
                index[before["doc_id"]].discard(record_id)
            if after is not None:
                index[after["doc_id"]].add(record_id)
        elif name == "history":
            if before is None and after is not None:
                self.history[(after["annotator"], after["doc_id"])].append(record_id)
            elif before is not None and after is None:
                self.history[(before["annotator"], before["doc_id"])].remove(record_id)
        return before, after

    def span_records(self, doc_id: str) -> list[dict[str, Any]]:
        table = self.tables["spans"]
        return [table[str(i)] for i in self.spans_by_doc.get(doc_id, ())]

    def claim_records(self, doc_id: str) -> list[dict[str, Any]]:
        table = self.tables["claims"]
        return [table[str(i)] for i in self.claims_by_doc.get(doc_id, ())]

    def history_records(self, doc_id: str) -> list[dict[str, Any]]:
        """Every annotator's undo history of the document, oldest first."""
        table = self.tables["history"]
        ids = [i for (_, doc), kept in self.history.items() if doc == doc_id for i in kept]
        return [table[str(i)] for i in sorted(ids)]


class PartIndex:
    """The index of one partition: catalog rows, reviews, marks, assignments and totals."""

    def __init__(
        self,
        number: int,
        tables: dict[str, Table],
        last_seq: int,
        totals: Totals,
        crc: int | None = None,
    ) -> None:
        self.number = number
        self.tables = tables
        self.last_seq = last_seq
        self.totals = totals
        self.crc = crc

    @classmethod
    def empty(cls, number: int) -> PartIndex:
        return cls(number, {name: {} for name in ("catalog", *INDEX_TABLES)}, 0, empty_totals())

    @classmethod
    def from_bytes(cls, number: int, raw: bytes, path: Path, *, sealed: bool) -> PartIndex:
        tables, meta, crc = parse_tables(raw, path, ("catalog", *INDEX_TABLES), sealed=sealed)
        totals = meta.get("totals") or empty_totals()
        if not isinstance(totals, dict):
            raise damaged_structure(path, TypeError("totals is not an object"))
        return cls(number, tables, _seq_of(meta, path), totals, crc)

    def to_bytes(self, seq: int) -> tuple[bytes, int]:
        """The sealed index file as of entry ``seq``, and its checksum."""
        meta = {"partition": self.number, "last_seq": seq, "totals": self.totals}
        return seal(orjson.dumps({"meta": {"1": meta}, **self.tables}))

    @property
    def catalog(self) -> dict[str, Row]:
        return self.tables["catalog"]
