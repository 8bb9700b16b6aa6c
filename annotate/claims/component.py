"""The claim detector as a spaCy pipeline component, configurable and serialisable like spaCy's
``entity_ruler``.

``nlp.add_pipe("claimscope_claims", config={"rules": {"hedges": False}})`` adds it; its config
switches rule families (:data:`annotate.claims.detector.RULE_FAMILIES`) on or off. Its cue
words are data, as ``entity_ruler``'s patterns are: a lexicon file extending the built-in one
is given to ``initialize`` (``[initialize.components.claimscope_claims] lexicon = "cues.json"``)
or to :meth:`ClaimDetector.use_lexicon`. ``to_disk`` writes the switches and the lexicon's
extension into the pipeline's folder, so a trained or packaged pipeline carries its rules and
its cue words with it (the file is not needed again), and ``from_disk`` reads them back. Its
claims go to ``doc.spans["claims"]``: one span per claim over its content (labelled with its
kind), and, in the group's ``attrs["claims"]``, each claim whole (source, cue, content pieces,
the rule that found it and why), so nothing is lost on the way between processes. Its
``version`` (a hash of the rules' version, the switches, the built-in lexicon and its
extension) goes into the run's origin, so changing a rule or a cue word re-annotates with
``--only-new``.

The component makes its own lexicon the active one while it runs: two pipelines with
different lexicons in one process (a Dask worker serving several runs) never mix them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from annotate.claims import lexicon as lexicons
from annotate.claims.confidence import (
    Calibration,
    model_confidence,
    named_offsets,
    rule_confidence,
    tagged_contents,
)
from annotate.claims.detected import CLAIMS_COMPONENT, DetectedClaim
from annotate.claims.detector import RULE_FAMILIES, detect_claims, spancat_claims
from annotate.claims.learned import LINKING_VERSION, MODEL_META, linked_claims
from annotate.claims.scores import ClaimScores
from annotate.errors import ClaimscopeError
from annotate.model import Claim, OriginKind, SpanStatus
from annotate.nlp.doc_features import rule_claims_on

#: Where the component puts its claims.
CLAIMS_KEY = "claims"
#: Bump when a rule changes what it finds: the origin changes with it, so ``--only-new``
#: runs the new rules over documents the old ones annotated.
RULES_VERSION = "2026-12-06.5"
_CFG = "cfg.json"
COMBINATION = Path(__file__).with_name("combination.json")
_LEXICON = "lexicon.json"


@Language.factory(
    CLAIMS_COMPONENT,
    default_config={
        "use": "rules",
        "rules": dict.fromkeys(RULE_FAMILIES, True),
        "scorer": {"@scorers": "claimscope.claims_scorer.v1"},
    },
    assigns=["doc.spans"],
    default_score_weights={"claims_content_f": 1.0, "claims_source_f": 0.0, "claims_cue_f": 0.0},
)
def make_claim_detector(
    nlp: Language,
    name: str,
    use: str,
    rules: dict[str, bool],
    scorer: Callable[..., dict[str, Any]] | None,
) -> ClaimDetector:
    return ClaimDetector(nlp, name, use=use, rules=rules, scorer=scorer)


class ClaimDetector:
    """The rules (and a trained span categorizer's claims) over each parsed Doc."""

    def __init__(
        self,
        nlp: Language,
        name: str = CLAIMS_COMPONENT,
        *,
        use: str = "rules",
        rules: dict[str, bool] | None = None,
        scorer: Callable[..., dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.nlp = nlp
        self.use = _mode(use)
        self.rules = _switches(rules or {})
        self.extension: dict[str, Any] | None = None
        self.scorer = scorer
        self.lexicon = lexicons.built_in()
        self._calibration: tuple[int, Calibration] | None = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]] | None = None,
        *,
        nlp: Language | None = None,
        lexicon: str | None = None,
    ) -> None:
        """Take the cue words of the lexicon file ``lexicon`` (extending the built-in)."""
        if lexicon:
            self.use_lexicon(Path(lexicon))

    @property
    def enabled(self) -> frozenset[str]:
        return frozenset(name for name, on in self.rules.items() if on)

    @property
    def version(self) -> str:
        """Eight hex digits that change with the rules' version, the switches or the lexicon."""
        identity = {
            "rules": RULES_VERSION,
            "on": sorted(self.enabled),
            "use": self.use,
            "built_in": _built_in_digest(),
            "lexicon": self.extension,
        }
        if self.use != "rules":
            identity["linking"] = LINKING_VERSION
        if self.use == "both":
            identity["combination"] = combination()
        digest = hashlib.sha1(orjson.dumps(identity, option=orjson.OPT_SORT_KEYS))
        return digest.hexdigest()[:8]

    def __call__(self, doc: Doc) -> Doc:
        ruled = self.ruled_claims(doc)
        if self.use == "rules":
            found = [_rule_scored(claim) for claim in ruled]
        else:
            # the rules run in "model" mode too: whether they agree is part of a model
            # claim's confidence
            calibration = self.calibration  # read once: the pipeline's meta is rebuilt per read
            named, tagged = named_offsets(doc), tagged_contents(doc)
            found = [
                self._scored(doc, claim, ruled, calibration, named, tagged)
                for claim in linked_claims(doc)
            ]
            if self.use == "both":
                found = combined(found, [_rule_scored(claim) for claim in ruled])
        set_claims(doc, sorted(found, key=lambda c: (c.content.start, c.content.end)))
        return doc

    def ruled_claims(self, doc: Doc) -> list[DetectedClaim]:
        """The rules' claims (and a trained span categorizer's): those the attribution model
        read as features when they are what this detector would find, else found now."""
        with lexicons.using(self.lexicon):
            found = rule_claims_on(doc)
            plain = self.extension is None and self.enabled == frozenset(RULE_FAMILIES)
            ruled = found if found is not None and plain else detect_claims(doc, self.enabled)
            ruled += spancat_claims(doc, ruled)
        return ruled

    @property
    def calibration(self) -> Calibration | None:
        """The attribution model's calibration, which it carries in the pipeline's meta."""
        data = (self.nlp.meta.get(MODEL_META) or {}).get("calibration")
        if not data:
            return None
        key = id(data)
        if self._calibration is None or self._calibration[0] != key:
            self._calibration = (key, Calibration.from_dict(data))
        return self._calibration[1]

    @staticmethod
    def _scored(
        doc: Doc,
        claim: DetectedClaim,
        ruled: list[DetectedClaim],
        calibration: Calibration | None,
        named: list[tuple[int, int]],
        tagged: list[tuple[int, int, float]],
    ) -> DetectedClaim:
        if calibration is None:
            return claim
        confidence, reasons = model_confidence(calibration, doc, claim, ruled, named, tagged)
        claim.confidence = round(confidence, 3)
        claim.explanation += f"; confidence {confidence:.2f} ({reasons})"
        return claim

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        return (self.scorer or score_claims)(examples, **kwargs)

    # Serialisation, as spaCy's own components do it -------------------------------------

    def choose(self, use: str) -> None:
        """Take claims from the rules, the model or both from now on (see :data:`MODES`)."""
        self.use = _mode(use)

    def use_lexicon(self, path: Path) -> None:
        """Extend the built-in lexicon with the file at ``path`` instead."""
        state = self._state()
        state["lexicon"] = lexicons.read_extension(path)
        self._load_state(state)

    def _state(self) -> dict[str, Any]:
        return {"use": self.use, "rules": self.rules, "lexicon": self.extension}

    def _load_state(self, state: dict[str, Any]) -> ClaimDetector:
        self.use = _mode(state.get("use") or self.use)
        self.rules = _switches(state.get("rules") or {})
        self.extension = state.get("lexicon")
        self.lexicon = lexicons.load_extension(self.extension)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return bytes(srsly.msgpack_dumps(self._state()))

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> ClaimDetector:
        return self._load_state(srsly.msgpack_loads(data))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        cfg = {"use": self.use, "rules": self.rules}
        (folder / _CFG).write_bytes(orjson.dumps(cfg, option=orjson.OPT_INDENT_2))
        if self.extension is not None:
            (folder / _LEXICON).write_bytes(
                orjson.dumps(self.extension, option=orjson.OPT_INDENT_2)
            )

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimDetector:
        folder = Path(path)
        cfg = orjson.loads((folder / _CFG).read_bytes()) if (folder / _CFG).exists() else {}
        extension = (
            lexicons.read_extension(folder / _LEXICON) if (folder / _LEXICON).exists() else None
        )
        return self._load_state(
            {"use": cfg.get("use"), "rules": cfg.get("rules"), "lexicon": extension}
        )


