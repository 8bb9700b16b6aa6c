"""Model commands: ``evaluate`` a pipeline on gold, ``train`` an entity model, ``train-claims``
an attribution model and ``calibrate-claims`` its confidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotate.cli.base import app, err, open_store, out, print_json, warn
from annotate.errors import ClaimscopeError, StorageError


@app.command("evaluate")
def evaluate_command(
    gold: Annotated[Path, typer.Argument(help="Gold annotations in the export JSONL format.")],
    model: Annotated[
        str | None,
        typer.Option("--model", help="Run this pipeline fresh instead of reading the database."),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Score only suggestions of this origin (name@version)."),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option("--labels", help="Comma-separated labels to score (default: the gold's)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            help="Write missed gold claims and unmatched predictions, by cue, to this file.",
        ),
    ] = None,
    claim_lexicon: Annotated[
        Path | None,
        typer.Option(
            "--claim-lexicon", help="With --model: a cue lexicon JSON file extending the built-in."
        ),
    ] = None,
    claims_from: Annotated[
        str | None,
        typer.Option("--claims", help="With --model: claims from rules, model or both."),
    ] = None,
) -> None:
    """Score entity and claim suggestions against gold: P/R/F1 per label and for claims."""
    from annotate.nlp.evaluate import (
        evaluate_pairs,
        predictions_from_pipeline,
        predictions_from_store,
        read_gold,
    )

    records = read_gold(gold)
    if model is not None:
        from annotate.nlp.pipeline import load_pipeline
        from annotate.nlp.preannotate import add_claims_component

        pipeline = load_pipeline(model)
        add_claims_component(pipeline, claim_lexicon, claims_from)
        pairs = predictions_from_pipeline(pipeline, records)
    else:
        with open_store(readonly=True) as store:
            pairs = predictions_from_store(store, records, origin)
    wanted = [label.strip() for label in labels.split(",") if label.strip()] if labels else None
    evaluation = evaluate_pairs(pairs, wanted)
    if errors is not None:
        from annotate.claims.scores import error_report
        from annotate.store.journal import atomic_write

        report = error_report(evaluation.claims.errors, evaluation.texts)
        try:
            atomic_write(errors, report.encode("utf-8"))
        except OSError as error:
            raise StorageError("write", errors, error, safe="nothing was written") from error
        err.print(f"errors: {len(evaluation.claims.errors)} written to {errors}", soft_wrap=True)
    if as_json:
        print_json(evaluation.to_dict())
        return
    result = evaluation.to_dict()
    out.print(f"{evaluation.documents} gold document(s)")
    if evaluation.missing_documents:
        err.print(
            f"warning: {evaluation.missing_documents} gold document(s) are not in the database "
            "(import them, or use --model); they count as predicting nothing"
        )

    def prf(score: dict[str, float]) -> str:
        return f"{score['precision']:.3f} / {score['recall']:.3f} / {score['f1']:.3f}"

    table = Table(
        "label", "exact P / R / F1", "overlap P / R / F1", "gold", "predicted", title="entities"
    )
    for label, exact in result["entities"]["exact"].items():
        overlap = result["entities"]["overlap"][label]
        table.add_row(
            label,
            prf(exact),
            prf(overlap),
            str(exact["gold"]),
            str(exact["predicted"]),
            end_section=label == "overall",
        )
    out.print(table)
    scores = evaluation.claims
    if not scores.overall["content_exact"].gold:
        predicted = scores.overall["content_exact"].predicted
        out.print(f"claims: the gold has none ({predicted} predicted)")
        return
    claims = Table(
        "part",
        "exact P / R / F1",
        "overlap P / R / F1",
        "gold",
        "predicted",
        title="claims (attribution; statistics left out)",
    )
    groups = [("overall", result["claims"]["overall"])]
    groups += [(kind, tallies) for kind, tallies in result["claims"]["by_kind"].items()]
    for group, tallies in groups:
        for role in ("content", "source", "cue"):
            exact, overlap = tallies[f"{role}_exact"], tallies[f"{role}_overlap"]
            claims.add_row(
                f"{group}: {role}" if group != "overall" else role,
                prf(exact),
                prf(overlap),
                str(exact["gold"]),
                str(exact["predicted"]),
                end_section=role == "cue",
            )
    out.print(claims)
    rules = Table("rule", "predicted", "content found in gold", title="claims by rule")
    for rule, figures in result["claims"]["by_rule"].items():
        rules.add_row(
            rule, str(figures["predicted"]), f"{figures['content_overlap_precision']:.3f}"
        )
    out.print(rules)
    out.print(f"statistics left out of the attribution scores: {scores.statistics}")


@app.command("train")
def train_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder for corpus, config and models.")],
    base: Annotated[
        str | None,
        typer.Option(
            "--base", help="Pipeline to start from (default: the English model), or 'blank'."
        ),
    ] = None,
    gpu_id: Annotated[int, typer.Option("--gpu-id", help="GPU to train on (-1: CPU).")] = -1,
    max_steps: Annotated[int, typer.Option("--max-steps", min=1, help="Training steps.")] = 2000,
    eval_frequency: Annotated[
        int, typer.Option("--eval-frequency", min=1, help="Evaluate (and save) every N steps.")
    ] = 200,
    state: Annotated[str, typer.Option("--state", help="done | all")] = "all",
    annotator: Annotated[str | None, typer.Option("--annotator")] = None,
    origin: Annotated[str, typer.Option("--origin", help="human | model | all")] = "human",
    split: Annotated[float, typer.Option("--split", help="Share for training.")] = 0.8,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Train entities (ner) and claims (spancat) on your annotations; leaves OUT_DIR/model-best."""
    from annotate.formats import iter_problems
    from annotate.formats.selection import ORIGINS, STATES, ExportFilter
    from annotate.nlp.training import TrainSettings, train

    if state not in STATES or origin not in ORIGINS:
        raise ClaimscopeError(
            f"--state must be one of {', '.join(STATES)} and --origin one of {', '.join(ORIGINS)}"
        )
    settings = TrainSettings(
        base=base,
        gpu_id=gpu_id,
        max_steps=max_steps,
        eval_frequency=eval_frequency,
        split=split,
        seed=seed,
    )
    how = ExportFilter(state=state, annotator=annotator, origin=origin)
    with open_store(readonly=True) as store:
        best, report = train(
            store,
            out_dir,
            settings,
            how,
            on_output=lambda line: out.print(line.rstrip("\n"), markup=False, soft_wrap=True),
        )
    for problem in iter_problems(report):
        warn(problem)
    out.print(f"trained on {report.documents} document(s): {best}", soft_wrap=True)
    out.print(f"next: claimscope preannotate --all --model {best}", soft_wrap=True)


