"""Atomic writing of an export: a temporary file or folder, then a rename; never over an
existing target without force."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from annotate.errors import ClaimscopeError, StorageError

_NOTHING_WRITTEN = "nothing was written there, and the database is unchanged"


def _temporary(out: Path) -> Path:
    return out.with_name(f".{out.name}.tmp-{os.getpid()}")


def check_target(out: Path, *, force: bool) -> None:
    if out.exists() and not force:
        raise ClaimscopeError(f"{out} exists; use --force to overwrite it")


def write_file(out: Path, payload: bytes | Iterable[bytes], *, force: bool) -> None:
    """Atomically: temp file (written chunk by chunk as they come), fsync, rename."""
    from annotate.store.journal import atomic_write

    check_target(out, force=force)
    if out.is_dir():
        raise ClaimscopeError(f"{out} is a folder; this format writes one file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, payload)
    except OSError as error:
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error


def write_folder(out: Path, files: dict[str, bytes], *, force: bool) -> None:
    """Atomically: fill a temporary folder, then swap it in for ``out``."""
    check_target(out, force=force)
    if out.exists() and not out.is_dir():
        raise ClaimscopeError(f"{out} is a file; this format writes a folder")
    staging = _temporary(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as error:
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error
    try:
        for name, payload in sorted(files.items()):
            (staging / name).write_bytes(payload)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
