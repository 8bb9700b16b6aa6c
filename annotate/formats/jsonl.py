"""Prodigy-style JSONL: one record per document, built by forked workers for large exports; the
round trip through import is byte-identical."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from annotate.formats.selection import (
    CLAIM_LABEL,
    CUE_LABEL,
    SOURCE_LABEL,
    ExportFilter,
    ExportItem,
    ExportReport,
    ProgressCallback,
    count_items,
    select_item,
    stable_hash,
)
from annotate.formats.tokentable import Tokenizer, TokenTable
from annotate.model import Claim, Document, EntitySpan, Offsets, ReviewState
from annotate.store import Store

_JSON = orjson.OPT_SORT_KEYS


#: Characters JSON leaves raw that some line readers (Python's ``str.splitlines``) split on.
_RAW_LINE_BREAKS = (
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
    (b"\xc2\x85", b"\\u0085"),
)


def json_line(value: Any) -> bytes:
    """One JSON line (sorted keys) that every line reader sees as one line: the line and
    paragraph separators and NEL that JSON allows raw are written as escapes (the same
    string once parsed)."""
    line = orjson.dumps(value, option=_JSON)
    for raw, escaped in _RAW_LINE_BREAKS:
        line = line.replace(raw, escaped)
    return line


def export_meta(document: Document) -> dict[str, Any]:
    """The document's metadata, minus the import time (which a round trip would change)."""
    meta = document.meta.to_dict()
    meta.pop("imported_at", None)
    return meta


def span_record(
    span: EntitySpan, text: str, tokens: TokenTable, report: ExportReport
) -> dict[str, Any]:
    first, last, aligned = tokens.bounds(span.offsets)
    if not aligned:
        report.problems.append(
            f"{span.doc_id}: {span.label} span {span.start}-{span.end} "
            f"({text[span.start : span.end]!r}) does not fall on token boundaries"
        )
    return {
        "start": span.start,
        "end": span.end,
        "token_start": first,
        "token_end": last,
        "label": span.label,
        "text": text[span.start : span.end],
        "status": span.status.value,
        "origin": span.origin,
        "origin_kind": span.origin_kind.value,
        "annotator": span.annotator,
        **({"original": span.original} if span.original else {}),
    }


def _offsets(value: Offsets | None) -> dict[str, int] | None:
    return value.to_dict() if value is not None else None


def claim_record(claim: Claim) -> dict[str, Any]:
    record: dict[str, Any] = {
        "content": claim.content.to_dict(),
        "source": _offsets(claim.source),
        "source_resolved": _offsets(claim.source_resolved),
        "cue": _offsets(claim.cue),
        "kind": claim.kind.value,
        "verdict": claim.verdict.value,
        "note": claim.note,
        "quantities": [q.to_dict() for q in claim.quantities],
        "origin": claim.origin,
        "origin_kind": claim.origin_kind.value,
        "status": claim.status.value,
        "annotator": claim.annotator,
        "rule": claim.rule,
        "explanation": claim.explanation,
    }
    if claim.confidence is not None:
        record["confidence"] = claim.confidence
    if claim.source_entry is not None:
        record["source_entry"] = claim.source_entry
    if claim.source_name is not None:
        record["source_name"] = claim.source_name
    if claim.content_parts:
        record["content_parts"] = [part.to_dict() for part in claim.content_parts]
    if claim.original:
        record["original"] = claim.original
    return record


def relation_records(claim: Claim, tokens: TokenTable) -> list[dict[str, Any]]:
    """Prodigy relations: each claim's source and cue point at its content."""
    first, last, _ = tokens.bounds(claim.content)
    content = {
        "start": claim.content.start,
        "end": claim.content.end,
        "token_start": first,
        "token_end": last,
        "label": CLAIM_LABEL,
    }
    relations = []
    for part, label, span_label in (
        (claim.source, "SOURCE_OF", SOURCE_LABEL),
        (claim.cue, "CUE_OF", CUE_LABEL),
    ):
        if part is None:
            continue
        head_first, head_last, _ = tokens.bounds(part)
        head = {
            "start": part.start,
            "end": part.end,
            "token_start": head_first,
            "token_end": head_last,
            "label": span_label,
        }
        relations.append(
            {
                "head": head_last,
                "child": last,
                "head_span": head,
                "child_span": content,
                "label": label,
            }
        )
    return relations