@cache
def _built_in_digest() -> str:
    """The built-in lexicon's own version: an edit to ``lexicon.json`` changes the origin."""
    return hashlib.sha1(lexicons.BUILT_IN.read_bytes()).hexdigest()


#: Where claims come from: the rules, a learned attribution model in the pipeline
#: (:mod:`annotate.nlp.attribution`), or both (:func:`combined`: the more confident of claims
#: that share their content).
MODES = ("rules", "model", "both")


def _mode(use: str) -> str:
    if use not in MODES:
        raise ClaimscopeError(f"claims from {use!r}: choose one of {', '.join(MODES)}")
    return use


@cache
def combination() -> dict[str, float]:
    """How ``both`` combines rules and model (``combination.json``, a data file)."""
    data = orjson.loads(COMBINATION.read_bytes())
    return {key: float(data[key]) for key in ("model_floor", "unknown_confidence")}


def combined(modelled: list[DetectedClaim], ruled: list[DetectedClaim]) -> list[DetectedClaim]:
    """The model's and the rules' claims together: most confident first, a claim that shares
    most of its content with one already kept is left out, and so is a model claim under the
    floor (``combination.json``)."""
    settings = combination()

    def confidence(claim: DetectedClaim) -> float:
        known = claim.confidence
        return settings["unknown_confidence"] if known is None else known

    kept: list[DetectedClaim] = []
    learnt = {id(claim) for claim in modelled}
    ordered = sorted(
        [*modelled, *ruled],
        key=lambda c: (-confidence(c), c.content.start, c.content.end, c.rule),
    )
    for claim in ordered:
        if id(claim) in learnt and confidence(claim) < settings["model_floor"]:
            continue
        if not _covered(claim, kept):
            kept.append(claim)
    return kept


