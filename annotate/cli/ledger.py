"""``claimscope sources``: the source ledger — who said what across the corpus."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from annotate.cli.base import app, open_store, out, print_json
from annotate.errors import ClaimscopeError
from annotate.ledger.sources import KINDS, ledger


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
        entries = ledger(
            (store.get_document(doc_id), store.claims(doc_id), store.spans(doc_id))
            for doc_id in store.document_ids()
        )
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
