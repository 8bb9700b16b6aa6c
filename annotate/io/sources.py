"""Where an import reads from: files, folders (``*.txt`` and ``*.jsonl``, recursively), stdin, and
a ``.txt`` with its brat ``.ann``; each source decoded and read into records or one-line
errors, nothing written."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ClaimscopeError, InputError
from annotate.io.brat import annotation_file_for, brat_record, text_file_for
from annotate.io.json_records import parse_json_record, records_from_jsonl
from annotate.io.records import ParsedRecord, Provenance
from annotate.io.seed import parse_article
from annotate.model import Document, text_hash

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
STDIN = "-"

ProgressCallback = Callable[[int, int], None]


@dataclass(slots=True)
class Source:
    """A file (or stdin) to read, and how to read it."""

    name: str
    path: Path | None
    kind: str  # "text", "jsonl", "brat" (a text and its standoff annotations) or "auto"
    #: For "brat": the ``.ann`` file of the text.
    annotations: Path | None = None


def collect_sources(paths: Sequence[str]) -> tuple[list[Source], list[str]]:
    """Expand folders (recursively, ``*.txt`` and ``*.jsonl``, sorted); a ``.txt`` with brat
    standoff annotations (``.ann``, see :mod:`annotate.io.brat`) is read with
    them; report missing paths."""
    sources: list[Source] = []
    errors: list[str] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(Source("<stdin>", None, "auto"))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                errors.append(f"{raw}: no .txt or .jsonl files in this folder")
            for file in found:
                _add_source(str(file), file, sources, errors)
        elif path.is_file():
            _add_source(raw, path, sources, errors)
        elif path.exists():
            errors.append(f"{raw}: not a regular file or folder")
        else:
            errors.append(f"{raw}: no such file or folder")
    return sources, errors


def _add_source(name: str, path: Path, sources: list[Source], errors: list[str]) -> None:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        sources.append(Source(name, path, "jsonl"))
        return
    try:
        if suffix == ".ann":
            text = text_file_for(path)
            if text is None:
                errors.append(f"{name}: no .txt beside it (or in ../text/) for its annotations")
            else:
                sources.append(Source(str(text), text, "brat", path))
            return
        annotations = annotation_file_for(path)
    except InputError as error:
        errors.append(str(error))
        return
    kind = "brat" if annotations is not None else "text"
    sources.append(Source(name, path, kind, annotations))


def decode_input(raw: bytes, where: str) -> str:
    """UTF-8 text, or an :class:`InputError` that says where the bad byte is."""
    nul = raw.find(b"\x00")
    if nul != -1:
        raise InputError(where, f"looks like a binary file (NUL byte at offset {nul})")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            f"{where}:{line}",
            f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at column {column})",
        ) from None


def read_source(source: Source, provenance: Provenance) -> Iterator[ParsedRecord | InputError]:
    """Parse one source into records; bad input comes out as :class:`InputError` values."""
    try:
        raw = sys.stdin.buffer.read() if source.path is None else source.path.read_bytes()
    except OSError as error:
        yield InputError(source.name, f"cannot read ({error.strerror})")
        return
    try:
        text = decode_input(raw, source.name)
    except InputError as error:
        yield error
        return
    kind = source.kind
    if kind == "auto":
        kind = "jsonl" if text.lstrip().startswith("{") else "text"
    if kind == "brat":
        yield _record_from_brat(text, source, provenance)
        return
    if kind == "text":
        try:
            yield _record_from_text(text, source)
        except InputError as error:
            yield error
        return
    yield from records_from_jsonl(text, source.name, provenance)


def _record_from_brat(
    text: str, source: Source, provenance: Provenance
) -> ParsedRecord | InputError:
    """A text and its standoff annotations: a record as a JSONL line would give it."""
    assert source.annotations is not None
    where = str(source.annotations)
    try:
        ann = decode_input(source.annotations.read_bytes(), where)
        value = brat_record(text, ann, where, str(source.path))
        return parse_json_record(value, where, provenance)
    except OSError as error:
        return InputError(where, f"cannot read ({error.strerror})")
    except InputError as error:
        return error


def _record_from_text(text: str, source: Source) -> ParsedRecord:
    article = parse_article(text, source.name)
    article.meta.source = str(source.path) if source.path is not None else None
    return ParsedRecord(source.name, Document(text_hash(article.text), article.text, article.meta))


def parse_sources(
    paths: Sequence[str],
    provenance: Provenance,
    on_progress: ProgressCallback | None = None,
) -> tuple[list[ParsedRecord], list[str]]:
    """Read and check every input; returns the good records and one message per bad one."""
    if not paths:
        raise ClaimscopeError("nothing to import: name files, folders or - for stdin")
    sources, errors = collect_sources(paths)
    records: list[ParsedRecord] = []
    for done, source in enumerate(sources, start=1):
        for item in read_source(source, provenance):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                records.append(item)
        if on_progress is not None:
            on_progress(done, len(sources))
    return records, errors