def _rule_scored(claim: DetectedClaim) -> DetectedClaim:
    """A rule claim with its rule's measured precision as its confidence."""
    if claim.confidence is None and not claim.rule.startswith("model."):
        scored = rule_confidence(claim)
        if scored is not None:
            claim.confidence = round(scored[0], 3)
    return claim


def _covered(claim: DetectedClaim, others: list[DetectedClaim]) -> bool:
    """Whether another claim already holds most of ``claim``'s content."""
    a = claim.content
    for other in others:
        b = other.content
        shared = min(a.end, b.end) - max(a.start, b.start)
        if shared > 0 and shared >= 0.5 * min(a.end - a.start, b.end - b.start):
            return True
    return False


def _switches(rules: dict[str, bool]) -> dict[str, bool]:
    unknown = sorted(set(rules) - set(RULE_FAMILIES))
    if unknown:
        raise ClaimscopeError(
            f"unknown claim rule famil{'ies' if len(unknown) > 1 else 'y'} "
            f"{', '.join(unknown)}: the families are {', '.join(RULE_FAMILIES)}"
        )
    return {name: bool(rules.get(name, True)) for name in RULE_FAMILIES}


def set_claims(doc: Doc, claims: list[DetectedClaim]) -> None:
    """Put ``claims`` on ``doc``: content spans labelled with their kind in
    ``doc.spans["claims"]``, each claim whole in the group's ``attrs["claims"]``."""
    spans = []
    for claim in claims:
        span = doc.char_span(
            claim.content.start, claim.content.end, label=claim.kind.value, alignment_mode="expand"
        )
        if span is not None:
            spans.append(span)
    doc.spans[CLAIMS_KEY] = spans
    doc.spans[CLAIMS_KEY].attrs["claims"] = [claim.to_dict() for claim in claims]


def claims_on(doc: Doc) -> list[DetectedClaim] | None:
    """The claims the component left on ``doc``, or None when it did not run."""
    group = doc.spans.get(CLAIMS_KEY)
    if group is None or "claims" not in group.attrs:
        return None
    return [DetectedClaim.from_dict(item) for item in group.attrs["claims"]]


def claims_from_doc(doc: Doc) -> list[DetectedClaim]:
    """The claims the pipeline component left on ``doc`` (or the rules' claims, found now)."""
    found = claims_on(doc)
    return found if found is not None else detect_claims(doc)


def as_claim(detected: DetectedClaim) -> Claim:
    """A detected claim as a stored claim would be (for scoring)."""
    return Claim(
        0,
        "",
        detected.content,
        detected.kind,
        "detector",
        OriginKind.MODEL,
        SpanStatus.SUGGESTED,
        source=detected.source,
        cue=detected.cue,
        content_parts=detected.content_parts,
        rule=detected.rule,
    )


def score_claims(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """Overlap precision, recall and F1 of content, source and cue against the reference
    docs' ``doc.spans["claims"]`` (the project's scoring rule: :mod:`annotate.claims.scores`)."""
    scores = ClaimScores()
    for index, example in enumerate(examples):
        gold = claims_on(example.reference) or []
        predicted = claims_from_doc(example.predicted)
        scores.add_document(
            index,
            example.reference.text,
            [as_claim(c) for c in gold],
            [as_claim(c) for c in predicted],
        )
    result: dict[str, Any] = {}
    for role in ("content", "source", "cue"):
        tally = scores.overall[f"{role}_overlap"]
        result[f"claims_{role}_p"] = tally.precision
        result[f"claims_{role}_r"] = tally.recall
        result[f"claims_{role}_f"] = tally.f1
    return result


def make_claims_scorer() -> Callable[..., dict[str, Any]]:
    return score_claims


registry.scorers.register("claimscope.claims_scorer.v1", func=make_claims_scorer)
