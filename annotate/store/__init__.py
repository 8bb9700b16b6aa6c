"""The database: the store (``database``, built in layers: ``state``, ``partition_cache``,
``applying``, ``checkpoints``, ``opening``, ``queries``; the main file's schema in
``main_file``) over partitioned TinyDB files (``parts``, ``placement``), its transactions
(``transaction``), its write-ahead journal and file helpers (``journal``), the write lock
(``lock``), schema-1 databases (``legacy``) and the read-only integrity check
(``integrity``)."""

from annotate.store.database import DB_ENV_VAR, DEFAULT_DB_NAME, Store, resolve_db_path
from annotate.store.main_file import SCHEMA_VERSION
from annotate.store.transaction import Transaction, UndoTag, utc_now

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_DB_NAME",
    "SCHEMA_VERSION",
    "Store",
    "Transaction",
    "UndoTag",
    "resolve_db_path",
    "utc_now",
]
