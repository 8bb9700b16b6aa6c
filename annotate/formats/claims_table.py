"""The claims table: one row per claim, for pandas or a spreadsheet — CSV, or Parquet when the
output's name ends in ``.parquet`` (pyarrow).

Columns: document id, date, outlet, title, the source's ledger entry (id, name, kind; see
:mod:`annotate.ledger.sources`), the source's own words, cue, content, kind, verdict, status,
annotator, the rule that found it, its confidence, and its claim group (the same claim in
other documents; see :mod:`annotate.ledger.groups`; empty when no other document carries it).
Rejected claims are not rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import partial
from typing import Any

from annotate.formats.selection import ExportItem
from annotate.ledger.groups import GroupedClaim, group_claims, group_of
from annotate.ledger.sources import ledger
from annotate.model import Offsets

COLUMNS = (
    "doc_id",
    "date",
    "outlet",
    "title",
    "source_id",
    "source_name",
    "source_kind",
    "source_text",
    "cue",
    "content",
    "kind",
    "verdict",
    "status",
    "annotator",
    "rule",
    "confidence",
    "claim_group",
)


def _words(text: str, offsets: Offsets | None) -> str:
    return text[offsets.start : offsets.end] if offsets is not None else ""


def claim_rows(items: Sequence[ExportItem]) -> list[dict[str, Any]]:
    """One dict per claim, keyed by :data:`COLUMNS` (confidence a float or None)."""
    entries = ledger((item.document, item.claims, item.spans) for item in items)
    entry_of = {(ref.doc_id, ref.claim_id): entry for entry in entries for ref in entry.claims}
    contents: dict[tuple[str, int], str] = {}
    for item in items:
        for claim in item.claims:
            fragments = claim.content_fragments()
            contents[(item.document.id, claim.id)] = " … ".join(
                _words(item.document.text, part) for part in fragments
            )
    groups = group_of(
        group_claims(
            GroupedClaim(
                item.document.id,
                claim.id,
                item.document.meta.date or "",
                item.document.meta.agency or "",
                contents[(item.document.id, claim.id)],
            )
            for item in items
            for claim in item.claims
        )
    )
    rows = []
    for item in items:
        document = item.document
        words = partial(_words, document.text)
        for claim in item.claims:
            entry = entry_of.get((document.id, claim.id))
            group = groups.get((document.id, claim.id))
            rows.append(
                {
                    "doc_id": document.id,
                    "date": document.meta.date or "",
                    "outlet": document.meta.agency or "",
                    "title": document.display_title,
                    "source_id": entry.id if entry else "",
                    "source_name": entry.name if entry else "",
                    "source_kind": entry.kind if entry else "",
                    "source_text": words(claim.source),
                    "cue": words(claim.cue),
                    "content": contents[(document.id, claim.id)],
                    "kind": claim.kind.value,
                    "verdict": claim.verdict.value,
                    "status": claim.status.value,
                    "annotator": claim.annotator or "",
                    "rule": claim.rule or "",
                    "confidence": claim.confidence,
                    "claim_group": group.id if group is not None else "",
                }
            )
    return rows


def render_claims_csv(items: Sequence[ExportItem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in claim_rows(items):
        confidence = row["confidence"]
        row["confidence"] = "" if confidence is None else f"{confidence:.3f}"
        writer.writerow([row[column] for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def render_claims_parquet(items: Sequence[ExportItem]) -> bytes:
    """The same table as Parquet: every column a string, ``confidence`` a nullable double."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = claim_rows(items)
    schema = pa.schema(
        [
            pa.field(column, pa.float64() if column == "confidence" else pa.string())
            for column in COLUMNS
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
