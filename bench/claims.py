"""Benchmark: claim attribution on the two GUM gold sets (24 Wikinews news articles, 19
Wikinews interviews) and, given a PolNeAR snapshot, on PolNeAR ``dev`` (84 US political news
articles), scored as ``claimscope evaluate`` and the project's published scorer score them
(content, source and cue; exact and overlap precision, recall and F1, overall and per kind;
statistics left out).

PolNeAR has no licence and is never in the repository: pass its fetched git directory with
``--polnear GITDIR`` (or ``$POLNEAR_GITDIR``); it is read through the project's
``polnear.py`` (``--polnear-tool``, default ``../shared/tools/polnear.py``), which refuses the
held-out ``test`` split. Without one, PolNeAR is skipped with a message.

Usage::

    python bench/claims.py [--model NAME|PATH] [--claims rules|model|both] [--polnear GITDIR]
                           [--errors DIR] [--rule-precision FILE.json]

Prints a table per set and ends with
``RESULT news_content_exact=… news_content_overlap=… … polnear_cue_overlap=…``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.claims.scores import ROLES, error_report, gold_part, matches  # noqa: E402
from annotate.nlp.evaluate import evaluate_pairs, predictions_from_pipeline, read_gold  # noqa: E402
from annotate.nlp.pipeline import load_pipeline  # noqa: E402
from annotate.nlp.preannotate import add_claims_component  # noqa: E402

SETS = {
    "news": ROOT / "tests" / "data" / "gum_news_claims.jsonl",
    "interview": ROOT / "tests" / "data" / "gum_interview_claims.jsonl",
}


def polnear_dev(gitdir: str, tool: Path, folder: Path) -> Path:
    """PolNeAR ``dev`` as claim gold JSONL (in a temporary folder, never the repository)."""
    target = folder / "polnear_dev.jsonl"
    subprocess.run(
        [sys.executable, str(tool), "gold", gitdir, "dev", str(target)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--claims", default=None, help="rules, model or both")
    parser.add_argument("--polnear", default=os.environ.get("POLNEAR_GITDIR"))
    parser.add_argument(
        "--polnear-tool", type=Path, default=ROOT.parent / "shared" / "tools" / "polnear.py"
    )
    parser.add_argument("--errors", type=Path, default=None, help="write <set>_errors.md here")
    parser.add_argument(
        "--rule-precision",
        type=Path,
        default=None,
        help="write each rule's precision on PolNeAR dev to this JSON file "
        "(annotate/claims/rule_precision.json is what rule claims' confidence reads)",
    )
    args = parser.parse_args()
    pipeline = load_pipeline(args.model)
    add_claims_component(pipeline, None, args.claims)
    print(f"pipeline {pipeline.origin}, claims from {args.claims or 'its own choice'}")
    sets = dict(SETS)
    with tempfile.TemporaryDirectory() as scratch:
        if args.polnear:
            sets["polnear"] = polnear_dev(args.polnear, args.polnear_tool, Path(scratch))
        else:
            print("PolNeAR dev skipped: pass --polnear GITDIR (or set POLNEAR_GITDIR)")
        figures, by_rule = score_sets(pipeline, sets, args.errors)
        if args.rule_precision is not None:
            if "polnear" not in by_rule:
                raise SystemExit("--rule-precision needs PolNeAR dev: pass --polnear GITDIR")
            write_rule_precision(args.rule_precision, by_rule["polnear"])
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in figures.items()))


def score_sets(
    pipeline: Any, sets: dict[str, Path], errors: Path | None
) -> tuple[dict[str, float], dict[str, dict[str, list[int]]]]:
    figures: dict[str, float] = {}
    rules: dict[str, dict[str, list[int]]] = {}
    for name, path in sets.items():
        started = time.perf_counter()
        pairs = predictions_from_pipeline(pipeline, read_gold(path))
        evaluation = evaluate_pairs(pairs)
        rules[name] = rule_tallies(pairs)
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
        for kind, tallies in sorted(evaluation.claims.by_kind.items()):
            shown = "  ".join(
                f"{role} {tallies[f'{role}_overlap'].precision:.2f}/"
                f"{tallies[f'{role}_overlap'].recall:.2f}"
                for role in ROLES
            )
            print(f"    {kind:13s} overlap P/R  {shown}")
        if errors is not None:
            errors.mkdir(parents=True, exist_ok=True)
            report = error_report(evaluation.claims.errors, evaluation.texts)
            (errors / f"{name}_errors.md").write_text(report, encoding="utf-8")
    print("precision by rule (content overlap; claims):")
    for rule in sorted({rule for tallies in rules.values() for rule in tallies}):
        shown = "  ".join(
            f"{name} {tallies[rule][0] / tallies[rule][1]:.2f} ({tallies[rule][1]})"
            for name, tallies in rules.items()
            if rule in tallies
        )
        print(f"  {rule:32s} {shown}")
    return figures, rules


def rule_tallies(pairs: list[tuple[Any, Any]]) -> dict[str, list[int]]:
    """For each rule: [claims whose content overlaps a gold content, claims], kinds scored
    only (statistics are not attributions)."""
    tallies: dict[str, list[int]] = {}
    for gold, found in pairs:
        golds = [gold_part(claim, "content") for claim in gold.claims]
        for claim in found.claims if found is not None else ():
            if claim.kind.value == "statistic" or not claim.rule:
                continue
            span = (claim.content.start, claim.content.end)
            right = any(g and matches(gold.text, span, g, exact=False) for g in golds)
            tally = tallies.setdefault(claim.rule, [0, 0])
            tally[0] += int(right)
            tally[1] += 1
    return tallies


def write_rule_precision(path: Path, tallies: dict[str, list[int]]) -> None:
    """Each rule's precision, smoothed toward the rules' overall precision by two claims'
    worth, so a rule seen twice does not claim 0 or 1."""
    right = sum(t[0] for t in tallies.values())
    total = sum(t[1] for t in tallies.values()) or 1
    overall = right / total
    data = {
        "measured_on": "PolNeAR dev (84 articles), content overlap, by bench/claims.py",
        "overall": round(overall, 3),
        "claims": {rule: t[1] for rule, t in sorted(tallies.items())},
        "precision": {
            rule: round((t[0] + 2 * overall) / (t[1] + 2), 3) for rule, t in sorted(tallies.items())
        },
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"rule precision written to {path}")


if __name__ == "__main__":
    main()
