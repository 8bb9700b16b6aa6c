"""The command's shared parts: the typer app, global options, consoles, store opening,
progress bars."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.segment import Segment
from rich.text import Text

from annotate import __version__
from annotate.errors import CheckpointError
from annotate.safetext import visible
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


class SafeConsole(Console):
    """A console whose every segment of text goes through :func:`visible` on its way out:
    file names, article titles, labels and notes in messages, tables and warnings can never
    reach the terminal as escape sequences. Rich's own control segments (cursor moves of the
    progress bar) pass untouched."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(visible(segment.text, keep_newlines=True), segment.style)


out = SafeConsole(highlight=False)
err = SafeConsole(stderr=True, highlight=False)


def warn(message: str) -> None:
    """One ``warning: …`` line on standard error."""
    err.print(Text.assemble(("warning: ", "yellow"), message), soft_wrap=True)


def report_error(message: str) -> None:
    """One ``error: …`` line on standard error."""
    err.print(Text.assemble(("error: ", "red"), message), soft_wrap=True)


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
    """The database for one command. A checkpoint that fails on close is a warning, not an
    error: the command's work is acknowledged and kept in the journal."""
    store = Store.open(db_path(), readonly=readonly)
    try:
        yield store
    finally:
        try:
            store.close()
        except CheckpointError as error:
            warn(f"{error} (it is replayed on the next open)")


def progress_bar(description: str) -> Progress:
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
