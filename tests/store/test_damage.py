"""Damage never feeds a writer: every single-bit flip of a small database's files is found,
no reader returns partial data with success, no writer changes a byte, and ``db recover``
rebuilds from what is intact and says what it could not."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotate.errors import DamagedDatabaseError, StoreError
from annotate.model import (
    Claim,
    ClaimKind,
    DocMeta,
    Document,
    EntitySpan,
    Offsets,
    OriginKind,
    ReviewState,
    SpanStatus,
    text_hash,
)
from annotate.store import Store
from annotate.store.files import index_path, records_path
from annotate.store.seal import seal
from tests.conftest import run_cli

TEXTS = ("Ann Lee said taxes rise.", "Bo Chan said rates fall.")


def _document(text: str) -> Document:
    return Document(text_hash(text), text, DocMeta(date="2021-05-30", title=text[:7]))


def build_small_database(db: Path) -> None:
    """Two partitions of one short document each (a span, a claim, a review), checkpointed,
    then one acknowledged edit left in the journal by a crash."""
    with Store.open(db, part_docs=1) as store:
        for text in TEXTS:
            doc = _document(text)
            with store.transaction() as tx:
                tx.add_document(doc)
            store.add_span(
                EntitySpan(0, doc.id, 0, 7, "PERSON", "m", OriginKind.MODEL, SpanStatus.SUGGESTED)
            )
            store.add_claim(
                Claim(
                    0,
                    doc.id,
                    Offsets(13, len(text) - 1),
                    ClaimKind.REPORTED,
                    "m",
                    OriginKind.MODEL,
                    SpanStatus.SUGGESTED,
                    source=Offsets(0, 7),
                    cue=Offsets(8, 12),
                )
            )
            store.set_review(doc.id, "alice", ReviewState.DONE)
    store = Store.open(db)
    first = store.document_ids()[0]
    store.update_span(store.spans(first)[0].id, status=SpanStatus.ACCEPTED, annotator="alice")
    store._release()  # a crash: the edit is only in the journal


def read_everything(db: Path) -> Any:
    """All a reader can see, as plain data (what export, stats and merge read)."""
    with Store.open(db, readonly=True) as reader:
        ids = reader.document_ids()
        return orjson.dumps(
            {
                "catalog": list(reader.catalog()),
                "totals": reader.totals(),
                "documents": [reader.get_document(d).to_dict() for d in ids],
                "spans": [[s.to_dict() for s in reader.spans(d)] for d in ids],
                "claims": [[c.to_dict() for c in reader.claims(d)] for d in ids],
                "reviews": sorted(r.to_dict()["state"] + r.doc_id for r in reader.reviews()),
            }
        )


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("small") / "claimscope.json"
    build_small_database(db)
    return db


def _last_record_bits(path: Path) -> range:
    raw = path.read_bytes()
    start = raw.rstrip(b"\n").rfind(b"\n") + 1
    return range(start * 8, len(raw) * 8)


TARGETS: dict[str, Callable[[Path], Path]] = {
    "main file": lambda db: db,
    "records of partition 0": lambda db: records_path(db, 0),
    "index of partition 0": lambda db: index_path(db, 0),
    "journal's last record": lambda db: Path(f"{db}.journal"),
}


@pytest.mark.slow
@pytest.mark.parametrize("target", list(TARGETS))
def test_every_single_bit_flip_is_found_and_no_writer_changes_a_byte(
    target: str, small_database: Path, tmp_path: Path
) -> None:
    db = tmp_path / "claimscope.json"
    shutil.copytree(small_database.parent, tmp_path, dirs_exist_ok=True)
    truth = read_everything(db)
    victim = TARGETS[target](db)
    original = victim.read_bytes()
    bits = _last_record_bits(victim) if "journal" in target else range(len(original) * 8)
    outcome: Counter[str] = Counter()
    for bit in bits:
        flipped = bytearray(original)
        flipped[bit // 8] ^= 1 << (bit % 8)
        victim.write_bytes(flipped)
        before = snapshot(tmp_path)
        try:
            seen = read_everything(db)
        except StoreError:
            outcome["detected"] += 1
        else:
            # only a flip that changes nothing a reader sees may pass unnoticed
            assert seen == truth, f"bit {bit}: a reader got other data and no error"
            outcome["harmless"] += 1
        try:
            Store.open(db).close()
        except StoreError:
            pass
        else:
            assert seen == truth, f"bit {bit}: a writer opened a damaged database"
            victim.write_bytes(original)  # that writer legitimately folded the journal
            shutil.copytree(small_database.parent, tmp_path, dirs_exist_ok=True)
            continue
        assert snapshot(tmp_path) == before, f"bit {bit}: a writer changed a byte"
    victim.write_bytes(original)
    assert outcome["detected"] == len(bits), (target, outcome)
    print(f"{target}: {len(bits)} flips tried, {outcome['detected']} detected, 0 crashes")


def test_commands_report_damage_in_one_line_and_exit_1(
    small_database: Path, tmp_path: Path
) -> None:
    shutil.copytree(small_database.parent, tmp_path, dirs_exist_ok=True)
    db = tmp_path / "claimscope.json"
    article = tmp_path.parent / "new.txt"
    article.write_text("date 2021-05-30\nCy Dunn said wages grow.\n")
    for victim in (db, records_path(db, 0), index_path(db, 0)):
        original = victim.read_bytes()
        flipped = bytearray(original)
        flipped[len(flipped) // 2] ^= 0x04
        victim.write_bytes(flipped)
        before = snapshot(tmp_path)
        for command in (
            ("stats",),
            ("db", "check"),
            ("export", str(tmp_path.parent / "out.jsonl"), "--force"),
            ("import", str(article)),
        ):
            if victim != db and command == ("stats",) and "index" not in victim.name:
                continue  # stats reads the indexes alone: a records flip changes nothing it says
            result = run_cli(*command, db=db)
            assert result.returncode == 1, (victim.name, command, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert snapshot(tmp_path) == before
        victim.write_bytes(original)


def test_a_partition_rolled_back_to_an_older_copy_is_damage(db_path: Path) -> None:
    build_small_database(db_path)
    with Store.open(db_path):
        pass  # a checkpoint: the journal's edit is now in partition 0
    older = records_path(db_path, 0).read_bytes()
    with Store.open(db_path) as store:
        doc = store.document_ids()[0]
        store.update_span(store.spans(doc)[0].id, label="ORG")
    records_path(db_path, 0).write_bytes(older)  # a valid file, sealed, of an earlier state
    with pytest.raises(DamagedDatabaseError, match="rolled back or replaced"):
        read_everything(db_path)
    with pytest.raises(DamagedDatabaseError, match="rolled back or replaced"):
        Store.open(db_path)


def test_a_partition_from_another_database_is_damage(tmp_path: Path) -> None:
    one, other = tmp_path / "a" / "claimscope.json", tmp_path / "b" / "claimscope.json"
    build_small_database(one)
    build_small_database(other)
    with Store.open(other) as store:
        store.update_span(store.spans(store.document_ids()[1])[0].id, label="ORG")
    shutil.copyfile(index_path(other, 1), index_path(one, 1))
    with pytest.raises(DamagedDatabaseError, match="not the file the database expects"):
        Store.open(one, readonly=True)


def _reseal_main(db: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the main file's meta record and seal it again, as a buggy writer might."""
    loaded = orjson.loads(db.read_bytes())
    loaded.pop("checksum")
    change(loaded["meta"]["1"])
    db.write_bytes(seal(orjson.dumps(loaded))[0])


