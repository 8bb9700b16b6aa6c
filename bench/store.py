"""Benchmark: edit → durable latency of the store, flat from 1k to 100k documents.

For 1k, 10k and 100k documents (3,000-character texts, 20 spans each) it measures, in one run:
the store's span update (returns once the edit is fsynced) in the documents being worked on,
plain TinyDB's ``update`` (plus an fsync, since TinyDB's JSONStorage does not sync), and the
floor: a raw append + fdatasync of one small record. Also: the one-time migration of a
database written as one file (schema 1, as the release before partitions wrote it), the time
to open each database and to read a document in a partition not yet in memory, a checkpoint
after one edit, ``claimscope stats`` (the whole command, in a fresh process) and the resident
and peak memory of a process that opens the database (also fresh). Usage::

    python bench/store.py [--sizes 1000,10000,100000] [--edits 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import orjson
import tinydb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.model import text_hash  # noqa: E402
from annotate.store import Store  # noqa: E402
from annotate.store.files import database_files  # noqa: E402

TEXT_CHARS = 3_000
SPANS_PER_DOC = 20
#: The documents an analyst has open in one session of the benchmark.
WORKING_DOCUMENTS = 20
WORDS = [
    "the",
    "government",
    "said",
    "on",
    "Tuesday",
    "that",
    "officials",
    "in",
    "Kabul",
    "Pakistan",
    "Afghanistan",
    "Taliban",
    "forces",
    "attacks",
    "over",
    "provinces",
    "according",
    "to",
    "reported",
    "experts",
    "believe",
    "clerics",
    "border",
    "security",
    "agency",
    "director",
    "withdrawal",
    "troops",
    "September",
    "violence",
    "analysts",
    "told",
]
LABELS = ("PERSON", "ORG", "GPE", "DATE", "CARDINAL", "NORP")


def make_text(rng: random.Random, number: int) -> str:
    words: list[str] = [f"Article {number}."]
    length = len(words[0])
    while length < TEXT_CHARS:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:TEXT_CHARS]


def build_database(path: Path, documents: int, seed: int = 7) -> None:
    """Write a schema-1 Claimscope database (one TinyDB file), as the release before
    partitions checkpointed it; :func:`migrate` turns it into today's layout."""
    rng = random.Random(seed)
    docs: dict[str, dict[str, object]] = {}
    spans: dict[str, dict[str, object]] = {}
    span_id = 1
    for number in range(1, documents + 1):
        text = make_text(rng, number)
        doc_id = text_hash(text)
        docs[str(number)] = {"id": doc_id, "text": text, "meta": {"date": "2021-05-30"}}
        for k in range(SPANS_PER_DOC):
            start = k * (TEXT_CHARS // SPANS_PER_DOC)
            spans[str(span_id)] = {
                "id": span_id,
                "doc_id": doc_id,
                "start": start,
                "end": start + 7,
                "label": LABELS[k % len(LABELS)],
                "origin": "en_core_web_sm@3.8.0",
                "origin_kind": "model",
                "status": "suggested",
            }
            span_id += 1
    meta = {"schema_version": 1, "created_at": None, "last_seq": 0}
    data = {
        "meta": {"1": meta},
        "documents": docs,
        "spans": spans,
        "claims": {},
        "reviews": {},
        "preannotated": {},
        "history": {},
    }
    path.write_bytes(orjson.dumps(data))


def migrate(path: Path) -> float:
    """Open a schema-1 database for writing (which migrates it); returns the seconds taken."""
    start = time.perf_counter()
    Store.open(path).close()
    return time.perf_counter() - start


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))
    return ordered[index]


def timed(samples: list[float], action: Callable[..., object], *args: object) -> None:
    start = time.perf_counter()
    action(*args)
    samples.append((time.perf_counter() - start) * 1000)


@dataclass(slots=True)
class StoreFigures:
    open_s: float
    open_doc_ms: list[float]
    latencies: list[float]
    close_s: float
    checkpoint_ms: float


