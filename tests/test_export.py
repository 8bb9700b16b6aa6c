"""Exports against their consumers: Prodigy-style JSONL (round trip), spaCy, CoNLL, brat,
doccano; filters, determinism, atomic writes; model output imported as suggestions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.formats import export
from annotate.formats.selection import ExportFilter
from annotate.model import Offsets, ReviewState, SpanStatus, Verdict
from annotate.review.editing import Editor
from annotate.store import Store
from tests.conftest import CORPORA, ROOT, run_cli


@pytest.fixture
def reviewed_db(tui_template: Path, tmp_path: Path) -> Path:
    """Two pre-annotated documents with every kind of decision made on the first."""
    from tests.tui.tui_support import copy_database

    db = copy_database(tui_template, tmp_path / "reviewed.json")
    with Store.open(db) as store:
        doc_id = store.document_ids()[0]
        text = store.get_document(doc_id).text
        alice = Editor(store, doc_id, "alice")
        spans = store.spans(doc_id)
        alice.set_status(spans[0].id, SpanStatus.ACCEPTED)
        alice.set_status(spans[1].id, SpanStatus.REJECTED)
        alice.set_label(spans[2].id, "LOC")
        start = text.index("drawdown")
        alice.add_entity(start, start + len("drawdown"), "EVENT")
        claim = store.claims(doc_id)[2]
        alice.set_verdict(claim.id, Verdict.DISPUTED)
        alice.set_note(claim.id, "a second source says otherwise")
        alice.set_claim_status(claim.id, SpanStatus.ACCEPTED)
        alice.set_claim_status(store.claims(doc_id)[3].id, SpanStatus.REJECTED)
        alice.set_state(ReviewState.DONE)
        Editor(store, doc_id, "bob").set_state(ReviewState.IN_PROGRESS)
    return db


def test_jsonl_round_trip_is_byte_identical(reviewed_db: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    run_cli("export", str(first), db=reviewed_db, check=True)
    copy = tmp_path / "copy.json"
    run_cli("import", str(first), db=copy, check=True)
    second = tmp_path / "second.jsonl"
    run_cli("export", str(second), db=copy, check=True)
    assert first.read_bytes() == second.read_bytes()
    with Store.open(copy, readonly=True) as store:
        doc_id = store.document_ids()[0]
        assert store.review_state(doc_id, "alice") == ReviewState.DONE
        assert store.review_state(doc_id, "bob") == ReviewState.IN_PROGRESS
        statuses = {s.status for s in store.spans(doc_id)}
        assert statuses == {
            SpanStatus.ACCEPTED,
            SpanStatus.REJECTED,
            SpanStatus.EDITED,
            SpanStatus.SUGGESTED,
        }
        disputed = [c for c in store.claims(doc_id) if c.verdict == Verdict.DISPUTED]
        assert disputed[0].note == "a second source says otherwise"
        assert disputed[0].source_entity is not None  # relinked to the imported entity
        # issue 10, bug 3: a rejected claim is exported (and comes back) like a rejected span
        assert [c.status for c in store.claims(doc_id)].count(SpanStatus.REJECTED) == 1
    record = json.loads(first.read_text().splitlines()[0])
    assert len(record["rejected_claims"]) == 1
    assert record["rejected_claims"][0]["status"] == "rejected"
    assert all(c["status"] != "rejected" for c in record["claims"])


def test_jsonl_record_is_prodigy_shaped(reviewed_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_cli("export", str(out), "--annotator", "alice", db=reviewed_db, check=True)
    record = json.loads(out.read_text().splitlines()[0])
    text = record["text"]
    assert record["answer"] == "accept" and record["_annotator_id"] == "alice"
    assert isinstance(record["_input_hash"], int) and isinstance(record["_task_hash"], int)
    tokens = record["tokens"]
    assert all(text[t["start"] : t["end"]] == t["text"] for t in tokens)
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    for span in record["spans"]:
        assert tokens[span["token_start"]]["start"] == span["start"]
        assert tokens[span["token_end"]]["end"] == span["end"]  # inclusive token_end
        assert text[span["start"] : span["end"]] == span["text"]
    assert [s["status"] for s in record["rejected_spans"]] == ["rejected"]
    claim = next(c for c in record["claims"] if c["verdict"] == "disputed")
    assert set(claim) >= {
        "content",
        "source",
        "cue",
        "kind",
        "verdict",
        "note",
        "quantities",
        "origin",
    }
    labels = {r["label"] for r in record["relations"]}
    assert labels == {"SOURCE_OF", "CUE_OF"}
    relation = record["relations"][0]
    assert relation["head"] == relation["head_span"]["token_end"]
    second = json.loads(out.read_text().splitlines()[1])
    assert second["answer"] == "ignore"


def test_filters(reviewed_db: Path) -> None:
    with Store.open(reviewed_db, readonly=True) as store:

        def count(**kwargs: object) -> tuple[int, int]:
            from annotate.formats.selection import select

            items = select(store, ExportFilter(**kwargs))  # type: ignore[arg-type]
            return len(items), sum(len(i.spans) for i in items)

        assert count(state="done")[0] == 1
        assert count(state="done", annotator="bob")[0] == 0
        assert count(origin="human") == (2, 3)  # accepted, edited and the added span
        documents, spans = count(labels=frozenset({"LOC", "EVENT"}))
        assert (documents, spans) == (2, 2)
        assert count(origin="model")[1] == count()[1] - 1


def test_exports_are_deterministic_atomic_and_do_not_overwrite(
    reviewed_db: Path, tmp_path: Path
) -> None:
    for fmt, name in (
        ("jsonl", "a.jsonl"),
        ("doccano", "a.doccano.jsonl"),
        ("conll", "a.conll"),
        ("spacy", "spacy"),
        ("brat", "brat"),
    ):
        out = tmp_path / name
        run_cli("export", str(out), "--format", fmt, db=reviewed_db, check=True)
        snapshot = _read(out)
        refused = run_cli("export", str(out), "--format", fmt, db=reviewed_db)
        assert refused.returncode == 1
        assert refused.stderr.strip() == f"error: {out} exists; use --force to overwrite it"
        run_cli("export", str(out), "--format", fmt, "--force", db=reviewed_db, check=True)
        assert _read(out) == snapshot, fmt
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def _read(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    return {path.name: path.read_bytes()}


def test_spacy_docbin_holds_entities_and_claims(reviewed_db: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "spacy"
    result = run_cli(
        "export",
        str(out),
        "--format",
        "spacy",
        "--split",
        "0.5",
        "--seed",
        "3",
        db=reviewed_db,
        check=True,
    )
    nlp = spacy.blank("en")
    docs = [
        d
        for name in ("train.spacy", "dev.spacy")
        for d in DocBin().from_disk(out / name).get_docs(nlp.vocab)
    ]
    assert len(docs) == 2
    assert all(doc.ents for doc in docs)
    labels = {span.label_ for doc in docs for span in doc.spans["sc"]}
    assert labels == {"CLAIM", "CLAIM_SOURCE", "CLAIM_CUE"}
    assert "exported 2 document(s)" in result.stdout


def test_overlapping_entities_are_reported(reviewed_db: Path, tmp_path: Path) -> None:
    with Store.open(reviewed_db) as store:
        doc_id = store.document_ids()[0]
        Editor(store, doc_id, "alice").add_entity(0, 18, "LOC")  # over "Kabul" and "Afghanistan"
    result = run_cli("export", str(tmp_path / "s"), "--format", "spacy", db=reviewed_db)
    assert result.returncode == 0
    assert "overlaps LOC 0-18; left out where entities cannot overlap" in result.stderr


def test_conll_is_read_back_by_spacy_convert(reviewed_db: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    conll = tmp_path / "out.conll"
    run_cli("export", str(conll), "--format", "conll", db=reviewed_db, check=True)
    converted = tmp_path / "converted"
    converted.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "convert",
            str(conll),
            str(converted),
            "--converter",
            "ner",
            "--n-sents",
            "10",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    docs = list(DocBin().from_disk(converted / "out.spacy").get_docs(spacy.blank("en").vocab))
    ents = [ent.text for doc in docs for ent in doc.ents]
    assert "Muhammed Sarfraz Khan" in ents
    lines = [
        line for line in conll.read_text().splitlines() if line and not line.startswith("-DOC")
    ]
    assert sum(1 for line in lines if line.split()[-1].startswith("B-")) == len(ents)


def test_brat_offsets_match_the_text(reviewed_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    run_cli("export", str(out), "--format", "brat", db=reviewed_db, check=True)
    anns = sorted(out.glob("*.ann"))
    assert len(anns) == 2
    kinds = set()
    for ann in anns:
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            kinds.add(line[0])
            if not line.startswith("T"):
                continue
            _, label_and_offsets, shown = line.split("\t")
            fragments = label_and_offsets.split(" ", 1)[1].split(";")
            pieces = [text[int(a) : int(b)] for a, b in (f.split() for f in fragments)]
            assert " ".join(pieces) == shown
    assert kinds == {"T", "R", "#"}


def test_doccano_records(reviewed_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    run_cli(
        "export", str(out), "--format", "doccano", "--origin", "human", db=reviewed_db, check=True
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    first = records[0]
    assert sorted(label for _, _, label in first["label"]) == ["EVENT", "GPE", "LOC"]
    assert all(first["text"][s:e] for s, e, _ in first["label"])


def test_model_output_as_suggestions_with_claims(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    text = "The minister said that the economy grew by 4 percent."
    record = {
        "text": text,
        "spans": [{"start": 0, "end": 12, "label": "PERSON"}],
        "claims": [
            {
                "content": {"start": 23, "end": 52},
                "source": {"start": 0, "end": 12},
                "cue": {"start": 13, "end": 17},
                "kind": "reported",
            }
        ],
    }
    path = tmp_path / "preds.jsonl"
    path.write_text(json.dumps(record) + "\n")
    run_cli(
        "import", "--as-suggestions", "--origin", "other-system@2", str(path), db=db, check=True
    )
    with Store.open(db, readonly=True) as store:
        doc_id = store.document_ids()[0]
        [span] = store.spans(doc_id)
        [claim] = store.claims(doc_id)
        assert (span.origin, span.status) == ("other-system@2", SpanStatus.SUGGESTED)
        assert (claim.origin, claim.status) == ("other-system@2", SpanStatus.SUGGESTED)
        assert claim.source_entity == span.id
        assert claim.cue == Offsets(13, 17)


def test_bad_model_output_is_reported_and_nothing_is_imported(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    good = {"text": "Paris is calm.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}
    bad = {"text": "Rome is calm.", "claims": [{"content": {"start": 5, "end": 99}}]}
    path = tmp_path / "preds.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = run_cli("import", "--as-suggestions", str(path), db=db)
    assert result.returncode == 1
    assert f"error: {path}:2: claims[0].content: offsets 5-99 are outside the text (length 13)" in (
        result.stderr
    )
    # nothing at all is written: no database, no journal, no lock file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preds.jsonl"]


def test_export_errors_are_one_line(reviewed_db: Path, tmp_path: Path) -> None:
    result = run_cli("export", str(tmp_path / "x"), "--format", "xml", db=reviewed_db)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: unknown format 'xml'")
    result = run_cli("export", str(tmp_path / "x"), "--origin", "robots", db=reviewed_db)
    assert result.stderr.strip() == "error: --origin must be one of human, model, all, got 'robots'"


def test_export_in_process_matches_cli(reviewed_db: Path, tmp_path: Path) -> None:
    with Store.open(reviewed_db, readonly=True) as store:
        report = export(store, tmp_path / "a.jsonl", "jsonl", ExportFilter())
    assert report.documents == 2 and report.claims == 13  # the rejected one apart
    cli = tmp_path / "b.jsonl"
    run_cli("export", str(cli), db=reviewed_db, check=True)
    assert (tmp_path / "a.jsonl").read_bytes() == cli.read_bytes()
    assert CORPORA.exists()


HOSTILE_NOTE = "\nT99\tPERSON 0 5\tinjected\r\n#9\tAnnotatorNotes T1\tforged\u2028R9\tx\x1cy\x85z"
HOSTILE_LABEL = "BAD LABEL\tX\nT77"


@pytest.fixture
def hostile_export_db(tmp_path: Path) -> Path:
    text = "Kabul officials said on Monday that talks would resume.\n\nMore here."
    record = {
        "text": text,
        "meta": {"title": "t\n\x1b]0;x\x07", "desk": "a\nb\u2028c"},
        "spans": [
            {"start": 0, "end": 5, "label": HOSTILE_LABEL},
            {"start": 6, "end": 15, "label": "ORG"},
        ],
        "claims": [
            {
                "content": {"start": 29, "end": 55},
                "source": {"start": 6, "end": 15},
                "cue": {"start": 16, "end": 20},
                "kind": "reported",
                "note": HOSTILE_NOTE,
            }
        ],
    }
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(record) + "\n")
    db = tmp_path / "hostile.json"
    run_cli("import", str(source), db=db, check=True)
    return db


def test_line_formats_never_let_notes_labels_or_meta_forge_lines(
    hostile_export_db: Path, tmp_path: Path
) -> None:
    brat = tmp_path / "brat"
    result = run_cli("export", str(brat), "--format", "brat", db=hostile_export_db, check=True)
    assert "label 'BAD LABEL\\tX\\nT77' written as 'BAD_LABEL\\\\tX\\\\nT77'" in result.stderr
    [ann] = brat.glob("*.ann")
    lines = ann.read_text(encoding="utf-8").split("\n")[:-1]
    assert ann.read_text(encoding="utf-8").splitlines() == lines  # no other line break
    assert [line.split("\t")[0] for line in lines] == [
        "T1",
        "T2",
        "T3",
        "#1",
        "T4",
        "R1",
        "T5",
        "R2",
    ]
    assert all(len(line.split("\t")) == 3 for line in lines)
    note = next(line for line in lines if line.startswith("#1"))
    assert note.endswith(
        "note=\\nT99\\tPERSON 0 5\\tinjected\\r\\n#9\\tAnnotatorNotes T1\\tforged\\u2028R9"
        "\\tx\\x1cy\\x85z"
    )
    conll = tmp_path / "out.conll"
    result = run_cli("export", str(conll), "--format", "conll", db=hostile_export_db, check=True)
    rows = [row for row in conll.read_text(encoding="utf-8").split("\n") if row]
    assert conll.read_text(encoding="utf-8").splitlines() == conll.read_text().split("\n")[:-1]
    assert all(len(row.split(" ")) == 4 for row in rows)
    assert "Kabul -X- _ B-BAD_LABEL\\tX\\nT77" in rows
    for fmt in ("jsonl", "doccano"):
        out = tmp_path / f"out.{fmt}"
        run_cli("export", str(out), "--format", fmt, db=hostile_export_db, check=True)
        assert len(out.read_text(encoding="utf-8").splitlines()) == 1
        assert json.loads(out.read_text(encoding="utf-8"))["text"].startswith("Kabul")


@pytest.mark.parametrize("fmt", ["doccano", "conll"])
def test_formats_without_claims_say_so(hostile_export_db: Path, tmp_path: Path, fmt: str) -> None:
    result = run_cli("export", str(tmp_path / "out"), "--format", fmt, db=hostile_export_db)
    assert result.returncode == 0
    assert (
        f"warning: {fmt} holds entities only: 1 claim(s) in 1 document(s) were left out "
        "(export them with --format jsonl, brat or spacy)"
    ) in result.stderr
    assert result.stdout.startswith("exported 1 document(s), 2 entities, 0 claims")


def test_discontinuous_content_is_imported_checked_and_exported(tmp_path: Path) -> None:
    text = "The plan, critics say, will fail."
    claim = {
        "content": {"start": 0, "end": 32},
        "content_parts": [{"start": 0, "end": 8}, {"start": 23, "end": 32}],
        "source": {"start": 10, "end": 17},
        "cue": {"start": 18, "end": 21},
        "kind": "reported",
    }
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text, "claims": [claim]}) + "\n")
    db = tmp_path / "db.json"
    run_cli("import", str(source), db=db, check=True)
    out = tmp_path / "out.jsonl"
    run_cli("export", str(out), db=db, check=True)
    [exported] = json.loads(out.read_text())["claims"]
    assert exported["content_parts"] == claim["content_parts"]
    assert exported["content"] == {"start": 0, "end": 32}
    again = tmp_path / "again.json"
    run_cli("import", str(out), db=again, check=True)
    run_cli("export", str(tmp_path / "out2.jsonl"), db=again, check=True)
    assert (tmp_path / "out2.jsonl").read_bytes() == out.read_bytes()
    brat = tmp_path / "brat"
    run_cli("export", str(brat), "--format", "brat", db=db, check=True)
    [ann] = brat.glob("*.ann")
    assert "T1\tCLAIM 0 8;23 32\tThe plan will fail" in ann.read_text().splitlines()
    spacy_out = tmp_path / "spacy"
    run_cli("export", str(spacy_out), "--format", "spacy", "--split", "1", db=db, check=True)
    import spacy
    from spacy.tokens import DocBin

    [doc] = list(DocBin().from_disk(spacy_out / "train.spacy").get_docs(spacy.blank("en").vocab))
    claims = sorted(span.text for span in doc.spans["sc"] if span.label_ == "CLAIM")
    assert claims == ["The plan", "will fail"]
    claim["content_parts"] = [{"start": 0, "end": 8}, {"start": 5, "end": 32}]
    source.write_text(json.dumps({"text": text, "claims": [claim]}) + "\n")
    result = run_cli("import", str(source), db=tmp_path / "bad.json")
    assert result.returncode == 1
    assert "claims[0].content_parts[1]: fragments must be in order and not overlap" in (
        result.stderr
    )
