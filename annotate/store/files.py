"""Where a database's files are, and reading them: the main file, the partitions folder,
copies and backups, and file descriptors a reader keeps open."""

from __future__ import annotations

import os
import resource
import shutil
from contextlib import suppress
from pathlib import Path

from annotate.errors import StorageError


def parts_folder(path: Path) -> Path:
    return path.with_name(path.name + ".parts")


def ledger_folder(path: Path) -> Path:
    """Where the source ledger of each view is kept between readings (derived data; see
    :mod:`annotate.ledger.kept`)."""
    return path.with_name(path.name + ".ledger")


def records_path(path: Path, part: int) -> Path:
    return parts_folder(path) / f"{part:05d}.json"


def index_path(path: Path, part: int) -> Path:
    return parts_folder(path) / f"{part:05d}.index.json"


def database_files(path: Path) -> list[Path]:
    """The files that make up the database at ``path`` (the main file, its partitions and its
    journal), as they are now: what a backup copies, with no writer open."""
    found = [p for p in (path, path.with_name(path.name + ".journal")) if p.exists()]
    folder = parts_folder(path)
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    return found


def copy_database(source: Path, target: Path) -> Path:
    """Copy a closed database to ``target`` (its partitions and journal with it)."""
    for path in database_files(source):
        relative = path.relative_to(source.parent)
        if relative.parts[0] == parts_folder(source).name:
            destination = parts_folder(target) / relative.name
        elif path.name.endswith(".journal"):
            destination = target.with_name(target.name + ".journal")
        else:
            destination = target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return target


def remove_database(path: Path) -> None:
    """Delete the files of the database at ``path`` (no writer may have it open): the main
    file, its journal, partitions and reader positions. For a database a failed command
    made, never for one with data."""
    for found in database_files(path):
        found.unlink(missing_ok=True)
    for extra in (path.with_name(path.name + ".ui.json"), path.with_name(path.name + ".lock")):
        extra.unlink(missing_ok=True)
    kept = ledger_folder(path)
    if kept.is_dir():
        for found in kept.iterdir():
            found.unlink(missing_ok=True)
    for folder in (parts_folder(path), kept):
        with suppress(OSError):
            folder.rmdir()


def allow_open_files(count: int) -> None:
    """A reader keeps every partition file open: raise the soft limit on open files to
    ``count`` when the hard limit allows (it is 1,024 by default on many systems)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
        with suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def open_fd(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StorageError("read", path, error, safe="nothing was changed") from error


def read_fd(fd: int, path: Path) -> bytes:
    """The whole file behind ``fd`` (from its start, whatever was read before)."""
    try:
        size = os.fstat(fd).st_size
        chunks = []
        offset = 0
        while True:
            chunk = os.pread(fd, max(size - offset, 1 << 16), offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise StorageError("read", path, error, safe="nothing was changed") from error
