"""The command's shared parts: the typer app, global options, consoles, store opening,
progress bars."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console, ConsoleDimensions, ConsoleOptions, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.segment import Segment
from rich.text import Text

from annotate import __version__
from annotate.errors import CheckpointError, ClaimscopeError
from annotate.ledger.corpus import keep_ledger
from annotate.review.session import default_annotator
from annotate.safetext import visible
from annotate.store import Store, resolve_db_path
from annotate.store.files import parts_folder, remove_database

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


#: How wide output to a pipe or file is laid out: a summary line is never broken, a table
#: never cut, whatever a name's length (a terminal's own width wins where there is one).
PIPE_WIDTH = 10_000


class SafeConsole(Console):
    """A console for data: nothing in a string is markup or an emoji code (``[link=…]`` in a
    label is shown as typed), every string goes through :func:`visible` before Rich sees it
    (so BEL shows as ``␇`` instead of being dropped), and every segment of text on its way
    out too: file names, article titles, labels and notes in messages, tables and warnings
    can never reach the terminal as escape sequences. Rich's own control segments (cursor
    moves of the progress bar) pass untouched. Output to a pipe is not wrapped."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or self._width is not None or "COLUMNS" in self._environ:
            return size
        return ConsoleDimensions(PIPE_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text, keep_newlines=True), **options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(visible(segment.text, keep_newlines=True), segment.style)


out = SafeConsole()
err = SafeConsole(stderr=True)


def labelled(label: str, style: str, message: str) -> Text:
    """``label`` in ``style`` before ``message``, shown literally (see :class:`SafeConsole`)."""
    return Text.assemble((label, style), visible(message, keep_newlines=True))


def warn(message: str) -> None:
    """One ``warning: …`` line on standard error."""
    err.print(labelled("warning: ", "yellow", message), soft_wrap=True)


def report_error(message: str) -> None:
    """One ``error: …`` line on standard error."""
    err.print(labelled("error: ", "red", message), soft_wrap=True)


#: Characters JSON may carry raw that a terminal acts on (C1 controls, among them CSI
#: U+009B; DEL; bidi and line-separator controls): written as ``\uXXXX`` escapes instead.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(payload: Any) -> str:
    """``payload`` as indented JSON that is safe to show on a terminal (the same data: an
    escape means the same character to every JSON reader)."""
    text = orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode()
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def print_json(payload: Any) -> None:
    """Write ``payload`` to standard output as :func:`json_text`."""
    sys.stdout.write(json_text(payload) + "\n")


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
    path = db_path()
    new = not readonly and not path.exists() and not parts_folder(path).exists()
    store = Store.open(path, readonly=readonly)
    failed = False
    opened_at = store.last_seq
    try:
        yield store
        if not readonly and store.last_seq != opened_at:
            # the reader's first look at the Sources screen then adds up only what changes
            # after this command, not every document this command touched
            with suppress(ClaimscopeError):  # derived data: the work itself is kept
                keep_ledger(store, [default_annotator()])
    except BaseException:
        failed = True
        raise
    finally:
        empty = new and failed and store.document_count() == 0
        try:
            store.close()
        except CheckpointError as error:
            warn(f"{error} (it is replayed on the next open)")
        if empty:  # a command that failed leaves no new, empty database behind
            remove_database(path)


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
