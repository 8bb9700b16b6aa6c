"""spaCy DocBin for `spacy train`: entities in doc.ents, claim parts in a span group, a seeded
train/dev split."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from annotate.formats.conll import non_overlapping
from annotate.formats.selection import (
    CLAIM_LABEL,
    CUE_LABEL,
    SOURCE_LABEL,
    ExportItem,
    ExportReport,
)
from annotate.formats.tokentable import Tokenizer


def build_docs(
    items: Sequence[ExportItem], spans_key: str, report: ExportReport
) -> list[tuple[str, Any]]:
    """spaCy Docs: entities in ``doc.ents``, claims in ``doc.spans[spans_key]``."""
    tokenizer = Tokenizer()
    docs = []
    for item in items:
        doc = tokenizer(item.document.text)
        ents = []
        for span in non_overlapping(item.spans, item.document.id, report):
            aligned = doc.char_span(span.start, span.end, label=span.label)
            if aligned is None:
                aligned = doc.char_span(
                    span.start, span.end, label=span.label, alignment_mode="expand"
                )
                report.problems.append(
                    f"{item.document.id}: {span.label} span {span.start}-{span.end} is not on "
                    "token boundaries; widened to whole tokens"
                )
            trimmed = _without_space(aligned) if aligned is not None else None
            if trimmed is not None:
                ents.append(trimmed)
        doc.ents = _dedupe_ents(ents)
        group = []
        for claim in item.claims:
            # a span categorizer has no discontinuous spans: one CLAIM span per fragment
            for part, label in (
                *((fragment, CLAIM_LABEL) for fragment in claim.content_fragments()),
                (claim.source, SOURCE_LABEL),
                (claim.cue, CUE_LABEL),
            ):
                if part is None:
                    continue
                span = doc.char_span(part.start, part.end, label=label, alignment_mode="expand")
                trimmed = _without_space(span) if span is not None else None
                if trimmed is not None:
                    group.append(trimmed)
        doc.spans[spans_key] = group
        docs.append((item.document.id, doc))
    return docs


def _without_space(span: Any) -> Any:
    """The span minus whitespace tokens at its edges (spaCy rejects such entities), or None."""
    from spacy.tokens import Span

    doc = span.doc
    start, end = span.start, span.end
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return Span(doc, start, end, label=span.label_) if start < end else None


def _dedupe_ents(ents: list[Any]) -> list[Any]:
    """Widening can make two entities touch the same token: keep the first."""
    taken: set[int] = set()
    kept = []
    for ent in sorted(ents, key=lambda e: e.start):
        tokens = set(range(ent.start, ent.end))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(ent)
    return kept


def split_docs(
    docs: list[tuple[str, Any]], train_share: float, seed: int
) -> tuple[list[Any], list[Any]]:
    """A seeded shuffle by document id, so the split is the same every time."""
    ordered = sorted(docs, key=lambda pair: pair[0])
    random.Random(seed).shuffle(ordered)
    cut = round(len(ordered) * train_share)
    if len(ordered) > 1:
        cut = min(max(cut, 1), len(ordered) - 1)
    return [d for _, d in ordered[:cut]], [d for _, d in ordered[cut:]]


def docbin_bytes(docs: list[Any]) -> bytes:
    from spacy.tokens import DocBin

    return bytes(DocBin(docs=docs, store_user_data=False).to_bytes())
