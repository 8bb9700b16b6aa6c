"""The claims table: one row per claim, as CSV, for pandas or a spreadsheet.

Columns: document id, date, outlet, title, the source's ledger entry (id, name, kind; see
:mod:`annotate.ledger.sources`), the source's own words, cue, content, kind, verdict, status,
annotator, the rule that found it and its confidence. Rejected claims are not rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import partial

from annotate.formats.selection import ExportItem
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
)


def _words(text: str, offsets: Offsets | None) -> str:
    return text[offsets.start : offsets.end] if offsets is not None else ""


def render_claims_csv(items: Sequence[ExportItem]) -> bytes:
    entries = ledger((item.document, item.claims, item.spans) for item in items)
    entry_of = {id(claim): entry for entry in entries for claim in entry.claims}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        document = item.document
        words = partial(_words, document.text)
        for claim in item.claims:
            entry = entry_of.get(id(claim))
            writer.writerow(
                [
                    document.id,
                    document.meta.date or "",
                    document.meta.agency or "",
                    document.display_title,
                    entry.id if entry else "",
                    entry.name if entry else "",
                    entry.kind if entry else "",
                    words(claim.source),
                    words(claim.cue),
                    " … ".join(words(part) for part in claim.content_fragments()),
                    claim.kind.value,
                    claim.verdict.value,
                    claim.status.value,
                    claim.annotator or "",
                    claim.rule or "",
                    "" if claim.confidence is None else f"{claim.confidence:.3f}",
                ]
            )
    return buffer.getvalue().encode("utf-8")
