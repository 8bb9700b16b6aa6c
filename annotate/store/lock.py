"""The write lock: an ``flock`` held by the one process that may write the database, on the
database's partitions folder (``claimscope.json.parts/``).

The lock lives on an open descriptor of a folder the database cannot do without, as SQLite
holds its lock on the database file itself: no file's existence decides who writes, so
deleting a file cannot let a second writer in. ``claimscope.json.lock`` only *tells* who
writes (it holds the writer's pid, for the message a second writer gets); one left behind by
a crash, or one deleted under a live writer, changes nothing.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import suppress
from pathlib import Path

from annotate.errors import DatabaseLockedError, StorageError
from annotate.store.files import parts_folder

#: How often a writer tries again when the lock is taken for an instant (a reader's probe).
ATTEMPTS = 5


class WriteLock:
    """The held lock of one writable open."""

    def __init__(self, pid_path: Path, fd: int, made_folder: Path | None) -> None:
        self.path = pid_path
        self._fd: int | None = fd
        self._made_folder = made_folder

    @classmethod
    def acquire(cls, db_path: Path, pid_path: Path) -> WriteLock:
        """Take the lock of ``db_path`` or raise :class:`DatabaseLockedError` naming the pid
        that holds it; a file system that refuses is a :class:`StorageError`."""

        def refused(error: OSError, where: Path) -> StorageError:
            return StorageError(
                "open for writing", where, error, safe=f"nothing was changed in {db_path}"
            )

        folder = parts_folder(db_path)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise refused(error, db_path.parent) from error
        pid_existed = pid_path.exists()
        try:
            pid_fd = os.open(pid_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise refused(error, pid_path) from error
        made_folder: Path | None = None
        fd: int | None = None
        try:
            if not folder.is_dir():
                folder.mkdir()
                made_folder = folder
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            for attempt in range(ATTEMPTS):
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt == ATTEMPTS - 1:
                        holder = os.pread(pid_fd, 64, 0).decode("ascii", "replace").strip()
                        raise DatabaseLockedError(
                            f"{db_path} is open for writing by another process "
                            f"(pid {holder or 'unknown'}); close that claimscope first"
                        ) from None
                    time.sleep(0.01)
            os.ftruncate(pid_fd, 0)
            os.pwrite(pid_fd, str(os.getpid()).encode("ascii"), 0)
        except BaseException as error:
            if fd is not None:
                os.close(fd)
            if made_folder is not None:
                with suppress(OSError):
                    made_folder.rmdir()
            if not pid_existed:
                with suppress(OSError):
                    pid_path.unlink()
            if isinstance(error, OSError) and not isinstance(error, BlockingIOError):
                raise refused(error, folder) from error
            raise
        finally:
            os.close(pid_fd)
        return cls(pid_path, fd, made_folder)

    def release(self, *, keep_folder: bool) -> None:
        """Remove the pid file while still holding the lock, then let go (and remove the
        partitions folder this lock made, if nothing was written into it). Safe to call
        twice."""
        if self._fd is None:
            return
        with suppress(OSError):  # a read-only folder: the stale file is harmless
            self.path.unlink(missing_ok=True)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
        if self._made_folder is not None and not keep_folder:
            with suppress(OSError):  # not empty: the database was written after all
                self._made_folder.rmdir()


def active_writer(db_path: Path) -> str | None:
    """The pid holding the write lock (``unknown`` when its pid file is gone), or None when
    nobody writes."""
    try:
        fd = os.open(parts_folder(db_path), os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = Path(f"{db_path}.lock").read_text("ascii", "replace").strip()
        except OSError:
            holder = ""
        return holder or "unknown"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
