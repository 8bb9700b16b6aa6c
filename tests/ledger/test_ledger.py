"""The source ledger (issue 20, first slice): one entry per source across the corpus, a
surname joining its full name within a document, the same name across documents, anonymous
sources counted per document; ``claimscope sources``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate.ledger.names import folded
from annotate.model import Claim, ClaimKind, EntitySpan, Offsets, OriginKind, SpanStatus
from annotate.store import Store
from tests.conftest import run_cli

STORY_A = (
    "Zabihullah Mujahid said the road was open. Mujahid added that talks would resume. "
    "Officials said the border stayed closed."
)
STORY_B = "Zabihullah Mujahid told reporters the fighters had left. Officials said it was calm."


def test_names_are_folded_for_matching() -> None:
    assert folded("The U.S. State Department's") == "u s state department"
    assert folded("Zabihullah MUJÁHID") == "zabihullah mujahid"
    assert folded("  a senior official ") == "senior official"


def add_story(
    store: Store, text: str, date: str, agency: str, sources: list[tuple[str, str | None]]
) -> None:
    """A document with a claim per (source words, entity label or None), each claim's
    content the clause after its cue."""
    records = [{"text": text, "meta": {"date": date, "agency": agency, "title": text[:20]}}]
    path = Path(store.path).with_name(f"{date}.jsonl")
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    from annotate.io.importing import import_paths

    import_paths(store, [str(path)])
    doc_id = next(d for d in store.document_ids() if store.get_document(d).text == text)
    seen = 0
    for words, label in sources:
        start = text.index(words, seen)
        seen = start + len(words)
        source = Offsets(start, start + len(words))
        entity = None
        if label is not None:
            entity = store.add_span(
                EntitySpan(0, doc_id, source.start, source.end, label, "m@1", OriginKind.MODEL,
                           SpanStatus.SUGGESTED)
            ).id  # fmt: skip
        end = text.index(".", seen)
        store.add_claim(
            Claim(0, doc_id, Offsets(seen + 1, end), ClaimKind.REPORTED, "m@1", OriginKind.MODEL,
                  SpanStatus.SUGGESTED, source=source, source_entity=entity)
        )  # fmt: skip


def build(db: Path) -> None:
    with Store.open(db) as store:
        add_story(
            store, STORY_A, "2021-06-01", "ANI",
            [("Zabihullah Mujahid", "PERSON"), ("Mujahid", "PERSON"), ("Officials", None)],
        )  # fmt: skip
        add_story(
            store, STORY_B, "2021-06-03", "Reuters",
            [("Zabihullah Mujahid", "PERSON"), ("Officials", None)],
        )  # fmt: skip


def test_one_entry_per_source_across_the_corpus(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    build(db)
    report = json.loads(run_cli("sources", "--json", db=db, check=True).stdout)["sources"]
    people = [s for s in report if s["kind"] == "person"]
    assert len(people) == 1
    (mujahid,) = people
    assert mujahid["name"] == "Zabihullah Mujahid"
    assert (mujahid["claims"], mujahid["documents"]) == (3, 2)  # "Mujahid" joined its full name
    assert mujahid["outlets"] == ["ANI", "Reuters"]
    assert (mujahid["first"], mujahid["last"]) == ("2021-06-01", "2021-06-03")
    anonymous = [s for s in report if s["kind"] == "anonymous"]
    assert [(s["name"], s["claims"]) for s in anonymous] == [("Officials", 1), ("Officials", 1)]
    only = json.loads(
        run_cli("sources", "--json", "--kind", "anonymous", db=db, check=True).stdout
    )["sources"]
    assert {s["kind"] for s in only} == {"anonymous"} and len(only) == 2
    most = json.loads(run_cli("sources", "--json", "--min-claims", "2", db=db, check=True).stdout)
    assert [s["name"] for s in most["sources"]] == ["Zabihullah Mujahid"]
    bad = run_cli("sources", "--kind", "martian", db=db)
    assert (
        bad.returncode == 1 and "choose one of person, organisation, group, anonymous" in bad.stderr
    )


def test_a_hostile_source_name_is_shown_safely(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    hostile = "Evil\x1b[31mCorp" + "x" * 10_000
    with Store.open(db) as store:
        add_story(
            store, f"{hostile} said the deal was off.", "2021-06-02", "ANI", [(hostile, "ORG")]
        )
    table = run_cli("sources", db=db, check=True, env={"COLUMNS": "80"}).stdout
    assert "\x1b" not in table and "␛" in table


def test_the_claims_table_has_a_row_per_claim_with_its_ledger_entry(tmp_path: Path) -> None:
    import csv

    db = tmp_path / "db.json"
    build(db)
    out = tmp_path / "claims.csv"
    run_cli("export", str(out), "--format", "claims", db=db, check=True)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5
    mujahid = [r for r in rows if r["source_name"] == "Zabihullah Mujahid"]
    assert len(mujahid) == 3 and len({r["source_id"] for r in mujahid}) == 1
    assert {r["source_text"] for r in mujahid} == {"Zabihullah Mujahid", "Mujahid"}
    assert {r["outlet"] for r in mujahid} == {"ANI", "Reuters"}
    officials = [r for r in rows if r["source_kind"] == "anonymous"]
    assert len({r["source_id"] for r in officials}) == 2  # one per document
    first = next(r for r in rows if r["source_text"] == "Mujahid")
    assert first["content"] == "added that talks would resume" and first["date"] == "2021-06-01"
    assert first["kind"] == "reported" and first["status"] == "suggested"


# The same claim in several documents ---------------------------------------------------------

SAME = "the bridge over the river will reopen to traffic next Monday"
REWORDED = "the bridge over the river will reopen to traffic on Monday"
OTHER = "the price of wheat rose sharply in the spring after the floods"


def _claim(doc: str, claim_id: int, content: str, date: str = "", outlet: str = "") -> Any:
    from annotate.ledger.groups import GroupedClaim

    return GroupedClaim(doc, claim_id, date, outlet, content)


def test_claims_saying_the_same_thing_are_grouped_first_one_first() -> None:
    from annotate.ledger.groups import group_claims

    groups = group_claims(
        [
            _claim("b", 2, REWORDED, "2021-06-03", "Reuters"),
            _claim("a", 1, SAME, "2021-06-01", "ANI"),
            _claim("c", 3, OTHER, "2021-06-02", "AP"),
            _claim("d", 4, "It is true.", "2021-06-02", "AP"),  # too short to group
            _claim("e", 5, "It is true.", "2021-06-04", "AFP"),
            _claim("f", 6, SAME.upper() + "!", "", "BBC"),  # case and punctuation folded
        ]
    )
    (group,) = groups
    assert [m.doc_id for m in group.members] == ["a", "b", "f"]  # dated first, undated last
    assert group.first.date == "2021-06-01" and group.outlets == ["ANI", "Reuters", "BBC"]
    assert group.to_dict()["first_doc"] == "a" and group.to_dict()["claims"] == 3


def test_contents_with_different_numbers_are_different_claims() -> None:
    from annotate.ledger.groups import group_claims

    said = "the party will pick up at least {} seats in the northern provinces"
    groups = group_claims(
        [
            _claim("a", 1, said.format(14), "2021-06-01", "ANI"),
            _claim("b", 2, said.format(45), "2021-06-02", "AP"),
            _claim("c", 3, said.format(14), "2021-06-03", "AFP"),
            _claim("d", 4, said.format("many"), "2021-06-04", "BBC"),  # no figure: may join
        ]
    )
    assert [[m.doc_id for m in g.members] for g in groups] == [["a", "c", "d"]]


def test_the_grouping_threshold_is_data(tmp_path: Path) -> None:
    """The shipped threshold groups a light rewording; a stricter one read from a settings
    file keeps the two apart, and a bad value is a one-line error naming the field."""
    import pytest

    from annotate.errors import ClaimscopeError
    from annotate.ledger.groups import GroupingSettings, group_claims, jaccard, shingles

    pair = [_claim("a", 1, SAME), _claim("b", 2, REWORDED)]
    similarity = jaccard(shingles(SAME, 2), shingles(REWORDED, 2))
    shipped = GroupingSettings.load()
    assert shipped.threshold <= similarity < 0.9
    assert len(group_claims(pair, shipped)) == 1
    strict = tmp_path / "grouping.json"
    strict.write_text(json.dumps({"threshold": 0.9}))
    assert group_claims(pair, GroupingSettings.load(strict)) == []
    strict.write_text(json.dumps({"threshold": "high"}))
    with pytest.raises(ClaimscopeError, match=r"grouping.json: field 'threshold' must be"):
        GroupingSettings.load(strict)


def _grouped_db(tmp_path: Path) -> Path:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        add_story(
            store,
            "A spokesman said the road was open. Zabihullah Mujahid said the road to the "
            "city was open.",
            "2021-06-02",
            "AP",
            [("A spokesman", None), ("Zabihullah Mujahid", "PERSON")],
        )
    return db


def test_claim_groups_lists_the_same_claim_in_several_documents(tmp_path: Path) -> None:
    db = _grouped_db(tmp_path)
    report = json.loads(
        run_cli("claim-groups", "--json", "--min-documents", "1", db=db, check=True).stdout
    )["groups"]
    assert len(report) == 1
    (group,) = report
    # the helper's contents start at the cue; "… the road to the city was open" shares too
    # few word pairs with them to be the same claim
    assert group["content"] == "said the road was open" and group["first_date"] == "2021-06-01"
    assert group["outlets"] == ["ANI", "AP"] and len(group["documents"]) == 2
    table = run_cli("claim-groups", db=db, check=True, env={"COLUMNS": "100"}).stdout
    assert "said the road was open" in table and "ANI, AP" in table
    none = run_cli("claim-groups", "--min-documents", "3", db=db, check=True).stdout
    assert "no claim is carried by 3 or more documents" in none


def test_the_claims_table_reads_back_in_pandas_as_csv_and_parquet(tmp_path: Path) -> None:
    import pandas as pd

    db = _grouped_db(tmp_path)
    for name in ("claims.csv", "claims.parquet"):
        out = tmp_path / name
        run_cli("export", str(out), "--format", "claims", db=db, check=True)
        frame = (
            pd.read_parquet(out)
            if name.endswith("parquet")
            else pd.read_csv(out, keep_default_na=False, dtype=str)
        )
        assert len(frame) == 7
        assert {"doc_id", "source_id", "content", "claim_group", "confidence"} <= set(frame)
        grouped = frame[frame["claim_group"] != ""]
        assert list(grouped["content"]) == ["said the road was open"] * 2
        assert grouped["claim_group"].nunique() == 1
        assert sorted(grouped["outlet"]) == ["ANI", "AP"]
    parquet = pd.read_parquet(tmp_path / "claims.parquet")
    assert str(parquet["confidence"].dtype) == "float64" and parquet["confidence"].isna().all()


# One identity per source -----------------------------------------------------------------------


def test_titles_and_organisation_prefixes_and_aliases_are_not_part_of_the_name() -> None:
    from annotate.ledger.names import organisation_name, person_name

    assert person_name("President Barack Obama") == "barack obama"
    assert (
        person_name("Taliban spokesman Zabihullah Mujahid")
        == "taliban spokesman zabihullah mujahid"
    )
    assert person_name("Dr. Ann Lee") == "ann lee"
    assert person_name("Mr.") == "mr"  # all titles: the name itself
    same = {"the U.S. State Department", "the State Department", "the Department of State"}
    assert {organisation_name(name) for name in same} == {"department of state"}
    assert organisation_name("the U.S.") == "u s"  # nothing would be left: kept
    assert organisation_name("the UN") == organisation_name("United Nations")


def test_a_description_joins_the_person_the_story_introduced_with_it(tmp_path: Path) -> None:
    """ "Taliban spokesman Zabihullah Mujahid said …" then "The spokesman said …": one source;
    a description two people share stays anonymous."""
    from annotate.ledger.sources import ledger

    db = tmp_path / "db.json"
    with Store.open(db) as store:
        add_story(
            store,
            "Taliban spokesman Zabihullah Mujahid said the road was open. The spokesman said "
            "talks would resume. A diplomat said nothing had changed.",
            "2021-06-01",
            "ANI",
            [("Zabihullah Mujahid", "PERSON"), ("The spokesman", None), ("A diplomat", None)],
        )
        add_story(
            store,
            "Ann Lee, a senior official, said one thing. Bo Chan, a senior official, said "
            "another. A senior official said a third.",
            "2021-06-02",
            "AP",
            [("Ann Lee", "PERSON"), ("Bo Chan", "PERSON"), ("A senior official", None)],
        )
        entries = ledger(
            (store.get_document(d), store.claims(d), store.spans(d)) for d in store.document_ids()
        )
    by_name = {entry.name: entry for entry in entries}
    mujahid = by_name["Zabihullah Mujahid"]
    assert len(mujahid.claims) == 2 and mujahid.names["The spokesman"] == 1
    assert by_name["A diplomat"].kind == "anonymous"
    assert by_name["A senior official"].kind == "anonymous"  # two people are described so


def test_a_lone_surname_joins_the_one_full_name_in_the_corpus(tmp_path: Path) -> None:
    from annotate.ledger.sources import ledger

    db = tmp_path / "db.json"
    with Store.open(db) as store:
        add_story(store, "President Ann Lee said the deal held.", "2021-06-01", "ANI",
               [("Ann Lee", "PERSON")])  # fmt: skip
        add_story(store, "Lee said the deal was good.", "2021-06-02", "AP", [("Lee", "PERSON")])
        add_story(store, "Chan said it rained. Bo Chan said it was cold. Al Chan said so.",
               "2021-06-03", "AFP", [("Chan", "PERSON"), ("Bo Chan", "PERSON"),
                                     ("Al Chan", "PERSON")])  # fmt: skip
        entries = ledger(
            (store.get_document(d), store.claims(d), store.spans(d)) for d in store.document_ids()
        )
    by_name = {entry.name: entry for entry in entries}
    assert len(by_name["Ann Lee"].claims) == 2 and by_name["Ann Lee"].outlets == {"ANI", "AP"}
    assert "Chan" in by_name  # two full names share the surname: it stays apart


def _keys(
    tmp_path: Path, text: str, sources: list[tuple[str, str | None]], named: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Each source's words and its entry key in the document (see ``document_keys``); the
    ``named`` people are PERSON entities of the text too (each where it is first written)."""
    from annotate.ledger.linking import PERSON_LABELS, document_keys, mentions

    with Store.open(tmp_path / "db.json") as store:
        add_story(store, text, "2021-06-01", "ANI", sources)
        doc_id = store.document_ids()[0]
        for name in named:
            at = text.index(name)
            store.add_span(
                EntitySpan(0, doc_id, at, at + len(name), "PERSON", "m@1", OriginKind.MODEL,
                           SpanStatus.SUGGESTED)
            )  # fmt: skip
        document, spans = store.get_document(doc_id), store.spans(doc_id)
        found = mentions(document, store.claims(doc_id), spans)
        persons = [(s.start, s.end) for s in spans if s.label in PERSON_LABELS]
        return [(m.name, key) for m, key in zip(found, document_keys(found, persons), strict=True)]


