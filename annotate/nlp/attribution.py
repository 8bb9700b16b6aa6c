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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import minibatch

from annotate.claims.learned import MODEL_COMPONENT, SPANS, STASH
from annotate.errors import ClaimscopeError, InputError
from annotate.nlp.pipeline import LoadedPipeline

TOK2VEC = "attr_tok2vec"
NER = MODEL_COMPONENT


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The attribution model's size (the defaults are what the shipped model was trained
    with)."""

    width: int = 96
    depth: int = 6
    #: Tokens each convolution layer sees on either side (depth × window in all).
    window: int = 1
    hidden: int = 64


def add_attribution(nlp: Language, settings: ModelSettings = ModelSettings()) -> None:
    """Add the (untrained) attribution components after the base pipeline's."""
    nlp.add_pipe(STASH)
    nlp.add_pipe(
        "tok2vec",
        name=TOK2VEC,
        config={
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": settings.width,
                    "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP"],
                    "rows": [5000, 1000, 2500, 2500, 500, 200],
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": settings.width,
                    "depth": settings.depth,
                    "window_size": settings.window,
                    "maxout_pieces": 3,
                },
            }
        },
    )
    nlp.add_pipe(
        "ner",
        name=NER,
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": settings.hidden,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": {
                    "@architectures": "spacy.Tok2VecListener.v1",
                    "width": settings.width,
                    "upstream": TOK2VEC,
                },
            }
        },
    )
    nlp.add_pipe(SPANS)
    nlp._link_components()  # the NER listens to its own tok2vec


def has_attribution(nlp: Language) -> bool:
    return NER in nlp.pipe_names


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
    ours = ("ner", TOK2VEC, NER, STASH, SPANS)
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
    scores: dict[str, float]
    seconds: float


def train(
    base: LoadedPipeline,
    train_records: Sequence[GoldClaims],
    dev_records: Sequence[GoldClaims],
    out: Path,
    *,
    epochs: int = 14,
    settings: ModelSettings = ModelSettings(),
    seed: int = 0,
    claims_from: str = "both",
    on_epoch: Callable[[EpochReport], None] | None = None,
) -> dict[str, float]:
    """Train the attribution components on top of ``base`` (frozen) and save the whole
    pipeline at ``out`` after each epoch that scores best on the dev records (span F1 of the
    three roles), with the claim detector set to take its claims from ``claims_from``;
    returns the best scores."""
    random.seed(seed)
    nlp = base.nlp
    frozen = list(nlp.pipe_names)
    started = time.perf_counter()
    training, dev = examples(base, train_records), examples(base, dev_records)
    add_attribution(nlp, settings)
    for name in (TOK2VEC, NER):
        component: Any = nlp.get_pipe(name)
        component.initialize(lambda: training[:200], nlp=nlp)
    optimizer = nlp.create_optimizer()  # type: ignore[no-untyped-call]
    skip = [*frozen, STASH, SPANS]
    best: dict[str, float] = {}
    for epoch in range(epochs):
        random.shuffle(training)
        losses: dict[str, float] = {}
        for batch in minibatch(training, size=4):  # type: ignore[no-untyped-call]
            nlp.update(batch, sgd=optimizer, drop=0.1, exclude=skip, losses=losses)
        with nlp.select_pipes(enable=[TOK2VEC, NER]):
            raw = nlp.evaluate(dev)
        scores = {"f": float(raw["ents_f"] or 0.0)}
        for label, tally in (raw.get("ents_per_type") or {}).items():
            scores[label] = float(tally["f"])
        if on_epoch is not None:
            on_epoch(
                EpochReport(epoch, losses.get(NER, 0.0), scores, time.perf_counter() - started)
            )
        if not best or scores["f"] > best["f"]:
            best = scores
            nlp.meta["claimscope_attribution"] = {
                "epoch": epoch,
                "dev": scores,
                "settings": {
                    "width": settings.width,
                    "depth": settings.depth,
                    "window": settings.window,
                    "hidden": settings.hidden,
                    "epochs": epochs,
                    "seed": seed,
                },
            }
            nlp.to_disk(out)
            _add_detector(out, claims_from)
    return best


def _add_detector(out: Path, claims_from: str) -> None:
    """The saved pipeline with the claim detector at its end, taking claims as chosen."""
    import spacy

    from annotate.claims.detected import CLAIMS_COMPONENT

    saved = spacy.load(out)
    if CLAIMS_COMPONENT not in saved.pipe_names:
        saved.add_pipe(CLAIMS_COMPONENT, config={"use": claims_from})
    saved.to_disk(out)


def model_summary(path: Path) -> dict[str, Any]:
    """What a trained attribution pipeline says about its training (``meta.json``)."""
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    summary: dict[str, Any] = meta.get("claimscope_attribution", {})
    return summary
