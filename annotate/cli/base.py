"""The command's shared parts: the typer app, global options, consoles, store opening,
progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from annotate import __version__
from annotate.store import Store, resolve_db_path

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
