"""Agreement between annotators, over the documents two or more of them finished.

Each annotator's *version* of a document is what they decided: the entity spans and claims
they accepted, edited or made (pending suggestions and rejections are not annotations).

- **Entities**: pairwise F1 per label and overall, *exact* (same offsets and label) or by
  *overlap* (same label, character Jaccard ≥ 0.5), one-to-one; token-level Cohen's κ for each
  pair and Krippendorff's α (nominal; any number of annotators; a document an annotator did
  not finish is missing data), overall and per label (that label against everything else);
  the label confusion of a pair (tokens they labelled differently).
- **Claims**: a pair's claims are paired one-to-one by content overlap; content overlap F1,
  and on paired claims how often source and cue agree, and κ of kind and verdict.

Tokens come from the one tokenizer (:mod:`annotate.tokenizing`), so κ and α count the units a
model is trained on.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from annotate.claims.scores import OVERLAP_THRESHOLD, Score
from annotate.model import Claim, EntitySpan, Offsets, SpanStatus
from annotate.team.coefficients import cohen_kappa, krippendorff_alpha_nominal
from annotate.tokenizing import english

OUTSIDE = "O"
EXACT, OVERLAP = "exact", "overlap"


@dataclass(frozen=True, slots=True, order=True)
class EntityMark:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class ClaimMark:
    content: tuple[tuple[int, int], ...]
    source: tuple[int, int] | None
    cue: tuple[int, int] | None
    kind: str
    verdict: str


@dataclass(frozen=True)
class Version:
    """One annotator's finished annotation of one document."""

    doc_id: str
    annotator: str
    text: str
    entities: tuple[EntityMark, ...]
    claims: tuple[ClaimMark, ...] = ()

    @classmethod
    def of(
        cls,
        doc_id: str,
        annotator: str,
        text: str,
        spans: Iterable[EntitySpan],
        claims: Iterable[Claim] = (),
    ) -> Version:
        """The version made of the decided records among ``spans`` and ``claims``."""
        decided = (SpanStatus.ACCEPTED, SpanStatus.EDITED)
        entities = tuple(
            sorted(EntityMark(s.start, s.end, s.label) for s in spans if s.status in decided)
        )
        marks = tuple(
            ClaimMark(
                content=tuple((p.start, p.end) for p in c.content_fragments()),
                source=_pair(c.source),
                cue=_pair(c.cue),
                kind=c.kind.value,
                verdict=c.verdict.value,
            )
            for c in claims
            if c.status in decided
        )
        return cls(doc_id, annotator, text, entities, marks)


def _pair(offsets: Offsets | None) -> tuple[int, int] | None:
    return (offsets.start, offsets.end) if offsets is not None else None


def jaccard(first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]) -> float:
    """Character Jaccard of two sets of ranges (each set's ranges do not overlap)."""
    shared = sum(max(0, min(b1, b2) - max(a1, a2)) for a1, b1 in first for a2, b2 in second)
    union = sum(b - a for a, b in first) + sum(b - a for a, b in second) - shared
    return shared / union if union else 0.0


# Entities ----------------------------------------------------------------------------------


def entity_f1(pairs: Iterable[tuple[Version, Version]], mode: str = EXACT) -> dict[str, Score]:
    """F1 of the second annotator against the first (symmetric), per label and ``*``."""
    scores: dict[str, Score] = defaultdict(Score)
    for first, second in pairs:
        matched_first, matched_second = _match_entities(first.entities, second.entities, mode)
        for marks, matched, is_gold in (
            (first.entities, matched_first, True),
            (second.entities, matched_second, False),
        ):
            for index, mark in enumerate(marks):
                for key in (mark.label, "*"):
                    score = scores[key]
                    hit = 1.0 if index in matched else 0.0
                    if is_gold:
                        score.gold += 1
                        score.matched_gold += hit
                    else:
                        score.predicted += 1
                        score.matched_predicted += hit
    return dict(scores)


def _match_entities(
    first: Sequence[EntityMark], second: Sequence[EntityMark], mode: str
) -> tuple[set[int], set[int]]:
    """One-to-one matches, best overlap first."""
    candidates: list[tuple[float, int, int]] = []
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            if a.label != b.label:
                continue
            if mode == EXACT:
                if (a.start, a.end) == (b.start, b.end):
                    candidates.append((1.0, i, j))
            else:
                overlap = jaccard([(a.start, a.end)], [(b.start, b.end)])
                if overlap >= OVERLAP_THRESHOLD:
                    candidates.append((overlap, i, j))
    used_first: set[int] = set()
    used_second: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
    return used_first, used_second


def token_labels(text: str, entities: Iterable[EntityMark]) -> list[str]:
    """The label of each (non-space) token: the span holding its first character, or O."""
    bounds = english()(text)
    starts = [
        start
        for start, end in zip(bounds.starts, bounds.ends, strict=True)
        if not text[start:end].isspace()
    ]
    labels = [OUTSIDE] * len(starts)
    for mark in sorted(entities, key=lambda m: (m.start, m.end)):
        first = bisect_left(starts, mark.start)
        for index in range(first, len(starts)):
            if starts[index] >= mark.end:
                break
            labels[index] = mark.label
    return labels


