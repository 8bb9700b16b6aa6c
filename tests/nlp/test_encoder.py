"""The encoder attribution model (a fine-tuned MiniLM tagging B/I/O roles): word-piece labels
from claim gold, windows, well-formed decoding, and the recipe run end to end on a small
invented corpus — trained, saved as its tuned layers only, loaded, tagging, linked into claims.

How good it is gets measured on PolNeAR in ``bench/claims.py``, not here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy
import pytest
import torch
from safetensors import safe_open
from spacy.tokens import Doc

from annotate.claims.component import claims_from_doc
from annotate.claims.learned import PROBABILITIES, SPANS_KEY
from annotate.errors import ClaimscopeError
from annotate.nlp.attribution import GoldClaims
from annotate.nlp.attribution_model import MARKER, NER
from annotate.nlp.encoder.roles import (
    LABELS,
    PRECISION_VARIABLE,
    WEIGHTS,
    Encoder,
    EncoderRoles,
    EncoderSettings,
    Pieces,
    Role,
    RoleTagger,
    compute_dtype,
    decoded_spans,
    described_settings,
    viterbi,
    windows,
)
from annotate.nlp.encoder.training import piece_labels
from annotate.nlp.pipeline import load_pipeline
from annotate.nlp.preannotate import add_claims_component
from tests.conftest import run_cli
from tests.nlp.test_attribution import invented_corpus, write_gold


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(EncoderSettings())


def test_each_word_piece_is_labelled_with_the_role_at_its_start(encoder: Encoder) -> None:
    text = "The mayor insisted that fares stay unchanged."
    gold = GoldClaims(
        text,
        [("SOURCE", [(0, 9)]), ("CUE", [(10, 18)]), ("CONTENT", [(19, len(text) - 1)])],
    )
    pieces = encoder.pieces(text)
    labels = [LABELS[i] for i in piece_labels(pieces, gold)]
    words = [text[a:b] for a, b in pieces.offsets]
    assert list(zip(words, labels, strict=True)) == [
        ("The", "B-SOURCE"),
        ("mayor", "I-SOURCE"),
        ("insisted", "B-CUE"),
        ("that", "B-CONTENT"),
        *((word, "I-CONTENT") for word in words[4:-1]),
        (".", "O"),
    ]
    # two parts side by side are two spans: the second begins again
    both = GoldClaims("Ann Lee said so", [("SOURCE", [(0, 3)]), ("SOURCE", [(4, 7)])])
    labels = [LABELS[i] for i in piece_labels(encoder.pieces(both.text), both)]
    assert labels == ["B-SOURCE", "B-SOURCE", "O", "O"]


def test_windows_cover_every_piece_and_end_at_the_text_end() -> None:
    assert windows(0, 254, 190) == []
    assert windows(100, 254, 190) == [(0, 100)]
    found = windows(600, 254, 190)
    assert found == [(0, 254), (190, 444), (346, 600)]
    assert set(range(600)) == {i for a, b in found for i in range(a, b)}


def test_decoding_keeps_roles_well_formed() -> None:
    """An ``I-`` tag the scores prefer after nothing is decoded as a beginning or left out,
    and a word's second piece keeps its first piece's role."""
    low, high = numpy.log(0.05), numpy.log(0.7)
    scores = numpy.full((4, len(LABELS)), low, dtype="f4")
    scores[0, LABELS.index("O")] = high
    scores[1, LABELS.index("I-CUE")] = high  # I- after O: not allowed
    scores[1, LABELS.index("B-CUE")] = numpy.log(0.2)
    scores[2, LABELS.index("B-CONTENT")] = high
    scores[3, LABELS.index("O")] = numpy.log(0.5)
    scores[3, LABELS.index("I-CONTENT")] = numpy.log(0.3)
    # a word of its own after the content may leave it; the word's second piece may not
    labels = [LABELS[i] for i in viterbi(scores, [False, False, False, False])]
    assert labels == ["O", "B-CUE", "B-CONTENT", "O"]
    labels = [LABELS[i] for i in viterbi(scores, [False, False, False, True])]
    assert labels == ["O", "B-CUE", "B-CONTENT", "I-CONTENT"]
    pieces = Pieces([1, 2, 3, 4], [(0, 3), (4, 8), (9, 13), (13, 15)], [False] * 4)
    spans = decoded_spans(pieces, [LABELS.index(label) for label in labels], scores)
    assert [span[:3] for span in spans] == [("CUE", 4, 8), ("CONTENT", 9, 15)]
    # how sure the tagger was: the pieces' mean probability of B- or I- of the role
    assert [span.probability for span in spans] == pytest.approx([0.2 + 0.7, (0.75 + 0.35) / 2])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``train-claims --encoder`` on invented stories (five of the six layers read, the top one
    of them and the embeddings tuned, to be quick)."""
    folder = tmp_path_factory.mktemp("encoder")
    train = write_gold(folder / "train.jsonl", invented_corpus(24, 4))
    dev = write_gold(folder / "dev.jsonl", invented_corpus(4, 5))
    out = folder / "model"
    result = run_cli(
        "train-claims", str(out), "--gold", str(train), "--dev", str(dev), "--encoder",
        "--epochs", "8", "--learning-rate", "0.0005", "--layers", "5", "--frozen-layers", "4",
        "--tune-embeddings",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_the_encoder_recipe_trains_saves_loads_and_tags(trained: Path) -> None:
    """The folder holds the description and what training changed only (the tuned layers, the
    embeddings of the pieces the training text held; no text), under 20 MB; loaded with
    ``--model`` it tags roles that link into claims."""
    info = json.loads((trained / MARKER).read_text())
    assert info["settings"]["architecture"] == "encoder"
    assert info["settings"]["frozen_layers"] == 4
    assert info["settings"]["layers"] == 5
    assert info["dev_claims_f1"]["cue"] > 0.5, info["dev_claims_f1"]
    weights = trained / NER / WEIGHTS
    assert weights.stat().st_size < 20_000_000
    with safe_open(str(weights), framework="pt") as saved:
        names = list(saved.keys())
        pieces = saved.get_tensor("encoder.embeddings.word_embeddings.weight#rows")
    tuned = ("encoder.encoder.layer.4.", "head.", "encoder.embeddings.")
    assert names and all(name.startswith(tuned) for name in names)
    assert any(name.startswith("encoder.encoder.layer.4.") for name in names)
    assert 20 < len(pieces) < 1_000  # of 30,522: the pieces of the invented stories
    assert not any(word in weights.read_bytes() for word in (b"bridge", b"ministry"))

    pipeline = load_pipeline(str(trained))
    tagger = pipeline.nlp.get_pipe(NER).model.tagger  # type: ignore[attr-defined]
    assert len(tagger.encoder.encoder.layer) == 5  # as many layers as it was trained with
    add_claims_component(pipeline, claims_from="model")
    doc = pipeline.nlp("Carla Diaz warned that the talks had collapsed. Bo Chan said nothing.")
    assert {span.label_ for span in doc.spans[SPANS_KEY]} >= {"SOURCE", "CUE", "CONTENT"}
    sure = doc.spans[SPANS_KEY].attrs[PROBABILITIES]  # how sure it was of each role
    assert len(sure) == len(doc.spans[SPANS_KEY]) and all(0 < p <= 1 for p in sure)
    claims = claims_from_doc(doc)
    said = [
        doc.text[c.content.start : c.content.end] for c in claims if c.rule.startswith("model.")
    ]
    assert "the talks had collapsed" in said


def test_preannotate_in_several_processes_with_the_encoder_finishes(
    trained: Path, tmp_path: Path
) -> None:
    """Processes forked from one that loaded the encoder tag in one thread each (the thread
    pool they inherit is not there: using it hung for ever)."""
    db = tmp_path / "db.json"
    for number, name in enumerate(["Carla Diaz", "Bo Chan", "Ann Lee", "the mayor"]):
        story = f"{name} warned that the talks had collapsed.\n"
        (tmp_path / f"story{number}.txt").write_text(f"date 2026-01-0{number + 1}\n{story}")
    assert (
        run_cli("import", *(str(p) for p in sorted(tmp_path.glob("*.txt"))), db=db).returncode == 0
    )
    done = run_cli("preannotate", "--model", str(trained), "--n-process", "2", "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] == 4


def test_damaged_encoder_weights_are_a_clear_error(trained: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(trained, copy)
    (copy / NER / WEIGHTS).write_bytes(b"not weights")
    with pytest.raises(ClaimscopeError, match=r"weights\.safetensors: cannot load"):
        load_pipeline(str(copy))
    info = json.loads((trained / MARKER).read_text())
    info["settings"]["encoder_sha256"] = "0" * 64
    (copy / MARKER).write_text(json.dumps(info))
    with pytest.raises(ClaimscopeError, match="tuned on other encoder weights"):
        load_pipeline(str(copy))


def test_weights_saved_with_other_layers_are_a_clear_error_naming_the_setting(
    tmp_path: Path,
) -> None:
    """``settings.json`` beside the weights is read back: weights tuned over two layers loaded
    into a component set to six name the setting (not a count of tensors that differ); a
    setting that only changes how the tagger reads (the window) loads; a damaged file is a
    clear error."""
    folder = tmp_path / "attribution"
    EncoderRoles("attribution", EncoderSettings(layers=2)).to_disk(folder)
    with pytest.raises(ClaimscopeError, match=r"settings\.json: .*layers=2.*layers=6"):
        EncoderRoles("attribution", EncoderSettings()).from_disk(folder)
    wider = EncoderRoles("attribution", EncoderSettings(layers=2, window=126, stride=100))
    assert wider.from_disk(folder).settings.window == 126
    (folder / "settings.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ClaimscopeError, match=r"settings\.json: cannot read"):
        EncoderRoles("attribution", EncoderSettings(layers=2)).from_disk(folder)


def test_tagging_a_stream_in_a_thread_keeps_each_document_its_own_roles(trained: Path) -> None:
    """``pipe`` tags one batch in a thread while the next is parsed: every document still
    comes out in order with the roles ``__call__`` gives it, and an error in the thread is
    raised where the stream is read."""
    pipeline = load_pipeline(str(trained))
    component = pipeline.nlp.get_pipe(NER)
    names = ["Carla Diaz", "Bo Chan", "Ann Lee", "The mayor", "Pia Roth", "Sam Ode", "Li Wen"]
    texts = [f"{name} warned that the {n + 2} talks had collapsed." for n, name in enumerate(names)]

    def roles(doc: Doc) -> list[tuple[str, str]]:
        return [(span.label_, span.text) for span in doc.spans[SPANS_KEY]]

    one_by_one = [roles(component(pipeline.nlp.make_doc(text))) for text in texts]
    own = [
        any(label == "CONTENT" and f"{n + 2} talks" in text for label, text in found)
        for n, found in enumerate(one_by_one)
    ]
    assert sum(own) >= 4, one_by_one  # each document's own content, told apart by its number
    streamed = component.pipe((pipeline.nlp.make_doc(t) for t in texts), batch_size=3)
    assert [roles(doc) for doc in streamed] == one_by_one

    def failing(texts: list[str]) -> list[list[Role]]:
        raise RuntimeError("the encoder failed")

    component.model.roles = failing
    with pytest.raises(RuntimeError, match="the encoder failed"):
        list(component.pipe((pipeline.nlp.make_doc(t) for t in texts), batch_size=3))


def test_a_description_from_before_a_setting_loads_as_the_model_it_describes() -> None:
    """A model described before ``tune_embeddings`` existed kept the embeddings as installed
    (its weights file holds no embeddings), whatever the default is now."""
    older = {"architecture": "encoder", "frozen_layers": 1, "window": 254, "stride": 190}
    assert described_settings(older) == EncoderSettings(frozen_layers=1, tune_embeddings=False)
    assert described_settings({**older, "tune_embeddings": True}).tune_embeddings


def test_the_tagger_computes_in_the_precision_it_is_set_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """float32 or bfloat16 as asked; ``auto`` takes bfloat16 only where the processor computes
    it natively (elsewhere it is emulated, slower than float32), and float32 when torch cannot
    tell; ``$CLAIMSCOPE_ENCODER_PRECISION`` chooses over the model's description; any other
    value is a clear error."""
    assert compute_dtype("float32") == torch.float32
    assert compute_dtype("bfloat16") == torch.bfloat16
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    assert compute_dtype("auto") == torch.float32
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    assert compute_dtype("auto") == torch.bfloat16
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    assert compute_dtype("auto") == torch.float32
    with pytest.raises(ClaimscopeError, match=r"'half'.*auto, float32, bfloat16"):
        compute_dtype("half")
    described = {"architecture": "encoder", "precision": "bfloat16"}
    assert described_settings(described).precision == "bfloat16"
    monkeypatch.setenv(PRECISION_VARIABLE, "float32")
    assert described_settings(described).precision == "float32"


def test_tagging_in_bfloat16_gives_float32_probabilities_close_to_float32(
    encoder: Encoder,
) -> None:
    """In bfloat16 the layers compute in bfloat16 (what makes it fast) and the piece
    probabilities the decoding reads are float32, within a few hundredths of float32's."""
    computed: list[torch.dtype] = []

    def tagging(dtype: torch.dtype) -> numpy.ndarray:
        # the hook goes on the model that precision tags with (in bfloat16, a copy of the
        # tagger that an earlier test may already have made)
        encoder.dtype = dtype
        hook = encoder.tagging_model().head.register_forward_hook(
            lambda module, given, output: computed.append(output.dtype)
        )
        try:
            return encoder.log_probabilities(pieces)[0]
        finally:
            hook.remove()

    pieces = [encoder.pieces("The mayor insisted that the fares would stay unchanged.")]
    chosen = encoder.dtype
    try:
        full = tagging(torch.float32)
        low = tagging(torch.bfloat16)
    finally:
        encoder.dtype = chosen
    assert computed == [torch.float32, torch.bfloat16]
    assert low.dtype == numpy.float32
    assert numpy.abs(numpy.exp(low) - numpy.exp(full)).max() < 0.05


def test_tagging_in_bfloat16_reads_bfloat16_weights_made_again_when_the_weights_change() -> None:
    """Tagging in bfloat16 computes with a copy whose weights are bfloat16 (autocast alone
    casts every layer's float32 weights and inputs on each call); the float32 weights, which
    training tunes and ``to_disk`` saves, stay float32; a change to them (a training step,
    loaded weights) reaches the next tagging, never a copy of the weights before."""
    encoder = Encoder(EncoderSettings(precision="bfloat16"))
    pieces = [encoder.pieces("The mayor insisted that the fares would stay unchanged.")]
    weights: list[torch.dtype] = []
    hook = encoder.tagging_model().head.register_forward_hook(
        lambda module, given, output: weights.append(module.weight.dtype)
    )
    try:
        before = encoder.log_probabilities(pieces)[0]
    finally:
        hook.remove()
    assert weights == [torch.bfloat16]
    assert all(p.dtype == torch.float32 for p in encoder.tagger.parameters())

    # the head now says "no role" for every piece, whatever the encoder read
    bias = torch.full((len(LABELS),), -50.0)
    bias[LABELS.index("O")] = 50.0
    encoder.tagger.load_state_dict({"head.bias": bias}, strict=False)
    after = encoder.log_probabilities(pieces)[0]
    assert not numpy.allclose(before, after)
    assert (after.argmax(axis=1) == LABELS.index("O")).all()
    assert encoder.tagger.head.bias.dtype == torch.float32


def test_training_steps_compute_in_the_precision_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``train-claims --encoder --train-precision bfloat16`` takes its training steps in
    bfloat16, keeps the weights it tunes in float32 and says so in the description; an
    unknown precision is a clear error before anything is written."""
    from annotate.nlp.attribution import read_claim_gold
    from annotate.nlp.encoder.training import train_encoder

    train = write_gold(tmp_path / "train.jsonl", invented_corpus(6, 4))
    dev = write_gold(tmp_path / "dev.jsonl", invented_corpus(2, 5))
    refused = run_cli(
        "train-claims", str(tmp_path / "refused"), "--gold", str(train), "--dev", str(dev),
        "--encoder", "--train-precision", "half",
    )  # fmt: skip
    assert refused.returncode != 0 and "'half'" in refused.stderr
    assert not (tmp_path / "refused").exists()

    computed: list[tuple[torch.dtype, torch.dtype]] = []  # (what a step computed, weights)
    forward = RoleTagger.forward

    def recording(self: RoleTagger, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        scores = forward(self, ids, mask)
        if self.training:
            computed.append((scores.dtype, self.head.weight.dtype))
        return scores

    monkeypatch.setattr(RoleTagger, "forward", recording)
    info = train_encoder(
        load_pipeline(None, attribution=False),
        read_claim_gold(train),
        read_claim_gold(dev),
        tmp_path / "model",
        epochs=1,
        settings=EncoderSettings(layers=2, frozen_layers=2, tune_embeddings=False),
        precision="bfloat16",
    )
    assert computed and set(computed) == {(torch.bfloat16, torch.float32)}
    assert info["settings"]["train_precision"] == "bfloat16"
