"""The write-ahead journal beside the database, and the file-level durability helpers.

Each committed transaction is one line: ``<crc32 as 8 hex digits> <JSON>\\n``, appended and
made durable with ``fdatasync`` before the store acknowledges it. A transaction is therefore
all or nothing. The checksum, not the newline, says whether an entry is complete:

- a last line whose checksum holds is an entry, whatever follows it: without its newline
  (a crash between the entry and its last byte) it counts, and the next writer adds the
  newline; followed by a stray byte where the newline should be, it is damage that keeps the
  entry (``claimscope db recover`` mends it);
- only a last line that fails its checksum *and* ends the file without a newline may be a
  write cut short (never acknowledged), and is dropped on open;
- a *complete* line whose checksum fails is damage, wherever it stands (the last line
  included): it may hold an acknowledged edit, so it is reported and nothing is touched.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import DamagedDatabaseError, DamagedJournalError

_CRC_WIDTH = 8


def fsync_dir(path: Path) -> None:
    """Make a rename or file creation in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_TEMPORARY_MARK = ".tmp-"


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}{_TEMPORARY_MARK}"


def stale_temporaries(*paths: Path) -> list[Path]:
    """Temporary files an interrupted :func:`atomic_write` of any of ``paths`` left behind.
    Each folder is listed once, however many of its files are asked about (a database of
    100,000 documents has a thousand partition files in one folder)."""
    prefixes: dict[Path, set[str]] = {}
    for path in paths:
        prefixes.setdefault(path.parent, set()).add(_temporary_prefix(path))
    found: list[Path] = []
    for folder, wanted in prefixes.items():
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            cut = name.rfind(_TEMPORARY_MARK)
            if cut > 0 and name[: cut + len(_TEMPORARY_MARK)] in wanted:
                found.append(folder / name)
    return found


