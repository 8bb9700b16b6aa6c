"""A suggestion's confidence: the calibration's fit and ranking, a rule claim's confidence from
its rule's measured precision, and the field kept through import, the store and export."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from spacy.tokens import Span

from annotate.claims.confidence import (
    FEATURES,
    Calibration,
    features,
    fit,
    model_confidence,
    named_offsets,
    ranking_quality,
    rule_confidence,
    rule_precision,
    tagged_contents,
)
from annotate.claims.detected import DetectedClaim
from annotate.claims.learned import PROBABILITIES, SPANS_KEY
from annotate.model import ClaimKind, Offsets
from annotate.nlp.pipeline import load_pipeline
from tests.conftest import run_cli


def test_ranking_quality_is_the_chance_a_right_claim_outranks_a_wrong_one() -> None:
    assert ranking_quality([(0.9, True), (0.1, False)]) == 1.0
    assert ranking_quality([(0.1, True), (0.9, False)]) == 0.0
    assert ranking_quality([(0.5, True), (0.5, False)]) == 0.5  # ties count half
    assert ranking_quality([(0.9, True), (0.4, False), (0.6, True), (0.7, False)]) == 0.75
    assert ranking_quality([(0.9, True)]) == 0.5  # nothing to rank against


def test_the_fit_learns_which_features_make_a_claim_right() -> None:
    chosen = random.Random(4)
    samples = []
    for _ in range(600):
        values = dict.fromkeys(FEATURES, 0.0)
        values["rules_agree"] = float(chosen.random() < 0.5)
        values["no_cue"] = float(chosen.random() < 0.3)
        cue = chosen.choice(["say", "tell", "know"])
        chance = 0.2 + 0.6 * values["rules_agree"] - 0.15 * values["no_cue"]
        chance += {"say": 0.15, "tell": 0.0, "know": -0.15}[cue]
        samples.append((values, cue, chosen.random() < chance))
    fitted = fit(samples)
    assert fitted.weights["rules_agree"] > 1.5 and fitted.weights["no_cue"] < 0
    assert fitted.cue_log_odds["say"] > fitted.cue_log_odds["tell"] > fitted.cue_log_odds["know"]
    assert fitted.weights["cue_word"] > 0
    again = Calibration.from_dict(json.loads(json.dumps(fitted.to_dict())))
    assert again == fitted
    rare = fit([*samples, (dict.fromkeys(FEATURES, 0.0), "whisper", True)])
    assert "whisper" not in rare.cue_log_odds  # seen once: counts as average


@pytest.mark.parametrize("right", [True, False])
def test_the_fit_survives_samples_all_right_or_all_wrong(right: bool) -> None:
    """A small development set where every claim was right (or wrong) has no finite best
    bias: the fit stops with a confident calibration instead of failing (train-claims on a
    tiny corpus once ended in "LinAlgError: Singular matrix")."""
    samples = [(dict.fromkeys(FEATURES, 0.0), "say", right) for _ in range(40)]
    fitted = fit(samples)
    values = dict.fromkeys(FEATURES, 0.0)
    confidence = 1.0 / (1.0 + math.exp(-fitted.bias))
    assert (confidence > 0.9) if right else (confidence < 0.1)
    assert fitted.weights.keys() == values.keys()


def test_a_model_claim_is_scored_and_explained() -> None:
    doc = load_pipeline(attribution=False).nlp("Ann Lee said that the talks had failed.")
    claim = DetectedClaim(
        content=Offsets(13, 38),
        kind=ClaimKind.REPORTED,
        rule="model.attribution",
        explanation="",
        source=Offsets(0, 7),
        cue=Offsets(8, 12),
    )
    agreeing = DetectedClaim(Offsets(18, 38), ClaimKind.REPORTED, "speech_verb.ccomp", "")
    calibration = Calibration(
        -1.0, {**dict.fromkeys(FEATURES, 0.0), "rules_agree": 2.0, "cue_word": 1.0}, {"say": 1.5}
    )
    named = named_offsets(doc)
    alone, why_alone = model_confidence(calibration, doc, claim, [], named)
    agreed, why = model_confidence(calibration, doc, claim, [agreeing], named)
    assert agreed > alone > 0.5
    assert why.startswith("+ the rules found this claim too")
    assert "cue word" in why_alone


def test_a_cue_in_another_sentence_counts_against_a_content_that_is_no_quotation() -> None:
    """Linked across a sentence boundary, a content that is no quotation was right about half
    as often as one beside its cue (PolNeAR dev): the calibration reads it as a feature."""
    text = "Ann Lee spoke on Monday. The talks had failed. “We tried,” she said."
    doc = load_pipeline(attribution=False).nlp(text)
    said = Offsets(text.index("said"), text.index("said") + 4)
    ann = Offsets(0, 7)

    def apart(content: str) -> float:
        start = text.index(content)
        claim = DetectedClaim(
            Offsets(start, start + len(content)),
            ClaimKind.REPORTED,
            "model.attribution",
            "",
            source=ann,
            cue=said,
        )
        return features(doc, claim, [], named_offsets(doc))["cue_apart"]

    assert apart("The talks had failed") == 1.0  # the cue is a sentence away
    assert apart("“We tried,”") == 0.0  # a quotation: linked across sentences as often as not
    assert apart("she") == 0.0  # the cue's own sentence
    spoke = DetectedClaim(Offsets(25, 46), ClaimKind.REPORTED, "model.attribution", "", ann, None)
    assert features(doc, spoke, [], named_offsets(doc))["cue_apart"] == 0.0  # no cue, no link


def test_how_sure_the_model_was_of_a_content_counts_where_the_model_says() -> None:
    """The encoder model keeps each role's probability beside its span: a claim's ``tagged``
    feature is the mean over the contents it holds, and with a weight on it a content the
    model was sure of is trusted more. A model that does not say (the small spaCy model)
    gives 0, so its confidence is as it was."""
    text = "Ann Lee said the talks had failed. Bo Chan said prices rose."
    doc = load_pipeline(attribution=False).nlp(text)

    def piece(words: str, label: str) -> Span:
        start = text.index(words)
        span = doc.char_span(start, start + len(words), label=label)
        assert span is not None
        return span

    doc.spans[SPANS_KEY] = [
        piece("the talks", "CONTENT"),
        piece("had failed", "CONTENT"),
        piece("said", "CUE"),
        piece("prices rose", "CONTENT"),
    ]
    doc.spans[SPANS_KEY].attrs[PROBABILITIES] = [0.9, 0.7, 0.99, 0.4]
    talks = DetectedClaim(
        Offsets(text.index("the talks"), text.index(". Bo")),
        ClaimKind.REPORTED,
        "model.attribution",
        "",
    )
    prices = DetectedClaim(
        Offsets(text.index("prices"), len(text) - 1), ClaimKind.REPORTED, "model.attribution", ""
    )
    tagged, named = tagged_contents(doc), named_offsets(doc)
    assert features(doc, talks, [], named, tagged)["tagged"] == pytest.approx(0.8)
    assert features(doc, prices, [], named, tagged)["tagged"] == pytest.approx(0.4)
    calibration = Calibration(-1.0, {**dict.fromkeys(FEATURES, 0.0), "tagged": 3.0})
    sure, why = model_confidence(calibration, doc, talks, [], named, tagged)
    unsure, _ = model_confidence(calibration, doc, prices, [], named, tagged)
    assert sure > unsure
    assert why == "+ the model was sure of the content"

    doc.spans[SPANS_KEY].append(piece("Bo Chan", "SOURCE"))  # changed after the model marked it
    assert tagged_contents(doc) == []  # no longer known which probability is whose
    del doc.spans[SPANS_KEY].attrs[PROBABILITIES]  # roles from a model that does not say
    assert tagged_contents(doc) == []
    assert features(doc, talks, [], named, tagged_contents(doc))["tagged"] == 0.0


def test_a_rule_claim_takes_its_rules_measured_precision(tmp_path: Path) -> None:
    table = rule_precision()
    rule, precision = next(iter(table.items()))
    claim = DetectedClaim(Offsets(0, 5), ClaimKind.REPORTED, rule, "")
    scored = rule_confidence(claim)
    assert scored is not None and scored[0] == precision and rule in scored[1]
    unknown = DetectedClaim(Offsets(0, 5), ClaimKind.REPORTED, "no.such_rule", "")
    assert rule_confidence(unknown) is None
    assert all(0 <= value <= 1 for value in table.values())


def test_the_default_detector_gives_rule_claims_a_confidence() -> None:
    pipeline = load_pipeline(attribution=False)
    pipeline.nlp.add_pipe("claimscope_claims")
    doc = pipeline.nlp("The minister said that the border would stay closed until June.")
    claims = doc.spans["claims"].attrs["claims"]
    assert claims and all(
        c["confidence"] == rule_precision().get(c["rule"]) for c in claims if c["rule"]
    )


def record(confidence: object) -> str:
    text = "Ann Lee said that the talks had failed."
    claim = {
        "content": {"start": 13, "end": 38},
        "kind": "reported",
        "origin": "model-x",
        "origin_kind": "model",
        "status": "suggested",
        "confidence": confidence,
    }
    return json.dumps({"text": text, "meta": {"title": "t"}, "claims": [claim]}) + "\n"


def test_confidence_survives_import_store_and_export(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    (tmp_path / "in.jsonl").write_text(record(0.625))
    run_cli("import", str(tmp_path / "in.jsonl"), db=db, check=True)
    out = tmp_path / "out.jsonl"
    run_cli("export", str(out), db=db, check=True)
    (exported,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert [c.get("confidence") for c in exported["claims"]] == [0.625]


@pytest.mark.parametrize("bad", [1.5, -0.1, "high", True])
def test_a_bad_confidence_is_refused_with_its_place(tmp_path: Path, bad: object) -> None:
    db = tmp_path / "db.json"
    (tmp_path / "in.jsonl").write_text(record(bad))
    result = run_cli("import", str(tmp_path / "in.jsonl"), db=db)
    assert result.returncode == 1
    assert "in.jsonl:1" in result.stderr and "confidence" in result.stderr
    assert "from 0 to 1" in result.stderr
    assert not db.exists()


def test_both_keeps_the_more_confident_of_claims_sharing_their_content() -> None:
    from annotate.claims.component import combination, combined

    def claim(start: int, end: int, rule: str, confidence: float | None) -> DetectedClaim:
        return DetectedClaim(
            Offsets(start, end), ClaimKind.REPORTED, rule, "", confidence=confidence
        )

    floor = combination()["model_floor"]
    sure_model, doubtful_rule = claim(0, 40, "model.attribution", 0.8), claim(5, 40, "r.a", 0.6)
    sure_rule, doubtful_model = claim(50, 90, "r.b", 0.9), claim(50, 85, "model.attribution", 0.5)
    weak_model = claim(100, 130, "model.attribution", floor - 0.01)
    unscored_rule = claim(140, 160, "statistic.quantity", None)
    kept = combined(
        [sure_model, doubtful_model, weak_model], [doubtful_rule, sure_rule, unscored_rule]
    )
    assert sorted(kept, key=lambda c: c.content.start) == [sure_model, sure_rule, unscored_rule]
