"""Fault injection: readers beside a checkpointing writer, a full disk, a read-only folder,
journal damage and failures inside the store. Each test backs a promise README makes."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotate.errors import CheckpointError, StorageError
from annotate.model import DocMeta, Document, EntitySpan, OriginKind, SpanStatus, text_hash
from annotate.store import Store
from annotate.store import journal as journal_module
from annotate.store.files import database_files, records_path
from bench.durability import start_writer, stress_readers
from tests.conftest import ROOT, SEED, run_cli

TEXT = "Muhammed Sarfraz Khan said the clerics in Pakistan are enticing people."


def add_doc(store: Store, text: str = TEXT) -> str:
    doc = Document(text_hash(text), text, DocMeta())
    with store.transaction() as tx:
        tx.add_document(doc)
    return doc.id


def span(doc_id: str, label: str, start: int = 0, end: int = 8) -> EntitySpan:
    return EntitySpan(0, doc_id, start, end, label, "w", OriginKind.HUMAN, SpanStatus.ACCEPTED)


# Readers beside a writer ----------------------------------------------------------------------


def test_readers_beside_a_checkpointing_writer_never_crash_or_read_stale(db_path: Path) -> None:
    """See bench/durability.py: a read is stale when it misses an edit acknowledged before
    it started, inconsistent when its spans are not exactly the first N edits."""
    figures = stress_readers(db_path, 5_000)
    print(f"\nreaders beside a writer: {figures}")
    assert figures["reads"] >= 50
    assert figures["crashes"] == figures["stale"] == figures["inconsistent"] == 0


def test_read_only_commands_run_beside_a_checkpointing_writer(db_path: Path) -> None:
    writer = start_writer(db_path, 3000, checkpoint_every=10)
    assert writer.stdout is not None
    writer.stdout.readline()
    out = db_path.parent / "out.jsonl"
    results = []
    for command in (("stats", "--json"), ("db", "check"), ("export", str(out), "--force")) * 2:
        results.append(run_cli(*command, db=db_path))
    writer.stdout.read()
    writer.wait(timeout=120)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "internal error" not in result.stderr


# The journal ----------------------------------------------------------------------------------


@contextmanager
def failing_writes(error: int, *, also_truncate: bool = False) -> Iterator[None]:
    """Make the journal's writes fail after writing half the line (and, optionally, the
    rollback truncate fail too), as a full disk does."""
    real_write, real_truncate = os.write, os.ftruncate

    def half_write(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(error, os.strerror(error))

    def bad_truncate(fd: int, length: int) -> None:
        raise OSError(error, os.strerror(error))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal_module.os, "write", half_write)
        if also_truncate:
            patch.setattr(journal_module.os, "ftruncate", bad_truncate)
        yield
    assert os.write is real_write and os.ftruncate is real_truncate


def test_a_failed_journal_append_is_rolled_back_and_not_applied(db_path: Path) -> None:
    store = Store.open(db_path)
    doc_id = add_doc(store)
    journal = Path(f"{db_path}.journal")
    before = journal.read_bytes()
    with failing_writes(errno.ENOSPC), pytest.raises(StorageError) as caught:
        store.add_span(span(doc_id, "PERSON"))
    message = str(caught.value)
    assert message == (
        f"cannot save the edit to {journal}: No space left on device; "
        "the edit was not made; every acknowledged edit is kept"
    )
    assert journal.read_bytes() == before  # the half line is gone
    assert store.spans(doc_id) == []
    store.add_span(span(doc_id, "ORG"))  # space is back: writing goes on
    store._release()  # crash
    with Store.open(db_path) as reopened:
        assert [s.label for s in reopened.spans(doc_id)] == ["ORG"]


def test_a_journal_that_cannot_be_rolled_back_refuses_every_later_edit(db_path: Path) -> None:
    store = Store.open(db_path)
    doc_id = add_doc(store)
    with failing_writes(errno.EIO, also_truncate=True), pytest.raises(StorageError):
        store.add_span(span(doc_id, "PERSON"))
    with pytest.raises(StorageError, match="read-only until claimscope is restarted"):
        store.add_span(span(doc_id, "ORG"))
    store._release()
    with Store.open(db_path, readonly=True) as reader:  # the torn half line is dropped
        assert reader.spans(doc_id) == [] and reader.document_count() == 1


def test_a_failed_checkpoint_loses_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db_path, checkpoint_every=3)
    doc_id = add_doc(store)

    def full(path: Path, payload: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("annotate.store.checkpoints.atomic_write", full)
    for label in ("A", "B", "C", "D"):  # the third edit's checkpoint fails, quietly
        store.add_span(span(doc_id, label))
    assert isinstance(store.checkpoint_failure, CheckpointError)
    with pytest.raises(CheckpointError, match="every acknowledged edit is kept in"):
        store.close()
    assert not Path(f"{db_path}.lock").exists()
    monkeypatch.undo()
    with Store.open(db_path) as reopened:
        assert sorted(s.label for s in reopened.spans(doc_id)) == ["A", "B", "C", "D"]


# A real full disk and a real read-only folder --------------------------------------------------


@contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (needs root, as CI runs)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s file system until about ``leave`` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as out:
        out.write(b"\0" * max(0, free - leave))
    return filler


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


def test_a_full_disk_refuses_the_import_with_one_line_and_keeps_the_database(
    tmp_path: Path,
) -> None:
    with small_filesystem(tmp_path / "small", "512k") as folder:
        db = folder / "claimscope.json"
        run_cli("import", str(SEED), db=db, check=True)
        kept = db.read_bytes()
        filler = fill(folder, 0)
        article = tmp_path / "other.txt"
        article.write_text("date 2021-06-01\nA second story about Kabul. " * 50)
        line = one_line_error(run_cli("import", str(article), db=db))
        assert line.startswith("error: cannot ") and "No space left on device" in line
        assert "every acknowledged edit is kept" in line or "nothing was changed" in line
        assert db.read_bytes() == kept
        filler.unlink()
        assert run_cli("import", str(article), db=db).returncode == 0
        with Store.open(db, readonly=True) as reader:
            assert reader.document_count() == 2


def test_an_import_whose_closing_checkpoint_fails_is_reported_as_done(tmp_path: Path) -> None:
    """The import is acknowledged in the journal: success, plus a warning about the
    checkpoint; the next open replays it."""
    with small_filesystem(tmp_path / "small", "1m") as folder:
        db = folder / "claimscope.json"
        run_cli("import", str(ROOT / "corpora" / "gum-news"), db=db, check=True)
        size = sum(path.stat().st_size for path in database_files(db))
        article = tmp_path / "other.txt"
        article.write_text("date 2021-06-01\nA second story about Kabul.")
        filler = fill(folder, size // 2)  # room for a journal line, not for a checkpoint
        result = run_cli("import", str(article), db=db)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("imported 1 document(s)")
        assert result.stderr.startswith("warning: cannot checkpoint")
        assert "every acknowledged edit is kept in claimscope.json.journal" in result.stderr
        assert Path(f"{db}.journal").stat().st_size > 0
        filler.unlink()
        with Store.open(db) as store:
            assert store.replayed_entries == 1
            assert store.document_count() == 25


def test_a_read_only_folder_refuses_writers_and_serves_readers(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "ro", "1m") as folder:
        db = folder / "claimscope.json"
        run_cli("import", str(SEED), db=db, check=True)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        line = one_line_error(run_cli("import", str(ROOT / "corpora" / "gum-news"), db=db))
        assert line == (
            f"error: cannot open for writing {db}.lock: Read-only file system; "
            f"nothing was changed in {db}"
        )
        assert run_cli("stats", db=db).returncode == 0
        line = one_line_error(run_cli("export", str(folder / "out.jsonl"), db=db))
        assert "Read-only file system" in line and str(folder) in line


# What the CLI says when the machine refuses -----------------------------------------------------


def test_os_errors_outside_the_store_are_one_line_and_exit_1(db_path: Path) -> None:
    run_cli("import", str(SEED), db=db_path, check=True)
    blocker = db_path.parent / "blocker"
    blocker.write_text("a file, not a folder")
    line = one_line_error(run_cli("export", str(blocker / "sub" / "out.jsonl"), db=db_path))
    assert line.startswith("error: ") and "Not a directory" in line


def test_internal_errors_print_one_line_and_no_local_variables(db_path: Path) -> None:
    code = (
        "import sys\n"
        "from annotate import cli\n"
        "from annotate.cli import corpus\n"
        "secret = 'DATABASE CONTENTS'\n"
        "def boom(*a, **k):\n"
        "    contents = secret\n"
        "    raise RuntimeError('boom')\n"
        "corpus.corpus_stats = boom\n"
        "sys.argv = ['claimscope', '--db', sys.argv[1], 'stats']\n"
        "cli.main()\n"
    )
    run_cli("import", str(SEED), db=db_path, check=True)
    result = subprocess.run(
        [sys.executable, "-c", code, str(db_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: internal error: RuntimeError: boom (run with --debug for the traceback)"
    ]
    debug = subprocess.run(
        [sys.executable, "-c", code.replace("'stats'", "'--debug', 'stats'"), str(db_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "Traceback" in debug.stderr and "DATABASE CONTENTS" not in debug.stderr


# The reader when the disk refuses ---------------------------------------------------------------


async def test_the_reader_survives_a_full_disk_and_turns_read_only(tui_db: Path) -> None:
    from tui.app import make_app
    from tui.screens.documents import DocumentListScreen
    from tui.screens.reader import ReaderScreen

    app = make_app(tui_db, annotator="tester")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReaderScreen)
            await pilot.press("n", "a")  # one good edit before the disk fills
            await pilot.pause()
            good = app.store.spans(screen.doc_id)
            with failing_writes(errno.ENOSPC):
                await pilot.press("n", "x")
                await pilot.pause()
                assert "No space left on device" in screen.status
                assert "read-only now" in screen.status and "restart claimscope" in screen.status
                for keys in (("u",), ("ctrl+r",), ("a",), ("1",), ("D",)):
                    await pilot.press(*keys)
                    await pilot.pause()
                    assert app.is_running and isinstance(app.screen, ReaderScreen), keys
                    assert screen.status.startswith("⚠ read-only:"), keys
            assert app.store.spans(screen.doc_id) == good  # nothing half-made
            await pilot.press("escape", "x")
            await pilot.pause()
            listing = app.screen
            assert isinstance(listing, DocumentListScreen)
            assert listing.status is not None and listing.status.startswith("read-only:")
    finally:
        app.close_store()
    with Store.open(tui_db, readonly=True) as reader:  # the acknowledged edit is there
        assert reader.spans(screen.doc_id) == good


async def test_the_reader_opens_read_only_when_the_folder_is(tmp_path: Path) -> None:
    from tui.app import make_app
    from tui.screens.reader import ReaderScreen

    with small_filesystem(tmp_path / "ro", "1m") as folder:
        db = folder / "claimscope.json"
        run_cli("import", str(SEED), db=db, check=True)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        app = make_app(db, annotator="tester")
        assert app.store.readonly
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                assert app.read_only_reason is not None
                assert "Read-only file system" in app.read_only_reason
                await pilot.press("enter")
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, ReaderScreen)
                assert "read-only" in screen.status
                await pilot.press("right", "shift+right", "1")
                await pilot.pause()
                assert app.is_running and app.store.spans(screen.doc_id) == []
        finally:
            app.close_store()


def test_an_unexpected_reader_error_prints_one_line_without_locals(tui_db: Path) -> None:
    code = (
        "import sys\n"
        "from tui.app import make_app\n"
        "from tui.screens.reader import ReaderScreen\n"
        "def boom(self, *args):\n"
        "    secret_contents = 'DATABASE CONTENTS'\n"
        "    raise RuntimeError('boom')\n"
        "ReaderScreen.action_next_entity = boom\n"
        "async def main():\n"
        f"    app = make_app({str(tui_db)!r}, annotator='t', debug='--debug' in sys.argv)\n"
        "    try:\n"
        "        async with app.run_test(size=(100, 30)) as pilot:\n"
        "            await pilot.press('enter', 'n')\n"
        "            await pilot.pause()\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "    app.close_store()\n"
        "    app._print_error_renderables()\n"
        "import asyncio\n"
        "asyncio.run(main())\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert plain.stderr.strip().splitlines() == [
        "error: internal error: RuntimeError: boom; every acknowledged edit is kept "
        "(run with --debug for the traceback)"
    ]
    debug = subprocess.run(
        [sys.executable, "-c", code, "--debug"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "Traceback" in debug.stderr and "boom" in debug.stderr
    assert "DATABASE CONTENTS" not in debug.stderr and "secret_contents" not in debug.stderr


async def test_a_damaged_partition_is_a_message_in_the_list_not_a_crash(tui_db: Path) -> None:
    from tests.tui.tui_support import drawn, running
    from tui.screens.documents import DocumentListScreen

    records = records_path(tui_db, 0)
    records.write_bytes(records.read_bytes()[:100])
    async with running(tui_db) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DocumentListScreen)
        shown = "".join(drawn(app).split())  # the message is drawn, across its wrapped lines
        assert "00000.jsonisdamaged" in shown and "claimscopedbrecover" in shown, drawn(app)
