"""Pre-annotation of corpora that should not enter a database at all: JSONL in, model-output
JSONL out, one shard per input file (a *partition*).

Each output shard holds, for every record of its input, the text, its metadata and the
model's entity and claim suggestions: the format ``claimscope import --as-suggestions`` reads.
Every input is read and checked before anything runs; a shard is written whole or not at all
(a temporary file renamed into place), and a shard that exists is not made again, so an
interrupted run is resumed by running it again. The parsing runs here, or on a Dask cluster's
workers (:mod:`annotate.nlp.cluster`), with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.errors import ClaimscopeError
from annotate.formats.jsonl import claim_record, export_meta, json_line
from annotate.formats.writing import write_file
from annotate.io.records import ParsedRecord, Provenance
from annotate.io.sources import parse_sources
from annotate.nlp.cluster import annotate_batch, in_order, pipeline_origin
from annotate.nlp.preannotate import WINDOW_CHARS, Extraction, suggestion_from_detected

if TYPE_CHECKING:
    from distributed import Client

#: Called after each batch: (documents done, documents in all, shard being written).
BatchProgress = Callable[[int, int, str], None]


class BadInputError(ClaimscopeError):
    """Inputs that cannot be read: one line each; nothing was annotated."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"nothing annotated: {len(problems)} bad input(s)")
        self.problems = problems


@dataclass(slots=True)
class BatchReport:
    origin: str = ""
    shards_written: list[str] = field(default_factory=list)
    shards_kept: list[str] = field(default_factory=list)
    documents: int = 0
    spans: int = 0
    claims: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def partitions(inputs: Sequence[str]) -> list[Path]:
    """The input files: JSONL files as named, and the ``*.jsonl`` in folders, sorted."""
    found: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.jsonl") if not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
        else:
            raise ClaimscopeError(f"{raw}: no such file or folder")
    if not found:
        raise ClaimscopeError("no JSONL input: name JSONL files or folders holding them")
    stems = [p.stem for p in found]
    doubled = sorted({stem for stem in stems if stems.count(stem) > 1})
    if doubled:
        raise ClaimscopeError(
            f"two inputs would write the same shard: {', '.join(doubled)}; rename one"
        )
    return found


def read_partitions(paths: Sequence[Path]) -> list[list[ParsedRecord]]:
    """Every input read and checked: all of them, or an error naming each bad line."""
    read: list[list[ParsedRecord]] = []
    problems: list[str] = []
    for path in paths:
        records, errors = parse_sources([str(path)], Provenance())
        problems += errors
        read.append(records)
    if problems:
        raise BadInputError(problems)
    return read


def shard_record(
    record: ParsedRecord, found: Extraction, origin: str, wanted: set[str] | None
) -> dict[str, Any]:
    """One output line: the input's text and metadata with the model's suggestions."""
    text = record.document.text
    spans = [
        {"start": start, "end": end, "label": label, "text": text[start:end]}
        for start, end, label in found.entities
        if wanted is None or label in wanted
    ]
    claims = [
        claim_record(suggestion_from_detected(detected, record.document.id, origin))
        for detected in found.claims
    ]
    return {"text": text, "meta": export_meta(record.document), "spans": spans, "claims": claims}


def preannotate_files(
    inputs: Sequence[str],
    out_dir: Path,
    *,
    client: Client | None = None,
    model: str | None = None,
    claim_lexicon: Path | None = None,
    claims_from: str | None = None,
    labels: Sequence[str] | None = None,
    batch_documents: int = 32,
    batch_size: int = 32,
    window_chars: int = WINDOW_CHARS,
    on_progress: BatchProgress | None = None,
) -> BatchReport:
    """Write ``out_dir/<input name>.jsonl`` for each input that has no shard yet."""
    paths = partitions(inputs)
    read = read_partitions(paths)
    lexicon = str(claim_lexicon) if claim_lexicon else None
    if client is not None:
        origin = client.submit(pipeline_origin, model, lexicon, claims_from, pure=False).result()
    else:
        origin = pipeline_origin(model, lexicon, claims_from)
    report = BatchReport(origin=origin)
    wanted = set(labels) if labels else None
    total = sum(len(records) for records in read)
    done = 0
    for path, records in zip(paths, read, strict=True):
        target = out_dir / f"{path.stem}.jsonl"
        if target.exists():
            report.shards_kept.append(str(target))
            done += len(records)
            continue
        batches = [
            records[i : i + batch_documents] for i in range(0, len(records), batch_documents)
        ]
        lines: list[bytes] = []
        for batch, (found, failed) in zip(
            batches,
            _results(batches, client, model, (lexicon, claims_from), batch_size, window_chars),
            strict=True,
        ):
            by_id = {record.document.id: record for record in batch}
            for extraction in found:
                line = shard_record(by_id[extraction.doc_id], extraction, origin, wanted)
                report.spans += len(line["spans"])
                report.claims += len(line["claims"])
                lines.append(json_line(line) + b"\n")
            report.documents += len(found)
            report.failed += failed
            done += len(batch)
            if on_progress is not None:
                on_progress(done, total, target.name)
        write_file(target, lines, force=False)
        report.shards_written.append(str(target))
    return report


def _results(
    batches: list[list[ParsedRecord]],
    client: Client | None,
    model: str | None,
    detector: tuple[str | None, str | None],
    batch_size: int,
    window_chars: int,
) -> Any:
    """Each batch's results in order: computed here, or on the cluster with a few batches
    in flight at a time."""

    lexicon, claims_from = detector

    def texts(batch: list[ParsedRecord]) -> list[tuple[str, str]]:
        return [(r.document.id, r.document.text) for r in batch]

    if client is None:
        for batch in batches:
            yield annotate_batch(
                model, lexicon, texts(batch), batch_size, window_chars, claims_from
            )
        return

    def submit(batch: list[ParsedRecord]) -> Any:
        return client.submit(
            annotate_batch,
            model,
            lexicon,
            texts(batch),
            batch_size,
            window_chars,
            claims_from,
            pure=False,
        )

    limit = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    for _, result in in_order(batches, submit, limit):
        yield result
