"""What ``claimscope agree`` reports: agreement over the documents two or more annotators
marked done (each annotator's own view of them), and each annotator's activity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import orjson

from annotate.claims.scores import Score
from annotate.model import ReviewState
from annotate.store import Store
from annotate.team.agreement import (
    EXACT,
    OVERLAP,
    Version,
    claim_agreement,
    entity_agreement,
)
from annotate.team.views import view

SETTINGS = Path(__file__).with_name("settings.json")


@cache
def idle_seconds() -> float:
    """A gap between edits longer than this is a pause (``settings.json``)."""
    return float(orjson.loads(SETTINGS.read_bytes())["idle_minutes"]) * 60.0


@dataclass(frozen=True, slots=True)
class Activity:
    """One annotator's work, from the edit history and the review states."""

    annotator: str
    documents_done: int
    edits: int
    seconds: float

    @property
    def edits_per_hour(self) -> float | None:
        return self.edits / (self.seconds / 3600.0) if self.seconds else None


def finished_versions(store: Store, annotators: Iterable[str] | None = None) -> list[Version]:
    """Each annotator's view of every document that two or more of them marked done."""
    wanted = set(annotators) if annotators is not None else None
    done: dict[str, list[str]] = defaultdict(list)
    for review in store.reviews():
        if review.state == ReviewState.DONE and (wanted is None or review.annotator in wanted):
            done[review.doc_id].append(review.annotator)
    versions = []
    for doc_id, names in sorted(done.items()):
        if len(names) < 2:
            continue
        text = store.get_document(doc_id).text
        spans, claims = store.spans(doc_id), store.claims(doc_id)
        for name in sorted(names):
            versions.append(Version.of(doc_id, name, text, view(spans, name), view(claims, name)))
    return versions


def decisions_in(entry: dict[str, Any]) -> int:
    """How many entities and claims one undo step changed: accepting 31 suggestions at once
    (``A``) is 31 edits, not one."""
    touched = {(op.get("t"), op.get("id")) for op in entry.get("ops") or ()}
    return max(1, sum(1 for table, _ in touched if table in ("spans", "claims")))


def activity(store: Store, annotators: Iterable[str] | None = None) -> list[Activity]:
    """Documents done, edits (each entity or claim an undo step changed; undone ones do not
    count) and time spent, per annotator."""
    wanted = set(annotators) if annotators is not None else None
    stamps: dict[str, list[datetime]] = defaultdict(list)
    edits: dict[str, int] = defaultdict(int)
    for entry in store.raw_records("history"):
        if entry.get("state") == "done" and (wanted is None or entry["annotator"] in wanted):
            stamps[entry["annotator"]].append(datetime.fromisoformat(entry["at"]))
            edits[entry["annotator"]] += decisions_in(entry)
    done: dict[str, int] = defaultdict(int)
    for review in store.reviews():
        if review.state == ReviewState.DONE and (wanted is None or review.annotator in wanted):
            done[review.annotator] += 1
    found = []
    for name in sorted(set(stamps) | set(done)):
        times = sorted(stamps.get(name, []))
        gaps = (later - earlier for earlier, later in pairwise(times))
        seconds = sum(gap.total_seconds() for gap in gaps if gap.total_seconds() <= idle_seconds())
        found.append(Activity(name, done.get(name, 0), edits.get(name, 0), seconds))
    return found


def _score(score: Score) -> dict[str, float | None]:
    """Precision, recall and F1; None for each when neither side has anything to compare
    (two annotators who made no claim did not disagree on claims: no 0.000)."""
    figures: dict[str, float | None] = dict(score.to_dict())
    if not score.gold and not score.predicted:
        figures.update(precision=None, recall=None, f1=None)
    return figures


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def team_report(store: Store, annotators: Iterable[str] | None = None) -> dict[str, Any]:
    """The whole report, as plain data (``--json`` prints it as is)."""
    versions = finished_versions(store, annotators)
    entities = entity_agreement(versions)
    by_doc: dict[str, dict[str, Version]] = defaultdict(dict)
    for version in versions:
        by_doc[version.doc_id][version.annotator] = version
    pairs = []
    for first, second in combinations(entities.annotators, 2):
        both = [d for d, found in by_doc.items() if first in found and second in found]
        if not both:
            continue
        f1 = entities.f1[(first, second)]
        claims = claim_agreement((by_doc[d][first], by_doc[d][second]) for d in both)
        pairs.append(
            {
                "annotators": [first, second],
                "documents": len(both),
                "entities": {
                    "exact": {k: _score(v) for k, v in sorted(f1[EXACT].items())},
                    "overlap": {k: _score(v) for k, v in sorted(f1[OVERLAP].items())},
                    "kappa": {
                        k: _rounded(v) for k, v in sorted(entities.kappa[(first, second)].items())
                    },
                    "confusion": [
                        [a, b, n] for (a, b), n in entities.confusion[(first, second)].most_common()
                    ],
                },
                "claims": {
                    "content": _score(claims.content),
                    "paired": claims.paired,
                    "source_agreement": _rounded(claims.source_rate),
                    "cue_agreement": _rounded(claims.cue_rate),
                    "kind_kappa": _rounded(claims.kind_kappa),
                    "verdict_kappa": _rounded(claims.verdict_kappa),
                },
            }
        )
    return {
        "documents": entities.documents,
        "annotators": entities.annotators,
        "alpha": {k: _rounded(v) for k, v in sorted(entities.alpha.items())},
        "pairs": pairs,
        "activity": [
            {
                "annotator": a.annotator,
                "documents_done": a.documents_done,
                "edits": a.edits,
                "hours": round(a.seconds / 3600.0, 3),
                "seconds": round(a.seconds),
                "edits_per_hour": _rounded(a.edits_per_hour),
            }
            for a in activity(store, annotators)
        ],
    }
