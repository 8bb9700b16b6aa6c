"""Benchmark: JSONL export of 10,000 documents against a raw orjson dump of the same records.

Both write the same bytes through the same atomic file write; the export also selects the
documents and annotations, tokenizes each text and builds the Prodigy records. Also measures
DocBin export in documents per second. Usage::

    python bench/export.py [--docs 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.formats import export  # noqa: E402
from annotate.formats.jsonl import jsonl_record  # noqa: E402
from annotate.formats.selection import ExportFilter, ExportReport, select  # noqa: E402
from annotate.formats.tokentable import Tokenizer  # noqa: E402
from annotate.store import Store  # noqa: E402
from annotate.store.journal import atomic_write  # noqa: E402
from bench.store import build_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimscope-export-bench-"))
    db = folder / "db.json"
    build_database(db, args.docs)
    with Store.open(db, readonly=True) as store:
        how = ExportFilter()
        tokenizer = Tokenizer()
        report = ExportReport()
        records = [jsonl_record(item, tokenizer, None, report) for item in select(store, how)]

        start = time.perf_counter()
        payload = b"\n".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in records) + b"\n"
        atomic_write(folder / "raw.jsonl", payload)
        raw_s = time.perf_counter() - start

        start = time.perf_counter()
        export(store, folder / "export.jsonl", "jsonl", how)
        export_s = time.perf_counter() - start
        assert (folder / "export.jsonl").read_bytes() == payload

        start = time.perf_counter()
        done = export(store, folder / "spacy", "spacy", how)
        docbin_s = time.perf_counter() - start
    size_mb = len(payload) / 1e6
    print(f"{args.docs:,} documents, {size_mb:,.0f} MB of JSONL")
    print(
        f"raw orjson dump + write: {raw_s:.2f} s; claimscope export: {export_s:.2f} s "
        f"({export_s / raw_s:.2f}x)"
    )
    print(f"DocBin export: {docbin_s:.2f} s for {done.documents:,} documents")
    print(
        f"RESULT jsonl_ratio={export_s / raw_s:.2f} "
        f"docbin_docs_per_s={done.documents / docbin_s:.0f}"
    )


if __name__ == "__main__":
    main()
