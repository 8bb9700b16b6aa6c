"""``claimscope tui``: the one door from the core to the Textual app (imported lazily)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from annotate.cli.base import app, db_path, state, warn
from annotate.errors import CheckpointError, ClaimscopeError


@app.command("tui")
def tui_command(
    annotator: Annotated[
        str | None, typer.Option("--annotator", help="Your name on edits (default: login name).")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Labels config JSON (default: built in).")
    ] = None,
    adjudicate: Annotated[
        str | None,
        typer.Option(
            "--adjudicate",
            help="Adjudicate these annotators' work (comma-separated) into a gold version.",
        ),
    ] = None,
    gold: Annotated[
        str, typer.Option("--as", help="With --adjudicate: the gold annotator's name.")
    ] = "gold",
) -> None:
    """Open the reader: browse documents, review and correct entities and claims."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ClaimscopeError(
            "claimscope tui needs a terminal: its input and output are a pipe or a file here"
        )
    from tui.app import make_app

    names = [n.strip() for n in adjudicate.split(",") if n.strip()] if adjudicate else []
    if adjudicate is not None and len(names) < 2:
        raise ClaimscopeError("--adjudicate: name two or more annotators, comma-separated")
    if names and annotator is not None:
        raise ClaimscopeError("--annotator: with --adjudicate, name gold with --as")
    application = make_app(
        db_path(),
        annotator=gold if names else annotator,
        labels_path=labels,
        debug=state.debug,
        adjudicate=names,
    )
    try:
        application.run()
    finally:
        try:
            application.close_store()
        except CheckpointError as error:
            warn(f"{error} (it is replayed on the next open)")
    if application.return_code:
        raise typer.Exit(application.return_code)
