"""The partitioned store: placement of records, lazy loading and eviction, checkpoints that
write only what changed, a crash inside a checkpoint, and readers that keep their snapshot."""

from __future__ import annotations

import errno
import random
from pathlib import Path

import pytest

from annotate.corpus.overview import document_summaries
from annotate.corpus.stats import corpus_stats
from annotate.errors import CheckpointError, DamagedDatabaseError
from annotate.model import DocMeta, Document, EntitySpan, OriginKind, SpanStatus, text_hash
from annotate.store import Store, checkpoints, partition_cache
from annotate.store.files import records_path
from annotate.store.integrity import check_store
from annotate.store.placement import Placement


def test_placement_agrees_with_a_plain_map_whatever_the_order() -> None:
    rng = random.Random(5)
    for _ in range(200):
        placement, plain = Placement(), {}
        next_id = 1
        for _ in range(rng.randint(1, 60)):
            if rng.random() < 0.7:  # new ids, in order, as transactions hand them out
                record_id = next_id
                next_id += rng.randint(1, 3)
            else:  # an undo puts an old id back
                record_id = rng.randint(1, next_id)
            part = plain.get(record_id, rng.randint(0, 3))
            placement.place(record_id, part)
            plain[record_id] = part
            reloaded = Placement(placement.to_dict())
            for probe in range(0, next_id + 3):
                assert placement.find(probe) == plain.get(probe), (probe, placement.to_dict())
                assert reloaded.find(probe) == plain.get(probe)


