"""The claimscope command: help, stats, db check, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from annotate.store.files import records_path
from tests.conftest import CORPORA, SEED, rewrite_records, run_cli


@pytest.mark.parametrize("command", [[], ["import"], ["stats"], ["db"], ["db", "check"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage: claimscope" in result.stdout


def test_stats_counts_documents_spans_and_reviews(db_path: Path, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text(
        json.dumps({"text": "Joe Biden met Angela Merkel.", "spans": [[0, 9, "PERSON"]]}).replace(
            '"spans"', '"label"'
        )
        + "\n"
    )
    run_cli("import", str(CORPORA), str(records), db=db_path, check=True)
    result = run_cli("stats", "--json", db=db_path, check=True)
    stats = json.loads(result.stdout)
    assert stats["documents"] == 26
    assert stats["spans_by_label"] == {"PERSON": {"accepted": 1}}
    assert stats["spans_by_origin"] == {"import (human)": {"accepted": 1}}
    table = run_cli("stats", db=db_path, check=True).stdout
    assert "26 documents" in table
    assert "PERSON" in table


def test_db_check_reports_problems_and_exits_nonzero(db_path: Path) -> None:
    run_cli("import", str(SEED), db=db_path, check=True)
    assert run_cli("db", "check", db=db_path).stdout.strip().endswith("ok")
    records = records_path(db_path, 0)
    data = orjson.loads(records.read_bytes())
    doc = data["documents"]["1"]
    data["spans"]["1"] = {
        "id": 1,
        "doc_id": doc["id"],
        "start": 10,
        "end": 999_999,
        "label": "X",
        "origin": "a",
        "origin_kind": "human",
        "status": "accepted",
        "annotator": "a",
        "created_at": None,
        "updated_at": None,
    }
    doc["text"] += " tampered"
    rewrite_records(db_path, 0, data)
    result = run_cli("db", "check", "--json", db=db_path)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert f"document {doc['id']}: id is not the hash of its text" in problems
    assert any(p.startswith("span 1: offsets 10-999999 outside the text") for p in problems)
    assert "partition 0: the statistics kept in its index do not match its records" in problems
    assert f"document {doc['id']}: its catalog row does not match its records" in problems


def test_unexpected_errors_are_one_line_unless_debug(db_path: Path) -> None:
    db_path.write_text("[1, 2, 3]")
    result = run_cli("stats", db=db_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {db_path} is not a TinyDB database (expected an object of tables)"
    )
    debug = run_cli("--debug", "stats", db=db_path)
    assert "Traceback" in debug.stderr


def test_names_nobody_has_are_said_not_accepted_quietly(db_path: Path, tmp_path: Path) -> None:
    """Options naming an annotator or a label the database does not have get a warning that
    says what is there; an empty annotator list is a one-line error, exit 1 (2 is for bugs)."""
    from annotate.review.editing import Editor
    from annotate.store import Store

    run_cli("import", str(SEED), db=db_path, check=True)
    with Store.open(db_path) as store:
        doc_id = store.document_ids()[0]
        Editor(store, doc_id, "alice").add_entity(0, 5, "GPE")
    empty = run_cli("assign", "--annotators", " , ", db=db_path)
    assert empty.returncode == 1
    assert empty.stderr.strip() == "error: --annotators: give annotator names separated by commas"
    nobody = run_cli("export", str(tmp_path / "a.jsonl"), "--annotator", "nobody", db=db_path)
    assert nobody.returncode == 0
    assert (
        "warning: --annotator: no annotator nobody here (annotators here: alice)" in nobody.stderr
    )
    label = run_cli("export", str(tmp_path / "b.jsonl"), "--labels", "GPE,FOO", db=db_path)
    assert "warning: --labels: no label FOO here (labels here: GPE)" in label.stderr
    known = run_cli("export", str(tmp_path / "c.jsonl"), "--annotator", "alice", db=db_path)
    assert "warning" not in known.stderr
    agree = run_cli("agree", "--annotators", "alice,nobody", db=db_path)
    assert agree.returncode == 0
    assert (
        "warning: --annotators: no annotator nobody here (annotators here: alice)" in agree.stderr
    )
