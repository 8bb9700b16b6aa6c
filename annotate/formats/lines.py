"""What line-structured formats (CoNLL, brat) share: free text never forges a line or a column,
and what a format drops is reported."""

from __future__ import annotations

from collections.abc import Sequence

from annotate.formats.selection import ExportItem, ExportReport

#: What splits a line for one reader or another (Python's ``str.splitlines`` among them).
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


_ESCAPES = {
    ord(c): f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in LINE_BREAKS
}
_ESCAPES.update({ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})


def one_line(value: str) -> str:
    """``value`` as one field of one line: backslash, tab and every line break escaped
    (``\\n``, ``\\t``, ``\\u2028``), so free text can never forge a line or a column."""
    return value.translate(_ESCAPES)


def label_token(label: str, where: str, report: ExportReport, fmt: str) -> str:
    """A label as a single whitespace-free token; a changed label is reported."""
    token = "_".join(one_line(label).split()) or "_"
    if token != label:
        report.problems.append(
            f"{where}: label {label!r} written as {token!r} ({fmt} labels are one token)"
        )
    return token


def claims_left_out(items: Sequence[ExportItem], report: ExportReport, fmt: str) -> None:
    """Formats that hold entities only: say what they drop, and do not count it as exported."""
    dropped = sum(len(item.claims) for item in items)
    if dropped:
        holders = sum(1 for item in items if item.claims)
        report.problems.append(
            f"{fmt} holds entities only: {dropped} claim(s) in {holders} document(s) were left "
            "out (export them with --format jsonl, brat or spacy)"
        )
    report.claims = 0
