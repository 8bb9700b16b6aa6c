"""The main file (``claimscope.json``): decoding it, its schema version checked, and the
meta record every partitioned database needs, each field of its type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotate.errors import DamagedDatabaseError, StoreError
from annotate.store.legacy import LEGACY_VERSION
from annotate.store.parts import RECOVER, decode_tables
from annotate.store.placement import Placement
from annotate.store.seal import SEAL_TABLE, check_seal
from annotate.store.state import TABLES

SCHEMA_VERSION = 3
#: The first schema whose files carry checksums.
SEALED_SINCE = 3
#: The schema of partitioned databases without checksums (sealed by the first writer).
UNSEALED_VERSION = 2


def decode_main(raw: bytes, path: Path) -> dict[str, Any] | None:
    """The tables of a main file (its meta record's schema checked, and its checksum from
    schema 3 on), or None for a TinyDB file with no tables yet."""
    if not raw.strip():
        raise DamagedDatabaseError(
            f"{path} is empty ({len(raw)} bytes), and Claimscope never writes an empty "
            f"database; it was left untouched — {RECOVER}"
        )
    sealed = check_seal(raw, path) is not None
    loaded = decode_tables(raw, path, RECOVER)
    loaded.pop(SEAL_TABLE, None)
    if "meta" not in loaded:
        if sealed:
            raise DamagedDatabaseError(f"{path} is damaged (no meta table); {RECOVER}")
        if any(loaded.values()):
            raise StoreError(f"{path} is a TinyDB file but not a Claimscope database")
        return None
    meta = loaded["meta"].get("1")
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(version, int) or isinstance(version, bool):
        raise DamagedDatabaseError(
            f"{path} is damaged (its meta record has no schema_version); it was left "
            f"untouched — {RECOVER}"
        )
    if sealed != (version >= SEALED_SINCE) and version <= SCHEMA_VERSION:
        raise DamagedDatabaseError(
            f"{path} is damaged (schema {version} {'with' if sealed else 'without'} a "
            f"checksum); it was left untouched — {RECOVER}"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer Claimscope (schema {version}; "
            f"this one reads up to {SCHEMA_VERSION}); upgrade claimscope to open it"
        )
    if version not in (LEGACY_VERSION, UNSEALED_VERSION, SCHEMA_VERSION):
        raise StoreError(f"{path}: no migration from schema {version}")
    if version != LEGACY_VERSION:
        _valid_meta(meta, path)
    return loaded


_META_FIELDS = ("last_seq", "parts", "part_docs")


def _valid_meta(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """The main file's meta record, every field a partitioned database needs present and of
    its type; anything else is damage (never a default: a missing counter would hand out ids
    in use)."""

    def damaged(field: str) -> DamagedDatabaseError:
        return DamagedDatabaseError(
            f"{path} is damaged (meta field {field!r} is missing or invalid); it was left "
            f"untouched — {RECOVER}"
        )

    for name in _META_FIELDS:
        value = meta.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise damaged(name)
    if meta["part_docs"] < 1:
        raise damaged("part_docs")
    next_ids = meta.get("next_ids")
    if not isinstance(next_ids, dict) or not all(
        isinstance(name, str) and isinstance(value, int) and value > 0
        for name, value in next_ids.items()
    ):
        raise damaged("next_ids")
    placement = meta.get("placement")
    if not isinstance(placement, dict) or set(placement) - set(TABLES):
        raise damaged("placement")
    for table, saved in placement.items():
        try:
            Placement(saved)
        except (KeyError, TypeError, ValueError):
            raise damaged(f"placement.{table}") from None
    if meta["schema_version"] >= SEALED_SINCE:
        sums = meta.get("sums")
        if (
            not isinstance(sums, list)
            or len(sums) != meta["parts"]
            or not all(
                isinstance(entry, list)
                and len(entry) == 4
                and all(isinstance(n, int) and not isinstance(n, bool) for n in entry)
                for entry in sums
            )
        ):
            raise damaged("sums")
    return meta
