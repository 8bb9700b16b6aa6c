"""The ledger kept between readings: the last tally of a view, in memory and in a file beside
the database, brought up to date by adding up again only the documents that changed since.

Adding up every source summary of 100,000 documents takes most of a second; a tally kept
from the last reading, with a fingerprint of each document's summary, needs only the
documents whose summary, date or outlet changed since. An entry that had a claim in such a
document, or has one now, is added up again from its own documents; every other entry is
taken as it was.

The file (``DB.ledger/VIEW.json``) is derived data, like a catalog row: a checksum line, then
the tally as JSON. A file that is missing, damaged, of another format or of another database
(its documents are not this database's first ones, in order) is ignored and the ledger is
added up from the start; writing one is atomic (a temporary file renamed over it), and a
database opened read-only never writes one. It holds what the catalog rows hold of the
sources (names as written, document ids), nothing of the texts.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from array import array
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from annotate.ledger.sources import Corpus, Entry, SummaryRow, Tally, encode_summary, tally
from annotate.store.catalog import SUMMARY_VERSION
from annotate.store.files import ledger_folder

#: The form of the file; another is ignored.
FORMAT = 1
_MAGIC = b"claimscope-ledger"
#: When more documents than this share of the corpus changed (and more than
#: ``MIN_CHANGED``), adding everything up again is as quick as taking the old tally apart.
CHANGED_SHARE = 0.2
MIN_CHANGED = 1_000

Document = tuple[str, str, str, str | list[SummaryRow]]


def fingerprint(summary: str | list[SummaryRow]) -> int:
    """A document's source summary, summed up to tell whether it changed (CRC-32 and length)."""
    data = (summary if isinstance(summary, str) else encode_summary(summary)).encode()
    return zlib.crc32(data) | (len(data) << 32)


def fingerprints_of(summaries: Sequence[str | list[SummaryRow]]) -> list[int]:
    """:func:`fingerprint` of each (once per document of the corpus: no call for a string)."""
    crc32 = zlib.crc32
    return [
        crc32(data := summary.encode()) | (len(data) << 32)
        if type(summary) is str
        else fingerprint(summary)
        for summary in summaries
    ]


@dataclass(slots=True)
class Kept:
    """A view's tally, and each of its documents' fingerprints (by position)."""

    tally: Tally
    fingerprints: list[int]
    #: The file beside the database holds this tally.
    saved: bool = False
    #: The keys of the ledger this tally makes, in its order, once worked out.
    order: list[str] | None = None


def corpus_of(documents: Sequence[Document]) -> Corpus:
    corpus = Corpus()
    corpus.ids = [d[0] for d in documents]
    corpus.dates = [d[1] for d in documents]
    corpus.outlets = [d[2] for d in documents]
    corpus.summaries = [d[3] for d in documents]
    return corpus


def added_up(documents: Sequence[Document]) -> Kept:
    """A tally from the start."""
    return Kept(tally(documents), fingerprints_of([d[3] for d in documents]))


def brought_up_to_date(
    kept: Kept, documents: Sequence[Document], *, by_fingerprint: bool = False
) -> Kept:
    """``kept`` with the documents that changed since added up again (or, when they are
    many or the corpus is no longer the one it was made from, everything). A document
    changed when its date, outlet or summary did: summaries are compared as they are, or,
    ``by_fingerprint``, by their fingerprints (a tally read from a file kept none)."""
    before = kept.tally.corpus
    count = len(before.ids)
    corpus = corpus_of(documents)
    if len(documents) < count or corpus.ids[:count] != before.ids:
        return added_up(documents)
    fingerprints = list(kept.fingerprints)
    if by_fingerprint:
        now = fingerprints_of(corpus.summaries[:count])
        differs = [p for p, (a, b) in enumerate(zip(now, fingerprints, strict=True)) if a != b]
    else:
        pairs = zip(corpus.summaries, before.summaries, strict=False)
        differs = [p for p, (a, b) in enumerate(pairs) if a is not b and a != b]
    changed = set(differs)
    changed.update(range(count, len(documents)))
    for new, old in ((corpus.dates, before.dates), (corpus.outlets, before.outlets)):
        if new[:count] != old:
            changed.update(p for p, (a, b) in enumerate(zip(new, old, strict=False)) if a != b)
    if len(changed) > max(MIN_CHANGED, CHANGED_SHARE * len(documents)):
        return added_up(documents)
    fingerprints += [0] * (len(documents) - count)
    for position in changed:
        fingerprints[position] = fingerprint(corpus.summaries[position])
    if not changed:
        return Kept(Tally(corpus, kept.tally.entries), fingerprints, kept.saved, kept.order)
    return Kept(Tally(corpus, _recounted(kept.tally.entries, corpus, changed)), fingerprints)


