"""How far to trust a suggested claim: a number between 0 and 1 and the reasons for it.

A rule's claim is as trustworthy as the rule has been: its confidence is the rule's measured
precision on development data (``rule_precision.json``, written by ``bench/claims.py
--rule-precision``). A learned model's claim is scored by a small logistic regression
(:class:`Calibration`) over features anyone can read: whether the rules found the same claim,
whether it has a cue and a source, whether the source is a named entity or a pronoun, whether
the content is a quotation, how long it is, how often claims with the same cue word were
right, and, where the model says (the encoder model does), how sure it was of the content it
marked. It is fitted on the model's own claims on the development split it was chosen on
(:func:`fit`), so its figure estimates the chance that the claim's content is right (overlaps a
gold content by half or more).

The figure ranks claims for review; it is not a guarantee. What the calibration was fitted on
and how well it ranks are in the model's ``claimscope-attribution.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from annotate.claims.detected import DetectedClaim
from annotate.claims.learned import PROBABILITIES, SPANS_KEY
from annotate.claims.parse import _text

RULE_PRECISION = Path(__file__).with_name("rule_precision.json")
_PRONOUNS = frozenset(
    ["i", "you", "he", "she", "it", "we", "they", "him", "her", "us", "them", "one"]
)
_NAMED = frozenset({"PERSON", "ORG", "GPE", "NORP"})
NO_CUE = "<none>"

#: The features, in order, with what each means to a reader.
FEATURES: dict[str, str] = {
    "rules_agree": "the rules found this claim too",
    "no_cue": "no cue",
    "no_source": "no source",
    "source_pronoun": "the source is a pronoun",
    "source_named": "the source is a named person, organisation or place",
    "quotation": "the content is a quotation",
    "cue_apart": "the cue is in another sentence and the content is no quotation",
    "short": "the content is under four words",
    "length": "the content's length",
    "cue_word": "claims with this cue word were often right",
    "tagged": "the model was sure of the content",
}


@dataclass(frozen=True, slots=True)
class Calibration:
    """A logistic regression over :data:`FEATURES`; ``cue_log_odds`` maps a cue's lemmas to
    how often the model's claims with that cue were right (smoothed log odds)."""

    bias: float
    weights: dict[str, float]
    cue_log_odds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"bias": self.bias, "weights": self.weights, "cue_log_odds": self.cue_log_odds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        weights = {name: float(data["weights"].get(name, 0.0)) for name in FEATURES}
        odds = {str(k): float(v) for k, v in (data.get("cue_log_odds") or {}).items()}
        return cls(float(data["bias"]), weights, odds)


def cue_key(doc: Doc, claim: DetectedClaim) -> str:
    """The lemma of the cue's head word, lower-cased (``<none>`` without a cue): ``say`` for
    "has said", ``accord`` for "according to"."""
    if claim.cue is None:
        return NO_CUE
    span = doc.char_span(claim.cue.start, claim.cue.end, alignment_mode="expand")
    if span is None or not len(span):
        return NO_CUE
    return span.root.lemma_.lower() or NO_CUE


def named_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Where ``doc``'s named people, organisations, places and groups are (read once per
    document: ``doc.ents`` builds a span per entity on each read)."""
    return [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ in _NAMED]


def tagged_contents(doc: Doc) -> list[tuple[int, int, float]]:
    """Where the model marked contents in ``doc`` and how sure it was of each (read once per
    document); empty for a model that does not say (the small spaCy model)."""
    group = doc.spans.get(SPANS_KEY)
    probabilities = group.attrs.get(PROBABILITIES) if group is not None else None
    if group is None or not probabilities or len(probabilities) != len(group):
        return []  # none, or the group was changed after the model marked it
    return [
        (span.start_char, span.end_char, float(probability))
        for span, probability in zip(group, probabilities, strict=True)
        if span.label_ == "CONTENT"
    ]


def features(
    doc: Doc,
    claim: DetectedClaim,
    ruled: Sequence[DetectedClaim],
    named: Sequence[tuple[int, int]],
    tagged: Sequence[tuple[int, int, float]] = (),
) -> dict[str, float]:
    """The claim's features (all in [0, 1] but ``cue_word``, filled in by the caller);
    ``named`` is :func:`named_offsets` of ``doc``, ``tagged`` its :func:`tagged_contents`
    (``tagged`` is 0 without them)."""
    text = _text(doc)
    source = claim.source
    source_text = text[source.start : source.end].lower() if source is not None else ""
    words = len(text[claim.content.start : claim.content.end].split())
    quotation = text[claim.content.start : claim.content.start + 1] in "\"“‘'"
    return {
        "rules_agree": float(any(_shares_half(claim, other) for other in ruled)),
        "no_cue": float(claim.cue is None),
        "no_source": float(source is None),
        "source_pronoun": float(source_text in _PRONOUNS),
        "source_named": float(
            source is not None
            and any(start < source.end and end > source.start for start, end in named)
        ),
        "quotation": float(quotation),
        "cue_apart": float(not quotation and _cue_apart(doc, claim)),
        "short": float(words < 4),
        "length": math.log1p(words) / 4,
        "cue_word": 0.0,
        "tagged": _mean_inside(tagged, claim.content.start, claim.content.end),
    }


def _mean_inside(tagged: Sequence[tuple[int, int, float]], start: int, end: int) -> float:
    inside = [probability for a, b, probability in tagged if start <= a and b <= end]
    return sum(inside) / len(inside) if inside else 0.0


def _cue_apart(doc: Doc, claim: DetectedClaim) -> bool:
    """Whether the claim's cue lies in a sentence its content does not touch."""
    if claim.cue is None or not doc.has_annotation("SENT_START"):
        return False
    cue = doc.char_span(claim.cue.start, claim.cue.end, alignment_mode="expand")
    if cue is None or not len(cue):
        return False
    sentence = cue[0].sent
    return sentence.end_char <= claim.content.start or sentence.start_char >= claim.content.end


