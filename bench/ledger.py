"""Benchmark: the source ledger at scale — building it, opening the Sources screen, and one
source's claims — on a synthetic corpus (default 100,000 documents of 3,000 characters, five
claims each with a source drawn from 2,000 named people and per-document "officials").

It measures, in one run:
- building from scratch: opening (and so migrating) a database written as one file, which
  computes every document's catalog row and source summary, against the same migration of the
  corpus without claims (the summaries' share of it);
- the ledger as the Sources screen reads it (the catalog's summaries, no record read) against
  the ledger read from every document's records (what the summaries save), and after a
  restart, from the ledger kept beside the database (:mod:`annotate.ledger.kept`);
- the Sources screen itself, driven through Textual's Pilot: from pressing ``w`` in the list
  to the first rows drawn, right after start, again, and after an edit once the app has read
  the ledger ahead: target ≤ 1 s; and right after start with nothing kept (the first reading
  a database ever has: a command that changes it keeps the ledger for the next);
- one source's claims, the first 1,000 by date, for the source with the most claims and for
  a typical one: target ≤ 100 ms;
- keeping it current: the ledger again after one claim was added (only that document is
  added up again).

Usage: ``python bench/ledger.py [--docs 100000] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.ledger.corpus import claim_lines, corpus_ledger, corpus_ledger_from_records  # noqa: E402
from annotate.model import Claim, ClaimKind, Offsets, OriginKind, SpanStatus, text_hash  # noqa: E402
from annotate.store import Store  # noqa: E402
from annotate.store.files import ledger_folder  # noqa: E402

T = TypeVar("T")
TEXT_CHARS = 3_000
CLAIMS_PER_DOC = 5
PEOPLE = 2_000
FIRST = ["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo"]
OUTLETS = ["ANI", "AP", "AFP", "Reuters", "BBC"]


def make_document(
    rng: random.Random, number: int, with_claims: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A document record, its PERSON spans and its claims (as stored dicts, ids to fill)."""
    pieces = [f"Story {number}."]
    spans: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    at = len(pieces[0]) + 1
    for k in range(CLAIMS_PER_DOC):
        person = rng.randrange(PEOPLE)
        name = "Officials" if k == CLAIMS_PER_DOC - 1 else f"{FIRST[person % 10]} Surname{person}"
        sentence = f"{name} said the figure number {rng.randrange(10**6)} was right."
        start = at
        if name != "Officials":
            spans.append({"start": start, "end": start + len(name), "label": "PERSON"})
        claims.append(
            {
                "source": (start, start + len(name)),
                "cue": (start + len(name) + 1, start + len(name) + 5),
                "content": (start + len(name) + 6, start + len(sentence) - 1),
                "person": name != "Officials",
            }
        )
        pieces.append(sentence)
        at += len(sentence) + 1
    filler = " ".join(rng.choice(["the", "vote", "was", "held", "in", "town"]) for _ in range(500))
    text = (" ".join(pieces) + " " + filler)[:TEXT_CHARS]
    date = f"2021-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    doc = {
        "id": text_hash(text),
        "text": text,
        "meta": {"date": date, "agency": rng.choice(OUTLETS)},
    }
    return doc, spans, claims if with_claims else []


def build(path: Path, documents: int, with_claims: bool) -> None:
    """A schema-1 database (one file), as bench/store.py writes one."""
    rng = random.Random(11)
    docs: dict[str, Any] = {}
    spans: dict[str, Any] = {}
    claims: dict[str, Any] = {}
    span_id = claim_id = 1
    for number in range(1, documents + 1):
        doc, doc_spans, doc_claims = make_document(rng, number, with_claims)
        docs[str(number)] = doc
        entity_of: dict[int, int] = {}
        for span in doc_spans:
            spans[str(span_id)] = {
                "id": span_id, "doc_id": doc["id"], "start": span["start"], "end": span["end"],
                "label": "PERSON", "origin": "bench@1", "origin_kind": "model",
                "status": "suggested",
            }  # fmt: skip
            entity_of[span["start"]] = span_id
            span_id += 1
        for claim in doc_claims:
            (s0, s1), (c0, c1), (n0, n1) = claim["source"], claim["cue"], claim["content"]
            record = Claim(
                claim_id, doc["id"], Offsets(n0, n1), ClaimKind.REPORTED, "bench@1",
                OriginKind.MODEL, SpanStatus.SUGGESTED, source=Offsets(s0, s1),
                source_entity=entity_of.get(s0), cue=Offsets(c0, c1),
            ).to_dict()  # fmt: skip
            claims[str(claim_id)] = record
            claim_id += 1
    meta = {"schema_version": 1, "created_at": None, "last_seq": 0}
    data = {"meta": {"1": meta}, "documents": docs, "spans": spans, "claims": claims,
            "reviews": {}, "preannotated": {}, "history": {}}  # fmt: skip
    path.write_bytes(orjson.dumps(data))