def atomic_write(path: Path, payload: bytes | Iterable[bytes]) -> None:
    """Replace ``path`` with ``payload`` (bytes, or chunks written as they come): temp file,
    fsync, rename, fsync the folder. Until the rename, ``path`` is untouched."""
    tmp = path.with_name(f"{_temporary_prefix(path)}{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for chunk in [payload] if isinstance(payload, bytes) else payload:
            view = memoryview(chunk)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def encode_entry(entry: dict[str, Any]) -> bytes:
    body = orjson.dumps(entry)
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _decode_line(line: bytes) -> dict[str, Any] | None:
    """The entry a complete line holds, or None when it is not intact."""
    if len(line) < _CRC_WIDTH + 2 or line[_CRC_WIDTH : _CRC_WIDTH + 1] != b" ":
        return None
    body = line[_CRC_WIDTH + 1 :]
    digits = line[:_CRC_WIDTH]
    if digits.strip(b"0123456789abcdef"):  # written in lower case: any other byte is damage
        return None
    expected = int(digits, 16)
    if zlib.crc32(body) != expected:
        return None
    try:
        entry = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None


@dataclass(slots=True)
class JournalContents:
    """What a journal file held: its intact entries and where the intact part ends."""

    entries: list[dict[str, Any]]
    valid_bytes: int
    torn_bytes: int
    #: The last entry is complete but its newline was never written.
    unterminated: bool = False

    @property
    def last_seq(self) -> int:
        """The sequence number of the last entry (0 for none)."""
        if not self.entries:
            return 0
        seq = self.entries[-1].get("seq")
        return seq if isinstance(seq, int) else 0


def _damaged_entry(path: Path, number: int, where: str) -> DamagedDatabaseError:
    return DamagedJournalError(
        f"{path}: entry {number} is damaged ({where}); it is a complete line, so it may hold "
        "an acknowledged edit. Nothing was changed — run `claimscope db recover` to rebuild "
        "the database from what is intact, or restore the journal from a backup."
    )


def read_journal(path: Path) -> JournalContents:
    """Read every intact entry; an unterminated last line is measured as a torn tail, and a
    complete line that fails its checksum raises :class:`DamagedDatabaseError`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return JournalContents([], 0, 0)
    entries, position = read_entries(raw, path)
    tail = raw[position:]
    if tail:
        entry = _decode_line(tail)
        if entry is not None:  # complete: only its newline is missing
            entries.append(entry)
            return JournalContents(entries, len(raw), 0, unterminated=True)
        if _decode_line(tail[:-1]) is not None:
            raise DamagedJournalError(
                f"{path}: entry {len(entries) + 1} is intact but its line ends in a stray byte "
                f"({tail[-1:]!r}) instead of a newline. Nothing was changed — run `claimscope "
                "db recover` to keep the entry and mend the line."
            )
    return JournalContents(entries, position, len(raw) - position)


def read_entries(raw: bytes, path: Path) -> tuple[list[dict[str, Any]], int]:
    """The entries of the complete lines of ``raw`` and where they end; a complete line that
    fails its checksum raises :class:`DamagedDatabaseError`."""
    entries: list[dict[str, Any]] = []
    position = 0
    while position < len(raw):
        newline = raw.find(b"\n", position)
        if newline == -1:
            break  # the last line has no newline: the caller decides what it is
        entry = _decode_line(raw[position:newline])
        if entry is None:
            where = "the last entry" if newline + 1 == len(raw) else "later entries are intact"
            raise _damaged_entry(path, len(entries) + 1, where)
        if not isinstance(entry.get("seq"), int) or not isinstance(entry.get("ops"), list):
            raise _damaged_entry(path, len(entries) + 1, "no sequence number or operations")
        entries.append(entry)
        position = newline + 1
    return entries, position


def replay_entries(
    journal: JournalContents,
    last_seq: int,
    path: Path,
    apply: Callable[[dict[str, Any], int], None],
    *,
    gap: type[Exception] | None = None,
) -> tuple[int, int]:
    """Apply, in order, the operations of the entries after ``last_seq`` (``apply(op, seq)``);
    returns the last sequence number and how many entries were applied. Entries must follow
    each other: a gap raises ``gap`` when one is given (a reader that met a checkpoint reads
    again), else :class:`DamagedDatabaseError`, as does an entry that does not apply."""
    seq, replayed = last_seq, 0
    for entry in journal.entries:
        entry_seq = int(entry["seq"])
        if entry_seq <= seq:
            continue  # already in the files (a crash between checkpoint and journal reset)
        if entry_seq != seq + 1:
            message = (
                f"{path}: entry {entry_seq} follows entry {seq}: entries are missing. "
                "Nothing was changed — run `claimscope db recover` to rebuild the database "
                "from what is intact, or restore the files from a backup."
            )
            raise (gap or DamagedDatabaseError)(message)
        try:
            for op in entry["ops"]:
                apply(op, entry_seq)
        except (KeyError, TypeError, ValueError) as error:
            raise DamagedDatabaseError(
                f"{path}: entry {entry_seq} does not apply to the database "
                f"({type(error).__name__}: {error}). Nothing was changed."
            ) from None
        seq = entry_seq
        replayed += 1
    return seq, replayed


class JournalWriter:
    """Appends entries durably; one instance per open, writable database."""

    def __init__(self, path: Path, keep_bytes: int, *, terminate: bool = False) -> None:
        self.path = path
        existed = path.exists()
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            if os.fstat(self._fd).st_size != keep_bytes:
                os.ftruncate(self._fd, keep_bytes)  # drop a torn tail before appending after it
                os.fsync(self._fd)
            os.lseek(self._fd, 0, os.SEEK_END)
            if terminate:  # a complete last entry whose newline was never written
                os.write(self._fd, b"\n")
                os.fsync(self._fd)
                keep_bytes += 1
            if not existed:
                fsync_dir(path.parent)
        except BaseException:
            os.close(self._fd)
            raise
        self.size = keep_bytes
        self.entries = 0
        #: Set when a failed append could not be rolled back: nothing more may be appended.
        self.broken: OSError | None = None

    def append(self, entry: dict[str, Any]) -> None:
        """Write one entry and return only once it is on stable storage.

        On failure (disk full, say) the half-written line is cut off again, so it never sits
        before the next good one; if even that fails the writer refuses every later append."""
        if self.broken is not None:
            raise self.broken
        line = encode_entry(entry)
        view = memoryview(line)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fdatasync(self._fd)
        except OSError:
            try:
                os.ftruncate(self._fd, self.size)
                os.lseek(self._fd, 0, os.SEEK_END)
                os.fdatasync(self._fd)
            except OSError as rollback:
                self.broken = rollback
            raise
        self.size += len(line)
        self.entries += 1

    def reset(self) -> None:
        """Empty the journal once a checkpoint holds everything it had."""
        os.ftruncate(self._fd, 0)
        self.size = 0
        self.entries = 0
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)
