"""brat standoff: the text and its .ann with entities, claim parts (fragments for discontinuous
content), relations and notes."""

from __future__ import annotations

from collections.abc import Sequence

from annotate.formats.lines import LINE_BREAKS, label_token, one_line
from annotate.formats.selection import (
    CLAIM_LABEL,
    CUE_LABEL,
    SOURCE_LABEL,
    ExportItem,
    ExportReport,
)
from annotate.model import Offsets


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


_BRAT_BLANKS = {ord(c): " " for c in LINE_BREAKS + "\t"}


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
        add([span.offsets], label_token(span.label, item.document.id, report, "brat"))
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
