"""The store: durability, recovery, locking, schema versions, TinyDB compatibility."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest
import tinydb

from annotate.errors import DamagedDatabaseError, DatabaseLockedError, StoreError
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
    Verdict,
    text_hash,
)
from annotate.review.session import load_ui_state
from annotate.store import Store, checkpoints, main_file
from annotate.store.files import index_path, records_path
from annotate.store.journal import encode_entry
from tests.conftest import ROOT, SEED, run_cli

TEXT = "Muhammed Sarfraz Khan said the clerics in Pakistan are enticing people."


def add_doc(store: Store, text: str = TEXT) -> str:
    doc = Document(text_hash(text), text, DocMeta(date="2021-05-30"))
    with store.transaction() as tx:
        tx.add_document(doc)
    return doc.id


def human_span(doc_id: str, start: int, end: int, label: str) -> EntitySpan:
    return EntitySpan(0, doc_id, start, end, label, "alice", OriginKind.HUMAN, SpanStatus.ACCEPTED)


def test_edits_round_trip_and_file_is_plain_tinydb(db_path: Path) -> None:
    with Store.open(db_path) as store:
        doc_id = add_doc(store)
        span = store.add_span(human_span(doc_id, 0, 21, "PERSON"))
        store.update_span(span.id, label="ORG", status=SpanStatus.EDITED, annotator="bob")
        claim = store.add_claim(
            Claim(
                0,
                doc_id,
                Offsets(27, 71),
                ClaimKind.REPORTED,
                "alice",
                OriginKind.HUMAN,
                SpanStatus.ACCEPTED,
                source=Offsets(0, 21),
                source_entity=span.id,
                cue=Offsets(22, 26),
            )
        )
        store.update_claim(claim.id, verdict=Verdict.DISPUTED, note="check")
        store.set_review(doc_id, "alice", ReviewState.DONE)
    assert not Path(f"{db_path}.journal").exists()
    for path, table, field, value in (
        (db_path, "meta", "schema_version", main_file.SCHEMA_VERSION),
        (records_path(db_path, 0), "spans", "label", "ORG"),
        (records_path(db_path, 0), "claims", "verdict", "disputed"),
        (index_path(db_path, 0), "reviews", "state", "done"),
        (index_path(db_path, 0), "catalog", "id", doc_id),
    ):
        plain = tinydb.TinyDB(path, access_mode="r")
        try:
            assert plain.table(table).all()[0][field] == value
        finally:
            plain.close()
    with Store.open(db_path) as store:
        [span] = store.spans(doc_id)
        assert (span.label, span.status, span.annotator) == ("ORG", SpanStatus.EDITED, "bob")
        [claim] = store.claims(doc_id)
        assert (claim.verdict, claim.note, claim.source_entity) == (Verdict.DISPUTED, "check", 1)
        assert store.review_state(doc_id, "alice") == ReviewState.DONE
        assert store.review_state(doc_id, "carol") == ReviewState.TODO


def test_offsets_outside_the_text_are_refused_before_writing(store: Store) -> None:
    doc_id = add_doc(store)
    seq = store.last_seq
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span(human_span(doc_id, 10, len(TEXT) + 1, "X"))
    assert store.last_seq == seq
    assert store.spans(doc_id) == []


def test_deleting_a_span_unlinks_claim_sources(store: Store) -> None:
    doc_id = add_doc(store)
    span = store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    claim = store.add_claim(
        Claim(
            0,
            doc_id,
            Offsets(27, 71),
            ClaimKind.REPORTED,
            "a",
            OriginKind.HUMAN,
            SpanStatus.ACCEPTED,
            source=Offsets(0, 21),
            source_entity=span.id,
        )
    )
    store.delete_span(span.id)
    assert store.get_claim(claim.id).source_entity is None
    assert store.get_claim(claim.id).source == Offsets(0, 21)


def test_tinydb_queries_see_live_edits(store: Store) -> None:
    doc_id = add_doc(store)
    query = tinydb.Query()
    assert store.table("spans").search(query.label == "PERSON") == []
    store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    assert len(store.table("spans").search(query.label == "PERSON")) == 1
    with pytest.raises(StoreError, match="journaled"):
        store.table("spans").insert({"label": "sneaky"})


def test_second_writer_is_refused_but_readers_are_welcome(db_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from annotate.store import Store
            s = Store.open({str(db_path)!r})
            print("open", flush=True)
            sys.stdin.readline()
            s.close()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseLockedError, match=f"pid {holder.pid}"):
            Store.open(db_path)
        result = run_cli("import", str(SEED), db=db_path)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"error: {db_path} is open for writing by another process (pid {holder.pid}); "
            "close that claimscope first"
        )
        assert run_cli("stats", db=db_path).returncode == 0
        assert f"open for writing by pid {holder.pid}" in run_cli("db", "check", db=db_path).stdout
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    with Store.open(db_path):
        pass  # the lock is free again


DURABILITY_WRITER = """
import sys
from annotate.model import *
from annotate.review.session import load_ui_state
from annotate.store import Store
store = Store.open(sys.argv[1], checkpoint_every=int(sys.argv[2]))
text = "x" * 5000
doc = Document(text_hash(text), text, DocMeta())
with store.transaction() as tx:
    tx.add_document(doc)