def bench_store(path: Path, edits: int) -> StoreFigures:
    """Open the database; open 20 documents at random (each read from its partition) and
    edit each one's spans in turn; then checkpoint after one edit and close."""
    start = time.perf_counter()
    store = Store.open(path)
    open_s = time.perf_counter() - start
    rng = random.Random(1)
    doc_ids = store.document_ids()
    working = rng.sample(doc_ids, min(WORKING_DOCUMENTS, len(doc_ids)))
    open_doc_ms: list[float] = []
    latencies: list[float] = []
    span_ids: list[int] = []
    for number, doc_id in enumerate(working):  # as in the reader: open a document, edit it
        start = time.perf_counter()
        in_document = [span.id for span in store.spans(doc_id)]
        open_doc_ms.append((time.perf_counter() - start) * 1000)
        span_ids += in_document
        for n in range(edits * number // len(working), edits * (number + 1) // len(working)):
            span_id = rng.choice(in_document)
            label = LABELS[n % len(LABELS)]
            timed(latencies, partial(store.update_span, span_id, label=label, status="edited"))
    store.checkpoint()
    store.update_span(span_ids[0], label="ORG", status="edited")
    start = time.perf_counter()
    store.checkpoint()  # after one edit
    checkpoint_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    store.close()
    return StoreFigures(open_s, open_doc_ms, latencies, time.perf_counter() - start, checkpoint_ms)


def stats_seconds(path: Path) -> float:
    """Wall time of ``claimscope stats`` on ``path``, start-up included."""
    import subprocess

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "annotate", "--db", str(path), "stats"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - start


MEMORY_PROBE = """
import sys
sys.path.insert(0, sys.argv[2])
from annotate.store import Store
store = Store.open(sys.argv[1], readonly=True)
with open("/proc/self/status") as status:
    fields = dict(line.split(":", 1) for line in status)
# VmHWM is this program's own peak (ru_maxrss would include the parent's size at fork)
print(int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)
"""


def memory_mib(path: Path) -> tuple[float, float]:
    """Resident memory after opening ``path`` and the peak on the way, in a fresh process."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    rss, peak = result.stdout.split()
    return float(rss), float(peak)


def bench_plain_tinydb(path: Path, documents: int, edits: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    db = tinydb.TinyDB(path)
    open_s = time.perf_counter() - start
    table = db.table("spans")
    handle = db.storage._handle  # type: ignore[attr-defined]
    rng = random.Random(1)
    latencies: list[float] = []

    def edit(span_id: int, label: str) -> None:
        table.update({"label": label, "status": "edited"}, doc_ids=[span_id])
        os.fsync(handle.fileno())

    for n in range(edits):
        span_id = rng.randint(1, documents * SPANS_PER_DOC)
        label = LABELS[n % len(LABELS)]
        timed(latencies, edit, span_id, label)
    db.close()
    return open_s, latencies


def bench_floor(folder: Path, edits: int) -> list[float]:
    path = folder / "floor.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    record = orjson.dumps(
        {
            "seq": 1,
            "ops": [
                {"op": "set", "t": "spans", "id": 12345, "r": {"label": "ORG", "status": "edited"}}
            ],
        }
    )
    latencies: list[float] = []

    def append() -> None:
        os.write(fd, record + b"\n")
        os.fdatasync(fd)

    for _ in range(edits):
        timed(latencies, append)
    os.close(fd)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--tinydb-edits", default="1000:200,10000:30")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the databases")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    tinydb_edits = dict(
        (int(n), int(k)) for n, k in (item.split(":") for item in args.tinydb_edits.split(","))
    )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="claimscope-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, float] = {}
    print(
        f"{'what':<28}{'docs':>8}{'p50 ms':>10}{'p99 ms':>10}{'open s':>9}{'doc ms':>8}"
        f"{'close s':>9}{'ckpt ms':>9}{'stats s':>9}{'RSS MiB':>9}{'peak MiB':>9}"
    )
    try:
        floor = bench_floor(folder, args.edits)
        results["floor_p99"] = percentile(floor, 99)
        print(
            f"{'append+fdatasync (floor)':<28}{'':>8}{statistics.median(floor):>10.3f}"
            f"{percentile(floor, 99):>10.3f}"
        )
        for documents in sizes:
            path = folder / f"db-{documents}.json"
            build_database(path, documents)
            if documents in tinydb_edits:
                copy = folder / f"plain-{documents}.json"
                shutil.copyfile(path, copy)
                open_s, plain = bench_plain_tinydb(copy, documents, tinydb_edits[documents])
                results[f"tinydb_p99_{documents}"] = percentile(plain, 99)
                print(
                    f"{'plain TinyDB update+fsync':<28}{documents:>8}"
                    f"{statistics.median(plain):>10.3f}{percentile(plain, 99):>10.3f}"
                    f"{open_s:>9.2f}"
                )
                copy.unlink()
            results[f"migrate_s_{documents}"] = migrate(path)
            rss, peak = memory_mib(path)
            figures = bench_store(path, args.edits)
            stats_s = stats_seconds(path)
            results[f"store_p99_{documents}"] = percentile(figures.latencies, 99)
            results[f"open_s_{documents}"] = figures.open_s
            results[f"open_doc_ms_{documents}"] = statistics.median(figures.open_doc_ms)
            results[f"checkpoint_ms_{documents}"] = figures.checkpoint_ms
            results[f"stats_s_{documents}"] = stats_s
            results[f"rss_mib_{documents}"] = rss
            results[f"peak_mib_{documents}"] = peak
            print(
                f"{'claimscope store':<28}{documents:>8}"
                f"{statistics.median(figures.latencies):>10.3f}"
                f"{percentile(figures.latencies, 99):>10.3f}{figures.open_s:>9.2f}"
                f"{statistics.median(figures.open_doc_ms):>8.1f}{figures.close_s:>9.2f}"
                f"{figures.checkpoint_ms:>9.1f}{stats_s:>9.2f}{rss:>9.0f}{peak:>9.0f}"
            )
            if args.keep is None:
                for leftover in database_files(path):
                    leftover.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    low, high = min(sizes), max(sizes)
    ratio = results[f"store_p99_{high}"] / results[f"store_p99_{low}"]
    print(
        "RESULT "
        f"store_p99_ms_1k={results.get('store_p99_1000', float('nan')):.3f} "
        f"store_p99_ms_100k={results.get('store_p99_100000', float('nan')):.3f} "
        f"flat_ratio={ratio:.2f} "
        f"tinydb_p99_ms_10k={results.get('tinydb_p99_10000', float('nan')):.1f} "
        f"floor_p99_ms={results['floor_p99']:.3f} "
        f"open_s_10k={results.get('open_s_10000', float('nan')):.2f} "
        f"open_s_100k={results.get('open_s_100000', float('nan')):.2f} "
        f"checkpoint_ms_100k={results.get('checkpoint_ms_100000', float('nan')):.1f} "
        f"open_doc_ms_100k={results.get('open_doc_ms_100000', float('nan')):.1f} "
        f"stats_s_100k={results.get('stats_s_100000', float('nan')):.2f} "
        f"migrate_s_100k={results.get('migrate_s_100000', float('nan')):.1f} "
        f"rss_mib_100k={results.get('rss_mib_100000', float('nan')):.0f} "
        f"peak_mib_100k={results.get('peak_mib_100000', float('nan')):.0f}"
    )


if __name__ == "__main__":
    main()
