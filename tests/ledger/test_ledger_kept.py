"""The source ledger kept between readings (issue 20, scale): after a change only the documents
that changed are added up again, in the same process and after a restart (from the file kept
beside the database); the result is always the ledger added up from the start, and a kept file
that is damaged, stale or another database's is never trusted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from annotate.ledger import corpus, kept
from annotate.ledger.corpus import corpus_ledger, corpus_ledger_from_records
from annotate.ledger.kept import ledger_file
from annotate.store import Store
from tests.conftest import run_cli
from tests.ledger.test_ledger import STORY_A, STORY_B, add_story, build


def _seen(entries: list[Any]) -> list[tuple[Any, ...]]:
    """Everything a reader sees of a ledger: each entry as JSON and its claims one by one."""
    return [
        (tuple(sorted(e.to_dict().items())), tuple(sorted(e.refs)), e.states()) for e in entries
    ]


def _from_the_start(store: Store, annotator: str | None) -> list[tuple[Any, ...]]:
    return _seen(corpus_ledger_from_records(store, annotator))


def _no_adding_up_from_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def everything(*args: object) -> None:
        raise AssertionError("the ledger was added up from the start")

    monkeypatch.setattr(corpus, "added_up", everything)
    monkeypatch.setattr(kept, "added_up", everything)


def _lone_surname(store: Store) -> None:
    add_story(store, "Mujahid said talks resumed.", "2021-06-04", "AP", [("Mujahid", "PERSON")])


def _edit(store: Store) -> None:
    """Changes of every kind the ledger counts: a claim rejected, accepted and renamed; a
    new story whose full name makes a lone surname ambiguous; one claim deleted."""
    mujahid_doc = next(d for d in store.document_ids() if "fighters" in store.get_document(d).text)
    first, *rest = store.claims(mujahid_doc)
    store.update_claim(first.id, status="rejected")
    for claim in rest:
        store.update_claim(claim.id, status="accepted", source_name="The Officials Group")
    add_story(
        store,
        "Ahmad Mujahid said the market reopened. Officials said prices fell.",
        "2021-06-05",
        "AFP",
        [("Ahmad Mujahid", "PERSON"), ("Officials", None)],
    )
    # an entry none of whose documents changed gains a claim in a new one
    add_story(store, "Mujahid said the bridge shut.", "2021-06-06", "AP", [("Mujahid", "PERSON")])
    story_a = next(d for d in store.document_ids() if "road" in store.get_document(d).text)
    store.delete_claim(store.claims(story_a)[-1].id)


def test_after_a_change_only_what_changed_is_added_up_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        _lone_surname(store)
        # the lone surname joins the one full name in the corpus with it
        assert "Mujahid" not in {e.name for e in corpus_ledger(store, "analyst")}
        _no_adding_up_from_the_start(monkeypatch)
        _edit(store)
        assert _seen(corpus_ledger(store, "analyst")) == _from_the_start(store, "analyst")
        names = {e.name for e in corpus_ledger(store, "analyst")}
        # two Mujahids now: the lone "Mujahid" joins neither
        assert {"Zabihullah Mujahid", "Ahmad Mujahid", "Mujahid"} <= names


def test_after_a_restart_the_kept_file_is_brought_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tally kept by one process, then changed by another that never read the ledger: the
    next reading takes the file and adds up only the changed documents."""
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        _lone_surname(store)
        corpus_ledger(store, "analyst")
    assert ledger_file(db, "analyst").exists()
    with Store.open(db) as store:
        _edit(store)
    with Store.open(db) as store:
        _no_adding_up_from_the_start(monkeypatch)
        assert _seen(corpus_ledger(store, "analyst")) == _from_the_start(store, "analyst")


