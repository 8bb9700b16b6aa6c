"""Claim scores as careful annotators' gold is judged: content, source and cue, each matched
*exact* (equal once quotes, punctuation and spaces are trimmed from both ends) or by *overlap*
(character Jaccard ≥ 0.5; a discontinuous gold content counts its fragments' union or its
hull, whichever matches better). A predicted part is correct when it matches some gold part of
the same role in the document, a gold part is found when some predicted part matches it; each
distinct range counts once. This is the rule of the project's published scorer, so the figures
agree with it; here they also come per kind and per rule, and the errors can be written out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from annotate.model import Claim, ClaimKind, Offsets

ROLES = ("content", "source", "cue")
MODES = ("exact", "overlap")
OVERLAP_THRESHOLD = 0.5
_TRIM = " \t\n\"'“”‘’,.;:—-"
#: Kinds that are not attributions: scored apart (``statistic`` is a number, not a claim of
#: someone's).
NOT_ATTRIBUTION = frozenset({ClaimKind.STATISTIC})
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")

Range = tuple[int, int]
Fragments = tuple[Range, ...]


def trim(text: str, start: int, end: int) -> Range:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def matches(text: str, predicted: Range, gold: Fragments, *, exact: bool) -> bool:
    """Whether a predicted range matches a gold part (one range, or content fragments)."""
    hull = (gold[0][0], gold[-1][1])
    if exact:
        return trim(text, *predicted) == trim(text, *hull)
    for pieces in (gold, (hull,)):
        shared = sum(max(0, min(predicted[1], b) - max(predicted[0], a)) for a, b in pieces)
        union = (predicted[1] - predicted[0]) + sum(b - a for a, b in pieces) - shared
        if union and shared / union >= OVERLAP_THRESHOLD:
            return True
    return False


def gold_part(claim: Claim, role: str) -> Fragments | None:
    if role == "content":
        return tuple((p.start, p.end) for p in claim.content_fragments())
    value = getattr(claim, role)
    return ((value.start, value.end),) if value is not None else None


def predicted_part(claim: Claim, role: str) -> Range | None:
    value = getattr(claim, role)
    return (value.start, value.end) if value is not None else None


@dataclass(slots=True)
class Score:
    """Counts behind a precision / recall / F1 triple (soft counts allowed)."""

    matched_predicted: float = 0.0
    predicted: int = 0
    matched_gold: float = 0.0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.matched_predicted += other.matched_predicted
        self.predicted += other.predicted
        self.matched_gold += other.matched_gold
        self.gold += other.gold

    def to_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "predicted": self.predicted,
            "gold": self.gold,
        }


def _tallies() -> dict[str, Score]:
    return {f"{role}_{mode}": Score() for role in ROLES for mode in MODES}


@dataclass(slots=True)
class ClaimError:
    """A gold claim nobody predicted, or a prediction that matches no gold claim."""

    what: str  # "missed" or "unmatched"
    doc: int
    claim: Claim
    sentence: str
    cue: str


@dataclass(slots=True)
class ClaimScores:
    """Attribution scores overall (statistics left out), per kind, and per rule."""

    overall: dict[str, Score] = field(default_factory=_tallies)
    by_kind: dict[str, dict[str, Score]] = field(default_factory=lambda: defaultdict(_tallies))
    #: Per rule: its predictions, and how many of their contents match a gold content.
    by_rule: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    statistics: int = 0
    errors: list[ClaimError] = field(default_factory=list)

    def add_document(
        self, index: int, text: str, gold: Sequence[Claim], predicted: Sequence[Claim]
    ) -> None:
        attributions = [c for c in predicted if c.kind not in NOT_ATTRIBUTION]
        self.statistics += len(predicted) - len(attributions)
        _tally(text, gold, attributions, self.overall)
        for kind in {c.kind.value for c in gold} | {c.kind.value for c in attributions}:
            _tally(
                text,
                [c for c in gold if c.kind.value == kind],
                [c for c in attributions if c.kind.value == kind],
                self.by_kind[kind],
            )
        gold_contents = [fragments for c in gold if (fragments := gold_part(c, "content"))]
        for claim in attributions:
            rule = self.by_rule[claim.rule or claim.origin]
            rule.predicted += 1
            content = predicted_part(claim, "content")
            assert content is not None
            if any(matches(text, content, g, exact=False) for g in gold_contents):
                rule.matched_predicted += 1
            else:
                self.errors.append(_error("unmatched", index, text, claim))
        contents = [found for c in attributions if (found := predicted_part(c, "content"))]
        for claim in gold:
            fragments = gold_part(claim, "content")
            assert fragments is not None
            if not any(matches(text, p, fragments, exact=False) for p in contents):
                self.errors.append(_error("missed", index, text, claim))

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": {name: tally.to_dict() for name, tally in self.overall.items()},
            "by_kind": {
                kind: {name: tally.to_dict() for name, tally in tallies.items()}
                for kind, tallies in sorted(self.by_kind.items())
            },
            "by_rule": {
                rule: {"predicted": t.predicted, "content_overlap_precision": round(t.precision, 4)}
                for rule, t in sorted(self.by_rule.items())
            },
            "statistics_left_out": self.statistics,
        }


def _tally(
    text: str, gold: Sequence[Claim], predicted: Sequence[Claim], into: dict[str, Score]
) -> None:
    for role in ROLES:
        ours = {p for c in predicted if (p := predicted_part(c, role))}
        theirs = {g for c in gold if (g := gold_part(c, role))}
        for mode in MODES:
            into[f"{role}_{mode}"].add(score_parts(text, ours, theirs, exact=mode == "exact"))


def score_parts(
    text: str, predicted: Iterable[Range], gold: Iterable[Fragments], *, exact: bool
) -> Score:
    """One document's counts for one role: its distinct predicted ranges against its distinct
    gold parts."""
    ours, theirs = set(predicted), set(gold)
    return Score(
        matched_predicted=sum(any(matches(text, p, g, exact=exact) for g in theirs) for p in ours),
        predicted=len(ours),
        matched_gold=sum(any(matches(text, p, g, exact=exact) for p in ours) for g in theirs),
        gold=len(theirs),
    )


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or sentences) holding ``[start, end)``, on one line."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    first = max(b for b in bounds if b <= start)
    last = min((b for b in bounds if b >= end), default=len(text))
    return " ".join(text[first:last].split())


def _error(what: str, index: int, text: str, claim: Claim) -> ClaimError:
    cue = text[claim.cue.start : claim.cue.end].lower() if claim.cue else "(no cue)"
    return ClaimError(
        what, index, claim, sentence_around(text, claim.content.start, claim.content.end), cue
    )


def _quoted(text: str, part: Offsets | None) -> str:
    return repr(text[part.start : part.end]) if part is not None else "-"


def error_report(errors: Iterable[ClaimError], texts: Sequence[str]) -> str:
    """Missed gold claims and unmatched predictions with their sentence, grouped by cue
    (most frequent first): the list to improve the detector with."""
    groups: dict[str, list[ClaimError]] = defaultdict(list)
    for error in errors:
        groups[error.cue].append(error)
    lines: list[str] = []
    for cue, items in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        missed = sum(1 for e in items if e.what == "missed")
        lines.append(f"## cue {cue!r}: {missed} missed, {len(items) - missed} unmatched")
        for error in items:
            text = texts[error.doc]
            claim = error.claim
            show = partial(_quoted, text)
            lines.append(
                f"- {error.what} doc {error.doc} [{claim.kind.value}"
                + (f" {claim.rule}" if claim.rule else "")
                + f"] content {show(claim.content)} source {show(claim.source)}"
                + f" cue {show(claim.cue)}"
            )
            lines.append(f"  sentence: {error.sentence}")
        lines.append("")
    return "\n".join(lines)
