"""The database: a journaled TinyDB store (``database``), its write-ahead journal and file
helpers (``journal``), and the read-only integrity check (``integrity``)."""

from annotate.store.database import (
    DB_ENV_VAR,
    DEFAULT_DB_NAME,
    SCHEMA_VERSION,
    DocCounts,
    Store,
    Transaction,
    UndoTag,
    resolve_db_path,
    utc_now,
)

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_DB_NAME",
    "SCHEMA_VERSION",
    "DocCounts",
    "Store",
    "Transaction",
    "UndoTag",
    "resolve_db_path",
    "utc_now",
]
