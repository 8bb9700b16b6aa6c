"""Corpus statistics: documents by review state, spans by label and origin, claims by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotate.model import ReviewState
from annotate.store import Store


@dataclass(slots=True)
class CorpusStats:
    """Counts over the whole database."""

    documents: int = 0
    characters: int = 0
    documents_by_state: dict[str, dict[str, int]] = field(default_factory=dict)
    spans_by_label: dict[str, dict[str, int]] = field(default_factory=dict)
    spans_by_origin: dict[str, dict[str, int]] = field(default_factory=dict)
    claims_by_kind: dict[str, int] = field(default_factory=dict)
    claims_by_verdict: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "characters": self.characters,
            "documents_by_state": self.documents_by_state,
            "spans_by_label": self.spans_by_label,
            "spans_by_origin": self.spans_by_origin,
            "claims_by_kind": self.claims_by_kind,
            "claims_by_verdict": self.claims_by_verdict,
        }


def _nested(counter: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (outer, inner), count in sorted(counter.items()):
        out.setdefault(outer, {})[inner] = count
    return out


def _split(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for key, count in counts.items():
        outer, inner = key.rsplit("\t", 1)
        pairs[(outer, inner)] += count
    return _nested(pairs)


def corpus_stats(store: Store) -> CorpusStats:
    """Sum the statistics the store keeps per partition (no record is read) and the reviews."""
    stats = CorpusStats()
    totals = store.totals()
    stats.documents = totals["documents"]
    stats.characters = totals["characters"]
    by_annotator: dict[str, Counter[str]] = {}
    for review in store.raw_records("reviews"):
        by_annotator.setdefault(review["annotator"], Counter())[review["state"]] += 1
    for annotator, counts in sorted(by_annotator.items()):
        counts[ReviewState.TODO.value] += stats.documents - sum(counts.values())
        stats.documents_by_state[annotator] = {
            state.value: counts.get(state.value, 0) for state in ReviewState
        }
    stats.spans_by_label = _split(totals["spans"])
    stats.spans_by_origin = _split(totals["origins"])
    stats.claims_by_kind = dict(sorted(totals["kinds"].items()))
    stats.claims_by_verdict = dict(sorted(totals["verdicts"].items()))
    return stats