def answer_of(reviews: dict[str, str], annotator: str | None) -> tuple[str, str | None]:
    """Prodigy's ``answer`` and ``_annotator_id`` from the review state."""
    if annotator is not None:
        state = reviews.get(annotator)
        return ("accept" if state == ReviewState.DONE.value else "ignore"), annotator
    done = sorted(name for name, state in reviews.items() if state == ReviewState.DONE.value)
    if done:
        return "accept", done[0]
    return "ignore", (sorted(reviews)[0] if reviews else None)


def jsonl_record(
    item: ExportItem, tokenizer: Tokenizer, annotator: str | None, report: ExportReport
) -> dict[str, Any]:
    text = item.document.text
    tokens = tokenizer.tokens(text)
    spans = [span_record(span, text, tokens, report) for span in item.spans]
    answer, annotator_id = answer_of(item.reviews, annotator)
    return {
        "text": text,
        "meta": export_meta(item.document),
        "_input_hash": stable_hash(text),
        "_task_hash": stable_hash(text, orjson.dumps(spans, option=_JSON).decode()),
        "tokens": tokens.records(text),
        "spans": spans,
        "rejected_spans": [span_record(s, text, tokens, report) for s in item.rejected],
        "claims": [claim_record(claim) for claim in item.claims],
        "rejected_claims": [claim_record(claim) for claim in item.rejected_claims],
        "relations": [r for claim in item.claims for r in relation_records(claim, tokens)],
        "answer": answer,
        "_annotator_id": annotator_id,
        "_reviews": dict(sorted(item.reviews.items())),
    }


@dataclass(slots=True)
class _Work:
    """What forked workers need; set just before the pool starts, so it is inherited."""

    store: Store
    chosen: list[tuple[str, dict[str, str]]]
    how: ExportFilter
    tokenizer: Tokenizer


_WORK: _Work | None = None


PARALLEL_MIN_DOCUMENTS = 200


def _render_chunk(bounds: tuple[int, int]) -> tuple[list[bytes], ExportReport]:
    work = _WORK
    assert work is not None
    report = ExportReport()
    lines = []
    for doc_id, states in work.chosen[bounds[0] : bounds[1]]:
        item = select_item(work.store, doc_id, states, work.how)
        count_items(report, [item])
        record = jsonl_record(item, work.tokenizer, work.how.annotator, report)
        lines.append(json_line(record))
    return lines, report


def iter_jsonl(
    store: Store,
    chosen: list[tuple[str, dict[str, str]]],
    how: ExportFilter,
    report: ExportReport,
    on_progress: ProgressCallback | None = None,
    processes: int | None = None,
) -> Iterator[bytes]:
    """JSON lines in document order, a chunk at a time. Large exports are built by one worker
    per core (forked: the store and the tokenizer are inherited, not copied or reloaded), so
    the caller can write one chunk while the next is being built."""
    global _WORK
    workers = processes or min(os.cpu_count() or 1, 8)
    chunk = max(50, len(chosen) // (workers * 8) or 1)
    bounds = [(start, min(start + chunk, len(chosen))) for start in range(0, len(chosen), chunk)]
    parallel = (
        workers > 1
        and len(chosen) >= PARALLEL_MIN_DOCUMENTS
        and "fork" in mp.get_all_start_methods()
    )
    _WORK = _Work(store, chosen, how, Tokenizer())
    done = 0
    try:
        if parallel:
            with mp.get_context("fork").Pool(workers) as pool:
                parts: Iterable[tuple[list[bytes], ExportReport]] = pool.imap(_render_chunk, bounds)
                for lines, partial in parts:
                    done += len(lines)
                    yield _absorb(lines, partial, report, done, len(chosen), on_progress)
        else:
            for span in bounds:
                lines, partial = _render_chunk(span)
                done += len(lines)
                yield _absorb(lines, partial, report, done, len(chosen), on_progress)
    finally:
        _WORK = None


def _absorb(
    lines: list[bytes],
    partial: ExportReport,
    report: ExportReport,
    done: int,
    total: int,
    on_progress: ProgressCallback | None,
) -> bytes:
    report.problems.extend(partial.problems)
    report.spans += partial.spans
    report.claims += partial.claims
    if on_progress is not None:
        on_progress(done, total)
    return b"".join(line + b"\n" for line in lines)
