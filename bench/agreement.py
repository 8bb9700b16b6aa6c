"""Benchmark: how far PolNeAR's own annotators agree, on the metric claims are judged by.

A few PolNeAR articles were annotated by several of its annotators (one ``.ann`` file each,
``NAME_ANNOTATOR.ann``); 16 of them are in ``train`` and 2 in ``dev``. Each annotator's claims
are scored as a prediction against each other annotator's as gold, over every ordered pair,
the way ``bench/claims.py`` and the project's scorer score a model (each role's spans as a
set; a part matches at character Jaccard 0.5 or more, "overlap", or equal after trimming,
"exact"; attribution kinds only). That is the level two people reach on this data, which a
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spacy.language import Language  # noqa: E402

from annotate.claim_scores import ROLES, Score, score_parts  # noqa: E402
from annotate.claims.component import claims_from_doc  # noqa: E402
from annotate.formats.brat_reader import brat_record  # noqa: E402
from annotate.nlp.pipeline import load_pipeline  # noqa: E402
from annotate.nlp.preannotate import add_claims_component  # noqa: E402

SPLITS = ("train", "dev")
KINDS = frozenset({"quote", "reported", "according-to", "unattributed"})
MODES = ("overlap", "exact")
Fragments = tuple[tuple[int, int], ...]


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


def parts(claims: list[dict[str, Any]], role: str, *, whole: bool) -> set[Fragments]:
    """The role's distinct parts: as gold (``whole=False``: a content in pieces keeps them) or
    as a prediction (its extent, as a model's claim is exported)."""
    found: set[Fragments] = set()
    for claim in claims:
        if claim.get("kind") not in KINDS or not claim.get(role):
            continue
        pieces = claim.get("content_parts") if role == "content" and not whole else None
        if pieces:
            found.add(tuple(sorted((p["start"], p["end"]) for p in pieces)))
        else:
            found.add(((claim[role]["start"], claim[role]["end"]),))
    return found


def _tallies() -> dict[str, Score]:
    return {f"{role}_{mode}": Score() for role in ROLES for mode in MODES}


def _add(
    into: dict[str, Score], text: str, gold: list[dict[str, Any]], predicted: list[dict[str, Any]]
) -> None:
    for role in ROLES:
        theirs = parts(gold, role, whole=False)
        ours = {p[0] for p in parts(predicted, role, whole=True)}
        for mode in MODES:
            into[f"{role}_{mode}"].add(score_parts(text, ours, theirs, exact=mode == "exact"))


def exported(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A pipeline's claims (``DetectedClaim.to_dict``) in the export shape the scorer reads."""
    shaped = []
    for claim in claims:
        row: dict[str, Any] = {"kind": claim["kind"]}
        for role in ROLES:
            if claim.get(role):
                row[role] = {"start": claim[role][0], "end": claim[role][1]}
        shaped.append(row)
    return shaped


def agreement(
    gitdir: str, split: str, nlp: Language | None = None
) -> tuple[int, int, dict[str, Score], dict[str, Score]]:
    """Articles, ordered annotator pairs, the annotators' tallies per ``role_mode`` and, given
    ``nlp``, its claims' tallies against each annotator's version of the same articles."""
    humans, model = _tallies(), _tallies()
    articles = pairs = 0
    for name, paths in sorted(several_annotations(gitdir, split).items()):
        text = git(gitdir, "show", f"HEAD:data/{split}/text/{name}.txt")
        versions = [brat_record(text, git(gitdir, "show", f"HEAD:{p}"), p, p) for p in paths]
        stripped = versions[0]["text"]
        articles += 1
        for gold, predicted in permutations(versions, 2):
            pairs += 1
            _add(humans, stripped, gold["claims"], predicted["claims"])
        if nlp is not None:
            found = exported([c.to_dict() for c in claims_from_doc(nlp(stripped))])
            for gold in versions:
                _add(model, stripped, gold["claims"], found)
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
    nlp = None
    if not args.no_model:
        pipeline = load_pipeline(args.model)
        add_claims_component(pipeline)
        nlp = pipeline.nlp
        print(f"pipeline {pipeline.origin}")
    figures = []
    for split in SPLITS:
        # a model learnt from train's articles is scored on dev's only
        scored = nlp if split == "dev" else None
        articles, pairs, humans, model = agreement(args.polnear, split, scored)
        print(
            f"PolNeAR {split}: {articles} articles with several annotators, {pairs} ordered pairs"
        )
        _print("annotator against annotator", humans)
        figures += [f"{split}_{key}={score.f1:.3f}" for key, score in humans.items()]
        if scored is not None:
            _print("the pipeline's claims against each annotator", model)
            figures += [f"{split}_model_{key}={score.f1:.3f}" for key, score in model.items()]
    print("RESULT " + " ".join(figures))


if __name__ == "__main__":
    main()