def _recounted(entries: dict[str, Entry], corpus: Corpus, changed: set[int]) -> dict[str, Entry]:
    """``entries`` with every entry that has (or had) a claim in a ``changed`` document
    added up again from its documents (the others are the same objects)."""
    positions: dict[str, set[int]] = {}
    for key, before in entries.items():
        if not changed.isdisjoint(before.positions):
            positions[key] = set(before.positions) - changed
    for position in changed:
        for row in corpus.rows(position):
            key = row[0]
            if key not in positions:  # an entry with no claim in a changed document, or new
                known = entries.get(key)
                positions[key] = set(known.positions) if known is not None else set()
            positions[key].add(position)
    recounted = dict(entries)
    decoded: dict[int, list[SummaryRow]] = {}
    for key, where in positions.items():
        recounted.pop(key, None)
        entry: Entry | None = None
        for position in sorted(where):
            rows = decoded.get(position)
            if rows is None:
                rows = decoded[position] = corpus.rows(position)
            for row in rows:
                if row[0] == key:
                    if entry is None:
                        entry = Entry(key, row[1], corpus)
                    entry.count(position, row)
        if entry is not None:
            recounted[key] = entry
    return recounted


def ledger_file(database: Path, annotator: str | None) -> Path:
    """Where a view's tally is kept (the view's name is hashed: any name makes a file name)."""
    view = "all" if annotator is None else hashlib.sha1(annotator.encode()).hexdigest()[:16]
    return ledger_folder(database) / f"{view}.json"


def save(path: Path, kept: Kept, annotator: str | None) -> None:
    """Keep ``kept`` at ``path``, atomically. A file that cannot be written is not kept (the
    next reading adds everything up again): it is never an error."""
    corpus = kept.tally.corpus
    entries = [entry.saved() for entry in kept.tally.entries.values()]
    every = array("l")
    for entry in entries:  # one array of every position: no list made per entry
        every += entry[2]
    body = orjson.dumps(
        {
            "format": FORMAT,
            "summaries": SUMMARY_VERSION,
            "view": annotator,
            "ids": corpus.ids,
            "dates": corpus.dates,
            "outlets": corpus.outlets,
            "fingerprints": kept.fingerprints,
            # by column: one list of every entry's positions, read back with one check
            "keys": [e[0] for e in entries],
            "kinds": [e[1] for e in entries],
            "claims": [len(e[2]) for e in entries],
            "positions": every.tolist(),
            "accepted": [e[3] for e in entries],
            "rejected": [e[4] for e in entries],
            "names": [e[5] for e in entries],
            "given": [e[6] for e in entries],
            "order": kept.order,
        }
    )
    header = b"%s %d %d %s\n" % (_MAGIC, FORMAT, zlib.crc32(body), orjson.dumps(annotator))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(header)
            out.write(body)
        os.replace(temporary, path)
        kept.saved = True
    except OSError:
        with suppress(OSError):
            temporary.unlink()


def load(path: Path, annotator: str | None) -> Kept | None:
    """The tally kept at ``path`` for ``annotator``'s view; None when there is none, or it is
    damaged, of another format or of another view."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, body = data.partition(b"\n")
    expected = b"%s %d %d %s" % (_MAGIC, FORMAT, zlib.crc32(body), orjson.dumps(annotator))
    if header != expected:
        return None
    try:
        return _restored(orjson.loads(body), annotator)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
        return None


def kept_views(database: Path) -> list[str | None]:
    """The views whose tallies are kept beside ``database`` (read from the files' first
    lines; a file that is not one is left out)."""
    views: list[str | None] = []
    folder = ledger_folder(database)
    with suppress(OSError):
        for path in sorted(folder.glob("*.json")):
            with suppress(OSError, ValueError, orjson.JSONDecodeError), open(path, "rb") as f:
                magic, _, _, view = f.readline(4096).rstrip(b"\n").split(b" ", 3)
                name = orjson.loads(view)
                if magic == _MAGIC and (name is None or isinstance(name, str)):
                    views.append(name)
    return views


def _restored(data: dict[str, Any], annotator: str | None) -> Kept | None:
    if data["format"] != FORMAT or data["summaries"] != SUMMARY_VERSION:
        return None
    if data["view"] != annotator:
        return None
    corpus = Corpus()
    corpus.ids, corpus.dates, corpus.outlets = data["ids"], data["dates"], data["outlets"]
    fingerprints: list[int] = data["fingerprints"]
    count = len(corpus.ids)
    if not len(corpus.dates) == len(corpus.outlets) == len(fingerprints) == count:
        return None
    positions: list[int] = data["positions"]
    if positions and not 0 <= min(positions) <= max(positions) < count:
        return None
    columns = [data[name] for name in
               ("keys", "kinds", "claims", "accepted", "rejected", "names", "given")]  # fmt: skip
    if len({len(column) for column in columns}) != 1 or sum(data["claims"]) != len(positions):
        return None
    entries: dict[str, Entry] = {}
    at, restored, every = 0, Entry.restored, array("l", positions)
    for key, kind, claims, accepted, rejected, names, given in zip(*columns, strict=True):
        entries[key] = restored(
            key, kind, corpus, every[at : at + claims], accepted, rejected, names, given
        )
        at += claims
    order = data["order"]
    if order is not None and not isinstance(order, list):
        return None
    return Kept(Tally(corpus, entries), fingerprints, saved=True, order=order)


def attach(kept: Kept, documents: Sequence[Document]) -> Kept:
    """A tally read from a file, brought up to date with the documents as the catalog has
    them now (its entries read their rows from these summaries: an entry whose documents
    changed is added up again)."""
    kept.tally.corpus.summaries = [d[3] for d in documents[: len(kept.tally.corpus.ids)]]
    return brought_up_to_date(kept, documents, by_fingerprint=True)
