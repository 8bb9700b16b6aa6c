"""Errors that reach the user as one clear line."""

from __future__ import annotations


class ClaimscopeError(Exception):
    """An expected failure with a message fit to show the user as is."""


class InputError(ClaimscopeError):
    """Bad input: names the file, line and field at fault."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.detail = message


class StoreError(ClaimscopeError):
    """The database cannot be opened or written."""


class DatabaseLockedError(StoreError):
    """Another process has the database open for writing."""


class DamagedDatabaseError(StoreError):
    """The database file or its journal cannot be read back."""


class DamagedJournalError(DamagedDatabaseError):
    """A journal line fails its checksum (a reader beside a writer may meet a line being
    appended, and reads again before it believes the damage)."""


SAFE_EDITS = "every acknowledged edit is kept"


def describe_os_error(error: OSError) -> str:
    """``No space left on device``: the cause of an OS error, without Python's decoration."""
    return error.strerror or str(error) or type(error).__name__


class StorageError(StoreError):
    """The operating system refused to read or write one of the database's files (disk full,
    read-only file system, permissions). The message names the file and the cause and says
    what is safe."""

    def __init__(self, action: str, path: object, error: OSError, safe: str = SAFE_EDITS) -> None:
        self.cause = describe_os_error(error)
        self.errno = error.errno
        self.path = str(path)
        super().__init__(f"cannot {action} {self.path}: {self.cause}; {safe}")


class CheckpointError(StorageError):
    """A checkpoint could not be written. Nothing is lost: the journal still holds every
    acknowledged edit and is replayed on the next open."""
