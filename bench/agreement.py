"""Benchmark: how far PolNeAR's own annotators agree, on the metric claims are judged by.

A few PolNeAR articles were annotated by several of its annotators (one ``.ann`` file each,
``NAME_ANNOTATOR.ann``); 16 of them are in ``train`` and 2 in ``dev``. Each annotator's claims
are scored as a prediction against each other annotator's as gold, over every ordered pair,
with the scorer ``claimscope evaluate`` and ``bench/claims.py`` use (each role's spans as a
set; a part matches at character Jaccard 0.5 or more, "overlap", or equal after trimming,
"exact"; statistics left out). That is the level two people reach on this data, which a
model learnt from one annotator's version of each article is read against (the figures of
``bench/claims.py --polnear``).

PolNeAR has no licence and is never in the repository: pass its fetched git directory with
``--polnear GITDIR`` (or ``$POLNEAR_GITDIR``); only ``train`` and ``dev`` are listed and read,
never ``test``; nothing is written and no text is printed. Without a snapshot the benchmark
is skipped with a message.

With a pipeline (the default one unless ``--model NAME|PATH``; ``--no-model`` for none), its
claims on the ``dev`` articles are scored against each annotator's version too: the model and
the annotators on the same articles (``train``'s were learnt from, so they are not).

Usage::

    python bench/agreement.py [--polnear GITDIR] [--model NAME|PATH | --no-model]

Ends with ``RESULT train_content_overlap=… … dev_model_cue_exact=…``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import defaultdict
from itertools import permutations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.claims.scores import ROLES, ClaimScores, Score  # noqa: E402
from annotate.io.brat import brat_record  # noqa: E402
from annotate.io.json_records import parse_json_record  # noqa: E402
from annotate.io.records import Provenance  # noqa: E402
from annotate.nlp.evaluate import Annotated, predictions_from_pipeline  # noqa: E402
from annotate.nlp.pipeline import LoadedPipeline, load_pipeline  # noqa: E402

SPLITS = ("train", "dev")
MODES = ("overlap", "exact")


def git(gitdir: str, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-C", gitdir, *arguments], capture_output=True, text=True, check=True
    ).stdout


def several_annotations(gitdir: str, split: str) -> dict[str, list[str]]:
    """The articles of ``split`` with more than one annotator's ``.ann``: name → ann paths."""
    if split not in SPLITS:
        raise SystemExit(f"split {split!r} refused: only {', '.join(SPLITS)} are read")
    folder = f"data/{split}/attributions/"
    listed = git(gitdir, "ls-tree", "-r", "--name-only", "HEAD", folder).split()
    by_article: dict[str, list[str]] = defaultdict(list)
    for path in listed:
        if path.endswith(".ann"):
            by_article[path[len(folder) : -len(".ann")].rsplit("_", 1)[0]].append(path)
    return {name: sorted(paths) for name, paths in by_article.items() if len(paths) > 1}


def annotated(text: str, ann: str, where: str) -> Annotated:
    """One annotator's version of an article, read as ``claimscope import`` reads brat."""
    record = parse_json_record(
        brat_record(text, ann, where, where), where, Provenance(origin="gold")
    )
    return Annotated(record.document.text, record.spans, record.claims)


def agreement(
    gitdir: str, split: str, pipeline: LoadedPipeline | None = None
) -> tuple[int, int, ClaimScores, ClaimScores]:
    """Articles, ordered annotator pairs, the annotators' scores and, given ``pipeline``, its
    claims' scores against each annotator's version of the same articles."""
    humans, model = ClaimScores(), ClaimScores()
    articles = pairs = 0
    for name, paths in sorted(several_annotations(gitdir, split).items()):
        text = git(gitdir, "show", f"HEAD:data/{split}/text/{name}.txt")
        versions = [annotated(text, git(gitdir, "show", f"HEAD:{p}"), p) for p in paths]
        for gold, predicted in permutations(versions, 2):
            humans.add_document(pairs, gold.text, gold.claims, predicted.claims)
            pairs += 1
        if pipeline is not None:
            [(_, found)] = predictions_from_pipeline(pipeline, versions[:1])
            assert found is not None
            for gold in versions:
                model.add_document(articles, gold.text, gold.claims, found.claims)
        articles += 1
    return articles, pairs, humans, model


def _print(label: str, tallies: dict[str, Score]) -> None:
    print(f"  {label}")
    for role in ROLES:
        cells = []
        for mode in MODES:
            score = tallies[f"{role}_{mode}"]
            cells.append(
                f"{mode} P/R/F1 {score.precision:.3f} / {score.recall:.3f} / {score.f1:.3f}"
            )
        print(f"    {role:8s} " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polnear", default=os.environ.get("POLNEAR_GITDIR"))
    parser.add_argument(
        "--model",
        default=None,
        help="also score this pipeline's claims (default: the default one) on the dev articles",
    )
    parser.add_argument("--no-model", action="store_true", help="the annotators only")
    args = parser.parse_args()
    if not args.polnear:
        print("PolNeAR agreement skipped: pass --polnear GITDIR (or set POLNEAR_GITDIR)")
        return
    pipeline = None if args.no_model else load_pipeline(args.model)
    if pipeline is not None:
        print(f"pipeline {pipeline.origin}")
    figures = []
    for split in SPLITS:
        # a model learnt from train's articles is scored on dev's only
        scored = pipeline if split == "dev" else None
        articles, pairs, humans, model = agreement(args.polnear, split, scored)
        print(
            f"PolNeAR {split}: {articles} articles with several annotators, {pairs} ordered pairs"
        )
        _print("annotator against annotator", humans.overall)
        figures += [f"{split}_{key}={score.f1:.3f}" for key, score in humans.overall.items()]
        if scored is not None:
            _print("the pipeline's claims against each annotator", model.overall)
            figures += [
                f"{split}_model_{key}={score.f1:.3f}" for key, score in model.overall.items()
            ]
    print("RESULT " + " ".join(figures))


if __name__ == "__main__":
    main()