def seconds(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


async def screen_open_seconds(path: Path, *, kept: bool = True) -> tuple[float, float, float, int]:
    """From ``w`` in the list to the Sources screen's first rows drawn (Textual's Pilot, 120
    columns): right after start; again after going back to the list; and after a claim was
    added and the analyst left the keys alone a second (the app reads the ledger ahead).
    Also how many sources it lists."""
    from tui.app import make_app
    from tui.screens.sources import SourcesScreen
    from tui.widgets.source_table import SourceTable

    if not kept:  # the first reading ever: nothing kept beside the database
        shutil.rmtree(ledger_folder(path), ignore_errors=True)
    app = make_app(path, annotator="analyst")
    taken: list[float] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            for attempt in range(3):
                if attempt == 2:  # an edit, then a second without keys
                    add_one_claim(app.store)
                    app.last_input = time.monotonic() - 1.5  # not 10 s: no checkpoint
                    app._read_ledger_when_idle()
                    await app.workers.wait_for_complete()
                started = time.perf_counter()
                await pilot.press("w")
                while True:
                    screen = app.screen
                    if isinstance(screen, SourcesScreen) and screen.shown:
                        table = screen.query_one(SourceTable)
                        table.render_line(1)  # a row's cells are worked out when first drawn
                        await pilot.pause()
                        break
                    await asyncio.sleep(0.005)
                taken.append(time.perf_counter() - started)
                listed = len(screen.shown)
                await pilot.press("escape")
                await pilot.pause()
            return taken[0], taken[1], taken[2], listed
    finally:
        app.close_store()


def add_one_claim(store: Store) -> None:
    """A claim by the first person of the last document."""
    doc_id = store.document_ids()[-1]
    span = store.spans(doc_id)[0]
    store.add_claim(
        Claim(
            0,
            doc_id,
            Offsets(span.end + 1, span.end + 20),
            ClaimKind.REPORTED,
            "bench@1",
            OriginKind.MODEL,
            SpanStatus.SUGGESTED,
            source=span.offsets,
            source_entity=span.id,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="claimscope-ledger-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        plain, full = folder / "plain.json", folder / "claims.json"
        build(plain, args.docs, with_claims=False)
        build(full, args.docs, with_claims=True)
        migrate_plain, _ = seconds(lambda: Store.open(plain).close())
        migrate_full, _ = seconds(lambda: Store.open(full).close())
        print(f"{args.docs:,} documents, {args.docs * CLAIMS_PER_DOC:,} claims")
        print(
            f"build from scratch (migrate one file, rows and summaries): {migrate_full:.1f} s; "
            f"without claims {migrate_plain:.1f} s"
        )
        with Store.open(full) as store:
            opened, entries = seconds(lambda: corpus_ledger(store, "analyst"))
            again, _ = seconds(lambda: corpus_ledger(store, "analyst"))
            records, _ = seconds(lambda: corpus_ledger_from_records(store, "analyst"))
            assert isinstance(entries, list)
            print(
                f"Sources ledger added up from the catalog: {opened:.2f} s (asked again before "
                f"a commit: {again * 1000:.1f} ms), from the records {records:.2f} s: ratio "
                f"{records / opened:.1f}×; {len(entries):,} entries"
            )
        with Store.open(full) as store:  # a new process: the ledger kept beside the database
            restarted, _ = seconds(lambda: corpus_ledger(store, "analyst"))
            print(
                f"after a restart, from the kept ledger: {restarted:.2f} s "
                f"({opened / restarted:.1f}× faster than adding up)"
            )
        with Store.open(full) as store:
            top = entries[0]
            typical = entries[len(entries) // 4]
            for label, entry in (("largest", top), ("typical", typical)):
                started = time.perf_counter()
                shown = claim_lines(store, entry, "analyst", 1000)
                taken = time.perf_counter() - started
                print(
                    f"one source's claims ({label}: {len(entry.refs):,} claims, "
                    f"{len(shown):,} shown): {taken * 1000:.0f} ms"
                )
            entries = corpus_ledger(store, "analyst")
            add_one_claim(store)
            current, after = seconds(lambda: corpus_ledger(store, "analyst"))
            grew = sum(len(e.refs) for e in after) - sum(len(e.refs) for e in entries)
            print(
                f"after adding a claim: {current:.2f} s (only its document added up again), "
                f"{grew} more claim in the ledger"
            )
        screens = [asyncio.run(screen_open_seconds(full)) for _ in range(3)]
        cold, warm, ahead = (sorted(run[i] for run in screens) for i in range(3))
        first = asyncio.run(screen_open_seconds(full, kept=False))[0]
        print(
            f"Sources screen (w in the list → first rows drawn, {screens[0][3]:,} sources), "
            f"three fresh apps: right after start {', '.join(f'{s:.2f}' for s in cold)} s; "
            f"again, nothing changed {', '.join(f'{s:.2f}' for s in warm)} s; after an edit "
            f"and a second without keys {', '.join(f'{s:.2f}' for s in ahead)} s; the first "
            f"time ever (nothing kept) {first:.2f} s"
        )
        print(
            f"RESULT ledger_open_s={opened:.2f} ledger_restart_s={restarted:.2f} "
            f"ledger_records_s={records:.2f} screen_first_ever_s={first:.2f} "
            f"screen_cold_s={cold[1]:.2f} screen_again_s={warm[1]:.2f} "
            f"screen_after_edit_s={ahead[1]:.2f} build_s={migrate_full:.1f} "
            f"build_plain_s={migrate_plain:.1f}"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