@app.command("train-claims")
def train_claims_command(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder for the trained model (its weights and description).")
    ],
    gold: Annotated[
        Path, typer.Option("--gold", help="Claim gold to learn from (export JSONL shape).")
    ],
    dev: Annotated[
        Path, typer.Option("--dev", help="Claim gold to choose the best epoch on (held apart).")
    ],
    base: Annotated[
        str | None, typer.Option("--base", help="Pipeline to build on (default: English model).")
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option("--epochs", min=1, help="Passes over the gold (default 12; --encoder 4)."),
    ] = None,
    encoder: Annotated[
        bool,
        typer.Option(
            "--encoder",
            help="Fine-tune the pretrained MiniLM encoder instead of the small spaCy model "
            "(more accurate, slower; needs the encoder extra).",
        ),
    ] = False,
    layers: Annotated[
        int,
        typer.Option(
            "--layers",
            min=1,
            max=6,
            help="With --encoder: how many of its six layers the model reads (fewer is faster).",
        ),
    ] = 6,
    frozen_layers: Annotated[
        int,
        typer.Option(
            "--frozen-layers", min=0, max=6, help="With --encoder: lowest layers kept as installed."
        ),
    ] = 0,
    tune_embeddings: Annotated[
        bool,
        typer.Option(
            "--tune-embeddings/--keep-embeddings",
            help="With --encoder: fine-tune the word-piece embeddings too (their changed rows "
            "are saved) or keep them as installed.",
        ),
    ] = True,
    learning_rate: Annotated[
        float,
        typer.Option("--learning-rate", min=1e-6, max=1e-2, help="With --encoder: peak rate."),
    ] = 1e-4,
    train_precision: Annotated[
        str,
        typer.Option(
            "--train-precision",
            help="With --encoder: what the training steps compute in: float32, bfloat16 "
            "(faster where the processor has it) or auto.",
        ),
    ] = "float32",
    window: Annotated[
        int, typer.Option("--window", min=1, max=4, help="Tokens each convolution layer sees.")
    ] = 2,
    width: Annotated[int, typer.Option("--width", min=16, max=512, help="Vector width.")] = 64,
    depth: Annotated[int, typer.Option("--depth", min=1, max=12, help="Convolution layers.")] = 3,
    hidden: Annotated[
        int, typer.Option("--hidden", min=8, max=512, help="The role tagger's hidden width.")
    ] = 32,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    base_vectors: Annotated[
        bool,
        typer.Option(
            "--base-vectors/--no-base-vectors", help="Also read the base pipeline's token vectors."
        ),
    ] = True,
    rule_roles: Annotated[
        bool,
        typer.Option(
            "--rule-roles/--no-rule-roles", help="Also read the roles the claim rules give."
        ),
    ] = True,
    syntax: Annotated[
        bool,
        typer.Option(
            "--syntax/--no-syntax",
            help="Also read the clause each token stands in (its head, and what it hangs off).",
        ),
    ] = False,
    attrs: Annotated[
        str,
        typer.Option(
            "--attrs",
            help="Token attributes the model hashes, comma-separated (of NORM, PREFIX, "
            "SUFFIX, SHAPE, TAG, DEP).",
        ),
    ] = "NORM,PREFIX,SUFFIX,SHAPE,TAG,DEP",
    describe: Annotated[
        str | None,
        typer.Option("--describe", help="What the gold is, for the model's description."),
    ] = None,
) -> None:
    """Learn an attribution model (source, cue, content) beside the rules; leaves in OUT_DIR
    its weights only (no text), for preannotate --model OUT_DIR."""
    from annotate.nlp.attribution import EpochReport, read_claim_gold, train
    from annotate.nlp.attribution_model import EMBED_ROWS, ModelSettings
    from annotate.nlp.pipeline import load_pipeline

    hashed = tuple(name.strip().upper() for name in attrs.split(",") if name.strip())
    unknown = sorted(set(hashed) - set(EMBED_ROWS))
    if not hashed or unknown:
        raise ClaimscopeError(
            f"--attrs: {', '.join(unknown) or 'none given'}: the attributes are "
            f"{', '.join(EMBED_ROWS)}"
        )
    train_records, dev_records = read_claim_gold(gold), read_claim_gold(dev)
    base_pipeline = load_pipeline(base, attribution=False)
    passes = epochs or (4 if encoder else 12)

    def report(epoch: EpochReport) -> None:
        def shown(scores: dict[str, float]) -> str:
            return " ".join(
                f"{label.lower()} {value:.3f}" for label, value in sorted(scores.items())
            )

        out.print(
            f"epoch {epoch.epoch + 1}/{passes}: dev span F1 {shown(epoch.scores)}; claims overlap "
            f"F1 {shown(epoch.claims)} ({epoch.seconds:.0f} s)"
        )

    described = {"gold": gold.name, "dev": dev.name, "described": describe or ""}
    if encoder:
        from annotate.nlp.encoder.roles import EncoderSettings
        from annotate.nlp.encoder.training import train_encoder

        info = train_encoder(
            base_pipeline,
            train_records,
            dev_records,
            out_dir,
            epochs=passes,
            settings=EncoderSettings(
                layers=layers,
                frozen_layers=frozen_layers,
                tune_embeddings=tune_embeddings,
                learning_rate=learning_rate,
            ),
            seed=seed,
            data=described,
            on_epoch=report,
            precision=train_precision,
        )
    else:
        info = train(
            base_pipeline,
            train_records,
            dev_records,
            out_dir,
            epochs=passes,
            settings=ModelSettings(
                width=width,
                depth=depth,
                window=window,
                hidden=hidden,
                base_vectors=base_vectors,
                rule_roles=rule_roles,
                syntax=syntax,
                attrs=hashed,
            ),
            seed=seed,
            data=described,
            on_epoch=report,
        )
    out.print(
        f"best dev claims overlap F1 {info['dev_claims_f1']['mean']:.3f} "
        f"(epoch {info['best_epoch']}, span F1 {info['dev_span_f1']['f']:.3f}); "
        f"confidence ranks dev claims with AUC "
        f"{info['calibration']['dev_ranking_auc_2fold']:.2f}: {out_dir}",
        soft_wrap=True,
    )
    out.print(f"next: claimscope preannotate --all --model {out_dir}", soft_wrap=True)