def test_pronouns_take_the_nearest_person_of_their_own(tmp_path: Path) -> None:
    """ "she" takes the nearest person known to be a she ("Ms"), "he" the nearest not known
    to be a she; two paragraphs on, "he" is nobody the ledger can tell."""
    keys = _keys(
        tmp_path,
        "Ms Mary Ostrom said the vote was close. Tom Hale said it was fair. She said the count "
        "would be checked. He said so too.\n\nMore came later.\n\nA week on, nothing else "
        "happened.\n\nHe said nothing.",
        [
            ("Ms Mary Ostrom", "PERSON"),
            ("Tom Hale", "PERSON"),
            ("She", None),
            ("He", None),
            ("He", None),
        ],
    )
    assert [key for _, key in keys] == [
        "person:mary ostrom",
        "person:tom hale",
        "person:mary ostrom",
        "person:tom hale",
        keys[-1][1],
    ]
    assert keys[-1][1].startswith("anonymous:")


def test_a_surname_the_model_labelled_otherwise_is_the_person(tmp_path: Path) -> None:
    keys = _keys(
        tmp_path,
        "Kim Sorensen said the plan works. Sorensen said it would save money.",
        [("Kim Sorensen", "PERSON"), ("Sorensen", "ORG")],
    )
    assert [key for _, key in keys] == ["person:kim sorensen", "person:kim sorensen"]


