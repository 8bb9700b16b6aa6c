"""Export training data: Prodigy-style JSONL, spaCy DocBin, CoNLL (IOB2), brat standoff, doccano.

Exports are deterministic (the same database gives the same bytes), written atomically (to a
temporary file or folder, then renamed) and never overwrite without ``force``. Spans that a
format cannot hold (overlapping entities in ``doc.ents``, offsets inside a token) are reported,
never dropped silently.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import shutil
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import ClaimscopeError, StorageError
from annotate.model import Claim, Document, EntitySpan, Offsets, OriginKind, ReviewState, SpanStatus
from annotate.store import Store

FORMATS = ("jsonl", "spacy", "conll", "brat", "doccano")
ORIGINS = ("human", "model", "all")
STATES = ("done", "all")
CLAIM_LABEL = "CLAIM"
SOURCE_LABEL = "CLAIM_SOURCE"
CUE_LABEL = "CLAIM_CUE"
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


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which documents and annotations go out."""

    state: str = "all"
    annotator: str | None = None
    labels: frozenset[str] | None = None
    origin: str = "all"

    def keeps(self, origin_kind: OriginKind, status: SpanStatus) -> bool:
        """``human``: made or decided by a person; ``model``: made by a model; ``all``."""
        if self.origin == "human":
            return origin_kind == OriginKind.HUMAN or status in (
                SpanStatus.ACCEPTED,
                SpanStatus.EDITED,
            )
        if self.origin == "model":
            return origin_kind == OriginKind.MODEL
        return True


@dataclass(slots=True)
class ExportItem:
    """One document and the annotations selected for it."""

    document: Document
    spans: list[EntitySpan]
    rejected: list[EntitySpan]
    claims: list[Claim]
    reviews: dict[str, str]


@dataclass(slots=True)
class ExportReport:
    """What was written, and what a format could not hold."""

    documents: int = 0
    spans: int = 0
    claims: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def select_documents(store: Store, how: ExportFilter) -> list[tuple[str, dict[str, str]]]:
    """(document id, {annotator: review state}) of the documents ``how`` asks for."""
    reviews: dict[str, dict[str, str]] = {}
    for review in store.reviews():
        reviews.setdefault(review.doc_id, {})[review.annotator] = review.state.value
    chosen = []
    for doc_id in store.document_ids():
        states = reviews.get(doc_id, {})
        if how.state == "done":
            wanted = [how.annotator] if how.annotator else list(states)
            if not any(states.get(name) == ReviewState.DONE.value for name in wanted):
                continue
        chosen.append((doc_id, states))
    return chosen


def select_item(store: Store, doc_id: str, states: dict[str, str], how: ExportFilter) -> ExportItem:
    """One document with the annotations ``how`` keeps (rejected spans only with ``all``)."""
    spans, rejected = [], []
    for span in store.spans(doc_id):
        if how.labels is not None and span.label not in how.labels:
            continue
        if span.status == SpanStatus.REJECTED:
            rejected.append(span)
        elif how.keeps(span.origin_kind, span.status):
            spans.append(span)
    claims = [
        claim
        for claim in store.claims(doc_id)
        if claim.status != SpanStatus.REJECTED and how.keeps(claim.origin_kind, claim.status)
    ]
    if how.origin != "all":
        rejected = []
    return ExportItem(
        store.get_document(doc_id), _ordered(spans), _ordered(rejected), claims, states
    )


def select(store: Store, how: ExportFilter) -> list[ExportItem]:
    """The documents and annotations ``how`` asks for, in import order."""
    return [
        select_item(store, doc_id, states, how) for doc_id, states in select_documents(store, how)
    ]


def _ordered(spans: list[EntitySpan]) -> list[EntitySpan]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.label, s.origin, s.status.value))


def stable_hash(*parts: str) -> int:
    """A signed 32-bit hash that does not change between runs (Prodigy's hash width)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


# Tokens ----------------------------------------------------------------------------------------


class Tokenizer:
    """spaCy's English tokenizer (no statistical model), the one Prodigy tasks use."""

    def __init__(self) -> None:
        import spacy

        self.nlp = spacy.blank("en")

    def __call__(self, text: str) -> Any:
        return self.nlp.make_doc(text)

    def tokens(self, text: str) -> TokenTable:
        """Token boundaries, read out of spaCy as arrays (no Token objects: much faster)."""
        from spacy.attrs import IDX, SPACY

        doc = self.nlp.make_doc(text)
        starts: list[int] = doc.to_array(IDX).tolist()
        spaces: list[int] = doc.to_array(SPACY).tolist()
        ends = [following - space for following, space in zip(starts[1:], spaces, strict=False)]
        if starts:
            ends.append(len(text) - spaces[-1])
        return TokenTable(starts, ends, spaces)


