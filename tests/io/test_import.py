"""Import: files, folders, stdin, JSONL; dedupe; every bad input named; nothing partial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.io.importing import import_paths
from annotate.io.records import Provenance
from annotate.model import OriginKind, SpanStatus
from annotate.store import Store
from tests.conftest import CORPORA, GOLD, SEED, run_cli


def test_import_seed_then_reimport_is_a_reported_no_op(store: Store) -> None:
    first = import_paths(store, [str(SEED)])
    assert (first.imported, first.duplicates, first.rejected) == (1, 0, 0)
    again = import_paths(store, [str(SEED)])
    assert (again.imported, again.duplicates, again.rejected) == (0, 1, 0)
    assert store.document_count() == 1
    doc = next(store.documents())
    assert doc.meta.agency == "ANI"
    assert doc.meta.source == str(SEED)
    assert doc.meta.imported_at is not None


def test_folder_is_read_recursively_and_sorted(store: Store) -> None:
    report = import_paths(store, [str(CORPORA)])
    assert report.imported == 25
    titles = [doc.display_title for doc in store.documents()]
    assert titles[0].startswith("Kabul [Afghanistan]")  # ani-… sorts before gum-news/
    assert "At least 107 killed in Mecca crane collapse" in titles


def test_same_text_twice_in_one_import_counts_once(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("date 2020-01-01 Same story.\n")
    (tmp_path / "b.txt").write_text("Same story.")
    report = import_paths(store, [str(tmp_path)])
    assert (report.imported, report.duplicates) == (1, 1)


def test_jsonl_prodigy_and_doccano_records(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    records = [
        {
            "text": "Joe Biden visited Kabul.",
            "meta": {"date": "2021-05-01", "source_url": "https://example.org/a", "topic": "x"},
            "spans": [{"start": 0, "end": 9, "label": "PERSON", "text": "Joe Biden"}],
            "_annotator_id": "alice",
        },
        {"text": "Paris is in France.", "label": [[0, 5, "GPE"], [12, 18, "GPE"]]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    report = import_paths(store, [str(path)])
    assert (report.imported, report.spans) == (2, 3)
    first, second = list(store.documents())
    assert first.meta.date == "2021-05-01"
    assert first.meta.source == "https://example.org/a"
    assert first.meta.extra["topic"] == "x"
    [span] = store.spans(first.id)
    assert (span.label, span.origin, span.origin_kind, span.status) == (
        "PERSON",
        "alice",
        OriginKind.HUMAN,
        SpanStatus.ACCEPTED,
    )
    assert [second.text[s.start : s.end] for s in store.spans(second.id)] == ["Paris", "France"]


def test_gum_gold_imports_with_all_its_spans(store: Store) -> None:
    report = import_paths(store, [str(GOLD)])
    assert report.imported == 24
    expected = sum(len(json.loads(line)["spans"]) for line in GOLD.open())
    assert report.spans == expected


def test_model_output_as_suggestions(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "preds.jsonl"
    path.write_text(
        json.dumps({"text": "Kabul is calm.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]})
    )
    provenance = Provenance(as_suggestions=True, origin="other-ner@2")
    import_paths(store, [str(path)], provenance=provenance)
    [span] = store.spans(next(store.documents()).id)
    assert (span.origin, span.origin_kind, span.status) == (
        "other-ner@2",
        OriginKind.MODEL,
        SpanStatus.SUGGESTED,
    )


BAD_INPUTS = [
    ("bad.txt", b"fine line\n\xff\xfe oops", "bad.txt:2: not valid UTF-8 (byte 0xff at column 1)"),
    (
        "bin.txt",
        b"PK\x03\x04\x00\x00binary",
        "bin.txt: looks like a binary file (NUL byte at offset 4)",
    ),
    ("empty.txt", b"", "empty.txt: empty (no text)"),
    ("empty.jsonl", b"\n\n", "empty.jsonl: empty (no records)"),
    (
        "broken.jsonl",
        b'{"text": "ok"}\n{"text": "no close"\n',
        "broken.jsonl:2: invalid JSON",
    ),
    (
        "outside.jsonl",
        b'{"text": "short", "spans": [{"start": 2, "end": 50, "label": "X"}]}\n',
        "outside.jsonl:1: spans[0]: offsets 2-50 are outside the text (length 5)",
    ),
    (
        "mismatch.jsonl",
        b'{"text": "Kabul is calm", "spans": '
        b'[{"start": 1, "end": 6, "label": "GPE", "text": "Kabul"}]}\n',
        "mismatch.jsonl:1: spans[0]: span text 'Kabul' does not match the text at 1-6 ('abul ')",
    ),
    ("notext.jsonl", b'{"meta": {}}\n', "notext.jsonl:1: field 'text' is missing"),
    ("array.jsonl", b"[1, 2]\n", "array.jsonl:1: expected a JSON object, got list"),
    (
        "badlabel.jsonl",
        b'{"text": "abc", "spans": [{"start": 0, "end": 1}]}\n',
        "badlabel.jsonl:1: spans[0]: field 'label' is missing or empty",
    ),
    (
        "reversed.jsonl",
        b'{"text": "abcdef", "label": [[4, 2, "X"]]}\n',
        "reversed.jsonl:1: label[0]: start 4 is not before end 2",
    ),
    (
        "deep.jsonl",
        b'{"text": "abc", "meta": ' + b'{"a": ' * 600 + b"1" + b"}" * 601 + b"\n",
        "deep.jsonl:1: field 'meta' is nested deeper than 32 levels",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS)
def test_bad_input_is_named_and_nothing_is_written(
    db_path: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    run_cli("import", str(SEED), db=db_path, check=True)
    before = db_path.read_bytes()
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("A perfectly good article about Lisbon.")
    result = run_cli("import", str(good), str(bad), db=db_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {tmp_path}/{message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert "nothing imported" in result.stderr
    assert db_path.read_bytes() == before
    with Store.open(db_path, readonly=True) as store:
        assert store.document_count() == 1


def test_skip_invalid_imports_the_good_and_reports_the_bad(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A good story about Oslo.")
    (tmp_path / "bad.txt").write_bytes(b"\xff")
    result = run_cli("import", "--skip-invalid", str(tmp_path), db=db_path)
    assert result.returncode == 1
    assert "imported 1 document(s)" in result.stdout
    assert "1 rejected" in result.stdout
    assert f"error: {tmp_path / 'bad.txt'}:1: not valid UTF-8" in result.stderr


def test_stdin_text_and_jsonl(db_path: Path) -> None:
    result = run_cli("import", "-", db=db_path, stdin=b"date 2022-02-02 A story from stdin.\n")
    assert result.returncode == 0, result.stderr
    result = run_cli("import", "-", db=db_path, stdin=b'{"text": "A record from stdin."}\n')
    assert result.returncode == 0, result.stderr
    with Store.open(db_path, readonly=True) as store:
        texts = [doc.text for doc in store.documents()]
    assert texts == ["A story from stdin.", "A record from stdin."]


def test_missing_path_and_empty_folder(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("import", str(tmp_path / "nope"), str(tmp_path / "empty"), db=db_path)
    assert result.returncode == 1
    assert f"error: {tmp_path / 'nope'}: no such file or folder" in result.stderr
    assert f"error: {tmp_path / 'empty'}: no .txt or .jsonl files in this folder" in result.stderr


def test_deep_json_into_a_new_database_leaves_nothing_behind(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonl"
    deep.write_bytes(b'{"text": "abc", "meta": ' + b"[" * 900 + b"]" * 900 + b"}\n")
    db = tmp_path / "new" / "claimscope.json"
    result = run_cli("import", str(deep), db=db)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert "deep.jsonl:1" in result.stderr
    assert not db.exists() and not Path(f"{db}.parts").exists()


def test_a_command_that_fails_on_a_new_database_removes_what_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever fails after the database was made (here the store refuses an edit it cannot
    journal), a new database that got no document is not left behind."""
    from annotate.cli import base
    from annotate.errors import StoreError

    db = tmp_path / "claimscope.json"
    monkeypatch.setattr(base, "db_path", lambda: db)
    with pytest.raises(StoreError), base.open_store():
        assert db.exists()
        raise StoreError("refused")
    assert not db.exists() and not Path(f"{db}.parts").exists()
    assert list(tmp_path.iterdir()) == []
