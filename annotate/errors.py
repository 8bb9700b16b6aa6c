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