@dataclass(slots=True)
class TokenTable:
    """Token starts, ends and trailing-space flags of one text."""

    starts: list[int]
    ends: list[int]
    spaces: list[int]

    def bounds(self, offsets: Offsets) -> tuple[int, int, bool]:
        """Inclusive token indices covering ``offsets`` and whether they align exactly."""
        if not self.starts:
            return 0, 0, False
        first = max(0, bisect_right(self.ends, offsets.start))
        last = max(first, bisect_left(self.starts, offsets.end) - 1)
        first = min(first, len(self.starts) - 1)
        last = min(last, len(self.starts) - 1)
        exact = self.starts[first] == offsets.start and self.ends[last] == offsets.end
        return first, last, exact

    def records(self, text: str) -> list[dict[str, Any]]:
        return [
            {"text": text[start:end], "start": start, "end": end, "id": index, "ws": bool(space)}
            for index, (start, end, space) in enumerate(
                zip(self.starts, self.ends, self.spaces, strict=True)
            )
        ]


# JSONL -------------------------------------------------------------------------------------


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
    if claim.content_parts:
        record["content_parts"] = [part.to_dict() for part in claim.content_parts]
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
        _count(report, [item])
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


# doccano ---------------------------------------------------------------------------------------


def render_doccano(items: Sequence[ExportItem]) -> bytes:
    lines = [
        json_line(
            {"text": item.document.text, "label": [[s.start, s.end, s.label] for s in item.spans]}
        )
        for item in items
    ]
    return b"\n".join(lines) + (b"\n" if lines else b"")


# Line-structured formats (CoNLL, brat) ---------------------------------------------------------

#: What splits a line for one reader or another (Python's ``str.splitlines`` among them).
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPES = {
    ord(c): f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in _LINE_BREAKS
}
_ESCAPES.update({ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})


def one_line(value: str) -> str:
    """``value`` as one field of one line: backslash, tab and every line break escaped
    (``\\n``, ``\\t``, ``\\u2028``), so free text can never forge a line or a column."""
    return value.translate(_ESCAPES)


def _label_token(label: str, where: str, report: ExportReport, fmt: str) -> str:
    """A label as a single whitespace-free token; a changed label is reported."""
    token = "_".join(one_line(label).split()) or "_"
    if token != label:
        report.problems.append(
            f"{where}: label {label!r} written as {token!r} ({fmt} labels are one token)"
        )
    return token


def _claims_left_out(items: Sequence[ExportItem], report: ExportReport, fmt: str) -> None:
    """Formats that hold entities only: say what they drop, and do not count it as exported."""
    dropped = sum(len(item.claims) for item in items)
    if dropped:
        holders = sum(1 for item in items if item.claims)
        report.problems.append(
            f"{fmt} holds entities only: {dropped} claim(s) in {holders} document(s) were left "
            "out (export them with --format jsonl, brat or spacy)"
        )
    report.claims = 0


# CoNLL -------------------------------------------------------------------------------------------


def render_conll(items: Sequence[ExportItem], report: ExportReport) -> bytes:
    """IOB2, one token per line, ``-DOCSTART- -X- O O`` between documents, blank lines between
    sentences (paragraphs); overlapping entities keep the longest."""
    tokenizer = Tokenizer()
    out: list[str] = []
    for item in items:
        text = item.document.text
        tokens = tokenizer.tokens(text)
        words = [text[start:end] for start, end in zip(tokens.starts, tokens.ends, strict=True)]
        tags = ["O"] * len(words)
        for span in _non_overlapping(item.spans, item.document.id, report):
            first, last, aligned = tokens.bounds(span.offsets)
            if not aligned:
                report.problems.append(
                    f"{span.doc_id}: {span.label} span {span.start}-{span.end} widened to tokens"
                )
            inside = [i for i in range(first, last + 1) if not words[i].isspace()]
            label = _label_token(span.label, span.doc_id, report, "CoNLL")
            for position, index in enumerate(inside):
                tags[index] = f"{'B' if position == 0 else 'I'}-{label}"
        out.append("-DOCSTART- -X- O O")
        out.append("")
        previous_blank = True
        for word, tag in zip(words, tags, strict=True):
            if word.isspace():
                if "\n" in word and not previous_blank:
                    out.append("")
                    previous_blank = True
                continue
            out.append(f"{_conll_word(word)} -X- _ {tag}")
            previous_blank = False
        if not previous_blank:
            out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


def _conll_word(word: str) -> str:
    """A token as one column: line breaks escaped, and nothing a column reader splits on."""
    return "_".join(one_line(word).split())


