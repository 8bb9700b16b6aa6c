"""Fine-tuning the encoder attribution model (:mod:`annotate.nlp.encoder.roles`) on claim gold.

Each training text is cut into windows of word pieces that overlap by half; each piece is
labelled B/I/O of the role at its first character (overlapping gold parts keep the earlier,
longer one, as the spaCy model's training does). AdamW with the learning rate warming up over
the first tenth of the steps and falling to nothing by the last; after each epoch the roles the
model tags on the dev texts are linked into claims and scored, and the best epoch is kept,
calibrated (:func:`annotate.nlp.attribution.calibrate`) and saved.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from annotate.claims.learned import MODEL_META, ROLES
from annotate.claims.scores import Score
from annotate.nlp.attribution import (
    EpochReport,
    GoldClaims,
    linked_claim_scores,
    trained_description,
)
from annotate.nlp.attribution_model import NER, describe
from annotate.nlp.encoder.roles import (
    ENCODER_NAME,
    FACTORY,
    LABELS,
    Encoder,
    EncoderSettings,
    Pieces,
    Role,
    compute_dtype,
    computing_in,
    encoder_digest,
    set_roles,
    windows,
)
from annotate.nlp.pipeline import LoadedPipeline

#: Ignored by the loss: the window markers and padding.
_UNLABELLED = -100


def piece_labels(pieces: Pieces, record: GoldClaims) -> list[int]:
    """Each word piece's label index: the role at its first character, ``B-`` where a part
    begins."""
    parts = sorted(
        ((role, a, b) for role, spans in record.parts for a, b in spans),
        key=lambda part: (part[1], -part[2]),
    )
    kept: list[tuple[str, int, int]] = []
    for part in parts:
        if not kept or part[1] >= kept[-1][2]:
            kept.append(part)
    labels: list[int] = []
    index, previous = 0, -1
    for start, _ in pieces.offsets:
        while index < len(kept) and kept[index][2] <= start:
            index += 1
        if index < len(kept) and kept[index][1] <= start:
            role = kept[index][0]
            edge = "I" if previous == index else "B"
            labels.append(LABELS.index(f"{edge}-{role}"))
            previous = index
        else:
            labels.append(0)
            previous = -1
    return labels


def training_windows(
    encoder: Encoder, records: Sequence[GoldClaims]
) -> list[tuple[list[int], list[int]]]:
    """(piece ids, labels) of every training window, overlapping by half."""
    found = []
    size = encoder.settings.window
    for record in records:
        pieces = encoder.pieces(record.text)
        labels = piece_labels(pieces, record)
        for a, b in windows(len(pieces.ids), size, max(size // 2, 1)):
            found.append((pieces.ids[a:b], labels[a:b]))
    return found


def _batches(
    encoder: Encoder, items: list[tuple[list[int], list[int]]]
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    size = encoder.settings.batch_size
    for first in range(0, len(items), size):
        chunk = items[first : first + size]
        ids, mask = encoder.batch([window for window, _ in chunk])
        gold = torch.full(ids.shape, _UNLABELLED, dtype=torch.long)
        for row, (_, labels) in enumerate(chunk):
            gold[row, 1 : len(labels) + 1] = torch.tensor(labels)
        yield ids, mask, gold


def _role_f1(predicted: list[list[Role]], records: Sequence[GoldClaims]) -> dict[str, float]:
    """Exact span F1 of the tagged roles against the gold parts, overall (``f``) and per role."""
    tallies = {role: Score() for role in ROLES}
    for found, record in zip(predicted, records, strict=True):
        gold = {(role, a, b) for role, spans in record.parts for a, b in spans}
        for role, tally in tallies.items():
            mine = {(span.label, span.start, span.end) for span in found if span.label == role}
            theirs = {span for span in gold if span[0] == role}
            right = len(mine & theirs)
            tally.add(Score(right, len(mine), right, len(theirs)))
    overall = Score()
    for tally in tallies.values():
        overall.add(tally)
    return {**{role: tally.f1 for role, tally in tallies.items()}, "f": overall.f1}


def train_encoder(
    base: LoadedPipeline,
    train_records: Sequence[GoldClaims],
    dev_records: Sequence[GoldClaims],
    out: Path,
    *,
    epochs: int = 4,
    settings: EncoderSettings | None = None,
    seed: int = 0,
    data: dict[str, Any] | None = None,
    on_epoch: Callable[[EpochReport], None] | None = None,
    precision: str = "float32",
) -> dict[str, Any]:
    """Fine-tune the encoder on ``train_records``, keep the epoch whose linked claims score
    best on ``dev_records``, calibrate its confidence on them and save what it changed at
    ``out`` with its description (``data``: what it learnt from); returns the description.
    ``precision`` is what the training steps compute in (the weights stay float32)."""
    settings = settings or EncoderSettings()
    step_dtype = compute_dtype(precision)
    random.seed(seed)
    torch.manual_seed(seed)
    started = time.perf_counter()
    encoder = Encoder(settings)
    tagger = encoder.tagger
    tuned = dict(tagger.tuned(settings))
    for name, parameter in tagger.named_parameters():
        parameter.requires_grad = name in tuned
    items = training_windows(encoder, train_records)
    steps = max(epochs * -(-len(items) // settings.batch_size), 1)
    # the word-piece embeddings are not decayed: rows training never saw stay as installed,
    # so only the rows it changed need saving
    undecayed = {name for name in tuned if name.endswith("word_embeddings.weight")}
    groups: list[dict[str, Any]] = [
        {"params": [p for n, p in tuned.items() if n not in undecayed]},
        {"params": [p for n, p in tuned.items() if n in undecayed], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(
        groups,
        lr=settings.learning_rate,
        weight_decay=0.01,
    )
    warmup = max(steps // 10, 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
    )
    with base.nlp.select_pipes(disable=[NER] if NER in base.nlp.pipe_names else []):
        dev_docs = list(base.nlp.pipe(r.text for r in dev_records))
    best_claims: dict[str, float] = {}
    best_roles: dict[str, float] = {}
    best_epoch, best_state = 0, {name: p.detach().clone() for name, p in tuned.items()}
    for epoch in range(epochs):
        random.shuffle(items)
        tagger.train()
        total = 0.0
        for ids, mask, gold in _batches(encoder, items):
            with computing_in(step_dtype):
                scores = tagger(ids, mask)
            loss = torch.nn.functional.cross_entropy(
                scores.float().view(-1, len(LABELS)), gold.view(-1), ignore_index=_UNLABELLED
            )
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(tuned.values(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item()
        tagger.eval()
        predicted = encoder.roles([r.text for r in dev_records])
        for doc, roles in zip(dev_docs, predicted, strict=True):
            set_roles(doc, roles)
        claims = linked_claim_scores(dev_docs, dev_records)
        role_scores = _role_f1(predicted, dev_records)
        if on_epoch is not None:
            seconds = time.perf_counter() - started
            on_epoch(EpochReport(epoch, total, role_scores, claims, seconds))
        if not best_claims or claims["mean"] > best_claims["mean"]:
            best_claims, best_roles, best_epoch = claims, role_scores, epoch
            best_state = {name: p.detach().clone() for name, p in tuned.items()}
    tagger.load_state_dict(best_state, strict=False)
    nlp = base.nlp
    component = nlp.add_pipe(FACTORY, name=NER, config=settings.component_config())
    component.model = encoder  # type: ignore[attr-defined]
    settings_used = {
        "architecture": "encoder",
        "encoder": ENCODER_NAME,
        "encoder_sha256": encoder_digest(),
        **asdict(settings),
        "epochs": epochs,
        "seed": seed,
        "train_precision": precision,
    }
    info = trained_description(
        base,
        nlp,
        settings_used,
        (train_records, dev_records),
        data,
        best_epoch,
        best_roles,
        best_claims,
    )
    info["seconds"] = round(time.perf_counter() - started)
    component.to_disk(out / NER)  # type: ignore[attr-defined]
    nlp.meta[MODEL_META] = describe(out, info)
    return nlp.meta[MODEL_META]  # type: ignore[no-any-return]
