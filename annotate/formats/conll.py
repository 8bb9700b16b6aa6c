"""CoNLL IOB2: one token per line, documents and paragraphs apart (it holds no claims)."""

from __future__ import annotations

from collections.abc import Sequence

from annotate.formats.lines import label_token, one_line
from annotate.formats.selection import ExportItem, ExportReport
from annotate.formats.tokentable import Tokenizer
from annotate.model import EntitySpan


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
        for span in non_overlapping(item.spans, item.document.id, report):
            first, last, aligned = tokens.bounds(span.offsets)
            if not aligned:
                report.problems.append(
                    f"{span.doc_id}: {span.label} span {span.start}-{span.end} widened to tokens"
                )
            inside = [i for i in range(first, last + 1) if not words[i].isspace()]
            label = label_token(span.label, span.doc_id, report, "CoNLL")
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


def non_overlapping(
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
