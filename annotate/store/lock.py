"""The write lock: ``claimscope.json.lock``, held with ``flock`` by the one process that may
write the database, and holding its pid.

It exists while a writer has the database open and is removed, still locked, when it closes;
one left by a crash is stale and harmless (``flock`` dies with its process). A lock taken on a
file that was removed meanwhile guards nothing, so :meth:`WriteLock.acquire` checks that the
file it locked is still the one at the path, and tries again if not.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path

from annotate.errors import DatabaseLockedError, StorageError


class WriteLock:
    """The held lock of one writable open."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: Path, lock_path: Path) -> WriteLock:
        """Take the lock of ``db_path`` or raise :class:`DatabaseLockedError` naming the pid
        that holds it; a file system that refuses is a :class:`StorageError`."""

        def refused(error: OSError, where: Path) -> StorageError:
            return StorageError(
                "open for writing", where, error, safe=f"nothing was changed in {db_path}"
            )

        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise refused(error, db_path.parent) from error
        while True:
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise refused(error, lock_path) from error
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise DatabaseLockedError(
                    f"{db_path} is open for writing by another process (pid {holder}); "
                    "close that claimscope first"
                ) from None
            try:
                current = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except OSError as error:
            os.close(fd)
            raise refused(error, lock_path) from error
        return cls(lock_path, fd)

    def release(self) -> None:
        """Remove the file while still holding it, then let go. Safe to call twice."""
        if self._fd is None:
            return
        with suppress(OSError):  # a read-only folder: the stale file is harmless
            self.path.unlink(missing_ok=True)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def active_writer(lock_path: Path) -> str | None:
    """The pid holding the write lock, or None when nobody writes."""
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip()
        return holder or "unknown"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
