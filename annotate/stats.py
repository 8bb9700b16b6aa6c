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


def corpus_stats(store: Store) -> CorpusStats:
    """Count everything in one pass over each table."""
    stats = CorpusStats()
    for doc in store.documents():
        stats.documents += 1
        stats.characters += len(doc.text)
    by_annotator: dict[str, Counter[str]] = {}
    for review in store.reviews():
        by_annotator.setdefault(review.annotator, Counter())[review.state.value] += 1
    for annotator, counts in sorted(by_annotator.items()):
        counts[ReviewState.TODO.value] += stats.documents - sum(counts.values())
        stats.documents_by_state[annotator] = {
            state.value: counts.get(state.value, 0) for state in ReviewState
        }
    labels: Counter[tuple[str, str]] = Counter()
    origins: Counter[tuple[str, str]] = Counter()
    for span in store.all_spans():
        labels[(span.label, span.status.value)] += 1
        origins[(f"{span.origin} ({span.origin_kind.value})", span.status.value)] += 1
    stats.spans_by_label = _nested(labels)
    stats.spans_by_origin = _nested(origins)
    kinds: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for claim in store.all_claims():
        kinds[claim.kind.value] += 1
        verdicts[claim.verdict.value] += 1
    stats.claims_by_kind = dict(sorted(kinds.items()))
    stats.claims_by_verdict = dict(sorted(verdicts.items()))
    return stats