def _binary(label: str, value: str | None) -> str | None:
    if value is None:
        return None
    return label if value == label else OUTSIDE


@dataclass
class EntityAgreement:
    """Entity agreement of a team: pairwise and all together."""

    annotators: list[str]
    documents: int
    f1: dict[tuple[str, str], dict[str, dict[str, Score]]] = field(default_factory=dict)
    kappa: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)
    alpha: dict[str, float | None] = field(default_factory=dict)
    confusion: dict[tuple[str, str], Counter[tuple[str, str]]] = field(default_factory=dict)


def entity_agreement(versions: Iterable[Version]) -> EntityAgreement:
    """Every coefficient above, over the documents at least two annotators finished."""
    by_doc: dict[str, dict[str, Version]] = defaultdict(dict)
    for version in versions:
        by_doc[version.doc_id][version.annotator] = version
    shared = {doc: found for doc, found in by_doc.items() if len(found) >= 2}
    annotators = sorted({name for found in shared.values() for name in found})
    result = EntityAgreement(annotators, len(shared))
    tokens: dict[str, dict[str, list[str]]] = {
        doc: {name: token_labels(v.text, v.entities) for name, v in found.items()}
        for doc, found in shared.items()
    }
    labels = sorted(
        {m.label for found in shared.values() for v in found.values() for m in v.entities}
    )
    for first, second in combinations(annotators, 2):
        both = [doc for doc, found in shared.items() if first in found and second in found]
        if not both:
            continue
        pairs = [(shared[doc][first], shared[doc][second]) for doc in both]
        result.f1[(first, second)] = {mode: entity_f1(pairs, mode) for mode in (EXACT, OVERLAP)}
        judged = [
            (a, b)
            for doc in both
            for a, b in zip(tokens[doc][first], tokens[doc][second], strict=True)
        ]
        kappas: dict[str, float | None] = {"*": cohen_kappa(judged)}
        for label in labels:
            kappas[label] = cohen_kappa((_binary(label, a), _binary(label, b)) for a, b in judged)
        result.kappa[(first, second)] = kappas
        result.confusion[(first, second)] = Counter((a, b) for a, b in judged if a != b)
    units: list[list[str | None]] = []
    for found_tokens in tokens.values():
        length = len(next(iter(found_tokens.values())))
        columns = [found_tokens.get(name) for name in annotators]
        for index in range(length):
            units.append([column[index] if column is not None else None for column in columns])
    result.alpha["*"] = krippendorff_alpha_nominal(units)
    for label in labels:
        result.alpha[label] = krippendorff_alpha_nominal(
            [[_binary(label, value) for value in unit] for unit in units]
        )
    return result


# Claims ------------------------------------------------------------------------------------


@dataclass
class ClaimAgreement:
    """Claim agreement of one pair of annotators."""

    content: Score = field(default_factory=Score)
    paired: int = 0
    source_agreed: int = 0
    cue_agreed: int = 0
    kind_kappa: float | None = None
    verdict_kappa: float | None = None

    @property
    def source_rate(self) -> float | None:
        return self.source_agreed / self.paired if self.paired else None

    @property
    def cue_rate(self) -> float | None:
        return self.cue_agreed / self.paired if self.paired else None


def claim_agreement(pairs: Iterable[tuple[Version, Version]]) -> ClaimAgreement:
    """Claims paired one-to-one by content overlap (Jaccard ≥ 0.5, best first)."""
    result = ClaimAgreement()
    kinds: list[tuple[str, str]] = []
    verdicts: list[tuple[str, str]] = []
    for first, second in pairs:
        candidates = sorted(
            (
                (jaccard(a.content, b.content), i, j)
                for i, a in enumerate(first.claims)
                for j, b in enumerate(second.claims)
            ),
            key=lambda c: (-c[0], c[1], c[2]),
        )
        used_first: set[int] = set()
        used_second: set[int] = set()
        for overlap, i, j in candidates:
            if overlap < OVERLAP_THRESHOLD or i in used_first or j in used_second:
                continue
            used_first.add(i)
            used_second.add(j)
            a, b = first.claims[i], second.claims[j]
            result.paired += 1
            result.source_agreed += _same_part(a.source, b.source)
            result.cue_agreed += _same_part(a.cue, b.cue)
            kinds.append((a.kind, b.kind))
            verdicts.append((a.verdict, b.verdict))
        result.content.gold += len(first.claims)
        result.content.predicted += len(second.claims)
        result.content.matched_gold += len(used_first)
        result.content.matched_predicted += len(used_second)
    result.kind_kappa = cohen_kappa(kinds)
    result.verdict_kappa = cohen_kappa(verdicts)
    return result


def _same_part(first: tuple[int, int] | None, second: tuple[int, int] | None) -> bool:
    if first is None or second is None:
        return first is second
    return jaccard([first], [second]) >= OVERLAP_THRESHOLD