def _shares_half(claim: DetectedClaim, other: DetectedClaim) -> bool:
    a, b = claim.content, other.content
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0 and shared >= 0.5 * min(a.end - a.start, b.end - b.start)


def model_confidence(
    calibration: Calibration,
    doc: Doc,
    claim: DetectedClaim,
    ruled: Sequence[DetectedClaim],
    named: Sequence[tuple[int, int]],
    tagged: Sequence[tuple[int, int, float]] = (),
) -> tuple[float, str]:
    """The claim's confidence and a short why: the two features that moved it most."""
    values = features(doc, claim, ruled, named, tagged)
    values["cue_word"] = calibration.cue_log_odds.get(cue_key(doc, claim), 0.0)
    pushes = {name: calibration.weights[name] * value for name, value in values.items()}
    score = calibration.bias + sum(pushes.values())
    confidence = 1.0 / (1.0 + math.exp(-score))
    strongest = sorted((p for p in pushes.items() if p[1]), key=lambda p: -abs(p[1]))[:2]
    reasons = ", ".join(f"{'+' if push > 0 else '−'} {FEATURES[name]}" for name, push in strongest)
    return confidence, reasons


def fit(
    samples: Sequence[tuple[dict[str, float], str, bool]], *, l2: float = 1.0, min_seen: int = 3
) -> Calibration:
    """Fit a :class:`Calibration` to ``(features, cue key, was right)`` samples: smoothed log
    odds of each cue word seen ``min_seen`` times or more (the rest count as average), then an
    L2-regularised logistic regression by Newton's method."""
    import numpy

    if not samples:
        return Calibration(0.0, dict.fromkeys(FEATURES, 0.0))
    base = sum(right for _, _, right in samples) / len(samples)
    base = min(max(base, 0.05), 0.95)
    tallies: dict[str, list[int]] = {}
    for _, key, right in samples:
        tally = tallies.setdefault(key, [0, 0])
        tally[0] += int(right)
        tally[1] += 1
    odds = {
        key: math.log((hits + 2 * base) / (total - hits + 2 * (1 - base)))
        for key, (hits, total) in tallies.items()
        if total >= min_seen
    }
    names = list(FEATURES)
    rows = []
    for values, key, _ in samples:
        row = [1.0] + [values[name] for name in names]
        row[1 + names.index("cue_word")] = odds.get(key, 0.0)
        rows.append(row)
    x = numpy.array(rows)
    y = numpy.array([float(right) for _, _, right in samples])
    w = numpy.zeros(x.shape[1])
    penalty = l2 * numpy.eye(len(w))
    # the bias is barely shrunk: only so that samples all right (or all wrong), whose odds
    # grow without end, still leave a solvable step
    penalty[0, 0] = 1e-3
    for _ in range(50):
        p = 1.0 / (1.0 + numpy.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x.T * (p * (1 - p))) @ x + penalty
        try:
            step = numpy.linalg.solve(hessian, gradient)
        except numpy.linalg.LinAlgError:  # no curvature left to follow: keep what we have
            break
        w -= step
        if float(numpy.abs(step).max()) < 1e-8:
            break
    weights = {name: round(float(value), 4) for name, value in zip(names, w[1:], strict=True)}
    rounded = {key: round(value, 4) for key, value in sorted(odds.items())}
    return Calibration(round(float(w[0]), 4), weights, rounded)


def ranking_quality(scored: Sequence[tuple[float, bool]]) -> float:
    """The area under the ROC curve: the chance that a right claim outranks a wrong one."""
    right = [score for score, ok in scored if ok]
    wrong = [score for score, ok in scored if not ok]
    if not right or not wrong:
        return 0.5
    ordered = sorted(scored, key=lambda item: item[0])
    rank_sum, index = 0.0, 0
    while index < len(ordered):
        end = index
        while end < len(ordered) and ordered[end][0] == ordered[index][0]:
            end += 1
        mean_rank = (index + 1 + end) / 2
        rank_sum += mean_rank * sum(1 for _, ok in ordered[index:end] if ok)
        index = end
    return (rank_sum - len(right) * (len(right) + 1) / 2) / (len(right) * len(wrong))


@cache
def rule_precision(path: Path = RULE_PRECISION) -> dict[str, float]:
    """Each rule's measured precision (content overlap) on development data."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(rule): float(value) for rule, value in data["precision"].items()}


def rule_confidence(claim: DetectedClaim) -> tuple[float, str] | None:
    """A rule claim's confidence: its rule's measured precision, when it was measured."""
    table = rule_precision()
    precision = table.get(claim.rule)
    if precision is None:
        return None
    return precision, f"rule {claim.rule} was right {precision:.0%} of the time on dev data"
