"""Benchmark: claim attribution on the two GUM gold sets (24 Wikinews news articles, 19
Wikinews interviews), scored as ``claimscope evaluate`` and the project's published scorer
score them (content, source and cue; exact and overlap F1; statistics left out).

Usage::

    python bench/claims.py [--model NAME|PATH] [--errors DIR]

Prints a table per set and ends with
``RESULT news_content_exact=… news_content_overlap=… … interview_cue_overlap=…``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.claim_scores import ROLES, error_report  # noqa: E402
from annotate.nlp.evaluate import evaluate_pairs, predictions_from_pipeline, read_gold  # noqa: E402
from annotate.nlp.pipeline import load_pipeline  # noqa: E402

SETS = {
    "news": ROOT / "tests" / "data" / "gum_news_claims.jsonl",
    "interview": ROOT / "tests" / "data" / "gum_interview_claims.jsonl",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--errors", type=Path, default=None, help="write <set>_errors.md here")
    args = parser.parse_args()
    pipeline = load_pipeline(args.model)
    figures: dict[str, float] = {}
    for name, path in SETS.items():
        started = time.perf_counter()
        evaluation = evaluate_pairs(predictions_from_pipeline(pipeline, read_gold(path)))
        overall = evaluation.claims.overall
        print(f"{name}: {evaluation.documents} documents, {time.perf_counter() - started:.1f} s")
        for role in ROLES:
            exact, overlap = overall[f"{role}_exact"], overall[f"{role}_overlap"]
            print(
                f"  {role:8s} exact P/R/F1 {exact.precision:.3f} / {exact.recall:.3f} / "
                f"{exact.f1:.3f}   overlap {overlap.precision:.3f} / {overlap.recall:.3f} / "
                f"{overlap.f1:.3f}   (gold {overlap.gold}, predicted {overlap.predicted})"
            )
            figures[f"{name}_{role}_exact"] = exact.f1
            figures[f"{name}_{role}_overlap"] = overlap.f1
        if args.errors is not None:
            args.errors.mkdir(parents=True, exist_ok=True)
            report = error_report(evaluation.claims.errors, evaluation.texts)
            (args.errors / f"{name}_errors.md").write_text(report, encoding="utf-8")
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
