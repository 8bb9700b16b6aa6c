"""``claimscope sources`` and ``claim-groups``: the source ledger — who said what across the
corpus — and the same claim in several documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from annotate.cli.base import app, open_store, out, print_json
from annotate.errors import ClaimscopeError
from annotate.ledger.corpus import corpus_groups, corpus_ledger
from annotate.ledger.corrections import Correction, merge, rename, split, undo_last
from annotate.ledger.groups import GroupingSettings
from annotate.ledger.sources import KINDS, Entry
from annotate.review.session import default_annotator
from annotate.store import Store

_SHORT_KINDS = {"organisation": "org", "anonymous": "anon"}
#: A source name longer than this is cut in the table (``--json`` has it whole).
NAME_LIMIT = 120

sources_app = typer.Typer(
    help="The source ledger: who said what across the corpus, and corrections to it.",
)
app.add_typer(sources_app, name="sources")

AnnotatorOption = Annotated[
    str | None,
    typer.Option("--annotator", help="Whose view, and whose correction (default: login name)."),
]


@sources_app.callback(invoke_without_command=True)
def sources_command(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    min_claims: Annotated[
        int, typer.Option("--min-claims", min=1, help="Only sources with this many claims.")
    ] = 1,
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"Only sources of a kind: {', '.join(KINDS)}.")
    ] = None,
    annotator: AnnotatorOption = None,
) -> None:
    """Every source across the corpus with its claims, documents, outlets and dates: one
    entry per source (a surname after its full name and the same name in other documents are
    one; anonymous sources such as "officials" are counted per document). Subcommands
    correct it: merge, split, rename, undo."""
    if context.invoked_subcommand is not None:
        return
    if kind is not None and kind not in KINDS:
        raise ClaimscopeError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    with open_store(readonly=True) as store:
        entries = corpus_ledger(store, annotator or default_annotator())
    rows = [
        entry.to_dict()
        for entry in entries
        if entry.claim_count >= min_claims and (kind is None or entry.kind == kind)
    ]
    if as_json:
        print_json({"sources": rows})
        return
    if not rows:
        out.print("no sources: no claim with a source matches")
        return
    # no column borders, and short kinds: at 80 columns the name keeps room to be read
    table = Table(title="Sources", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for heading in ("id", "source", "kind", "claims", "docs", "outlet", "first", "last"):
        if heading == "source":  # the one column that wraps, never squeezed out
            table.add_column(heading, min_width=12, ratio=1)
        else:
            table.add_column(heading, no_wrap=True)
    for row in rows:
        name = str(row["name"])
        table.add_row(
            str(row["id"]),
            name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…",
            _SHORT_KINDS.get(str(row["kind"]), str(row["kind"])),
            str(row["claims"]),
            str(row["documents"]),
            ", ".join(row["outlets"]),  # type: ignore[arg-type]
            str(row["first"] or "—"),
            str(row["last"] or "—"),
        )
    out.print(table)


def _entries(store: Store, annotator: str, ids: list[str]) -> list[Entry]:
    """The entries with these ids (as ``sources`` prints them), in that order."""
    by_id = {entry.id: entry for entry in corpus_ledger(store, annotator)}
    missing = [entry_id for entry_id in ids if entry_id not in by_id]
    if missing:
        raise ClaimscopeError(f"no source entry {missing[0]!r} (claimscope sources lists the ids)")
    return [by_id[entry_id] for entry_id in ids]


def _done(correction: Correction) -> None:
    out.print(
        f"{correction.action}: {correction.claims} claim(s) in {correction.documents} "
        "document(s) changed (claimscope sources undo takes it back)"
    )


@sources_app.command("merge")
def merge_command(
    into: Annotated[str, typer.Argument(help="The entry the others join (its id).")],
    others: Annotated[list[str], typer.Argument(help="The entries that join it (ids).")],
    annotator: AnnotatorOption = None,
) -> None:
    """Make several entries one: the claims of OTHERS join INTO."""
    name = annotator or default_annotator()
    with open_store() as store:
        target, *rest = _entries(store, name, [into, *others])
        _done(merge(store, name, rest, target))


@sources_app.command("split")
def split_command(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="The entry to split.")],
    claims: Annotated[
        list[str],
        typer.Option("--claim", help="DOC_ID:CLAIM_ID of a claim to take out (repeat)."),
    ],
    new_name: Annotated[str, typer.Option("--name", help="The new entry's name.")],
    annotator: AnnotatorOption = None,
) -> None:
    """Take claims out of an entry into a new one (two people with one name)."""
    name = annotator or default_annotator()
    chosen: list[tuple[str, int]] = []
    for claim in claims:
        doc_id, _, number = claim.rpartition(":")
        if not doc_id or not number.isdigit():
            raise ClaimscopeError(f"--claim {claim!r}: write DOC_ID:CLAIM_ID")
        chosen.append((doc_id, int(number)))
    with open_store() as store:
        (entry,) = _entries(store, name, [entry_id])
        _done(split(store, name, entry, chosen, new_name))


@sources_app.command("rename")
def rename_command(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="The entry to rename.")],
    new_name: Annotated[str, typer.Argument(metavar="NAME", help="Its name from now on.")],
    annotator: AnnotatorOption = None,
) -> None:
    """Show an entry under another name."""
    name = annotator or default_annotator()
    with open_store() as store:
        (entry,) = _entries(store, name, [entry_id])
        _done(rename(store, name, entry, new_name))


@sources_app.command("undo")
def undo_command(annotator: AnnotatorOption = None) -> None:
    """Undo your last correction of the ledger, in every document it changed."""
    name = annotator or default_annotator()
    with open_store() as store:
        undone = undo_last(store, name)
    out.print(f"undid: {undone}" if undone else f"no correction of the ledger by {name} to undo")


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
    annotator: AnnotatorOption = None,
) -> None:
    """The same claim in several documents: claims whose contents say the same thing, with
    the first document and date that carried it and the outlets that repeated it."""
    chosen = GroupingSettings.load(settings)
    with open_store(readonly=True) as store:
        found = corpus_groups(store, chosen, annotator or default_annotator())
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
