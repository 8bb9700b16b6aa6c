"""Export training data: Prodigy-style JSONL, spaCy DocBin, CoNLL (IOB2), brat standoff,
doccano — and the claims table for analysis (CSV or Parquet) — one module per format.

Exports are deterministic (the same database gives the same bytes), written atomically (to a
temporary file or folder, then renamed) and never overwrite without ``force``. Spans that a
format cannot hold (overlapping entities in ``doc.ents``, offsets inside a token) are reported,
never dropped silently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotate.errors import ClaimscopeError
from annotate.formats.brat import render_brat
from annotate.formats.claims_table import render_claims_csv, render_claims_parquet
from annotate.formats.conll import render_conll
from annotate.formats.docbin import build_docs, docbin_bytes, split_docs
from annotate.formats.doccano import render_doccano
from annotate.formats.jsonl import iter_jsonl
from annotate.formats.lines import claims_left_out
from annotate.formats.selection import (
    FORMATS,
    ExportFilter,
    ExportReport,
    ProgressCallback,
    count_items,
    select_documents,
    select_item,
)
from annotate.formats.writing import check_target, write_file, write_folder
from annotate.store import Store


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
    count_items(report, items)
    if fmt in ("doccano", "conll"):
        claims_left_out(items, report, fmt)
    if fmt == "doccano":
        write_file(out, render_doccano(items), force=force)
        report.files.append(str(out))
    elif fmt == "claims":
        parquet = out.suffix.lower() == ".parquet"
        table = render_claims_parquet(items) if parquet else render_claims_csv(items)
        write_file(out, table, force=force)
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


def iter_problems(report: ExportReport, limit: int = 20) -> Iterator[str]:
    yield from report.problems[:limit]
    if len(report.problems) > limit:
        yield f"… and {len(report.problems) - limit} more"