def test_an_acronym_after_an_organisation_is_its_name(tmp_path: Path) -> None:
    keys = _keys(
        tmp_path,
        "The Port Safety Board (PSB) said ships were delayed. The PSB said the delay ended.",
        [("The Port Safety Board (PSB)", "ORG"), ("The PSB", None)],
    )
    assert [key for _, key in keys] == ["organisation:port safety board"] * 2


def test_the_description_takes_the_one_before_it(tmp_path: Path) -> None:
    """ "One poster … The poster": the definite description is the one already named;
    "they" is the plural description named last."""
    keys = _keys(
        tmp_path,
        "One poster said the forum was down. The poster said it was back. Researchers said "
        "the data was old. They said it would be updated.",
        [("One poster", None), ("The poster", None), ("Researchers", None), ("They", None)],
    )
    one, the, researchers, they = (key for _, key in keys)
    assert one == the and researchers == they != one


# Kept up to date as claims are stored -------------------------------------------------------


def _entries(store: Store) -> dict[str, tuple[int, int]]:
    from annotate.ledger.corpus import corpus_ledger

    return {e.name: (e.claim_count, len(e.documents)) for e in corpus_ledger(store, "analyst")}


def test_the_ledger_is_read_from_the_catalog_not_the_records(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Each document's catalog row keeps its source summary, so the Sources screen and
    ``claimscope sources`` read no claim, span or text: the same ledger as from the records."""
    from annotate.ledger.corpus import corpus_ledger, corpus_ledger_from_records

    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        expected = [e.to_dict() for e in corpus_ledger_from_records(store, "analyst")]

        def no_reading(*args: object) -> None:
            raise AssertionError("the ledger read a record")

        for name in ("claims", "spans", "get_document", "documents"):
            monkeypatch.setattr(store, name, no_reading)
        assert [e.to_dict() for e in corpus_ledger(store, "analyst")] == expected


def test_the_ledger_follows_every_stored_change(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        assert _entries(store)["Zabihullah Mujahid"] == (3, 2)
        doc_id = next(d for d in store.document_ids() if "fighters" in store.get_document(d).text)
        claim = next(c for c in store.claims(doc_id) if c.source_entity is not None)
        from annotate.ledger.corpus import claim_lines, corpus_ledger

        mujahid = next(e for e in corpus_ledger(store) if e.name == "Zabihullah Mujahid")
        assert mujahid in corpus_ledger(store)  # nothing changed: the same entries again
        store.update_claim(claim.id, status="rejected")
        assert mujahid not in corpus_ledger(store)
        # a source's claims read the changed document's row as it is now, not as it was
        lines = {line.claim_id: line.status for line in claim_lines(store, mujahid)}
        assert lines[claim.id] == "rejected"
        assert _entries(store)["Zabihullah Mujahid"] == (2, 2)
        store.delete_claim(claim.id)
        assert _entries(store)["Zabihullah Mujahid"] == (2, 1)
    with Store.open(db, readonly=True) as store:  # and across a restart
        assert _entries(store)["Zabihullah Mujahid"] == (2, 1)


def test_rows_an_older_release_wrote_are_read_from_their_records(tmp_path: Path) -> None:
    """A catalog row without a summary (written before rows kept one) is no damage: the
    ledger reads that document's records, and ``db check`` finds nothing wrong."""
    import orjson

    from annotate.store.catalog import SUMMARY_VERSION, without_summaries
    from annotate.store.files import index_path
    from annotate.store.seal import seal

    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        expected = _entries(store)
    # the index file as an older release sealed it: its rows without summaries
    index = index_path(db, 0)
    data = orjson.loads(index.read_bytes())
    data.pop("checksum")
    data["catalog"] = {key: without_summaries(row) for key, row in data["catalog"].items()}
    sealed, crc = seal(orjson.dumps(data))
    index.write_bytes(sealed)
    main = orjson.loads(db.read_bytes())
    main.pop("checksum")
    main["meta"]["1"]["sums"][0][2] = crc
    db.write_bytes(seal(orjson.dumps(main))[0])
    with Store.open(db, readonly=True) as store:
        assert all("ledger" not in row for row in store.catalog())
        assert _entries(store) == expected
    assert run_cli("db", "check", db=db, check=True).stdout.strip().endswith("ok")
    # a writer reading the ledger makes those rows again: the next reading needs no records
    with Store.open(db) as store:
        assert _entries(store) == expected
    with Store.open(db, readonly=True) as store:
        assert all(row.get("ledger") == SUMMARY_VERSION for row in store.catalog())


def test_a_sources_claims_are_read_from_the_catalog_too(tmp_path: Path, monkeypatch: Any) -> None:
    """A source's claims screen lists date, outlet, title, cue, the start of the content,
    status and kind from the documents' summaries: no claim or text is read."""
    from annotate.ledger.corpus import claim_lines, corpus_ledger
    from annotate.store.catalog import SUMMARY_VERSION_KEY, source_summary

    db = tmp_path / "db.json"
    build(db)
    with Store.open(db) as store:
        mujahid = next(e for e in corpus_ledger(store, "analyst") if e.name == "Zabihullah Mujahid")

        def no_reading(*args: object) -> None:
            raise AssertionError("a record was read")

        for name in ("find_claim", "get_claim", "get_document", "claims"):
            monkeypatch.setattr(store, name, no_reading)
        lines = claim_lines(store, mujahid, "analyst")
        assert [(line.date, line.content) for line in lines] == [
            ("2021-06-01", "said the road was open"),
            ("2021-06-01", "added that talks would resume"),
            ("2021-06-03", "told reporters the fighters had left"),
        ]
        assert {line.outlet for line in lines} == {"ANI", "Reuters"} and lines[0].title
        row = next(iter(store.catalog()))
        older = {**row, SUMMARY_VERSION_KEY: 1}  # an older form of summary: read the records
        assert source_summary(None)(older) is None


def add_sourced(
    store: Store, text: str, date: str, source: str, names: list[tuple[str, str]]
) -> None:
    """A document whose one claim has the source ``source`` (its words in ``text``), holding
    the entities ``names`` (words, label), its content the clause after the source."""
    path = Path(store.path).with_name(f"{abs(hash(text))}.jsonl")
    path.write_text(json.dumps({"text": text, "meta": {"date": date, "agency": "AP"}}) + "\n")
    from annotate.io.importing import import_paths

    import_paths(store, [str(path)])
    doc_id = next(d for d in store.document_ids() if store.get_document(d).text == text)
    start = text.index(source)
    entities = []
    for words, label in names:
        at = text.index(words, start)
        entities.append(
            store.add_span(
                EntitySpan(0, doc_id, at, at + len(words), label, "m@1", OriginKind.MODEL,
                           SpanStatus.SUGGESTED)
            ).id
        )  # fmt: skip
    end = start + len(source)
    store.add_claim(
        Claim(0, doc_id, Offsets(end + 6, len(text) - 1), ClaimKind.REPORTED, "m@1",
              OriginKind.MODEL, SpanStatus.SUGGESTED, source=Offsets(start, end),
              source_entity=entities[0] if entities else None)
    )  # fmt: skip


def test_a_name_that_does_not_head_its_source_does_not_name_it(tmp_path: Path) -> None:
    """A source is the entity at its head: a name before a noun ("Lee supporters"), a
    possessor ("Lee's press secretary, Ann Cook,") or after "led by" is not the source;
    names joined by "and" are a group of their own; a collective noun after a name ("the
    Lee campaign") is an organisation; people described by a name ("a Democratic aide",
    "Lee supporters") are anonymous, never merged across documents."""
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        add_sourced(store, "Ann Lee said that the mill would close.", "2021-06-01", "Ann Lee",
                    [("Ann Lee", "PERSON")])  # fmt: skip
        add_sourced(store, "Many Lee supporters said that the vote was rigged.", "2021-06-02",
                    "Many Lee supporters", [("Lee", "PERSON")])  # fmt: skip
        add_sourced(store, "Lee's press secretary, Ann Cook, said that the mill was sold.",
                    "2021-06-03", "Lee's press secretary, Ann Cook,",
                    [("Lee", "PERSON"), ("Ann Cook", "PERSON")])  # fmt: skip
        add_sourced(store, "Bo Park and Sen. Ann Lee said that the bill would pass.",
                    "2021-06-04", "Bo Park and Sen. Ann Lee",
                    [("Bo Park", "PERSON"), ("Ann Lee", "PERSON")])  # fmt: skip
        add_sourced(store, "A panel led by Ann Lee said that the plan was cheap.", "2021-06-05",
                    "A panel led by Ann Lee", [("Ann Lee", "PERSON")])  # fmt: skip
        add_sourced(store, "The Lee campaign said that the rally was full.", "2021-06-06",
                    "The Lee campaign", [("Lee", "PERSON")])  # fmt: skip
        for day in ("07", "08"):
            said = f"A Democratic aide said that talks began on day {day}."
            aide = [("Democratic", "NORP")]
            add_sourced(store, said, f"2021-06-{day}", "A Democratic aide", aide)
        from annotate.ledger.corpus import corpus_ledger

        ledger = [(e.name, e.kind, e.claim_count, len(e.documents)) for e in corpus_ledger(store)]
    entries = {(name, kind): (claims, docs) for name, kind, claims, docs in ledger}
    assert entries[("Ann Lee", "person")] == (1, 1)  # only the one she heads
    assert entries[("Ann Cook", "person")] == (1, 1)
    assert entries[("Many Lee supporters", "anonymous")] == (1, 1)
    assert entries[("Bo Park and Sen. Ann Lee", "group")] == (1, 1)
    assert entries[("The Lee campaign", "organisation")] == (1, 1)
    assert ("A panel led by Ann Lee", "anonymous") in entries
    aides = [row for row in ledger if row[0] == "A Democratic aide"]
    assert aides == [("A Democratic aide", "anonymous", 1, 1)] * 2


def test_he_or_she_is_first_the_subject_of_their_sentence_then_of_the_one_before(
    tmp_path: Path,
) -> None:
    """An unresolved "he" takes the person named first in its sentence or, before it, in the
    sentence before (the subject, as a rule), not the nearest name, which is often an object:
    "Tom Lee criticized Sam Park's plan. He said …" is Tom Lee."""
    from annotate.ledger.corpus import corpus_ledger

    text = (
        "Sam Park said that the vote was close. Tom Lee criticized the plan of Sam Park on "
        "Monday. He said that the plan would fail."
    )
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        add_story(store, text, "2021-06-01", "AP", [("Sam Park", "PERSON"), ("He", None)])
        doc_id = store.document_ids()[0]
        for name in ("Tom Lee", "Sam Park"):
            at = text.index(name, 30)
            store.add_span(
                EntitySpan(0, doc_id, at, at + len(name), "PERSON", "m@1", OriginKind.MODEL,
                           SpanStatus.SUGGESTED)
            )  # fmt: skip
        ledger = {e.key: e.claim_count for e in corpus_ledger(store)}
    assert ledger == {"person:sam park": 1, "person:tom lee": 1}


def test_a_surname_takes_the_person_its_story_names_not_a_namesake_elsewhere(
    tmp_path: Path,
) -> None:
    """ "Carter" in a story that named Jimmy Carter (no source of a claim there) is Jimmy
    Carter, not the one Carter who speaks in another story of the corpus."""
    from annotate.ledger.corpus import corpus_ledger

    db = tmp_path / "db.json"
    story = "Former President Jimmy Carter toured the plant. Carter said the plant was safe."
    with Store.open(db) as store:
        add_story(store, "Ash Carter said the base was open.", "2021-06-01", "AP",
                  [("Ash Carter", "PERSON")])  # fmt: skip
        add_story(store, story, "2021-06-02", "AP", [])
        doc_id = next(d for d in store.document_ids() if "toured" in store.get_document(d).text)
        start = story.index("Jimmy Carter")
        store.add_span(
            EntitySpan(0, doc_id, start, start + len("Jimmy Carter"), "PERSON", "m@1",
                       OriginKind.MODEL, SpanStatus.SUGGESTED)
        )  # fmt: skip
        said = story.index("Carter said")
        store.add_claim(
            Claim(0, doc_id, Offsets(said + 12, len(story) - 1), ClaimKind.REPORTED, "m@1",
                  OriginKind.MODEL, SpanStatus.SUGGESTED, source=Offsets(said, said + 6))
        )  # fmt: skip
        ledger = corpus_ledger(store, "analyst")
        entries = {e.name: e.claim_count for e in ledger}
        assert "person:jimmy carter" in {e.key for e in ledger}
    assert entries == {"Ash Carter": 1, "Carter": 1}


def test_a_pronoun_goes_on_with_the_speaker_before_it(tmp_path: Path) -> None:
    """ "…," Hale said. "…," he added: the speaker goes on, even when another man was called
    "he" before (being called so gives no precedence)."""
    keys = _keys(
        tmp_path,
        "Tom Reed said the talks with Sam Hale went well. He added that a deal was near. "
        "Later, Hale said the talks had stalled. He added that no deal was near.",
        [("Tom Reed", "PERSON"), ("He", None), ("Hale", None), ("He", None)],
        named=("Sam Hale",),
    )
    assert [key for _, key in keys] == [
        "person:tom reed",
        "person:tom reed",
        "person:sam hale",
        "person:sam hale",
    ]


def test_he_never_stands_for_a_woman_by_her_first_name(tmp_path: Path) -> None:
    keys = _keys(
        tmp_path,
        "Ann Lee spoke after Tom Hale. He said the vote was set.",
        [("He", None)],
        named=("Ann Lee", "Tom Hale"),
    )
    assert [key for _, key in keys] == ["person:tom hale"]


def test_a_pronoun_is_never_someone_named_inside_a_quotation_or_a_possessor(
    tmp_path: Path,
) -> None:
    """The one who speaks is outside the quotation marks; "Sam Reed's aides" names the
    aides, not who goes on speaking."""
    keys = _keys(
        tmp_path,
        "Tom Hale spoke first. \u201cWe thank Sam Reed for his work,\u201d he said. "
        "After Sam Reed's aides left, Tom Hale spoke again. He said the plan would pass.",
        [("he", None), ("He", None)],
        named=("Tom Hale", "Sam Reed"),
    )
    assert [key for _, key in keys] == ["person:tom hale", "person:tom hale"]


def test_a_pronoun_inside_a_quotation_is_not_its_speaker(tmp_path: Path) -> None:
    """ "Sam Reed backs the plan. He always has," Hale added: the "he" inside the quotation
    is the one it names, not the speaker going on."""
    keys = _keys(
        tmp_path,
        "Tom Hale spoke at noon. \u201cSam Reed backs the plan. He always has,\u201d Hale added.",
        [("Tom Hale", "PERSON"), ("He", None)],
        named=("Sam Reed",),
    )
    assert [key for _, key in keys] == ["person:tom hale", "person:sam reed"]