def test_a_counter_below_an_id_in_use_is_damage(db_path: Path) -> None:
    build_small_database(db_path)
    with Store.open(db_path):
        pass
    _reseal_main(db_path, lambda meta: meta["next_ids"].update(spans=2))
    for readonly in (True, False):
        with pytest.raises(DamagedDatabaseError, match="the next spans id is 2"):
            Store.open(db_path, readonly=readonly)


def test_a_counter_and_placement_lowered_together_are_found_before_an_id_is_reused(
    db_path: Path,
) -> None:
    build_small_database(db_path)
    with Store.open(db_path):
        pass

    def lower(meta: dict[str, Any]) -> None:
        meta["next_ids"]["spans"] = 2
        meta["placement"]["spans"] = {"runs": [[1, 0]], "end": 2}

    _reseal_main(db_path, lower)
    with pytest.raises(DamagedDatabaseError, match="at or past the next id"):
        read_everything(db_path)
    before = snapshot(db_path.parent)
    with Store.open(db_path) as store:
        doc = store.document_ids()[1]
        with pytest.raises(DamagedDatabaseError, match="at or past the next id"):
            store.add_span(
                EntitySpan(0, doc, 8, 12, "ORG", "alice", OriginKind.HUMAN, SpanStatus.ACCEPTED)
            )
    assert snapshot(db_path.parent) == before


