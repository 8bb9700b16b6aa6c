"""Score entity and claim suggestions against gold annotations in the export JSONL format.

Entities: per label and overall, exact (same start, end and label) and overlap (same label,
sharing at least one character; matched one to one) precision, recall and F1.
Claims: content exact match, content token overlap (soft precision and recall over word
tokens), and for claims paired by content (token IoU ≥ 0.5) source and cue match (overlap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.claims.component import claims_from_doc
from annotate.claims.scores import ClaimScores, Score
from annotate.errors import ClaimscopeError, InputError
from annotate.io.records import Provenance
from annotate.io.sources import Source, read_source
from annotate.model import Claim, EntitySpan, OriginKind, SpanStatus, text_hash
from annotate.nlp.pipeline import LoadedPipeline
from annotate.store import Store


@dataclass(slots=True)
class Evaluation:
    """Every score, per entity label and for claims."""

    documents: int = 0
    missing_documents: int = 0
    entities_exact: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    entities_overlap: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    claims: ClaimScores = field(default_factory=ClaimScores)
    texts: list[str] = field(default_factory=list)

    def overall(self, scores: dict[str, Score]) -> Score:
        total = Score()
        for score in scores.values():
            total.add(score)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "missing_documents": self.missing_documents,
            "entities": {
                "exact": {
                    "overall": self.overall(self.entities_exact).to_dict(),
                    **{k: v.to_dict() for k, v in sorted(self.entities_exact.items())},
                },
                "overlap": {
                    "overall": self.overall(self.entities_overlap).to_dict(),
                    **{k: v.to_dict() for k, v in sorted(self.entities_overlap.items())},
                },
            },
            "claims": self.claims.to_dict(),
        }


@dataclass(slots=True)
class Annotated:
    """One document's spans and claims, gold or predicted."""

    text: str
    spans: list[EntitySpan]
    claims: list[Claim]


def read_gold(path: Path) -> list[Annotated]:
    """Gold documents from an export-format JSONL file; bad records are reported by line."""
    if not path.is_file():
        raise ClaimscopeError(f"{path}: no such file")
    records: list[Annotated] = []
    errors: list[str] = []
    for item in read_source(Source(str(path), path, "jsonl"), Provenance(origin="gold")):
        if isinstance(item, InputError):
            errors.append(str(item))
        else:
            records.append(Annotated(item.document.text, item.spans, item.claims))
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ClaimscopeError(errors[0] + more)
    return records


def score_entities(
    gold: Sequence[EntitySpan], predicted: Sequence[EntitySpan], evaluation: Evaluation
) -> None:
    gold_keys = {(s.start, s.end, s.label) for s in gold}
    predicted_keys = {(s.start, s.end, s.label) for s in predicted}
    for label in {s.label for s in gold} | {s.label for s in predicted}:
        exact = evaluation.entities_exact[label]
        g = {k for k in gold_keys if k[2] == label}
        p = {k for k in predicted_keys if k[2] == label}
        exact.matched_predicted += len(g & p)
        exact.matched_gold += len(g & p)
        exact.predicted += len(p)
        exact.gold += len(g)
        overlap = evaluation.entities_overlap[label]
        matches = _overlap_matches(sorted(g), sorted(p))
        overlap.matched_predicted += matches
        overlap.matched_gold += matches
        overlap.predicted += len(p)
        overlap.gold += len(g)


def _overlap_matches(
    gold: list[tuple[int, int, str]], predicted: list[tuple[int, int, str]]
) -> int:
    used: set[int] = set()
    matches = 0
    for g_start, g_end, _ in gold:
        for index, (p_start, p_end, _) in enumerate(predicted):
            if index not in used and p_start < g_end and g_start < p_end:
                used.add(index)
                matches += 1
                break
    return matches


def is_model_made(origin_kind: OriginKind, origin: str, wanted_origin: str | None) -> bool:
    if wanted_origin is not None:
        return origin == wanted_origin
    return origin_kind == OriginKind.MODEL


def evaluate_pairs(
    pairs: Sequence[tuple[Annotated, Annotated | None]], labels: Iterable[str] | None = None
) -> Evaluation:
    """Score (gold, predicted) documents; a missing prediction counts as predicting nothing.

    Entities are scored for ``labels``: by default those the gold uses, so a model's extra
    label set (DATE, CARDINAL, …) does not count against it where the gold never marks them.
    """
    wanted = set(labels) if labels is not None else {s.label for g, _ in pairs for s in g.spans}
    evaluation = Evaluation()
    for gold, found in pairs:
        evaluation.documents += 1
        if found is None:
            evaluation.missing_documents += 1
        predicted = found or Annotated(gold.text, [], [])
        score_entities(
            [s for s in gold.spans if s.label in wanted],
            [s for s in predicted.spans if s.label in wanted],
            evaluation,
        )
        evaluation.claims.add_document(
            len(evaluation.texts), gold.text, gold.claims, predicted.claims
        )
        evaluation.texts.append(gold.text)
    return evaluation


def model_origins(store: Store) -> set[str]:
    """Every origin that suggested a span or a claim in the database."""
    return {
        record["origin"]
        for table in ("spans", "claims")
        for record in store.raw_records(table)
        if record.get("origin_kind") == OriginKind.MODEL.value
    }


def predictions_from_store(
    store: Store, gold: Sequence[Annotated], origin: str | None = None
) -> list[tuple[Annotated, Annotated | None]]:
    """Pair each gold document with the model suggestions the database holds for it
    (all model-made spans and claims, or only those of ``origin``, which must exist)."""
    if origin is not None:
        known = model_origins(store)
        if origin not in known:
            names = ", ".join(sorted(known)) or "none: run `claimscope preannotate` first"
            raise ClaimscopeError(
                f"--origin {origin!r} made no suggestions here; known origins: {names}"
            )
    pairs: list[tuple[Annotated, Annotated | None]] = []
    for record in gold:
        doc_id = text_hash(record.text)
        if not store.has_document(doc_id):
            pairs.append((record, None))
            continue
        spans = [s for s in store.spans(doc_id) if is_model_made(s.origin_kind, s.origin, origin)]
        claims = [c for c in store.claims(doc_id) if is_model_made(c.origin_kind, c.origin, origin)]
        pairs.append((record, Annotated(record.text, spans, claims)))
    return pairs


def predictions_from_pipeline(
    pipeline: LoadedPipeline, gold: Sequence[Annotated], *, batch_size: int = 32
) -> list[tuple[Annotated, Annotated | None]]:
    """Run ``pipeline`` (with the claim detector) fresh over the gold texts."""
    from annotate.nlp.preannotate import add_claims_component, suggestion_from_detected

    add_claims_component(pipeline)
    pairs: list[tuple[Annotated, Annotated | None]] = []
    texts = [record.text for record in gold]
    for record, doc in zip(gold, pipeline.nlp.pipe(texts, batch_size=batch_size), strict=True):
        doc_id = text_hash(record.text)
        spans = [
            EntitySpan(
                0,
                doc_id,
                e.start_char,
                e.end_char,
                e.label_,
                pipeline.origin,
                OriginKind.MODEL,
                SpanStatus.SUGGESTED,
            )
            for e in doc.ents
        ]
        claims = [
            suggestion_from_detected(c, doc_id, pipeline.origin) for c in claims_from_doc(doc)
        ]
        pairs.append((record, Annotated(record.text, spans, claims)))
    return pairs
