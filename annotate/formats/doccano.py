"""doccano JSONL: text and entity labels (it holds no claims)."""

from __future__ import annotations

from collections.abc import Sequence

from annotate.formats.jsonl import json_line
from annotate.formats.selection import ExportItem


def render_doccano(items: Sequence[ExportItem]) -> bytes:
    lines = [
        json_line(
            {"text": item.document.text, "label": [[s.start, s.end, s.label] for s in item.spans]}
        )
        for item in items
    ]
    return b"\n".join(lines) + (b"\n" if lines else b"")
