"""One JSON record (a Prodigy- or doccano-style line, Claimscope's own export, or what the brat
reader makes of a ``.ann``) checked field by field into a :class:`ParsedRecord`: offsets inside
the text, span texts equal to the text they point at, known statuses and kinds. The first
problem is an :class:`InputError` naming the line and the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from annotate.errors import InputError
from annotate.io.records import ParsedRecord, Provenance
from annotate.io.seed import find_dateline, guess_title
from annotate.model import (
    Claim,
    ClaimKind,
    DocMeta,
    Document,
    EntitySpan,
    Offsets,
    Quantity,
    ReviewState,
    SpanStatus,
    Verdict,
    text_hash,
)

_META_FIELDS = ("date", "title", "place", "country", "agency", "source")


def records_from_jsonl(
    text: str, name: str, provenance: Provenance
) -> Iterator[ParsedRecord | InputError]:
    """Each non-blank line of a JSONL text as a record, or the error that line gives."""
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