def _non_overlapping(
    spans: Sequence[EntitySpan], doc_id: str, report: ExportReport
) -> list[EntitySpan]:
    """Longest first, then earliest; the rest are reported."""
    kept: list[EntitySpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        clash = next((k for k in kept if k.start < span.end and span.start < k.end), None)
        if clash is None:
            kept.append(span)
        else:
            report.problems.append(
                f"{doc_id}: {span.label} span {span.start}-{span.end} overlaps {clash.label} "
                f"{clash.start}-{clash.end}; left out where entities cannot overlap"
            )
    return sorted(kept, key=lambda s: s.start)


# brat ----------------------------------------------------------------------------------------


def _fragments(text: str, parts: Sequence[Offsets]) -> str:
    """brat offsets of a span's pieces (discontinuous content has several); a piece crossing
    a newline is split there too."""
    pieces = []
    for offsets in parts:
        start = offsets.start
        for index in range(offsets.start, offsets.end):
            if text[index] == "\n":
                if start < index:
                    pieces.append(f"{start} {index}")
                start = index + 1
        if start < offsets.end:
            pieces.append(f"{start} {offsets.end}")
    return ";".join(pieces)


_BRAT_BLANKS = {ord(c): " " for c in _LINE_BREAKS + "\t"}


def _brat_text(text: str, parts: Sequence[Offsets]) -> str:
    """The span's text as brat shows it: fragments joined by a space, and no character that
    could end the line or the column (those become spaces, as brat draws them)."""
    lines = [line for o in parts for line in text[o.start : o.end].split("\n")]
    return " ".join(line for line in lines if line).translate(_BRAT_BLANKS)


def render_brat(item: ExportItem, report: ExportReport) -> tuple[bytes, bytes]:
    """The ``.txt`` (the text exactly) and ``.ann`` standoff for one document."""
    text = item.document.text
    lines: list[str] = []
    number = 0

    def add(parts: Sequence[Offsets], label: str) -> str:
        nonlocal number
        number += 1
        lines.append(f"T{number}\t{label} {_fragments(text, parts)}\t{_brat_text(text, parts)}")
        return f"T{number}"

    for span in item.spans:
        add([span.offsets], _label_token(span.label, item.document.id, report, "brat"))
    relation = 0
    notes = 0
    for claim in item.claims:
        content = add(claim.content_fragments(), CLAIM_LABEL)
        notes += 1
        lines.append(
            f"#{notes}\tAnnotatorNotes {content}\tkind={claim.kind.value} "
            f"verdict={claim.verdict.value}"
            + (f" note={one_line(claim.note)}" if claim.note else "")
        )
        for part, label, name in (
            (claim.source, SOURCE_LABEL, "Source"),
            (claim.cue, CUE_LABEL, "Cue"),
        ):
            if part is None:
                continue
            target = add([part], label)
            relation += 1
            lines.append(f"R{relation}\t{name} Arg1:{content} Arg2:{target}\t")
    return text.encode("utf-8"), ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


# spaCy DocBin ------------------------------------------------------------------------------


def build_docs(
    items: Sequence[ExportItem], spans_key: str, report: ExportReport
) -> list[tuple[str, Any]]:
    """spaCy Docs: entities in ``doc.ents``, claims in ``doc.spans[spans_key]``."""
    tokenizer = Tokenizer()
    docs = []
    for item in items:
        doc = tokenizer(item.document.text)
        ents = []
        for span in _non_overlapping(item.spans, item.document.id, report):
            aligned = doc.char_span(span.start, span.end, label=span.label)
            if aligned is None:
                aligned = doc.char_span(
                    span.start, span.end, label=span.label, alignment_mode="expand"
                )
                report.problems.append(
                    f"{item.document.id}: {span.label} span {span.start}-{span.end} is not on "
                    "token boundaries; widened to whole tokens"
                )
            trimmed = _without_space(aligned) if aligned is not None else None
            if trimmed is not None:
                ents.append(trimmed)
        doc.ents = _dedupe_ents(ents)
        group = []
        for claim in item.claims:
            # a span categorizer has no discontinuous spans: one CLAIM span per fragment
            for part, label in (
                *((fragment, CLAIM_LABEL) for fragment in claim.content_fragments()),
                (claim.source, SOURCE_LABEL),
                (claim.cue, CUE_LABEL),
            ):
                if part is None:
                    continue
                span = doc.char_span(part.start, part.end, label=label, alignment_mode="expand")
                trimmed = _without_space(span) if span is not None else None
                if trimmed is not None:
                    group.append(trimmed)
        doc.spans[spans_key] = group
        docs.append((item.document.id, doc))
    return docs


def _without_space(span: Any) -> Any:
    """The span minus whitespace tokens at its edges (spaCy rejects such entities), or None."""
    from spacy.tokens import Span

    doc = span.doc
    start, end = span.start, span.end
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return Span(doc, start, end, label=span.label_) if start < end else None


def _dedupe_ents(ents: list[Any]) -> list[Any]:
    """Widening can make two entities touch the same token: keep the first."""
    taken: set[int] = set()
    kept = []
    for ent in sorted(ents, key=lambda e: e.start):
        tokens = set(range(ent.start, ent.end))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(ent)
    return kept


def split_docs(
    docs: list[tuple[str, Any]], train_share: float, seed: int
) -> tuple[list[Any], list[Any]]:
    """A seeded shuffle by document id, so the split is the same every time."""
    ordered = sorted(docs, key=lambda pair: pair[0])
    random.Random(seed).shuffle(ordered)
    cut = round(len(ordered) * train_share)
    if len(ordered) > 1:
        cut = min(max(cut, 1), len(ordered) - 1)
    return [d for _, d in ordered[:cut]], [d for _, d in ordered[cut:]]


def docbin_bytes(docs: list[Any]) -> bytes:
    from spacy.tokens import DocBin

    return bytes(DocBin(docs=docs, store_user_data=False).to_bytes())


# Writing -----------------------------------------------------------------------------------


_NOTHING_WRITTEN = "nothing was written there, and the database is unchanged"


def _temporary(out: Path) -> Path:
    return out.with_name(f".{out.name}.tmp-{os.getpid()}")


def check_target(out: Path, *, force: bool) -> None:
    if out.exists() and not force:
        raise ClaimscopeError(f"{out} exists; use --force to overwrite it")


def write_file(out: Path, payload: bytes | Iterable[bytes], *, force: bool) -> None:
    """Atomically: temp file (written chunk by chunk as they come), fsync, rename."""
    from annotate.store.journal import atomic_write

    check_target(out, force=force)
    if out.is_dir():
        raise ClaimscopeError(f"{out} is a folder; this format writes one file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, payload)
    except OSError as error:
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error


def write_folder(out: Path, files: dict[str, bytes], *, force: bool) -> None:
    """Atomically: fill a temporary folder, then swap it in for ``out``."""
    check_target(out, force=force)
    if out.exists() and not out.is_dir():
        raise ClaimscopeError(f"{out} is a file; this format writes a folder")
    staging = _temporary(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as error:
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error
    try:
        for name, payload in sorted(files.items()):
            (staging / name).write_bytes(payload)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError("write", out, error, safe=_NOTHING_WRITTEN) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def export(
    store: Store,
    out: Path,
    fmt: str,
    how: ExportFilter,
    *,
    force: bool = False,
    split: float = 0.8,
    seed: int = 0,
    spans_key: str = "sc",
    on_progress: ProgressCallback | None = None,
) -> ExportReport:
    """Export the selected annotations to ``out`` in format ``fmt``."""
    if fmt not in FORMATS:
        raise ClaimscopeError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not 0.0 < split <= 1.0:
        raise ClaimscopeError(f"--split must be in (0, 1], got {split}")
    check_target(out, force=force)
    chosen = select_documents(store, how)
    report = ExportReport(documents=len(chosen))
    if fmt == "jsonl":
        write_file(out, iter_jsonl(store, chosen, how, report, on_progress), force=force)
        report.files.append(str(out))
        return report
    items = []
    for done, (doc_id, states) in enumerate(chosen, start=1):
        items.append(select_item(store, doc_id, states, how))
        if on_progress is not None:
            on_progress(done, len(chosen))
    _count(report, items)
    if fmt in ("doccano", "conll"):
        _claims_left_out(items, report, fmt)
    if fmt == "doccano":
        write_file(out, render_doccano(items), force=force)
        report.files.append(str(out))
    elif fmt == "conll":
        write_file(out, render_conll(items, report), force=force)
        report.files.append(str(out))
    elif fmt == "brat":
        files: dict[str, bytes] = {}
        for item in items:
            text, ann = render_brat(item, report)
            files[f"{item.document.id}.txt"] = text
            files[f"{item.document.id}.ann"] = ann
        write_folder(out, files, force=force)
        report.files += [str(out / name) for name in sorted(files)]
    else:
        docs = build_docs(items, spans_key, report)
        train, dev = split_docs(docs, split, seed)
        write_folder(
            out, {"train.spacy": docbin_bytes(train), "dev.spacy": docbin_bytes(dev)}, force=force
        )
        report.files += [str(out / "train.spacy"), str(out / "dev.spacy")]
    return report


def _count(report: ExportReport, items: Iterable[ExportItem]) -> None:
    for item in items:
        report.spans += len(item.spans)
        report.claims += len(item.claims)


def iter_problems(report: ExportReport, limit: int = 20) -> Iterator[str]:
    yield from report.problems[:limit]
    if len(report.problems) > limit:
        yield f"… and {len(report.problems) - limit} more"
