"""The ``claimscope`` command: thin typer wrappers over the library's pure functions, one
module per command group.

Errors reach the user as one line (``error: …``) and a non-zero exit code; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import sys
import warnings
from typing import TextIO

from annotate.cli import corpus, exporting, ledger, preannotating, reader, team, training
from annotate.cli.base import app, err, state, warn
from annotate.errors import SAFE_EDITS, ClaimscopeError, describe_os_error

__all__ = [
    "app",
    "corpus",
    "exporting",
    "ledger",
    "main",
    "preannotating",
    "reader",
    "team",
    "training",
]


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Python warnings (spaCy's among them, which may quote article text) as one sanitised
    ``warning: …`` line, like every other message."""
    warn(f"{category.__name__}: {message}")


def main() -> None:
    """Entry point: run the app and turn failures into one clear line."""
    warnings.showwarning = _show_warning
    try:
        app(prog_name="claimscope")
    except ClaimscopeError as error:
        if state.debug:
            raise
        err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as error:  # the file system said no outside the store: not a bug
        if state.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        err.print(
            f"error: {where}{describe_os_error(error)}; {SAFE_EDITS}",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except Exception as error:  # the last line of defence: one line, not a traceback
        if state.debug:
            raise
        err.print(
            f"error: internal error: {type(error).__name__}: {error} "
            "(run with --debug for the traceback)",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(2)
