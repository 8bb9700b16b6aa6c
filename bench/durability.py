"""Benchmark: what faults cost in lost or stale data (the answer must be nothing).

1. kill -9: a writer makes edits as fast as it can (a checkpoint every 37 edits) and is killed
   at a random moment; the database is reopened and every edit the writer had acknowledged
   must be there. Repeated ``--kills`` times.
2. Readers beside a writer: a writer makes ``--edits`` edits with a checkpoint every 10 while
   this process opens the database read-only in a loop. A read is *stale* when it misses an
   edit acknowledged before it started, *inconsistent* when its spans are not exactly the
   first N edits, a *crash* when the open raised.

Usage::

    python bench/durability.py [--kills 30] [--edits 5000]

Last line: ``RESULT kill9_runs=… acked=… lost=… reads=… crashes=… stale=… inconsistent=…``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.store import Store  # noqa: E402

WRITER = """
import sys
from annotate.model import *
from annotate.store import Store
store = Store.open(sys.argv[1], checkpoint_every=int(sys.argv[3]))
text = "x" * 2000
doc = Document(text_hash(text), text, DocMeta())
if not store.has_document(doc.id):
    with store.transaction() as tx:
        tx.add_document(doc)
print(0, flush=True)
for i in range(int(sys.argv[2])):
    store.add_span(EntitySpan(0, doc.id, i % 1990, i % 1990 + 5, f"L{i}", "w",
                              OriginKind.HUMAN, SpanStatus.ACCEPTED))
    print(i + 1, flush=True)
store.close()
"""


def start_writer(db_path: Path, edits: int, checkpoint_every: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(edits), str(checkpoint_every)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def stored_labels(db_path: Path) -> set[str]:
    with Store.open(db_path, readonly=True) as reader:
        return {record["label"] for record in reader.raw_records("spans")}


def kill_nine(rounds: int, seed: int = 0) -> dict[str, int]:
    """Kill a writer ``rounds`` times at random moments; count acknowledged edits lost."""
    chooser = random.Random(seed)
    figures = {"kill9_runs": 0, "acked": 0, "lost": 0}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):
            db_path = Path(folder) / f"kill{figures['kill9_runs']}.json"
            writer = start_writer(db_path, 1_000_000, 37)
            assert writer.stdout is not None
            writer.stdout.readline()
            deadline = time.monotonic() + chooser.uniform(0.05, 0.6)
            acked = 0
            while time.monotonic() < deadline:
                acked = int(writer.stdout.readline())
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait()
            for line in writer.stdout.read().split():
                acked = int(line)  # printed before it died: acknowledged too
            labels = stored_labels(db_path)
            figures["kill9_runs"] += 1
            figures["acked"] += acked
            figures["lost"] += sum(1 for i in range(acked) if f"L{i}" not in labels)
    return figures


def stress_readers(db_path: Path, edits: int) -> dict[str, int]:
    """Open read-only in a loop while a writer makes ``edits`` edits (checkpoint every 10)."""
    writer = start_writer(db_path, edits, 10)
    assert writer.stdout is not None
    state = {"acked": int(writer.stdout.readline())}

    def follow() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            state["acked"] = int(line)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    figures = {"reads": 0, "crashes": 0, "stale": 0, "inconsistent": 0, "retries": 0}
    while writer.poll() is None:
        before = state["acked"]
        try:
            with Store.open(db_path, readonly=True) as reader:
                labels = {record["label"] for record in reader.raw_records("spans")}
                figures["retries"] += reader.read_retries
        except Exception:
            figures["crashes"] += 1
            continue
        figures["reads"] += 1
        if len(labels) < before:
            figures["stale"] += 1
        if labels != {f"L{i}" for i in range(len(labels))}:
            figures["inconsistent"] += 1
    follower.join(timeout=10)
    if writer.returncode != 0:
        raise RuntimeError(f"the writer failed (exit {writer.returncode})")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--edits", type=int, default=5_000)
    args = parser.parse_args()
    killed = kill_nine(args.kills)
    print(f"kill -9: {killed}")
    with tempfile.TemporaryDirectory() as folder:
        readers = stress_readers(Path(folder) / "stress.json", args.edits)
    print(f"readers beside a writer ({args.edits} edits, checkpoint every 10): {readers}")
    figures = {**killed, **readers}
    print("RESULT " + " ".join(f"{name}={value}" for name, value in figures.items()))


if __name__ == "__main__":
    main()
