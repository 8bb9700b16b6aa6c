"""Pre-annotation on a Dask cluster gives what one process gives, record for record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate.formats import export
from annotate.formats.selection import ExportFilter
from annotate.io.importing import import_paths
from annotate.store import Store
from tests.conftest import CORPORA, SEED, run_cli

DOCUMENTS = [str(SEED), *sorted(str(p) for p in (CORPORA / "gum-news").glob("*.txt"))[:5]]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def _exported(store: Store, path: Path) -> bytes:
    export(store, path, "jsonl", ExportFilter())
    return path.read_bytes()


def test_a_local_cluster_gives_the_single_process_result_byte_for_byte(
    tmp_path: Path, client: Any
) -> None:
    from annotate.nlp.cluster import preannotate_on_cluster
    from annotate.nlp.pipeline import load_pipeline
    from annotate.nlp.preannotate import add_claims_component, preannotate

    pipeline = load_pipeline()  # the default: rules and the shipped attribution model
    add_claims_component(pipeline)

    alone, spread = tmp_path / "alone.json", tmp_path / "spread.json"
    with Store.open(alone) as store:
        import_paths(store, DOCUMENTS)
        single = preannotate(store, pipeline)
        expected = _exported(store, tmp_path / "alone.jsonl")
    with Store.open(spread) as store:
        import_paths(store, DOCUMENTS)
        # batches of two documents, at most two in flight: results come back out of order
        report = preannotate_on_cluster(store, client, batch_documents=2, in_flight=2)
        assert (report.origin, report.documents, report.spans, report.claims) == (
            single.origin,
            single.documents,
            single.spans,
            single.claims,
        )
        assert _exported(store, tmp_path / "spread.jsonl") == expected
        again = preannotate_on_cluster(store, client)  # a second run goes on from there
        assert (again.documents, again.skipped) == (0, len(DOCUMENTS))


def test_the_command_runs_on_a_local_cluster(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    run_cli("import", *DOCUMENTS[:3], db=db, check=True)
    result = run_cli(
        "preannotate", "--scheduler", "local", "--n-process", "2", "--json", db=db, check=True
    )
    summary = json.loads(result.stdout)
    assert summary["documents"] == 3 and summary["spans"] > 50


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    run_cli("import", DOCUMENTS[0], db=db, check=True)
    result = run_cli("preannotate", "--scheduler", "tcp://127.0.0.1:9", db=db)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(result.stderr.strip().splitlines()) == 1


def _partitions(folder: Path) -> list[str]:
    folder.mkdir()
    texts = [Path(p).read_text(encoding="utf-8") for p in DOCUMENTS[1:4]]
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text(json.dumps({"text": texts[0], "meta": {"title": "one"}}) + "\n")
    second.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts[1:]))
    return [str(first), str(second)]


def test_batch_mode_writes_a_shard_per_partition_here_or_on_the_cluster(
    tmp_path: Path, client: Any
) -> None:
    from annotate.nlp.batch import preannotate_files

    inputs = _partitions(tmp_path / "in")
    here, there = tmp_path / "here", tmp_path / "there"
    report = preannotate_files(inputs, here, batch_documents=1)
    assert sorted(p.name for p in here.iterdir()) == ["first.jsonl", "second.jsonl"]
    assert report.documents == 3 and report.spans > 50 and report.claims > 0
    preannotate_files(inputs, there, client=client, batch_documents=1)
    for name in ("first.jsonl", "second.jsonl"):
        assert (here / name).read_bytes() == (there / name).read_bytes()
    first = json.loads((here / "first.jsonl").read_text().splitlines()[0])
    assert first["meta"]["title"] == "one" and first["spans"] and "claims" in first

    # a second run keeps what is there; a missing shard is made again
    again = preannotate_files(inputs, here)
    assert (again.shards_written, len(again.shards_kept)) == ([], 2)
    (here / "second.jsonl").unlink()
    resumed = preannotate_files(inputs, here)
    assert resumed.shards_written == [str(here / "second.jsonl")]
    assert (here / "second.jsonl").read_bytes() == (there / "second.jsonl").read_bytes()

    # the shards import as suggestions, the same the database run makes
    db = tmp_path / "db.json"
    run_cli("import", "--as-suggestions", "--origin", report.origin, str(here), db=db, check=True)
    direct = tmp_path / "direct.json"
    run_cli("import", *inputs, db=direct, check=True)
    run_cli("preannotate", db=direct, check=True)
    with Store.open(db, readonly=True) as one, Store.open(direct, readonly=True) as other:
        for doc_id in other.document_ids():
            assert sorted((s.start, s.end, s.label) for s in one.spans(doc_id)) == sorted(
                (s.start, s.end, s.label) for s in other.spans(doc_id)
            )
            assert sorted((c.content.start, c.content.end) for c in one.claims(doc_id)) == sorted(
                (c.content.start, c.content.end) for c in other.claims(doc_id)
            )


def test_batch_mode_checks_every_input_first(tmp_path: Path) -> None:
    inputs = _partitions(tmp_path / "in")
    Path(inputs[1]).write_text('{"text": "fine"}\n{"text": \n')
    out = tmp_path / "out"
    result = run_cli("preannotate-batch", *inputs, "--out", str(out))
    assert result.returncode == 1
    assert (
        f"{inputs[1]}:2" in result.stderr and "nothing annotated: 1 bad input(s)" in result.stderr
    )
    assert not out.exists()


def test_guided_batches_shrink_as_the_work_runs_out() -> None:
    from annotate.nlp.cluster import guided_batches

    items = [str(n) for n in range(300)]
    batches = guided_batches(items, workers=2)
    assert [item for batch in batches for item in batch] == items  # all, in order
    sizes = [len(batch) for batch in batches]
    assert sizes[0] == 64 and sizes == sorted(sizes, reverse=True)
    assert all(size >= 4 for size in sizes[:-1]) and sizes[-1] <= 4
    assert guided_batches([], workers=2) == []