def test_a_view_reads_its_own_kept_file(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        for view in ("analyst", None, "bob"):
            corpus_ledger(store, view)
        story = store.document_ids()[0]
        store.update_claim(store.claims(story)[0].id, status="rejected", annotator="bob")
    with Store.open(db) as store:
        for view in ("analyst", None, "bob"):
            assert _seen(corpus_ledger(store, view)) == _from_the_start(store, view)
    assert sorted(kept.kept_views(db), key=str) == sorted(["analyst", None, "bob"], key=str)


@pytest.mark.parametrize(
    "damage",
    ["flipped byte", "cut short", "not json", "another view", "another database", "empty"],
)
def test_a_damaged_or_foreign_kept_file_is_never_trusted(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        corpus_ledger(store, "analyst")
    kept_at = ledger_file(db, "analyst")
    data = kept_at.read_bytes()
    if damage == "flipped byte":
        at = len(data) - 40
        kept_at.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    elif damage == "cut short":
        kept_at.write_bytes(data[: len(data) // 2])
    elif damage == "not json":
        kept_at.write_bytes(b"\x00\xff" * 100)
    elif damage == "another view":
        with Store.open(db) as store:
            store.update_claim(store.claims(store.document_ids()[0])[0].id, status="rejected",
                               annotator="bob")  # fmt: skip
            corpus_ledger(store, "bob")
        kept_at.write_bytes(ledger_file(db, "bob").read_bytes())
    elif damage == "another database":
        other = tmp_path / "other.json"
        with Store.open(other) as store:
            add_story(store, STORY_B, "2021-06-03", "Reuters", [("Zabihullah Mujahid", "PERSON")])
            add_story(store, STORY_A, "2021-06-01", "ANI", [("Officials", None)])
            corpus_ledger(store, "analyst")
        kept_at.write_bytes(ledger_file(other, "analyst").read_bytes())
    else:
        kept_at.write_bytes(b"")
    with Store.open(db) as store:
        assert _seen(corpus_ledger(store, "analyst")) == _from_the_start(store, "analyst")
    # and the file is made again, right: the next reading trusts it
    with Store.open(db) as store, pytest.MonkeyPatch.context() as patch:
        _no_adding_up_from_the_start(patch)
        assert _seen(corpus_ledger(store, "analyst")) == _from_the_start(store, "analyst")


def test_a_reader_never_writes_a_kept_file(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db, readonly=True) as store:
        corpus_ledger(store, "analyst")
    assert not ledger_file(db, "analyst").parent.exists()


def test_a_command_that_changes_the_database_keeps_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``claimscope import`` the next reader's ledger adds up nothing from the start."""
    from annotate.review.session import default_annotator

    db = tmp_path / "db.json"
    build(db)  # claims with sources, then a command that adds a story
    story = tmp_path / "story.txt"
    story.write_text("date 2021-06-07\nZabihullah Mujahid said the road was open again.\n")
    run_cli("import", str(story), db=db, check=True)
    me = default_annotator()
    assert ledger_file(db, me).exists()
    with Store.open(db) as store:
        _no_adding_up_from_the_start(monkeypatch)
        assert _seen(corpus_ledger(store, me)) == _from_the_start(store, me)


def test_an_entry_no_change_touched_is_counted_once(tmp_path: Path) -> None:
    """A lone surname joined to its full name, then a change elsewhere: the joined entry is
    taken as it was (joining again must not count the surname's claims twice)."""
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        _lone_surname(store)
        corpus_ledger(store, "analyst")
        add_story(store, "Officials said the vote was held.", "2021-06-08", "AFP",
                  [("Officials", None)])  # fmt: skip
        assert _seen(corpus_ledger(store, "analyst")) == _from_the_start(store, "analyst")
        mujahid = next(e for e in corpus_ledger(store, "analyst") if e.kind == "person")
        assert mujahid.claim_count == 4


def test_a_restart_with_nothing_changed_takes_the_kept_ledger_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        _lone_surname(store)
        expected = _seen(corpus_ledger(store, "analyst"))
    with Store.open(db) as store:
        _no_adding_up_from_the_start(monkeypatch)
        monkeypatch.setattr(kept, "_recounted", lambda *args: pytest.fail("added up again"))
        assert (
            _seen(corpus_ledger(store, "analyst")) == expected == _from_the_start(store, "analyst")
        )