@pytest.mark.parametrize("field", ["last_seq", "next_ids", "placement", "sums", "parts"])
def test_a_missing_meta_field_is_damage_never_a_default(db_path: Path, field: str) -> None:
    build_small_database(db_path)
    with Store.open(db_path):
        pass
    _reseal_main(db_path, lambda meta: meta.pop(field))
    before = snapshot(db_path.parent)
    for readonly in (True, False):
        with pytest.raises(DamagedDatabaseError, match=field):
            Store.open(db_path, readonly=readonly)
    assert snapshot(db_path.parent) == before


def test_a_stray_byte_for_the_journals_last_newline_is_damage_not_a_torn_write(
    db_path: Path,
) -> None:
    build_small_database(db_path)
    journal = Path(f"{db_path}.journal")
    raw = journal.read_bytes()
    journal.write_bytes(raw[:-1] + b"x")
    before = snapshot(db_path.parent)
    for readonly in (True, False):
        with pytest.raises(DamagedDatabaseError, match="stray byte"):
            Store.open(db_path, readonly=readonly)
    assert snapshot(db_path.parent) == before
    result = run_cli("db", "check", db=db_path)
    assert result.returncode == 1 and "stray byte" in result.stderr


def test_a_complete_last_entry_without_its_newline_counts(db_path: Path) -> None:
    build_small_database(db_path)
    journal = Path(f"{db_path}.journal")
    journal.write_bytes(journal.read_bytes()[:-1])
    with Store.open(db_path, readonly=True) as reader:
        doc = reader.document_ids()[0]
        assert reader.spans(doc)[0].status == SpanStatus.ACCEPTED
    with Store.open(db_path) as writer:
        assert writer.spans(doc)[0].status == SpanStatus.ACCEPTED


