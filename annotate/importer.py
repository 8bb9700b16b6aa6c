"""Import articles: seed-format or plain text files, folders, stdin, and JSONL records.

One call is one transaction. Every input is read and checked first; only when all of it is good
(or ``skip_invalid`` is set) is anything written, in a single durable commit. Re-importing a
text already in the database is a reported no-op (documents are keyed by the hash of their text).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate.errors import ClaimscopeError, InputError
from annotate.formats.brat_reader import annotation_file_for, brat_record, text_file_for
from annotate.model import (
    Claim,
    ClaimKind,
    DocMeta,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    Quantity,
    ReviewState,
    SpanStatus,
    Verdict,
    text_hash,
)
from annotate.seedformat import find_dateline, guess_title, parse_article
from annotate.store import Store, utc_now
from annotate.team.merge import DocumentPool, MergeTally, merge_document

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
STDIN = "-"
_META_FIELDS = ("date", "title", "place", "country", "agency", "source")
_ANSWER_STATUS = {"accept": SpanStatus.ACCEPTED, "reject": SpanStatus.REJECTED}

ProgressCallback = Callable[[int, int], None]


@dataclass(slots=True)
class Provenance:
    """Who the imported annotations are attributed to."""

    as_suggestions: bool = False
    origin: str | None = None

    def span_fields(self, where: str, record: dict[str, Any]) -> dict[str, Any]:
        if self.as_suggestions:
            return {
                "origin": self.origin or Path(where.split(":", maxsplit=1)[0]).stem,
                "origin_kind": OriginKind.MODEL,
                "status": SpanStatus.SUGGESTED,
                "annotator": None,
            }
        annotator = record.get("_annotator_id")
        owner = annotator if isinstance(annotator, str) and annotator else None
        status = _ANSWER_STATUS.get(str(record.get("answer")), SpanStatus.ACCEPTED)
        # without an annotator the annotations are shared: every annotator sees them
        return {
            "origin": self.origin or owner or "import",
            "origin_kind": OriginKind.HUMAN,
            "status": status,
            "annotator": owner,
        }

    def item_fields(self, base: dict[str, Any], raw: Any, where: str) -> dict[str, Any]:
        """A span's or claim's own status, origin and annotator (as Claimscope exports them)
        win over the record's, unless the import loads everything as suggestions."""
        if self.as_suggestions or not isinstance(raw, dict):
            return base
        fields = dict(base)
        try:
            if isinstance(raw.get("status"), str):
                fields["status"] = SpanStatus(raw["status"])
            if isinstance(raw.get("origin_kind"), str):
                fields["origin_kind"] = OriginKind(raw["origin_kind"])
        except ValueError as error:
            raise InputError(where, str(error)) from None
        if isinstance(raw.get("origin"), str) and not self.origin:
            fields["origin"] = raw["origin"]
        if "annotator" in raw:
            annotator = raw["annotator"]
            fields["annotator"] = annotator if isinstance(annotator, str) else None
        if "original" in raw:  # what an annotator's version was made from (Claimscope's)
            if not isinstance(raw["original"], dict):
                raise InputError(where, "field 'original' must be an object")
            fields["original"] = raw["original"]
        return fields


@dataclass(slots=True)
class ParsedRecord:
    """One article ready to store, with the annotations that came with it."""

    where: str
    document: Document
    spans: list[EntitySpan] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    reviews: dict[str, ReviewState] = field(default_factory=dict)


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, when it failed, would have done)."""

    imported: int = 0
    #: Documents already there that brought nothing new.
    duplicates: int = 0
    rejected: int = 0
    spans: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    imported_ids: list[str] = field(default_factory=list)
    #: Documents already there that brought annotations or review states, and what they added.
    merged: int = 0
    merged_ids: list[str] = field(default_factory=list)
    merge: MergeTally = field(default_factory=MergeTally)

    @property
    def ok(self) -> bool:
        return not self.errors


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
    standoff annotations (``.ann``, see :mod:`annotate.formats.brat_reader`) is read with
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
    yield from _records_from_jsonl(text, source.name, provenance)


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


def _records_from_jsonl(
    text: str, name: str, provenance: Provenance
) -> Iterator[ParsedRecord | InputError]:
    seen_any = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen_any = True
        where = f"{name}:{number}"
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield InputError(where, f"invalid JSON ({error})")
            continue
        try:
            yield parse_json_record(value, where, provenance)
        except InputError as error:
            yield error
    if not seen_any:
        yield InputError(name, "empty (no records)")


#: How deeply a record's JSON may nest (a record's own structure needs five levels; ``meta``
#: may hold small objects of its own). Deeper input is refused before anything is stored:
#: it could not be journaled, and nothing an article carries needs it.
MAX_JSON_DEPTH = 32


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The top-level field of ``value`` that nests deeper than ``limit``, if one does
    (walked without recursion, so no input can exhaust the stack)."""
    for name, inner in value.items() if isinstance(value, dict) else ():
        stack = [(inner, 2)]
        while stack:
            current, depth = stack.pop()
            if depth > limit:
                return str(name)
            if isinstance(current, dict):
                stack.extend((child, depth + 1) for child in current.values())
            elif isinstance(current, list):
                stack.extend((child, depth + 1) for child in current)
    return None


