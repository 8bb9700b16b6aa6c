"""``claimscope export``: annotations out as training data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotate.cli.base import app, open_store, out, progress_bar, warn
from annotate.corpus.overview import known_annotators, known_labels, unknown_names
from annotate.errors import ClaimscopeError
from annotate.store import Store


@app.command("export")
def export_command(
    target: Annotated[
        Path,
        typer.Argument(
            metavar="OUT",
            help="Output file (jsonl, conll, doccano; claims: CSV, Parquet when it ends in "
            ".parquet) or folder.",
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="jsonl | spacy | conll | brat | doccano | claims (CSV)"
        ),
    ] = "jsonl",
    state: Annotated[
        str, typer.Option("--state", help="done: only documents marked done; all")
    ] = "all",
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            help="Whose view and review state (default: every record, with its owner).",
        ),
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
    from annotate.formats import export, iter_problems
    from annotate.formats.selection import ORIGINS, STATES, ExportFilter

    if state not in STATES:
        raise ClaimscopeError(f"--state must be one of {', '.join(STATES)}, got {state!r}")
    if origin not in ORIGINS:
        raise ClaimscopeError(f"--origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    wanted = frozenset(x.strip() for x in labels.split(",") if x.strip()) if labels else None
    how = ExportFilter(state=state, annotator=annotator, labels=wanted, origin=origin)
    with open_store(readonly=True) as store, progress_bar("exporting") as progress:
        asked_for_nothing = _asked_for_nothing(store, annotator, wanted)
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
        warn(problem)
    for problem in asked_for_nothing:
        warn(problem)
    counts = f"{report.documents} document(s), {report.spans} entities, {report.claims} claims"
    out.print(f"exported {counts} as {fmt} to {target}", soft_wrap=True)


def _asked_for_nothing(
    store: Store, annotator: str | None, labels: frozenset[str] | None
) -> list[str]:
    """Warnings for an annotator or a label the database does not have (the export still
    runs: an annotator's view of a database they never touched is everyone's)."""
    found = []
    if annotator is not None:
        missing = unknown_names([annotator], known_annotators(store), "annotator")
        if missing is not None:
            found.append(f"--annotator: {missing}; the export holds what every annotator sees")
    missing = unknown_names(labels or (), known_labels(store), "label")
    if missing is not None:
        found.append(f"--labels: {missing}")
    return found
