"""Checksums sealed into every file the store writes (schema 3).

A sealed file is still one JSON object TinyDB can read; its first member is a ``checksum``
table holding the CRC-32 and the length of every byte after that member::

    {"checksum":{"1":{"crc32":"1c291ca3","bytes":5120}},"meta":{…},"documents":{…},…}

:func:`seal` makes one from the JSON of the other tables, :func:`check_seal` verifies one
from its raw bytes without decoding it first, so a flipped bit anywhere in the file (a key
name, a digit, a brace) is found before a single record is believed. CRC-32 finds every
single-bit error and every burst of up to 32 bits.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from annotate.errors import DamagedDatabaseError

SEAL_TABLE = "checksum"
_SEAL = re.compile(rb'\{"checksum":\{"1":\{"crc32":"([0-9a-f]{8})","bytes":([0-9]{1,15})\}\},')


def seal(tables_json: bytes) -> tuple[bytes, int]:
    """The sealed file for ``tables_json`` (a JSON object with at least one member) and its
    checksum."""
    if not tables_json.startswith(b"{") or tables_json == b"{}":
        raise ValueError("only a JSON object with members can be sealed")
    rest = tables_json[1:]
    crc = zlib.crc32(rest)
    head = b'{"checksum":{"1":{"crc32":"%08x","bytes":%d}},' % (crc, len(rest))
    return head + rest, crc


def check_seal(raw: bytes, path: Path) -> int | None:
    """The checksum of a sealed file whose contents match it; None for a file that carries no
    seal (written before schema 3); :class:`DamagedDatabaseError` for a seal that fails."""
    found = _SEAL.match(raw)
    if found is None:
        return None
    crc, length = int(found[1], 16), int(found[2])
    rest = memoryview(raw)[found.end() :]
    if len(rest) != length or zlib.crc32(rest) != crc:
        raise DamagedDatabaseError(
            f"{path} is damaged: its checksum does not match its contents; it was left "
            "untouched — run `claimscope db recover` to rebuild the database from what is intact"
        )
    return crc