def test_a_missing_journal_line_is_one_error_line_for_every_reader(db_path: Path) -> None:
    build_small_database(db_path)
    store = Store.open(db_path)
    doc = store.document_ids()[1]
    for label in ("ORG", "GPE", "NORP"):
        store.update_span(store.spans(doc)[0].id, label=label)
    store._release()
    journal = Path(f"{db_path}.journal")
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:1] + lines[2:]))
    for command in (("stats",), ("db", "check"), ("export", str(db_path.parent / "o.jsonl"))):
        result = run_cli(*command, db=db_path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("error: ") and "entries are missing" in result.stderr
        assert "internal error" not in result.stderr


def test_a_writer_never_replaces_a_partition_file_it_does_not_know(db_path: Path) -> None:
    build_small_database(db_path)
    with Store.open(db_path):
        pass
    stranger = records_path(db_path, 0).read_bytes()
    shutil.copyfile(records_path(db_path, 0), records_path(db_path, 2))  # partition 2: unknown
    shutil.copyfile(index_path(db_path, 0), index_path(db_path, 2))
    with Store.open(db_path) as store:
        with pytest.raises(DamagedDatabaseError, match="does not know"), store.transaction() as tx:
            tx.add_document(_document("Cy Dunn said wages grow."))
        assert store.pending_journal_entries == 0  # refused before it was written
    assert records_path(db_path, 2).read_bytes() == stranger


def test_a_checkpoint_never_writes_a_partition_with_records_no_edit_removed(
    db_path: Path,
) -> None:
    build_small_database(db_path)
    with Store.open(db_path) as store:
        doc = store.document_ids()[0]
        store.update_span(store.spans(doc)[0].id, label="ORG")
        partition = store._partition(store.document_part(doc) or 0)
        partition.tables["claims"].clear()  # as a bug that dropped records in memory would
        partition.claims_by_doc.clear()
        with pytest.raises(DamagedDatabaseError, match="lose records no edit removed"):
            store.checkpoint()
        store._release()  # gone without writing: the journal keeps the edit
    with Store.open(db_path, readonly=True) as reader:
        assert len(reader.claims(doc)) == 1
        assert reader.spans(doc)[0].label == "ORG"


# --- recovery ---------------------------------------------------------------------------


def _flip(path: Path, at: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x01
    path.write_bytes(raw)


def test_recover_rebuilds_a_damaged_main_file_with_nothing_lost(db_path: Path) -> None:
    build_small_database(db_path)
    truth = read_everything(db_path)
    _flip(db_path, 40)
    result = run_cli("db", "recover", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "lost:" not in result.stdout
    assert "recovered" in result.stdout and "damaged-" in result.stdout
    assert read_everything(db_path) == truth
    assert run_cli("db", "check", db=db_path).returncode == 0
    backups = list(db_path.parent.glob("claimscope.json.damaged-*"))
    assert len(backups) == 1 and (backups[0] / "claimscope.json").exists()  # nothing deleted
    with Store.open(db_path) as store:  # the next id is above every id in use
        doc = store.document_ids()[0]
        span = store.add_span(
            EntitySpan(0, doc, 8, 12, "ORG", "alice", OriginKind.HUMAN, SpanStatus.ACCEPTED)
        )
        assert span.id > max(
            s.id for d in store.document_ids() for s in store.spans(d) if s != span
        )


def test_recover_rebuilds_a_damaged_index_from_its_records(db_path: Path) -> None:
    build_small_database(db_path)
    with Store.open(db_path, readonly=True) as reader:
        first = reader.document_ids()[0]
        spans = [s.to_dict() for s in reader.spans(first)]
    _flip(index_path(db_path, 0), 100)
    result = run_cli("db", "recover", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "index was damaged" in result.stdout and "review states" in result.stdout
    with Store.open(db_path, readonly=True) as reader:
        assert [s.to_dict() for s in reader.spans(first)] == spans
        assert reader.document_count() == 2
    assert run_cli("db", "check", db=db_path).returncode == 0


def test_recover_names_what_a_damaged_records_file_took_with_it(db_path: Path) -> None:
    build_small_database(db_path)
    _flip(records_path(db_path, 1), 200)
    result = run_cli("db", "recover", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "partition 1" in result.stdout and "1 document(s)" in result.stdout
    assert "Bo Chan" in result.stdout  # the lost document's title, from the intact index
    with Store.open(db_path) as store:
        assert store.document_count() == 1
        doc = store.document_ids()[0]
        assert store.spans(doc)[0].status == SpanStatus.ACCEPTED  # the journal's edit is kept
    assert run_cli("db", "check", db=db_path).returncode == 0


def test_recover_keeps_a_journal_entry_whose_newline_was_damaged(db_path: Path) -> None:
    build_small_database(db_path)
    journal = Path(f"{db_path}.journal")
    journal.write_bytes(journal.read_bytes()[:-1] + b"x")
    result = run_cli("db", "recover", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "line ending was mended" in result.stdout
    with Store.open(db_path, readonly=True) as reader:
        doc = reader.document_ids()[0]
        assert reader.spans(doc)[0].status == SpanStatus.ACCEPTED


def test_recover_leaves_an_intact_database_alone(db_path: Path) -> None:
    build_small_database(db_path)
    before = snapshot(db_path.parent)
    result = run_cli("db", "recover", db=db_path)
    assert result.returncode == 0 and "intact" in result.stdout
    assert snapshot(db_path.parent) == before
