"""Where each annotator left off in the reader (last document, …): ``<database>.ui.json``.

This is a convenience, not annotation: it is not journaled, it is written atomically (so it is
never half written) by whoever holds the database's write lock, and a missing or unreadable
file only means starting at the top of the list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from annotate.store.journal import atomic_write


def session_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".ui.json")


def _load_all(db_path: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded = orjson.loads(session_path(db_path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if isinstance(v, dict)}


def load_ui_state(db_path: Path, annotator: str) -> dict[str, Any]:
    """What the reader remembers for ``annotator`` (empty when nothing is)."""
    return dict(_load_all(db_path).get(annotator, {}))


def save_ui_state(db_path: Path, annotator: str, **values: Any) -> None:
    """Remember ``values`` for ``annotator``; raises OSError when the file cannot be written."""
    everything = _load_all(db_path)
    everything[annotator] = {**everything.get(annotator, {}), **values}
    atomic_write(session_path(db_path), orjson.dumps(everything))


def save_all(db_path: Path, states: dict[str, dict[str, Any]]) -> None:
    """Write what a migrated database carried in its ``ui_state`` table."""
    if states:
        everything = _load_all(db_path)
        for annotator, values in states.items():
            everything[annotator] = {**everything.get(annotator, {}), **values}
        atomic_write(session_path(db_path), orjson.dumps(everything))


def default_annotator() -> str:
    """The login name, else ``annotator``: whose edits they are when no one says."""
    import getpass
    import os

    try:
        return getpass.getuser() or "annotator"
    except (KeyError, OSError):
        return os.environ.get("USER") or "annotator"
