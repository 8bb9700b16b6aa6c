"""spaCy registry functions Claimscope's trained pipelines need (imported before loading one).

``claimscope.claim_suggester.v1`` proposes candidate spans for the claim span categorizer:
every n-gram up to ``max_ngram`` tokens (sources, cues, short claims), every sentence, and —
when a dependency parse is present — the subtree of every verb (the clauses claims are made
of). spaCy's stock n-gram suggester would have to propose every span up to 40 tokens long to
reach a claim's content; clauses are a few candidates per sentence instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.lookups import Lookups
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

Suggester = Callable[..., Ragged]


def candidate_spans(doc: Doc, max_ngram: int) -> list[tuple[int, int]]:
    """(start, end) token pairs to score, without duplicates, in a stable order."""
    found: set[tuple[int, int]] = set()
    length = len(doc)
    for size in range(1, max_ngram + 1):
        found.update((start, start + size) for start in range(0, length - size + 1))
    if doc.has_annotation("SENT_START"):
        found.update((sent.start, sent.end) for sent in doc.sents)
    if doc.has_annotation("DEP"):
        for token in doc:
            if token.pos_ in ("VERB", "AUX") and token.dep_ in ("ccomp", "xcomp", "ROOT", "conj"):
                start, end = token.left_edge.i, token.right_edge.i + 1
                while start < end and (doc[start].is_punct or doc[start].lower_ == "that"):
                    start += 1
                while end > start and doc[end - 1].is_punct:
                    end -= 1
                if start < end:
                    found.add((start, end))
    return sorted(found)


@registry.misc("claimscope.claim_suggester.v1")  # type: ignore[untyped-decorator]
def build_claim_suggester(max_ngram: int = 6) -> Suggester:
    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        ops = ops or get_current_ops()
        pairs: list[tuple[int, int]] = []
        lengths: list[int] = []
        for doc in docs:
            spans = candidate_spans(doc, max_ngram)
            pairs.extend(spans)
            lengths.append(len(spans))
        data = ops.asarray2i(pairs) if pairs else ops.xp.zeros((0, 2), dtype="i")
        return Ragged(data, ops.asarray1i(lengths))

    return suggest


@registry.misc("claimscope.pipeline_lookups.v1")  # type: ignore[untyped-decorator]
def pipeline_lookups(model: str) -> Lookups:
    """The lemmatizer tables a packaged pipeline already carries, so initializing a sourced
    lemmatizer (as ``spacy debug data`` does) needs no spacy-lookups-data download."""
    import spacy

    lemmatizer: Any = spacy.load(model).get_pipe("lemmatizer")
    lookups: Lookups = lemmatizer.lookups
    return lookups
