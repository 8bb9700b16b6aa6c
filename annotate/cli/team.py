"""``claimscope agree``: how far annotators agree, and what each of them did."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotate.cli.base import app, open_store, out, print_json, warn
from annotate.cli.corpus import describe_import
from annotate.corpus.overview import known_annotators, unknown_names
from annotate.errors import ClaimscopeError
from annotate.safetext import visible
from annotate.team.assign import plan_assignments
from annotate.team.databases import merge_database
from annotate.team.report import team_report


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise ClaimscopeError("--annotators: give annotator names separated by commas")
    return names


#: Shared documents ``assign`` names on the terminal (``--json`` gives them all).
SHOWN = 10


@app.command("assign")
def assign_command(
    annotators: Annotated[
        str, typer.Option(help="Annotator names, comma-separated.", show_default=False)
    ],
    overlap: Annotated[
        float, typer.Option(help="Share of the documents every annotator does (for agreement).")
    ] = 0.2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same split.")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the queues and shared documents as JSON.")
    ] = False,
) -> None:
    """Split the documents between annotators: each one's document list shows their queue
    first. Running it again replaces those annotators' queues. The shared documents (everyone
    annotates them, for agreement) are listed."""
    names = _names(annotators) or []
    with open_store() as store:
        plan = plan_assignments(store.document_ids(), names, overlap, seed)
        store.assign(plan.triples(), plan.annotators)
        titles = {d: store.get_document(d).display_title for d in plan.shared[:SHOWN]}
    if as_json:
        print_json(
            {"shared": list(plan.shared), "queues": {n: list(q) for n, q in plan.queues.items()}}
        )
        return
    out.print(
        f"assigned {len(plan.shared)} document(s) to everyone and the rest in turn: "
        + ", ".join(f"{name} {len(plan.queues[name])}" for name in plan.annotators)
    )
    if plan.shared:
        out.print("shared by everyone, for agreement (the list marks them ⇄):")
        for doc_id in plan.shared[:SHOWN]:
            out.print(f"  {doc_id}  {titles[doc_id]}")
        if len(plan.shared) > SHOWN:
            out.print(f"  … and {len(plan.shared) - SHOWN} more (--json lists them all)")


@app.command("merge")
def merge_command(
    other: Annotated[Path, typer.Argument(help="Another Claimscope database (its JSON file).")],
) -> None:
    """Add another database's documents and every annotator's work in it to this one, in one
    transaction: identical annotations once, each annotator's under their name."""
    if not other.is_file():
        raise ClaimscopeError(f"{other}: no such database file")
    with open_store() as store:
        report = merge_database(store, other)
    out.print(f"merged {other}: {describe_import(report)}")


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3.4 h``: time as people read it (an hour's fraction would show
    0.00 beside a rate of thousands an hour)."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@app.command("agree")
def agree_command(
    annotators: Annotated[
        str | None,
        typer.Option(help="Only these annotators, comma-separated (default: everyone)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Agreement on the documents two or more annotators marked done: entities (F1, Cohen's κ,
    Krippendorff's α, label confusion), claims, and each annotator's activity."""
    chosen = _names(annotators)
    with open_store(readonly=True) as store:
        report = team_report(store, chosen)
        missing = unknown_names(chosen or (), known_annotators(store), "annotator")
    if missing is not None:
        warn(f"--annotators: {missing}")
    if as_json:
        print_json(report)
        return
    _print(report)


def _print(report: dict[str, Any]) -> None:
    if not report["documents"]:
        out.print("agree: no document has been marked done by two or more annotators yet")
    else:
        names = ", ".join(report["annotators"])
        out.print(
            Text.assemble(
                (str(report["documents"]), "bold"),
                f" document{'' if report['documents'] == 1 else 's'} marked done by two or more "
                f"of {visible(names)}",
            ),
            soft_wrap=True,
        )
        alpha = Table("label", "Krippendorff's α (tokens)", title="All annotators together")
        for label, value in report["alpha"].items():
            alpha.add_row("all labels" if label == "*" else label, _value(value))
        out.print(alpha)
        # two narrow tables rather than one wide one: each fits 80 columns unwrapped
        pair_entities = Table(title="Pairs: entities")
        pair_claims = Table(title="Pairs: claims")
        pair_entities.add_column("pair", no_wrap=True)
        pair_claims.add_column("pair", no_wrap=True)
        for name in ("docs", "F1 exact", "F1 overlap", "token κ"):
            pair_entities.add_column(name, no_wrap=True)
        for name in ("content F1", "source", "cue", "kind κ", "verdict κ"):
            pair_claims.add_column(name, no_wrap=True)
        for pair in report["pairs"]:
            entities, claims = pair["entities"], pair["claims"]
            names = " / ".join(pair["annotators"])
            pair_entities.add_row(
                names,
                str(pair["documents"]),
                _value(entities["exact"].get("*", {}).get("f1")),
                _value(entities["overlap"].get("*", {}).get("f1")),
                _value(entities["kappa"].get("*")),
            )
            pair_claims.add_row(
                names,
                _value(claims["content"]["f1"]),
                _value(claims["source_agreement"]),
                _value(claims["cue_agreement"]),
                _value(claims["kind_kappa"]),
                _value(claims["verdict_kappa"]),
            )
        out.print(pair_entities)
        out.print(pair_claims)
        for pair in report["pairs"]:
            first, second = pair["annotators"]
            labels = Table("label", "F1 exact", "F1 overlap", "κ", title=f"{first} / {second}")
            exact, overlap = pair["entities"]["exact"], pair["entities"]["overlap"]
            for label, value in pair["entities"]["kappa"].items():
                if label == "*":
                    continue
                labels.add_row(
                    label,
                    _value(exact.get(label, {}).get("f1")),
                    _value(overlap.get(label, {}).get("f1")),
                    _value(value),
                )
            out.print(labels)
            swaps = pair["entities"]["confusion"][:10]
            if swaps:
                confusion = Table(first, second, "tokens", title="Labels they swap (tokens)")
                for a, b, count in swaps:
                    confusion.add_row(a, b, str(count))
                out.print(confusion)
    activity = Table("annotator", "done", "edits", "time", "edits/hour", title="Activity")
    for row in report["activity"]:
        activity.add_row(
            row["annotator"],
            str(row["documents_done"]),
            str(row["edits"]),
            duration(row["hours"] * 3600.0),
            "—" if row["edits_per_hour"] is None else f"{row['edits_per_hour']:.0f}",
        )
    out.print(activity if report["activity"] else "activity: no edits yet")