def test_a_run_of_ids_in_one_partition_is_one_run() -> None:
    placement = Placement()
    for record_id in range(1, 1001):
        placement.place(record_id, record_id // 250)
    assert placement.to_dict()["runs"] == [[1, 0], [250, 1], [500, 2], [750, 3], [1000, 4]]


def make_docs(store: Store, count: int) -> list[str]:
    ids = []
    with store.transaction() as tx:
        for number in range(count):
            text = (
                f"Story {number}: Muhammed Khan said the clerics in Pakistan are enticing people."
            )
            tx.add_document(Document(text_hash(text), text, DocMeta(date="2021-05-30")))
            ids.append(text_hash(text))
    return ids


def span(doc_id: str, label: str = "PERSON", start: int = 9) -> EntitySpan:
    return EntitySpan(
        0, doc_id, start, start + 13, label, "alice", OriginKind.HUMAN, SpanStatus.ACCEPTED
    )


def test_documents_fill_partitions_in_import_order_and_records_follow(db_path: Path) -> None:
    with Store.open(db_path, part_docs=3) as store:
        ids = make_docs(store, 7)
        for doc_id in ids:
            store.add_span(span(doc_id))
        assert store.partitions == 3
        assert [store.document_part(d) for d in ids] == [0, 0, 0, 1, 1, 1, 2]
    with Store.open(db_path) as store:
        assert store.document_ids() == ids
        assert [len(store.spans(d)) for d in ids] == [1] * 7
        report = check_store(store)
        assert report.ok, report.problems
    assert all(records_path(db_path, part).exists() for part in range(3))


def test_a_checkpoint_writes_only_the_partitions_that_changed(db_path: Path) -> None:
    with Store.open(db_path, part_docs=2) as store:
        ids = make_docs(store, 6)
    stamps = {p: p.stat().st_mtime_ns for p in db_path.parent.rglob("*.json")}
    with Store.open(db_path) as store:
        store.add_span(span(ids[3]))  # partition 1
    changed = {p.name for p, ns in stamps.items() if p.stat().st_mtime_ns != ns}
    assert changed == {db_path.name, "00001.json", "00001.index.json"}


def test_clean_partitions_are_dropped_and_read_again_changed_ones_are_kept(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partition_cache, "LOADED_PARTS", 1)
    with Store.open(db_path, part_docs=1) as store:
        ids = make_docs(store, 5)
    with Store.open(db_path) as store:
        first = store.add_span(span(ids[0]))  # unsaved: partition 0 must stay in memory
        for doc_id in ids[1:]:
            store.spans(doc_id)  # each read drops the previous clean one
        assert len(store._parts) <= 3
        assert [s.id for s in store.spans(ids[0])] == [first.id]
        store.checkpoint()
        assert len(store._parts) <= 1
        assert [s.id for s in store.spans(ids[0])] == [first.id]  # read back from its file


def test_a_crash_inside_a_checkpoint_replays_each_file_what_it_misses(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of partition 1 is written, its records file is not: the replay gives the
    records file the edit and the index nothing twice."""
    with Store.open(db_path, part_docs=2) as store:
        ids = make_docs(store, 4)
    store = Store.open(db_path)
    store.add_span(span(ids[2], "ORG"))
    real = checkpoints.atomic_write

    def crash_on_records(path: Path, payload: object) -> None:
        if path == records_path(db_path, 1):
            raise OSError(errno.EIO, "Input/output error", str(path))
        real(path, payload)  # type: ignore[arg-type]

    monkeypatch.setattr(checkpoints, "atomic_write", crash_on_records)
    with pytest.raises(CheckpointError):
        store.checkpoint()
    monkeypatch.undo()
    store._release()  # the process dies here
    with Store.open(db_path) as reopened:
        assert [s.label for s in reopened.spans(ids[2])] == ["ORG"]
        assert reopened.totals()["spans"] == {"ORG\taccepted": 1}
        report = check_store(reopened)
        assert report.ok, report.problems


def test_a_reader_keeps_its_snapshot_while_the_writer_checkpoints(db_path: Path) -> None:
    with Store.open(db_path, part_docs=1) as store:
        ids = make_docs(store, 3)
        store.add_span(span(ids[2], "ORG"))
    writer = Store.open(db_path)
    reader = Store.open(db_path, readonly=True)
    writer.add_span(span(ids[2], "GPE", start=0))
    [org] = [s for s in writer.spans(ids[2]) if s.label == "ORG"]
    writer.delete_span(org.id)
    writer.checkpoint()  # replaces partition 2's files under the reader
    assert [s.label for s in reader.spans(ids[2])] == ["ORG"]  # read after the checkpoint
    reader.close()
    with Store.open(db_path, readonly=True) as later:
        assert [s.label for s in later.spans(ids[2])] == ["GPE"]
    writer.close()


def test_the_list_and_the_statistics_come_from_the_catalog(db_path: Path) -> None:
    with Store.open(db_path, part_docs=2) as store:
        ids = make_docs(store, 3)
        kept = store.add_span(span(ids[1]))
        store.update_span(kept.id, status=SpanStatus.REJECTED)
        store.add_span(span(ids[1], "ORG", start=0))
    with Store.open(db_path, readonly=True) as store:
        rows = {row.doc_id: row for row in document_summaries(store, "alice")}
        assert rows[ids[1]].entities == 1 and rows[ids[1]].labels == {"ORG"}
        assert rows[ids[0]].title.startswith("Story 0")
        assert not store._parts  # nothing but the indexes was read
        stats = corpus_stats(store)
        assert stats.documents == 3
        assert stats.spans_by_label == {"ORG": {"accepted": 1}, "PERSON": {"rejected": 1}}
        assert not store._parts


def test_a_missing_or_damaged_partition_file_is_reported_and_left_alone(db_path: Path) -> None:
    with Store.open(db_path, part_docs=1) as store:
        ids = make_docs(store, 2)
    records = records_path(db_path, 1)
    whole = records.read_bytes()
    records.write_bytes(whole[: len(whole) // 2])
    # a reader reads what is intact and reports the damaged partition when it gets there
    with (
        Store.open(db_path, readonly=True) as store,
        pytest.raises(DamagedDatabaseError, match=r"00001\.json is damaged"),
    ):
        assert store.spans(ids[0]) == []
        store.spans(ids[1])
    # a writer does not open at all
    with pytest.raises(DamagedDatabaseError, match=r"00001\.json is damaged"):
        Store.open(db_path)
    assert records.read_bytes() == whole[: len(whole) // 2]
    records.unlink()
    with (
        Store.open(db_path, readonly=True) as store,
        pytest.raises(DamagedDatabaseError, match="is missing"),
    ):
        store.get_document(ids[1])
    with pytest.raises(DamagedDatabaseError, match="is missing"):
        Store.open(db_path)
    assert not records.exists()


def test_reads_beside_a_checkpoint_on_another_thread_never_fail(db_path: Path) -> None:
    """The reader checkpoints on a background thread while the screen reads and edits: the
    store's queries take its lock, so neither side ever sees a partition half changed."""
    import random
    import sys
    import threading
    import time

    with Store.open(db_path, part_docs=2) as store:
        ids = make_docs(store, 48)  # 24 partitions: more than stay in memory
    store = Store.open(db_path)
    failures: list[BaseException] = []
    stop = time.monotonic() + 3.0

    def checkpoints() -> None:
        try:
            while time.monotonic() < stop:
                store.checkpoint()
        except BaseException as error:  # pragma: no cover - what the test looks for
            failures.append(error)

    worker = threading.Thread(target=checkpoints)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race shows within seconds
    worker.start()
    rounds = 0
    chosen = random.Random(7)
    try:
        while time.monotonic() < stop:
            doc_id = chosen.choice(ids)
            rows = list(store.catalog())
            assert len(rows) == len(ids)
            store.spans(doc_id)
            store.claims(doc_id)
            store.get_document(doc_id)
            store.totals()
            if rounds % 5 == 0:
                store.add_span(span(doc_id))
            rounds += 1
    except BaseException as error:
        failures.append(error)
    worker.join()
    sys.setswitchinterval(interval)
    store.close()
    assert not failures, failures
    assert rounds > 50


def test_every_use_of_the_partition_cache_holds_the_stores_lock(db_path: Path) -> None:
    """What makes the threads above safe, checked deterministically: the in-memory partitions
    are only ever touched with the store's lock held (a checkpoint on another thread takes
    it too)."""
    from collections import OrderedDict
    from typing import Any

    with Store.open(db_path, part_docs=1) as store:
        ids = make_docs(store, 20)
    store = Store.open(db_path)
    touched = []

    class Guarded(OrderedDict[int, Any]):
        def _check(self) -> None:
            touched.append(1)
            assert store._mutex._is_owned(), "the partition cache was used without the lock"

        def __getitem__(self, key: int) -> Any:
            self._check()
            return super().__getitem__(key)

        def __setitem__(self, key: int, value: Any) -> None:
            self._check()
            super().__setitem__(key, value)

        def __delitem__(self, key: int) -> None:
            self._check()
            super().__delitem__(key)

        def __iter__(self) -> Any:
            self._check()
            return super().__iter__()

        def get(self, key: int, default: Any = None) -> Any:
            self._check()
            return super().get(key, default)

        def move_to_end(self, key: int, last: bool = True) -> None:
            self._check()
            super().move_to_end(key, last)

    store._parts = Guarded(store._parts)
    for doc_id in ids:
        store.spans(doc_id)
        store.claims(doc_id)
        store.get_document(doc_id)
        list(store.catalog())
        store.add_span(span(doc_id))
        list(store.all_spans())
    store.undo("alice", ids[0])
    store.checkpoint()
    store.close()
    assert len(touched) > 100
