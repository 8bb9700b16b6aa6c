"""``claimscope sources`` and ``claim-groups``: the source ledger — who said what across the
corpus — and the same claim in several documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from annotate.cli.base import app, open_store, out, print_json
from annotate.errors import ClaimscopeError
from annotate.ledger.corpus import corpus_groups, corpus_ledger
from annotate.ledger.groups import GroupingSettings
from annotate.ledger.sources import KINDS


@app.command("sources")
def sources_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    min_claims: Annotated[
        int, typer.Option("--min-claims", min=1, help="Only sources with this many claims.")
    ] = 1,
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"Only sources of a kind: {', '.join(KINDS)}.")
    ] = None,
) -> None:
    """Every source across the corpus with its claims, documents, outlets and dates: one
    entry per source (a surname after its full name and the same name in other documents are
    one; anonymous sources such as "officials" are counted per document)."""
    if kind is not None and kind not in KINDS:
        raise ClaimscopeError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    with open_store(readonly=True) as store:
        entries = corpus_ledger(store)
    rows = [
        entry.to_dict()
        for entry in entries
        if len(entry.claims) >= min_claims and (kind is None or entry.kind == kind)
    ]
    if as_json:
        print_json({"sources": rows})
        return
    if not rows:
        out.print("no sources: no claim with a source matches")
        return
    table = Table(title="Sources")
    for heading in ("source", "kind", "claims", "docs", "outlets", "first", "last"):
        table.add_column(heading, no_wrap=heading != "source")
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["kind"]),
            str(row["claims"]),
            str(row["documents"]),
            ", ".join(row["outlets"]),  # type: ignore[arg-type]
            str(row["first"] or "—"),
            str(row["last"] or "—"),
        )
    out.print(table)


@app.command("claim-groups")
def claim_groups_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    min_documents: Annotated[
        int,
        typer.Option("--min-documents", min=1, help="Only groups in this many documents."),
    ] = 2,
    settings: Annotated[
        Path | None,
        typer.Option("--settings", help="Grouping settings (default: the shipped grouping.json)."),
    ] = None,
) -> None:
    """The same claim in several documents: claims whose contents say the same thing, with
    the first document and date that carried it and the outlets that repeated it."""
    chosen = GroupingSettings.load(settings)
    with open_store(readonly=True) as store:
        found = corpus_groups(store, chosen)
    groups = [g for g in found if len(g.documents) >= min_documents]
    if as_json:
        print_json({"groups": [group.to_dict() for group in groups]})
        return
    if not groups:
        out.print(f"no claim is carried by {min_documents} or more documents")
        return
    table = Table(title="The same claim in several documents")
    for heading in ("claim (first carried)", "docs", "first", "outlets"):
        table.add_column(heading, no_wrap=heading in ("docs", "first"))
    for group in groups:
        table.add_row(
            group.first.content,
            str(len(group.documents)),
            group.first.date or "—",
            ", ".join(group.outlets),
        )
    out.print(table)