print("doc", doc.id, flush=True)
i = 0
while True:
    span = store.add_span(EntitySpan(0, doc.id, i % 4000, i % 4000 + 5, f"L{i}", "w",
                                     OriginKind.HUMAN, SpanStatus.ACCEPTED))
    store.update_span(span.id, status=SpanStatus.EDITED)
    print("ack", i, span.id, flush=True)
    i += 1
"""


@pytest.mark.parametrize("checkpoint_every", [10_000, 37])
def test_kill_9_keeps_every_acknowledged_edit(db_path: Path, checkpoint_every: int) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", DURABILITY_WRITER, str(db_path), str(checkpoint_every)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert writer.stdout is not None
    doc_id = writer.stdout.readline().split()[1]
    acked: list[tuple[int, int]] = []
    while len(acked) < 300:
        _, i, span_id = writer.stdout.readline().split()
        acked.append((int(i), int(span_id)))
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    # lines the writer printed before it died were acknowledged too
    for line in writer.stdout.read().splitlines():
        _, i, span_id = line.split()
        acked.append((int(i), int(span_id)))
    with Store.open(db_path) as store:
        stored = {span.id: span for span in store.spans(doc_id)}
        for i, span_id in acked:
            assert stored[span_id].label == f"L{i}"
            assert stored[span_id].status == SpanStatus.EDITED
        # at most one edit beyond the last acknowledgement may have landed
        assert len(stored) in (len(acked), len(acked) + 1)
    assert run_cli("db", "check", db=db_path).returncode == 0


def test_torn_journal_tail_is_dropped_and_the_rest_replayed(db_path: Path) -> None:
    store = Store.open(db_path)
    doc_id = add_doc(store)
    store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    store._release()  # simulate a crash: no checkpoint, lock gone with the process
    journal = Path(f"{db_path}.journal")
    whole = journal.read_bytes()
    torn = encode_entry({"seq": 99, "ops": [{"op": "del", "t": "spans", "id": 1}]})
    # cut anywhere before its last JSON byte, the entry fails its checksum: a torn write
    for cut in (1, len(torn) // 2, len(torn) - 2):
        journal.write_bytes(whole + torn[:cut])
        with Store.open(db_path, readonly=True) as reader:
            assert reader.recovered_torn_bytes == cut
            assert len(reader.spans(doc_id)) == 1
    with Store.open(db_path) as recovered:  # the writable open drops the torn tail
        assert recovered.recovered_torn_bytes == len(torn) - 2
        assert [s.label for s in recovered.spans(doc_id)] == ["PERSON"]
    assert not journal.exists()
    with Store.open(db_path) as reopened:
        assert reopened.recovered_torn_bytes == 0


def test_a_damaged_complete_last_line_is_reported_not_dropped(db_path: Path) -> None:
    """A newline-terminated last line whose checksum fails may hold an acknowledged edit:
    damage, reported by every open and by `db check`, and the files are left untouched."""
    store = Store.open(db_path)
    doc_id = add_doc(store)
    store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    store._release()
    journal = Path(f"{db_path}.journal")
    lines = journal.read_bytes()
    last_start = lines.rstrip(b"\n").rfind(b"\n") + 1
    damaged = lines[:last_start] + lines[last_start:].replace(b"PERSON", b"PERSOM")
    journal.write_bytes(damaged)
    for readonly in (True, False):
        with pytest.raises(DamagedDatabaseError, match="entry 2 is damaged \\(the last entry\\)"):
            Store.open(db_path, readonly=readonly)
    result = run_cli("db", "check", db=db_path)
    assert result.returncode == 1
    assert "entry 2 is damaged" in result.stderr and len(result.stderr.splitlines()) == 1
    assert journal.read_bytes() == damaged
    assert not Path(f"{db_path}.lock").exists()


def test_an_empty_database_file_is_damage_not_an_empty_database(db_path: Path) -> None:
    for content in (b"", b"  \n"):
        db_path.write_bytes(content)
        with pytest.raises(DamagedDatabaseError, match="is empty"):
            Store.open(db_path)
        for command in (("db", "check"), ("stats",)):
            result = run_cli(*command, db=db_path)
            assert result.returncode == 1 and "is empty" in result.stderr
        result = run_cli("import", str(SEED), db=db_path)
        assert result.returncode == 1 and "is empty" in result.stderr
        assert db_path.read_bytes() == content


def test_a_checkpoint_cut_short_leaves_no_temporary_file_behind(db_path: Path) -> None:
    with Store.open(db_path) as store:
        add_doc(store)
    leftover = db_path.with_name(f".{db_path.name}.tmp-99999")
    leftover.write_bytes(b'{"half": ')
    with Store.open(db_path, readonly=True):
        assert leftover.exists()  # a reader never deletes anything
    with Store.open(db_path) as store:
        assert not leftover.exists()
        assert store.document_count() == 1


def test_the_lock_file_exists_only_while_a_writer_has_the_database_open(db_path: Path) -> None:
    lock = Path(f"{db_path}.lock")
    store = Store.open(db_path)
    assert lock.read_text() == str(os.getpid())
    with pytest.raises(DatabaseLockedError):
        Store.open(db_path)
    store.close()
    assert not lock.exists()
    lock.write_text("12345")  # left by a crash: stale, and harmless
    with Store.open(db_path):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()


def test_deleting_the_lock_file_under_a_live_writer_lets_no_second_writer_in(
    db_path: Path,
) -> None:
    """The lock is an flock on the partitions folder: the pid file only names the writer, so
    deleting it (as a user tidying up a "stale" file might) changes nothing."""
    lock = Path(f"{db_path}.lock")
    writer = Store.open(db_path)
    doc_id = add_doc(writer)
    lock.unlink()
    with pytest.raises(DatabaseLockedError, match="open for writing by another process"):
        Store.open(db_path)
    # nor from another process, which is what a second claimscope is
    second = run_cli("import", str(SEED), db=db_path)
    assert second.returncode == 1 and "open for writing by another process" in second.stderr
    writer.add_span(human_span(doc_id, 0, 21, "PERSON"))
    writer.close()
    with Store.open(db_path, readonly=True) as reader:
        assert reader.document_ids() == [doc_id] and len(reader.spans(doc_id)) == 1


def test_a_writer_deletes_only_the_temporaries_the_store_made(db_path: Path) -> None:
    with Store.open(db_path) as store:
        add_doc(store)
    folder = Path(f"{db_path}.parts")
    mine = folder / ".notes.txt"
    mine.write_text("an analyst's file")
    leftover = folder / f".00000.json.tmp-{os.getpid() + 1}"
    leftover.write_text("a checkpoint cut short")
    # a temporary of a partition the database does not have is not the store's to delete
    foreign = folder / ".00099.json.tmp-1"
    foreign.write_text("someone else's")
    with Store.open(db_path):
        pass
    assert mine.read_text() == "an analyst's file" and foreign.exists()
    assert not leftover.exists()


def test_damage_in_the_middle_of_the_journal_is_reported(db_path: Path) -> None:
    store = Store.open(db_path)
    doc_id = add_doc(store)
    store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    store._release()
    journal = Path(f"{db_path}.journal")
    first, second, _ = journal.read_bytes().split(b"\n")
    journal.write_bytes(first[:-3] + b"XYZ\n" + second + b"\n")
    with pytest.raises(DamagedDatabaseError, match="entry 1 is damaged"):
        Store.open(db_path)
    assert journal.read_bytes() == first[:-3] + b"XYZ\n" + second + b"\n"


def test_crash_between_checkpoint_and_journal_reset_replays_nothing_twice(db_path: Path) -> None:
    store = Store.open(db_path)
    doc_id = add_doc(store)
    store.add_span(human_span(doc_id, 0, 21, "PERSON"))
    journal = Path(f"{db_path}.journal")
    lines = journal.read_bytes()
    store.checkpoint()
    store._release()
    journal.write_bytes(lines)  # as if the reset never happened
    with Store.open(db_path) as reopened:
        assert reopened.replayed_entries == 0
        assert len(reopened.spans(doc_id)) == 1


def test_damaged_database_file_is_reported_and_left_alone(db_path: Path) -> None:
    db_path.write_bytes(b'{"documents": {"1": {"id": "x", "te')
    with pytest.raises(DamagedDatabaseError, match="is damaged"):
        Store.open(db_path)
    result = run_cli("stats", db=db_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {db_path} is damaged")
    assert len(result.stderr.strip().splitlines()) == 1
    assert db_path.read_bytes() == b'{"documents": {"1": {"id": "x", "te'


def test_other_tinydb_files_are_not_taken_over(db_path: Path) -> None:
    db_path.write_text('{"_default": {"1": {"name": "not ours"}}}')
    with pytest.raises(StoreError, match="not a Claimscope database"):
        Store.open(db_path)


def test_newer_schema_is_refused(db_path: Path) -> None:
    db_path.write_text('{"meta": {"1": {"schema_version": 99, "last_seq": 0}}}')
    with pytest.raises(StoreError, match="newer Claimscope"):
        Store.open(db_path)


SCHEMA_1 = ROOT / "tests" / "data" / "schema1"


def test_a_schema_1_database_is_read_in_place_and_migrated_by_the_first_writer(
    tmp_path: Path,
) -> None:
    """tests/data/schema1 was written by the release before partitions: the seed and two GUM
    articles pre-annotated, edits with undo history, a review, a queue and a reader position
    checkpointed, then three acknowledged edits left only in the journal by a crash.
    ``expected.jsonl`` and ``expected-stats.json`` are what that release exported from it."""
    db = tmp_path / "claimscope.json"
    for name in ("claimscope.json", "claimscope.json.journal"):
        shutil.copyfile(SCHEMA_1 / name, tmp_path / name)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    expected = (SCHEMA_1 / "expected.jsonl").read_bytes()
    expected_stats = orjson.loads((SCHEMA_1 / "expected-stats.json").read_bytes())
    out = tmp_path / "out.jsonl"
    # readers (export, stats) read it as it is and change nothing
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected
    stats = run_cli("stats", "--json", db=db, check=True).stdout
    assert orjson.loads(stats) == expected_stats
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p != out} == before
    # the first writable open migrates: partitions, the journal folded in, the reader position
    with Store.open(db) as store:
        seed = store.document_ids()[0]
        assert store.replayed_entries == 3
        assert store.partitions == 1
    assert orjson.loads(db.read_bytes())["meta"]["1"]["schema_version"] == 3
    assert records_path(db, 0).exists()
    assert not Path(f"{db}.journal").exists()
    assert load_ui_state(db, "alice") == {"last_doc": seed}
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected
    assert orjson.loads(run_cli("stats", "--json", db=db, check=True).stdout) == expected_stats
    # the undo history came along: each can undo their last edit (and redo it)
    with Store.open(db) as store:
        bob_doc = store.document_ids()[1]
        verdict = store.claims(seed)[0].verdict
        assert store.undo("alice", seed) is not None
        assert store.claims(seed)[0].verdict != verdict
        assert store.redo("alice", seed) is not None
        assert store.claims(seed)[0].verdict == verdict
        spans = len(store.spans(bob_doc))
        assert store.undo("bob", bob_doc) is not None
        assert len(store.spans(bob_doc)) == spans - 1
        assert store.assignments("bob") == {bob_doc: 0, store.document_ids()[2]: 1}
    assert run_cli("db", "check", db=db).returncode == 0


SCHEMA_2 = ROOT / "tests" / "data" / "schema2"


def _copy_schema_2(tmp_path: Path) -> Path:
    shutil.copytree(SCHEMA_2, tmp_path, dirs_exist_ok=True)
    for name in ("expected.jsonl", "expected-stats.json"):
        (tmp_path / name).unlink()
    return tmp_path / "claimscope.json"


def test_a_schema_2_database_is_read_in_place_and_sealed_by_the_first_writer(
    tmp_path: Path,
) -> None:
    """tests/data/schema2 was written by the release before checksums: the schema-1 database
    above migrated into two partitions, then three acknowledged edits left only in the journal
    by a crash. The first writer seals every file; nothing is lost on the way."""
    db = _copy_schema_2(tmp_path / "db")
    files = sorted(p for p in (tmp_path / "db").rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    expected = (SCHEMA_2 / "expected.jsonl").read_bytes()
    expected_stats = orjson.loads((SCHEMA_2 / "expected-stats.json").read_bytes())
    out = tmp_path / "out.jsonl"
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected
    assert orjson.loads(run_cli("stats", "--json", db=db, check=True).stdout) == expected_stats
    assert {p: p.read_bytes() for p in files} == before  # readers change nothing
    with Store.open(db) as store:
        assert store.replayed_entries == 3
        assert store.partitions == 2
    meta = orjson.loads(db.read_bytes())["meta"]["1"]
    assert meta["schema_version"] == 3
    assert len(meta["sums"]) == 2
    for part in range(2):
        for path in (records_path(db, part), index_path(db, part)):
            assert path.read_bytes().startswith(b'{"checksum":{"1":{"crc32":"')
    assert not Path(f"{db}.journal").exists()
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected
    assert orjson.loads(run_cli("stats", "--json", db=db, check=True).stdout) == expected_stats
    assert run_cli("db", "check", db=db).returncode == 0


def test_sealing_cut_short_leaves_a_database_that_opens_and_seals_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _copy_schema_2(tmp_path)
    expected = (SCHEMA_2 / "expected.jsonl").read_bytes()
    real_write = checkpoints.atomic_write
    calls = []

    def crash_on_the_second(path: Path, payload: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(path, payload)

    monkeypatch.setattr(checkpoints, "atomic_write", crash_on_the_second)
    with pytest.raises(StoreError, match="No space left"):
        Store.open(db)
    monkeypatch.setattr(checkpoints, "atomic_write", real_write)
    assert records_path(db, 0).read_bytes().startswith(b'{"checksum"')  # sealed before it
    assert orjson.loads(db.read_bytes())["meta"]["1"]["schema_version"] == 2
    out = tmp_path / "out.jsonl"
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected
    with Store.open(db):
        pass
    assert orjson.loads(db.read_bytes())["meta"]["1"]["schema_version"] == 3
    run_cli("export", str(out), "--force", db=db, check=True)
    assert out.read_bytes() == expected


def test_missing_migration_is_a_clear_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(db_path):
        pass
    monkeypatch.setattr(main_file, "SCHEMA_VERSION", 4)
    with pytest.raises(StoreError, match="no migration from schema 3"):
        Store.open(db_path)


def test_readonly_open_of_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        Store.open(tmp_path / "nothing.json", readonly=True)


TORN_IMPORT = """
import os, signal, sys
from annotate.store import journal
def torn_append(self, entry):
    line = journal.encode_entry(entry)
    os.write(self._fd, line[: len(line) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
journal.JournalWriter.append = torn_append
from annotate.cli import main
sys.argv = ["claimscope", "--db", sys.argv[1], "import", sys.argv[2]]
main()
"""


def test_import_killed_midway_leaves_the_database_as_it_was(db_path: Path, tmp_path: Path) -> None:
    run_cli("import", str(SEED), db=db_path, check=True)
    before = db_path.read_bytes()
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(400):
        (folder / f"{n:04}.txt").write_text(f"date 2021-01-01 Story number {n} about Kabul.\n")
    killed = subprocess.run(
        [sys.executable, "-c", TORN_IMPORT, str(db_path), str(folder)], cwd=ROOT, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert Path(f"{db_path}.journal").stat().st_size > 0  # half a transaction is on disk
    check = run_cli("db", "check", db=db_path)
    assert "unfinished write" in check.stdout
    assert db_path.read_bytes() == before  # the checkpoint was never touched
    with Store.open(db_path) as store:
        assert store.document_count() == 1
    # and the same import, run again to completion, lands whole
    run_cli("import", str(folder), db=db_path, check=True)
    with Store.open(db_path, readonly=True) as store:
        assert store.document_count() == 401


def test_import_killed_at_any_moment_is_all_or_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(6000):
        (folder / f"{n:05}.txt").write_text(f"date 2021-01-01 Story {n}. " + "word " * 300)
    outcomes = []
    for delay in (0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        db_path = tmp_path / f"db-{delay}.json"
        run_cli("import", str(SEED), db=db_path, check=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "annotate", "--db", str(db_path), "import", str(folder)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
            outcomes.append("finished")
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            outcomes.append("killed")
        with Store.open(db_path) as store:
            assert store.document_count() in (1, 6001), outcomes
        assert run_cli("db", "check", db=db_path).returncode == 0
    assert "killed" in outcomes
