"""Correcting the source ledger (issue 20): merge, split and rename entries, as annotations
like any other — stamped with the annotator, undone, exported, imported and merged between
databases — that win over the automatic linking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.review.editing import Editor
from annotate.store import Store
from annotate.store.files import copy_database
from tests.conftest import run_cli
from tests.ledger.test_ledger import add_story, build


def ledger(db: Path, *extra: str) -> dict[str, dict[str, Any]]:
    """``sources --json`` by name."""
    rows = json.loads(run_cli("sources", "--json", *extra, db=db, check=True).stdout)["sources"]
    return {row["name"]: row for row in rows}


def two_people(db: Path) -> None:
    """One story names "Zabihullah Mujahid", another "Z. Mujahid" (the automatic linking
    keeps them apart); a third story has an "Ann Lee" who is two people."""
    build(db)
    with Store.open(db) as store:
        add_story(store, "Z. Mujahid said the talks were over.", "2021-06-05", "AFP",
                  [("Z. Mujahid", "PERSON")])  # fmt: skip
        add_story(store, "Ann Lee said the mill would close. Ann Lee said the river rose.",
                  "2021-06-06", "AP", [("Ann Lee", "PERSON"), ("Ann Lee", "PERSON")])  # fmt: skip


def test_merge_split_rename_and_undo_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    two_people(db)
    before = ledger(db)
    full, short = before["Zabihullah Mujahid"], before["Z. Mujahid"]
    done = run_cli("sources", "merge", full["id"], short["id"], "--annotator", "alice", db=db)
    assert done.returncode == 0 and "1 claim(s) in 1 document(s) changed" in done.stdout
    merged = ledger(db, "--annotator", "alice")
    assert "Z. Mujahid" not in merged and merged["Zabihullah Mujahid"]["claims"] == 4
    assert merged["Zabihullah Mujahid"]["outlets"] == ["AFP", "ANI", "Reuters"]
    # the correction is alice's: the claim is stamped with her, and bob's view is untouched
    with Store.open(db, readonly=True) as store:
        changed = [c for d in store.document_ids() for c in store.claims(d) if c.source_entry]
    assert [c.annotator for c in changed] == ["alice"]
    assert "Z. Mujahid" in ledger(db, "--annotator", "bob")
    # rename, then undo: the last correction goes, the one before stays
    run_cli("sources", "rename", full["id"], "The Taliban's spokesman", "--annotator", "alice",
            db=db, check=True)  # fmt: skip
    renamed = ledger(db, "--annotator", "alice")
    assert renamed["The Taliban's spokesman"]["claims"] == 4
    undone = run_cli("sources", "undo", "--annotator", "alice", db=db, check=True).stdout
    assert "undid: source ledger rename" in undone
    assert ledger(db, "--annotator", "alice")["Zabihullah Mujahid"]["claims"] == 4
    # split: one of Ann Lee's two claims is another Ann Lee
    lee = ledger(db, "--annotator", "alice")["Ann Lee"]
    with Store.open(db, readonly=True) as store:
        doc = next(d for d in store.document_ids() if store.get_document(d).meta.agency == "AP")
        second = max(c.id for c in store.claims(doc))
    run_cli("sources", "split", lee["id"], "--claim", f"{doc}:{second}", "--name",
            "Ann Lee (hydrologist)", "--annotator", "alice", db=db, check=True)  # fmt: skip
    split = ledger(db, "--annotator", "alice")
    assert split["Ann Lee"]["claims"] == 1 and split["Ann Lee (hydrologist)"]["claims"] == 1
    assert (
        "undid: source ledger split"
        in run_cli("sources", "undo", "--annotator", "alice", db=db, check=True).stdout
    )
    assert (
        "undid: source ledger merge"
        in run_cli("sources", "undo", "--annotator", "alice", db=db, check=True).stdout
    )
    assert (
        "no correction of the ledger by alice"
        in run_cli("sources", "undo", "--annotator", "alice", db=db, check=True).stdout
    )
    assert ledger(db, "--annotator", "alice").keys() == before.keys()


def test_bad_corrections_are_one_line_errors_and_change_nothing(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    two_people(db)
    lee = ledger(db)["Ann Lee"]
    for arguments, message in (
        (("merge", "0000000000", lee["id"]), "no source entry '0000000000'"),
        (("merge", lee["id"], lee["id"]), "name at least one entry besides"),
        (("split", lee["id"], "--claim", "nonsense", "--name", "X"), "write DOC_ID:CLAIM_ID"),
        (("split", lee["id"], "--claim", "d:1", "--name", "X"), "is not one of"),
        (("rename", lee["id"], "  "), "the new name is empty"),
    ):
        result = run_cli("sources", *arguments, db=db)
        assert result.returncode == 1, (arguments, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert ledger(db)["Ann Lee"] == lee


def test_a_correction_travels_in_exports_and_merges_between_databases(tmp_path: Path) -> None:
    alice_db, bob_db = tmp_path / "alice.json", tmp_path / "bob.json"
    two_people(alice_db)
    copy_database(alice_db, bob_db)
    before = ledger(alice_db)
    run_cli("sources", "merge", before["Zabihullah Mujahid"]["id"], before["Z. Mujahid"]["id"],
            "--annotator", "alice", db=alice_db, check=True)  # fmt: skip
    # export → import into a fresh database: the correction comes along
    out = tmp_path / "alice.jsonl"
    run_cli("export", str(out), "--format", "jsonl", "--origin", "all", db=alice_db, check=True)
    assert '"source_entry"' in out.read_text(encoding="utf-8")
    fresh = tmp_path / "fresh.json"
    run_cli("import", str(out), db=fresh, check=True)
    assert "Z. Mujahid" not in ledger(fresh, "--annotator", "alice")
    # merge between databases: bob's database takes alice's correction
    run_cli("merge", str(alice_db), db=bob_db, check=True)
    assert "Z. Mujahid" not in ledger(bob_db, "--annotator", "alice")


def test_a_bad_correction_field_in_an_import_is_refused_with_its_place(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    bad = tmp_path / "bad.jsonl"
    record = {
        "text": "Ann Lee said the mill would close.",
        "claims": [{"content": {"start": 13, "end": 33}, "source_entry": 7}],
    }
    bad.write_text(json.dumps(record) + "\n")
    result = run_cli("import", str(bad), db=db)
    assert result.returncode == 1
    assert "bad.jsonl:1" in result.stderr and "source_entry" in result.stderr
    assert not db.exists() or json.loads(run_cli("stats", "--json", db=db).stdout)["documents"] == 0


def test_the_reader_undoes_a_correction_in_its_own_document(tmp_path: Path) -> None:
    """Each document a correction changed has its own undo entry: u in the reader (the
    editor's undo) takes it back there and leaves the other documents corrected."""
    db = tmp_path / "db.json"
    two_people(db)
    before = ledger(db)
    run_cli("sources", "merge", before["Zabihullah Mujahid"]["id"], before["Z. Mujahid"]["id"],
            "--annotator", "alice", db=db, check=True)  # fmt: skip
    with Store.open(db) as store:
        afp = next(d for d in store.document_ids() if store.get_document(d).meta.agency == "AFP")
        assert Editor(store, afp, "alice").undo() is not None
    assert "Z. Mujahid" in ledger(db, "--annotator", "alice")


def test_undo_reads_only_the_histories_of_the_documents_corrected(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Each catalog row lists the corrections still done in its document, so ``sources
    undo`` reads the histories of those documents only (at 100,000 documents, reading every
    history took seconds); a row an older release wrote does not say, so its history is read."""
    from annotate.ledger.corpus import corpus_ledger
    from annotate.ledger.corrections import rename, undo_last
    from annotate.store import history
    from annotate.store.catalog import CORRECTIONS

    db = tmp_path / "db.json"
    two_people(db)
    with Store.open(db) as store:
        lee = next(e for e in corpus_ledger(store) if e.name == "Ann Lee")
        rename(store, "alice", lee, "Ann Lee of the mill")
        (corrected,) = lee.documents
        read: list[str] = []
        real = history.history_entries

        def reading(host: Any, annotator: str, doc_id: str) -> Any:
            read.append(doc_id)
            return real(host, annotator, doc_id)

        monkeypatch.setattr(history, "history_entries", reading)
        assert undo_last(store, "bob") is None and read == []  # bob corrected nothing
        assert undo_last(store, "alice") is not None and read == [corrected]
        assert "Ann Lee" in {e.name for e in corpus_ledger(store, "alice")}
        # the undone correction is no longer listed: nothing is left to undo, nothing read
        read.clear()
        assert undo_last(store, "alice") is None and read == []
        # a row as an older release wrote it (no list) is read
        other = next(d for d in store.document_ids() if d != corrected)
        row = store.catalog_row(other)
        assert row is not None
        del row[CORRECTIONS]
        assert undo_last(store, "alice") is None and read == [other]
