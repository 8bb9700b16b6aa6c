"""Corpus commands: ``import``, ``stats``, ``db check`` and ``db recover``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from annotate.cli.base import (
    app,
    db_app,
    db_path,
    err,
    labelled,
    open_store,
    out,
    print_json,
    progress_bar,
    report_error,
    warn,
)
from annotate.corpus.stats import corpus_stats
from annotate.io.importing import import_records
from annotate.io.records import ImportReport, Provenance
from annotate.io.sources import parse_sources
from annotate.store.integrity import check_store
from annotate.store.recover import recover


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
    provenance = Provenance(as_suggestions=as_suggestions, origin=origin)
    with progress_bar("reading") as progress:
        task = progress.add_task("reading", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        # Every input is read and checked before the database is even opened: a refused
        # import writes nothing, not even a new empty database or its lock file.
        records, errors = parse_sources(paths, provenance, on_progress)
    for message in errors:
        report_error(message)
    if errors and not skip_invalid:
        err.print(f"nothing imported: {len(errors)} bad input(s); fix them or use --skip-invalid")
        raise typer.Exit(1)
    with open_store() as store:
        report = import_records(store, records)
    if report.merged:
        out.print(f"imported {describe_import(report)}; {len(errors)} rejected")
    else:
        out.print(
            f"imported {report.imported} document(s) ({report.spans} spans, "
            f"{report.claims} claims), {report.duplicates} duplicate(s) skipped, "
            f"{len(errors)} rejected"
        )
    if errors:
        raise typer.Exit(1)


def describe_import(report: ImportReport) -> str:
    """One line: what an import or a merge added, new documents and existing ones."""
    merge = report.merge
    line = (
        f"{report.imported} new document(s) ({report.spans} spans, {report.claims} claims); "
        f"{report.merged} document(s) already there got {merge.spans} spans, {merge.claims} "
        f"claims and {merge.reviews} review state(s); {merge.identical} identical "
        f"annotation(s) and {report.duplicates} unchanged document(s) skipped"
    )
    if merge.kept_decisions:
        line += (
            f"; {merge.kept_decisions} decision(s) on suggestions their annotator had already "
            "decided here kept as they were"
        )
    for kept in merge.kept_reviews:
        warn(f"review state kept: {kept}")
    return line


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Documents by review state, spans by label and origin, claims by kind and verdict."""
    with open_store(readonly=True) as store:
        stats = corpus_stats(store)
    if as_json:
        print_json(stats.to_dict())
        return
    out.print(
        Text.assemble(
            (str(stats.documents), "bold"), f" documents, {stats.characters:,} characters"
        )
    )
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
        print_json(payload)
    else:
        out.print(
            f"{report.path}: {report.documents} documents, {report.spans} spans, "
            f"{report.claims} claims, {report.reviews} reviews; "
            f"{report.journal_entries} journal entries since the last checkpoint"
        )
        if report.writer_pid:
            out.print(f"open for writing by pid {report.writer_pid}")
        for problem in report.problems:
            out.print(labelled("problem: ", "red", problem), soft_wrap=True)
        out.print("ok" if report.ok else f"{len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


@db_app.command("recover")
def db_recover_command() -> None:
    """Rebuild a damaged database from its intact files and say what could not be recovered
    (the damaged files are moved aside, never deleted)."""
    report = recover(db_path())
    if report.intact:
        out.print(f"{report.path} is intact; nothing was changed")
        return
    for line in report.mended:
        out.print(labelled("mended: ", "yellow", line), soft_wrap=True)
    for line in report.lost:
        out.print(labelled("lost: ", "red", line), soft_wrap=True)
    out.print(
        f"recovered {report.path}: {report.documents} documents, {report.spans} spans, "
        f"{report.claims} claims ({report.replayed} journal entries replayed); the damaged "
        f"files are in {report.moved_to}",
        soft_wrap=True,
    )
