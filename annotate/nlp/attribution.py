"""A learned attribution model beside the rules: who said what, learnt from annotated claims.

The model is a spaCy NER over three labels — ``SOURCE``, ``CUE`` and ``CONTENT`` — with a
token-to-vector layer of its own that reads, besides the words, the base pipeline's parse
(fine tag and dependency label of every token): the features the published PARC systems use,
learnt instead of written. The base pipeline's own components stay frozen, so its entities and
parse are unchanged.

spaCy's NER never crosses a sentence boundary, and a content often does ("… 100 percent. It's
so simple," he said), so a content is learnt in per-sentence pieces and joined again when the
pieces follow each other. The NER writes ``doc.ents``, where the base pipeline's entities live:
two small components (:mod:`annotate.claims.learned`) set those aside before it runs and put
them back after, moving the model's roles to ``doc.spans["attribution"]``. The claim detector
(:mod:`annotate.claims.component`) then links the roles into claims.

Training data is claim gold in the export JSONL shape (what ``claimscope export`` writes and
``claimscope import`` reads, PolNeAR's ``polnear.py gold`` among them); see :func:`train`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import minibatch

from annotate.claims.component import RULES_VERSION, ClaimDetector
from annotate.claims.confidence import (
    Calibration,
    cue_key,
    features,
    fit,
    named_offsets,
    ranking_quality,
    tagged_contents,
)
from annotate.claims.learned import MODEL_META, ROLES, SPANS, SPANS_KEY, STASH, linked_claims
from annotate.claims.parse import kept_text
from annotate.claims.scores import ROLES as CLAIM_ROLES
from annotate.claims.scores import Score, matches, score_parts
from annotate.errors import ClaimscopeError, InputError
from annotate.nlp.attribution_model import (
    NER,
    TOK2VEC,
    ModelSettings,
    add_attribution,
    describe,
    read_info,
    save,
)
from annotate.nlp.doc_features import RULE_ROLES, rule_roles
from annotate.nlp.pipeline import LoadedPipeline

# Training data ---------------------------------------------------------------------------------


@dataclass(slots=True)
class GoldClaims:
    """One document's text and its claims' parts: (role, [(start, end), …]) per part."""

    text: str
    parts: list[tuple[str, list[tuple[int, int]]]]


def read_claim_gold(path: Path) -> list[GoldClaims]:
    """Claim gold in the export JSONL shape; a bad line is an :class:`InputError`."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ClaimscopeError(f"{path}: cannot read ({error.strerror})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            value = json.loads(line)
            text = value["text"]
            parts: list[tuple[str, list[tuple[int, int]]]] = []
            for claim in value.get("claims") or ():
                pieces = claim.get("content_parts") or [claim["content"]]
                parts.append(("CONTENT", [(int(p["start"]), int(p["end"])) for p in pieces]))
                for role, name in (("CUE", "cue"), ("SOURCE", "source")):
                    if claim.get(name):
                        parts.append((role, [(int(claim[name]["start"]), int(claim[name]["end"]))]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise InputError(
                where, f"not a claim gold record ({type(error).__name__}: {error})"
            ) from None
        if not isinstance(text, str) or not all(
            0 <= a < b <= len(text) for _, pieces in parts for a, b in pieces
        ):
            raise InputError(where, "a claim part lies outside the text")
        records.append(GoldClaims(text, parts))
    if not any(record.parts for record in records):
        raise InputError(str(path), "no claims in this gold: nothing to learn or score from")
    return records


def _sentence_pieces(doc: Doc, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Token ranges of ``[start, end)`` cut at sentence starts, without edge white space."""
    first = start
    for index in range(start, end + 1):
        if index == end or (index > first and doc[index].is_sent_start):
            a, b = first, index
            while a < b and doc[a].is_space:
                a += 1
            while b > a and doc[b - 1].is_space:
                b -= 1
            if a < b:
                yield a, b
            first = index


def examples(base: LoadedPipeline, records: Sequence[GoldClaims]) -> list[Example]:
    """Examples whose predicted docs carry the base pipeline's parse (its components are
    frozen, so they are parsed once) and whose references mark the roles, cut at the parse's
    sentence starts; overlapping parts keep the earlier, longer one."""
    found = []
    ours = ("ner", TOK2VEC, NER, RULE_ROLES, STASH, SPANS)
    names = [name for name in base.nlp.pipe_names if name not in ours]
    with base.nlp.select_pipes(enable=names):
        parsed = base.nlp.pipe((r.text for r in records), batch_size=16)
        for record, doc in zip(records, parsed, strict=True):
            ranges = []
            for role, pieces in record.parts:
                for a, b in pieces:
                    span = doc.char_span(a, b, alignment_mode="expand")
                    if span is not None:
                        pieces_of = _sentence_pieces(doc, span.start, span.end)
                        ranges += [(start, end, role) for start, end in pieces_of]
            ranges.sort(key=lambda r: (r[0], -r[1]))
            reference = base.nlp.make_doc(record.text)
            kept: list[Span] = []
            for start, end, role in ranges:
                if not kept or start >= kept[-1].end:
                    kept.append(Span(reference, start, end, label=role))
            reference.ents = kept
            doc.ents = []
            found.append(Example(doc, reference))
    return found


# Training ------------------------------------------------------------------------------------


@dataclass(slots=True)
class EpochReport:
    epoch: int
    loss: float
    #: Span F1 of the roles (``f`` and one per label).
    scores: dict[str, float]
    #: What chooses the epoch: :func:`claim_scores`.
    claims: dict[str, float]
    seconds: float


def train(
    base: LoadedPipeline,
    train_records: Sequence[GoldClaims],
    dev_records: Sequence[GoldClaims],
    out: Path,
    *,
    epochs: int = 12,
    settings: ModelSettings | None = None,
    seed: int = 0,
    data: dict[str, Any] | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> dict[str, Any]:
    """Train the attribution components on top of ``base`` (frozen), keep the epoch whose
    claims score best on the dev records (:func:`claim_scores`), calibrate its confidence on
    them, and save its weights at ``out`` (:func:`annotate.nlp.attribution_model.save`) with
    ``data`` (what it learnt from) in its description; returns the description."""
    settings = settings or ModelSettings()
    random.seed(seed)
    nlp = base.nlp
    frozen = list(nlp.pipe_names)
    started = time.perf_counter()
    training, dev = examples(base, train_records), examples(base, dev_records)
    if settings.rule_roles:  # the rules' roles are read, never learnt: mark them once
        for example in (*training, *dev):
            rule_roles(example.predicted)
    add_attribution(nlp, settings)
    components: dict[str, Any] = {name: nlp.get_pipe(name) for name in (TOK2VEC, NER)}
    sample = training[:200]
    components[TOK2VEC].initialize(lambda: sample, nlp=nlp)
    # Without its upstream's output a listener reads doc.tensor, which holds the base
    # pipeline's vectors here, of the base's width: initialise the NER on docs without them.
    bare = [Example(_without_tensor(eg.predicted), eg.reference) for eg in sample]
    components[NER].initialize(lambda: bare, nlp=nlp)
    optimizer = nlp.create_optimizer()  # type: ignore[no-untyped-call]
    skip = [*frozen, RULE_ROLES, STASH, SPANS]
    best: dict[str, float] = {}
    best_claims: dict[str, float] = {}
    best_epoch, weights = 0, {name: c.to_bytes() for name, c in components.items()}
    for epoch in range(epochs):
        random.shuffle(training)
        losses: dict[str, float] = {}
        for batch in minibatch(training, size=4):  # type: ignore[no-untyped-call]
            nlp.update(batch, sgd=optimizer, drop=0.1, exclude=skip, losses=losses)
        # the optimizer keeps a running average of the weights (the base pipeline's training
        # config asks for it, as spaCy's own training loop does): the average is scored and kept
        with nlp.use_params(optimizer.averages or {}):
            with nlp.select_pipes(enable=[TOK2VEC, NER]):
                marked = nlp.pipe(example.predicted.copy() for example in dev)
                done = [Example(doc, eg.reference) for eg, doc in zip(dev, marked, strict=True)]
            averaged = {name: c.to_bytes() for name, c in components.items()}
        raw = components[NER].score(done)
        scores = {"f": float(raw["ents_f"] or 0.0)}
        for label, tally in (raw.get("ents_per_type") or {}).items():
            scores[label] = float(tally["f"])
        claims = claim_scores(done, dev_records)
        if on_epoch is not None:
            seconds = time.perf_counter() - started
            on_epoch(EpochReport(epoch, losses.get(NER, 0.0), scores, claims, seconds))
        if not best_claims or claims["mean"] > best_claims["mean"]:
            best, best_claims, best_epoch = scores, claims, epoch
            weights = averaged
    for name, component in components.items():
        component.from_bytes(weights[name])
    settings_used = {
        **asdict(settings),
        "attrs": list(settings.attrs),
        # what the model read as the rules' roles: retrain when the rules change
        "rules_version": RULES_VERSION if settings.rule_roles else None,
        "epochs": epochs,
        "seed": seed,
    }
    info = trained_description(
        base, nlp, settings_used, (train_records, dev_records), data, best_epoch, best, best_claims
    )
    info["seconds"] = round(time.perf_counter() - started)
    nlp.meta[MODEL_META] = save(nlp, out, info)
    return nlp.meta[MODEL_META]  # type: ignore[no-any-return]


def trained_description(
    base: LoadedPipeline,
    nlp: Language,
    settings: dict[str, Any],
    records: tuple[Sequence[GoldClaims], Sequence[GoldClaims]],
    data: dict[str, Any] | None,
    best_epoch: int,
    span_f1: dict[str, float],
    claims_f1: dict[str, float],
) -> dict[str, Any]:
    """What a trained attribution model says of itself (``claimscope-attribution.json``): its
    base, ``settings``, the gold it learnt from and was chosen on (``records``: train, dev),
    its best epoch's figures, and its confidence, which this fits on the dev records with the
    model in ``nlp``."""
    train_records, dev_records = records
    calibration, quality = calibrate(nlp, dev_records)
    return {
        "base": {"name": base.name, "version": base.version},
        "settings": settings,
        "data": {
            **(data or {}),
            "train_documents": len(train_records),
            "train_claims": gold_claim_count(train_records),
            "dev_documents": len(dev_records),
            "dev_claims": gold_claim_count(dev_records),
        },
        "best_epoch": best_epoch + 1,
        "dev_span_f1": {key: round(value, 4) for key, value in span_f1.items()},
        # what chose the epoch: overlap F1 of the linked claims' roles, and their mean
        "dev_claims_f1": {key: round(value, 4) for key, value in claims_f1.items()},
        "calibration": {**calibration.to_dict(), "dev_ranking_auc_2fold": round(quality, 3)},
    }


def claim_scores(dev: Sequence[Example], records: Sequence[GoldClaims]) -> dict[str, float]:
    """Overlap F1 of the claims linked from the roles the model marked on ``dev`` (its
    predicted docs), per role (``content``, ``source``, ``cue``) and their ``mean``: what a
    model is judged on, roles scored as sets of spans, the way ``score_claims.py`` scores an
    export (:func:`annotate.claims.scores.score_parts`)."""
    docs = [example.predicted for example in dev]
    for doc in docs:
        doc.spans[SPANS_KEY] = [ent for ent in doc.ents if ent.label_ in ROLES]
    return linked_claim_scores(docs, records)


def linked_claim_scores(docs: Sequence[Doc], records: Sequence[GoldClaims]) -> dict[str, float]:
    """:func:`claim_scores` of docs whose roles are in ``doc.spans["attribution"]``."""
    tallies = {role: Score() for role in CLAIM_ROLES}
    for doc, record in zip(docs, records, strict=True):
        text = kept_text(doc)
        claims = linked_claims(doc)
        for role, tally in tallies.items():
            found = [(part.start, part.end) for c in claims if (part := getattr(c, role))]
            golds = (tuple(sorted(pieces)) for name, pieces in record.parts if name == role.upper())
            tally.add(score_parts(text, found, golds, exact=False))
    scores = {role: tally.f1 for role, tally in tallies.items()}
    scores["mean"] = sum(scores.values()) / len(tallies)
    return scores


def _without_tensor(doc: Doc) -> Doc:
    copy = doc.copy()
    copy.tensor = numpy.zeros((0,), dtype="float32")
    return copy


def gold_claim_count(records: Sequence[GoldClaims]) -> int:
    return sum(1 for record in records for role, _ in record.parts if role == "CONTENT")


def calibrate(nlp: Language, records: Sequence[GoldClaims]) -> tuple[Calibration, float]:
    """Fit the confidence of the model's claims (:mod:`annotate.claims.confidence`) on
    ``records``; returns it with how well it ranks the claims of documents it was not fitted
    on (area under the ROC curve, two folds by document)."""
    detector = ClaimDetector(nlp, use="model")
    samples: list[tuple[int, dict[str, float], str, bool]] = []
    for index, (record, doc) in enumerate(
        zip(records, nlp.pipe(r.text for r in records), strict=True)
    ):
        ruled = detector.ruled_claims(doc)
        golds = [tuple(pieces) for role, pieces in record.parts if role == "CONTENT"]
        text, named, tagged = kept_text(doc), named_offsets(doc), tagged_contents(doc)
        for claim in linked_claims(doc):
            span = (claim.content.start, claim.content.end)
            right = any(matches(text, span, gold, exact=False) for gold in golds)
            found = features(doc, claim, ruled, named, tagged)
            samples.append((index, found, cue_key(doc, claim), right))
    scored: list[tuple[float, bool]] = []
    for fold in (0, 1):
        fitted = fit([(f, k, ok) for i, f, k, ok in samples if i % 2 != fold])
        for i, found, key, ok in samples:
            if i % 2 == fold:
                values = {**found, "cue_word": fitted.cue_log_odds.get(key, 0.0)}
                score = fitted.bias + sum(fitted.weights[n] * v for n, v in values.items())
                scored.append((score, ok))
    return fit([(f, k, ok) for _, f, k, ok in samples]), ranking_quality(scored)


def recalibrate(
    loaded: LoadedPipeline, folder: Path, records: Sequence[GoldClaims], gold_name: str
) -> dict[str, Any]:
    """Fit the confidence of the model in ``folder`` (attached to ``loaded``) again on
    ``records`` — the features as they are now, the weights untouched — and write it into the
    model's description; returns the description written."""
    info = read_info(folder)
    calibration, quality = calibrate(loaded.nlp, records)
    info["calibration"] = {
        **calibration.to_dict(),
        "dev_ranking_auc_2fold": round(quality, 3),
        "fitted_on": {
            "gold": gold_name,
            "documents": len(records),
            "claims": gold_claim_count(records),
        },
    }
    return describe(folder, info)


def model_summary(path: Path) -> dict[str, Any]:
    """What a trained attribution model says about its training."""
    return read_info(path)
