"""``claimscope train``: export the annotations, build a spaCy config, run spaCy's training.

The pipeline learns entities (``ner``) and claims (``spancat`` over ``CLAIM``,
``CLAIM_SOURCE`` and ``CLAIM_CUE`` spans). From the English model (the default) it keeps the
tokenizer, tagger, parser and lemmatizer frozen, fine-tunes the NER and adds a claim span
categorizer with its own embedding; from ``blank`` it trains both from scratch. The result is
spaCy's own ``OUT_DIR/model-best``, which ``preannotate --model`` and ``evaluate --model`` load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate.errors import ClaimscopeError
from annotate.formats import export
from annotate.formats.selection import ExportFilter, ExportReport
from annotate.nlp.pipeline import DEFAULT_MODELS, INSTALL_HINT
from annotate.safetext import visible
from annotate.store import Store

BLANK = "blank"
SPANCAT_TOK2VEC: dict[str, Any] = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": 96,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": [5000, 1000, 2500, 2500],
        "include_static_vectors": False,
    },
    "encode": {
        "@architectures": "spacy.MaxoutWindowEncoder.v2",
        "width": 96,
        "depth": 4,
        "window_size": 1,
        "maxout_pieces": 3,
    },
}


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """What ``claimscope train`` was asked for."""

    base: str | None = None
    gpu_id: int = -1
    max_steps: int = 2000
    eval_frequency: int = 200
    split: float = 0.8
    seed: int = 0
    spans_key: str = "sc"


def resolve_base(base: str | None) -> str:
    """The pipeline to start from: ``blank``, a named or path pipeline, or the default model."""
    import spacy

    if base == BLANK:
        return BLANK
    for candidate in [base] if base else list(DEFAULT_MODELS):
        try:
            spacy.load(candidate)
        except OSError:
            continue
        return candidate
    raise ClaimscopeError(
        f"no spaCy pipeline {base or 'en_core_web_sm'} to train from: "
        f"{INSTALL_HINT}, or use --base blank"
    )


@dataclass(frozen=True, slots=True)
class SplitCounts:
    """What the training split holds: documents, entities and claim spans."""

    documents: int
    entities: int
    claims: int


def count_split(path: Path, spans_key: str) -> SplitCounts:
    """Count a DocBin's documents, entities and claim spans."""
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    return SplitCounts(
        len(docs),
        sum(len(doc.ents) for doc in docs),
        sum(len(doc.spans[spans_key]) for doc in docs if spans_key in doc.spans),
    )


def trainable_components(
    train: SplitCounts, how: ExportFilter, report: ExportReport
) -> tuple[str, ...]:
    """The components the training split can teach: ``ner`` needs entities, ``spancat``
    claims. One without data is left out (and reported); with neither, say what is missing
    and how to get it."""
    components = tuple(
        name for name, count in (("ner", train.entities), ("spancat", train.claims)) if count
    )
    if not components:
        raise ClaimscopeError(
            f"nothing to train on: the training split ({train.documents} of {report.documents} "
            f"exported document(s), --origin {how.origin}, --state {how.state}) holds no "
            "entities and no claims. Accept, correct or add annotations in `claimscope tui` "
            "first (pre-annotations count once a person has decided them), or train on "
            "suggestions with --origin all"
        )
    for name, what in (("ner", "entities"), ("spancat", "claims")):
        if name not in components:
            report.problems.append(
                f"the training split holds no {what}: {name} is not trained this time"
            )
    return components