def parse_json_record(value: Any, where: str, provenance: Provenance) -> ParsedRecord:
    """Validate one Prodigy- or doccano-style record; offsets are checked against the text."""
    if not isinstance(value, dict):
        raise InputError(where, f"expected a JSON object, got {type(value).__name__}")
    deep = _too_deep(value)
    if deep is not None:
        raise InputError(where, f"field {deep!r} is nested deeper than {MAX_JSON_DEPTH} levels")
    text = value.get("text")
    if text is None:
        raise InputError(where, "field 'text' is missing")
    if not isinstance(text, str):
        raise InputError(where, f"field 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError(where, "field 'text' is empty")
    meta = _meta_from_json(value.get("meta"), text, where)
    doc_id = text_hash(text)
    record = ParsedRecord(where, Document(doc_id, text, meta))
    base = provenance.span_fields(where, value)
    for start, end, label, raw, field_name in _raw_spans(value, where):
        if field_name.startswith("rejected_spans") and provenance.as_suggestions:
            continue  # another system's rejections are not suggestions
        fields = provenance.item_fields(base, raw, field_name)
        if field_name.startswith("rejected_spans") and not provenance.as_suggestions:
            fields = {**fields, "status": SpanStatus.REJECTED}
        span = EntitySpan(id=0, doc_id=doc_id, start=start, end=end, label=label, **fields)
        _check_original(span.original, text, f"{field_name}.original")
        record.spans.append(span)
    for name in ("claims", "rejected_claims"):
        if name == "rejected_claims" and provenance.as_suggestions:
            continue  # another system's rejections are not suggestions
        for index, raw_claim in enumerate(_list_field(value, name, where)):
            claim_where = f"{where}: {name}[{index}]"
            fields = provenance.item_fields(base, raw_claim, claim_where)
            if name == "rejected_claims":
                fields = {**fields, "status": SpanStatus.REJECTED}
            claim = _claim_from_json(raw_claim, text, doc_id, claim_where, fields)
            _check_original(claim.original, text, f"{claim_where}.original")
            record.claims.append(claim)
    record.reviews = _reviews_from_json(value.get("_reviews"), where)
    return record


def _check_original(original: dict[str, Any] | None, text: str, where: str) -> None:
    """An ``original`` (a record as it was before an annotator changed it) must describe
    ranges inside the text, a known status and, for a span, a label."""
    if original is None:
        return
    if "start" in original or "end" in original:
        start, end = _int_field(original, "start", where), _int_field(original, "end", where)
        _check_offsets(text, start, end, where)
        if not isinstance(original.get("label"), str):
            raise InputError(where, "field 'label' is missing")
    for name in ("content", "source", "cue", "source_resolved"):
        if original.get(name) is not None:
            _offsets_field(original[name], text, f"{where}.{name}", required=False)
    try:
        if original.get("status") is not None:
            SpanStatus(original["status"])
        if original.get("kind") is not None:
            ClaimKind(original["kind"])
        if original.get("verdict") is not None:
            Verdict(original["verdict"])
    except ValueError as error:
        raise InputError(where, str(error)) from None


def _reviews_from_json(raw: Any, where: str) -> dict[str, ReviewState]:
    """Claimscope's own ``_reviews`` ({annotator: state}), restored on a round trip."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(where, "field '_reviews' must be an object of annotator: state")
    try:
        return {str(name): ReviewState(state) for name, state in raw.items()}
    except ValueError as error:
        raise InputError(where, f"_reviews: {error}") from None


def _meta_from_json(raw: Any, text: str, where: str) -> DocMeta:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(where, "field 'meta' must be an object")
    known = {key: raw[key] for key in _META_FIELDS if isinstance(raw.get(key), str)}
    if "source" not in known:
        for alternative in ("source_url", "url", "path"):
            if isinstance(raw.get(alternative), str):
                known["source"] = raw[alternative]
                break
    extra = {
        key: val
        for key, val in raw.items()
        if key not in known and key not in (*_META_FIELDS, "dateline", "extra", "imported_at")
    }
    if isinstance(raw.get("extra"), dict):
        extra.update(raw["extra"])  # a Claimscope export nests what it did not know here
    meta = DocMeta(**known, extra=extra)
    dateline = raw.get("dateline")
    if isinstance(dateline, dict):
        meta.dateline = _offsets_field(dateline, text, f"{where}: meta.dateline", required=True)
    # A Claimscope export states title and dateline (even as null): keep them as they were.
    if "title" not in raw:
        meta.title = guess_title(text)
    if "dateline" not in raw:
        found = find_dateline(text)
        if found is not None:
            place, country, agency, offsets = found
            meta.place = meta.place or place
            meta.country = meta.country or country
            meta.agency = meta.agency or agency
            meta.dateline = offsets
    return meta


def _list_field(value: dict[str, Any], name: str, where: str) -> list[Any]:
    raw = value.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError(where, f"field '{name}' must be a list")
    return raw


def _raw_spans(value: dict[str, Any], where: str) -> Iterator[tuple[int, int, str, Any, str]]:
    """Prodigy ``spans`` ({start, end, label}), Claimscope's ``rejected_spans``, and doccano
    ``label`` ([start, end, label]): (start, end, label, raw item, where)."""
    text: str = value["text"]
    for key in ("spans", "rejected_spans"):
        for index, span in enumerate(_list_field(value, key, where)):
            field_name = f"{where}: {key}[{index}]"
            if not isinstance(span, dict):
                raise InputError(field_name, "must be an object with start, end and label")
            start = _int_field(span, "start", field_name)
            end = _int_field(span, "end", field_name)
            label = span.get("label")
            if not isinstance(label, str) or not label.strip():
                raise InputError(field_name, "field 'label' is missing or empty")
            _check_offsets(text, start, end, field_name)
            expected = span.get("text")
            if isinstance(expected, str) and text[start:end] != expected:
                raise InputError(
                    field_name,
                    f"span text {expected!r} does not match the text at {start}-{end} "
                    f"({text[start:end]!r})",
                )
            yield start, end, label, span, field_name
    for index, item in enumerate(_list_field(value, "label", where)):
        field_name = f"{where}: label[{index}]"
        if isinstance(item, str):
            continue  # a document category (doccano text classification), not a span
        if (
            not isinstance(item, list)
            or len(item) != 3
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in item[:2])
            or not isinstance(item[2], str)
        ):
            raise InputError(field_name, "must be [start, end, label]")
        _check_offsets(text, item[0], item[1], field_name)
        yield item[0], item[1], item[2], None, field_name


def _int_field(obj: dict[str, Any], name: str, where: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(where, f"field '{name}' must be an integer, got {value!r}")
    return value


def _check_offsets(text: str, start: int, end: int, where: str) -> None:
    if start < 0 or end > len(text):
        raise InputError(where, f"offsets {start}-{end} are outside the text (length {len(text)})")
    if start >= end:
        raise InputError(where, f"start {start} is not before end {end}")


def _offsets_field(raw: Any, text: str, where: str, *, required: bool) -> Offsets | None:
    if raw is None:
        if required:
            raise InputError(where, "is missing")
        return None
    if not isinstance(raw, dict):
        raise InputError(where, "must be an object with start and end")
    start, end = _int_field(raw, "start", where), _int_field(raw, "end", where)
    _check_offsets(text, start, end, where)
    return Offsets(start, end)


def _claim_from_json(raw: Any, text: str, doc_id: str, where: str, base: dict[str, Any]) -> Claim:
    if not isinstance(raw, dict):
        raise InputError(where, "must be an object")
    content = _offsets_field(raw.get("content"), text, f"{where}.content", required=True)
    assert content is not None
    try:
        kind = ClaimKind(raw.get("kind", ClaimKind.UNATTRIBUTED))
        verdict = Verdict(raw.get("verdict", Verdict.UNREVIEWED))
    except ValueError as error:
        raise InputError(where, str(error)) from None
    quantities = []
    for index, q in enumerate(raw.get("quantities") or []):
        q_where = f"{where}.quantities[{index}]"
        offsets = _offsets_field(q, text, q_where, required=True)
        assert offsets is not None
        quantities.append(
            Quantity(
                offsets.start,
                offsets.end,
                str(q.get("label", "CARDINAL")),
                text[offsets.start : offsets.end],
                q.get("modifier"),
            )
        )
    note = raw.get("note", "")
    content_parts = _content_parts(raw.get("content_parts"), text, where)
    if content_parts:
        content = Offsets(content_parts[0].start, content_parts[-1].end)
    return Claim(
        id=0,
        doc_id=doc_id,
        content=content,
        kind=kind,
        source=_offsets_field(raw.get("source"), text, f"{where}.source", required=False),
        source_resolved=_offsets_field(
            raw.get("source_resolved"), text, f"{where}.source_resolved", required=False
        ),
        cue=_offsets_field(raw.get("cue"), text, f"{where}.cue", required=False),
        verdict=verdict,
        note=note if isinstance(note, str) else "",
        quantities=quantities,
        content_parts=content_parts,
        rule=raw.get("rule") if isinstance(raw.get("rule"), str) else None,
        explanation=raw.get("explanation") if isinstance(raw.get("explanation"), str) else None,
        confidence=_confidence(raw.get("confidence"), f"{where}.confidence"),
        source_entry=_ledger_text(raw.get("source_entry"), f"{where}.source_entry"),
        source_name=_ledger_text(raw.get("source_name"), f"{where}.source_name"),
        **base,
    )


#: A ledger correction's entry key or name longer than this is refused.
LEDGER_TEXT_LIMIT = 1000


def _ledger_text(raw: Any, where: str) -> str | None:
    """A source-ledger correction (entry key or name): absent, null, or a short string."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip() or len(raw) > LEDGER_TEXT_LIMIT:
        raise InputError(
            where, f"must be a non-empty string of at most {LEDGER_TEXT_LIMIT} characters"
        )
    return raw


def _confidence(raw: Any, where: str) -> float | None:
    """A suggestion's confidence: absent, null, or a number from 0 to 1."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
        raise InputError(where, f"must be a number from 0 to 1, not {raw!r}")
    return float(raw)


def _content_parts(raw: Any, text: str, where: str) -> list[Offsets] | None:
    """Discontinuous content: two or more fragments in order, none overlapping."""
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) < 2:
        raise InputError(f"{where}.content_parts", "must be a list of two or more fragments")
    parts: list[Offsets] = []
    for index, item in enumerate(raw):
        part = _offsets_field(item, text, f"{where}.content_parts[{index}]", required=True)
        assert part is not None
        if parts and part.start < parts[-1].end:
            raise InputError(
                f"{where}.content_parts[{index}]", "fragments must be in order and not overlap"
            )
        parts.append(part)
    return parts


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


def import_records(store: Store, records: Sequence[ParsedRecord]) -> ImportReport:
    """Store new documents with their annotations, and add the annotations of documents that
    are already there beside theirs (:mod:`annotate.team.merge`), in one transaction."""
    report = ImportReport()
    pools: dict[str, DocumentPool] = {}
    stored_reviews: dict[str, dict[str, tuple[ReviewState, int]]] | None = None
    stamp = utc_now()
    with store.transaction() as tx:
        for record in records:
            doc = record.document
            pool = pools.get(doc.id)
            if pool is None and store.has_document(doc.id):
                if stored_reviews is None:
                    stored_reviews = _reviews_by_document(store)
                known = stored_reviews.get(doc.id, {})
                pool = pools[doc.id] = DocumentPool(
                    doc.id,
                    store.spans(doc.id),
                    store.claims(doc.id),
                    {name: state for name, (state, _) in known.items()},
                    {name: key for name, (_, key) in known.items()},
                )
            if pool is not None:  # already there: add what is new beside it
                tally = MergeTally()
                merge_document(tx, pool, record.spans, record.claims, record.reviews, tally)
                report.merge.spans += tally.spans
                report.merge.claims += tally.claims
                report.merge.reviews += tally.reviews
                report.merge.identical += tally.identical
                report.merge.kept_reviews += tally.kept_reviews
                report.merge.kept_decisions += tally.kept_decisions
                if tally.added:
                    report.merged += 1
                    report.merged_ids.append(doc.id)
                else:
                    report.duplicates += 1
                continue
            doc.meta.imported_at = stamp
            tx.add_document(doc)
            pool = pools[doc.id] = DocumentPool(doc.id, [], [], {})
            tally = MergeTally()
            merge_document(tx, pool, record.spans, record.claims, record.reviews, tally)
            report.imported += 1
            report.spans += tally.spans
            report.claims += tally.claims
            report.imported_ids.append(doc.id)
    return report


def _reviews_by_document(store: Store) -> dict[str, dict[str, tuple[ReviewState, int]]]:
    found: dict[str, dict[str, tuple[ReviewState, int]]] = {}
    for (doc_id, annotator), key in store.review_ids().items():
        found.setdefault(doc_id, {})[annotator] = (store.review_state(doc_id, annotator), key)
    return found


def import_paths(
    store: Store,
    paths: Sequence[str],
    *,
    provenance: Provenance | None = None,
    skip_invalid: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import ``paths`` all or nothing (or, with ``skip_invalid``, everything that is good)."""
    records, errors = parse_sources(paths, provenance or Provenance(), on_progress)
    if errors and not skip_invalid:
        return ImportReport(rejected=len(errors), errors=errors)
    report = import_records(store, records)
    report.rejected = len(errors)
    report.errors = errors
    return report