@app.command("calibrate-claims")
def calibrate_claims_command(
    model_dir: Annotated[
        Path, typer.Argument(help="An attribution model's folder (what train-claims wrote).")
    ],
    gold: Annotated[
        Path,
        typer.Option("--gold", help="Claim gold to fit the confidence on (export JSONL shape)."),
    ],
) -> None:
    """Fit a model's confidence again on GOLD (the weights stay as they are): after the
    confidence's features changed, or to fit it to a team's own reviewed claims."""
    from annotate.nlp.attribution import read_claim_gold, recalibrate
    from annotate.nlp.attribution_model import is_model_folder, read_info
    from annotate.nlp.pipeline import load_pipeline

    if not is_model_folder(model_dir):
        raise ClaimscopeError(f"{model_dir}: not an attribution model's folder")
    records = read_claim_gold(gold)
    before = (read_info(model_dir).get("calibration") or {}).get("dev_ranking_auc_2fold")
    info = recalibrate(load_pipeline(str(model_dir)), model_dir, records, gold.name)
    out.print(
        f"{model_dir}: confidence fitted on {len(records)} document(s) of {gold.name}; it ranks "
        f"their claims with AUC {info['calibration']['dev_ranking_auc_2fold']:.2f} (was "
        f"{before if before is not None else 'unknown'}); digest {info['digest']}",
        soft_wrap=True,
    )