def build_config(
    settings: TrainSettings, base: str, components: Sequence[str] = ("ner", "spancat")
) -> Any:
    """A complete spaCy training config (``thinc`` Config) for ``components``."""
    import spacy
    from spacy.cli.init_config import init_config

    config = init_config(
        lang="en", pipeline=list(components), optimize="efficiency", gpu=settings.gpu_id >= 0
    )
    with_spancat = "spancat" in components
    weights = config["training"]["score_weights"]
    if with_spancat:
        spancat = config["components"]["spancat"]
        spancat["spans_key"] = settings.spans_key
        spancat["suggester"] = {"@misc": "claimscope.claim_suggester.v1", "max_ngram": 6}
        for suffix in ("f", "p", "r"):
            weights.pop(f"spans_sc_{suffix}", None)
            weights[f"spans_{settings.spans_key}_{suffix}"] = 0.5 if suffix == "f" else 0.0
    training = config["training"]
    training["max_steps"] = settings.max_steps
    training["eval_frequency"] = settings.eval_frequency
    training["seed"] = settings.seed
    if base != BLANK:
        source = spacy.load(base)
        names = [name for name in source.pipe_names if not name.startswith("claimscope_")]
        config["nlp"]["pipeline"] = [*names, "spancat"] if with_spancat else names
        sections = config["components"]
        sections.pop("tok2vec", None)
        sections.pop("ner", None)
        for name in names:
            sections[name] = {"source": base}
        if with_spancat:
            sections["spancat"]["model"]["tok2vec"] = dict(SPANCAT_TOK2VEC)
        trained = "ner" if "ner" in components else None
        training["frozen_components"] = [name for name in names if name != trained]
        if trained is None:  # the base's entities are kept as they are, not scored
            for key in [key for key in weights if key.startswith("ents_")]:
                weights.pop(key)
        training["annotating_components"] = [n for n in ("parser", "senter") if n in names][:1]
        if "lemmatizer" in names:
            config["initialize"]["components"]["lemmatizer"] = {
                "lookups": {"@misc": "claimscope.pipeline_lookups.v1", "model": base}
            }
    return config


def train(
    store: Store,
    out_dir: Path,
    settings: TrainSettings,
    how: ExportFilter,
    on_output: Callable[[str], None] | None = None,
) -> tuple[Path, ExportReport]:
    """Export, configure and train; returns ``OUT_DIR/model-best`` and the export report."""
    import annotate.nlp.components  # noqa: F401  (registers the claim suggester)

    base = resolve_base(settings.base)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus"
    report = export(
        store,
        corpus,
        "spacy",
        how,
        force=True,
        split=settings.split,
        seed=settings.seed,
        spans_key=settings.spans_key,
    )
    if report.documents < 2:
        raise ClaimscopeError(
            f"training needs at least 2 documents (one for dev), the export had {report.documents}"
        )
    train_counts = count_split(corpus / "train.spacy", settings.spans_key)
    components = trainable_components(train_counts, how, report)
    config = build_config(settings, base, components)
    config_path = out_dir / "config.cfg"
    config.to_disk(config_path)
    run_spacy_train(out_dir, settings.gpu_id, on_output or _print_sanitised)
    best = out_dir / "model-best"
    if not best.is_dir():
        raise ClaimscopeError(f"training finished without {best}; see spaCy's output above")
    return best, report


def _print_sanitised(line: str) -> None:
    sys.stdout.write(visible(line, keep_newlines=True))
    sys.stdout.flush()


def run_spacy_train(out_dir: Path, gpu_id: int, on_output: Callable[[str], None]) -> None:
    """``spacy train`` on ``out_dir``'s config and corpus, in its own process. Its output
    (which names paths, labels and texts) reaches the terminal line by line through
    ``on_output``, never raw, and without colour codes."""
    from annotate.nlp import components

    corpus = out_dir / "corpus"
    command = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(out_dir / "config.cfg"),
        "--output",
        str(out_dir),
        "--code",
        str(components.__file__),
        "--gpu-id",
        str(gpu_id),
        "--paths.train",
        str(corpus / "train.spacy"),
        "--paths.dev",
        str(corpus / "dev.spacy"),
    ]
    environment = {**os.environ, "ANSI_COLORS_DISABLED": "1", "PYTHONUNBUFFERED": "1"}
    last: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            on_output(line)
            last = [*last[-2:], line.strip()]
    if process.returncode != 0:
        tail = " | ".join(line for line in last if line)
        raise ClaimscopeError(f"spaCy's training failed (exit {process.returncode}): {tail}")


def debug_data_command(out_dir: Path) -> Sequence[str]:
    """The ``spacy debug data`` call that checks a training folder (used by the tests)."""
    from annotate.nlp import components

    corpus = out_dir / "corpus"
    return [
        "debug",
        "data",
        str(out_dir / "config.cfg"),
        "--code",
        components.__file__,
        "--paths.train",
        str(corpus / "train.spacy"),
        "--paths.dev",
        str(corpus / "dev.spacy"),
    ]
