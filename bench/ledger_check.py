"""Hand check of the ledger across documents: samples the merges the ledger made (two
documents' sources joined into one entry) and the claim groups it made (two documents' claims
grouped as the same), on a corpus of many outlets, for a person to judge; then scores the
judgements.

The corpus is PolNeAR's ``train`` split (US political news of 2016 from seven outlets; it
has no licence, so its text stays on this machine and nothing it writes may be committed):
the articles without their gold claims, each with its outlet and date from its file name,
pre-annotated with the default pipeline as a user would. ``dev`` and ``test`` are not read.

Usage:
    python bench/ledger_check.py --polnear GITDIR --out DIR [--docs 400] [--seed 0]
        writes DIR/merges.txt and DIR/groups.txt: 100 numbered pairs each, with the
        sentences around each side;
    python bench/ledger_check.py --out DIR --score
        reads DIR/merges.judged and DIR/groups.judged (one line per pair: its number, then
        y or n) and prints the precision of each.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate.io.importing import import_paths  # noqa: E402
from annotate.ledger.corpus import corpus_groups, corpus_ledger  # noqa: E402
from annotate.ledger.sources import Entry  # noqa: E402
from annotate.nlp.pipeline import load_pipeline  # noqa: E402
from annotate.nlp.preannotate import preannotate  # noqa: E402
from annotate.store import Store  # noqa: E402

PAIRS = 100
#: A PolNeAR article's name: outlet, date, slug.
NAMED = re.compile(r"(?P<outlet>[a-z-]+)_(?P<date>\d{4}-\d{2}-\d{2})_")


def corpus(gitdir: str, tool: Path, folder: Path, documents: int, seed: int) -> Path:
    """``documents`` articles of PolNeAR train as import JSONL, with outlet and date."""
    gold = folder / "train_gold.jsonl"
    subprocess.run([sys.executable, str(tool), "gold", gitdir, "train", str(gold)], check=True)
    records = [orjson.loads(line) for line in gold.read_bytes().splitlines() if line.strip()]
    random.Random(seed).shuffle(records)
    out = folder / "articles.jsonl"
    with out.open("wb") as handle:
        for record in records[:documents]:
            name = str(record["meta"]["source"]).rsplit("/", 1)[-1]
            found = NAMED.match(name)
            meta = {"title": record["text"].split("\n", 1)[0][:100], "source": name}
            if found:
                meta |= {"agency": found["outlet"], "date": found["date"]}
            handle.write(orjson.dumps({"text": record["text"], "meta": meta}) + b"\n")
    gold.unlink()
    return out


def around(text: str, start: int, end: int, chars: int = 160) -> str:
    """The words around ``text[start:end]``, the span in brackets, on one line."""
    left = text[max(0, start - chars) : start]
    right = text[end : end + chars]
    return " ".join(f"…{left}[{text[start:end]}]{right}…".split())


def merge_pairs(store: Store, entries: list[Entry], rng: random.Random) -> list[str]:
    """Pairs of sources in two documents that the ledger made one entry, 100 drawn without
    repeats: an entry at random among those spanning documents, two of its documents, a
    claim of each."""
    joined = [e for e in entries if e.kind != "anonymous" and len(e.documents) > 1]
    seen: set[tuple[str, str, str]] = set()
    lines: list[str] = []
    for _ in range(PAIRS * 50):
        if len(seen) == PAIRS:
            break
        entry = rng.choice(joined)
        by_document: dict[str, list[int]] = {}
        for ref in entry.refs:
            by_document.setdefault(ref.doc_id, []).append(ref.claim_id)
        first, second = sorted(rng.sample(sorted(by_document), 2))
        if (entry.key, first, second) in seen:
            continue
        seen.add((entry.key, first, second))
        spread = f"{entry.kind}, {len(entry.documents)} docs"
        lines.append(f"## {len(seen)}  entry {entry.name!r} ({spread})")
        for doc_id in (first, second):
            claim = store.find_claim(rng.choice(by_document[doc_id]))
            assert claim is not None and claim.source is not None
            text = store.get_document(doc_id).text
            lines.append(f"   {doc_id[:8]}: {around(text, claim.source.start, claim.source.end)}")
    return lines


def group_pairs(store: Store, rng: random.Random) -> list[str]:
    """Pairs of claims in two documents that the grouping put together, 100 drawn without
    repeats from every such pair."""
    pairs = [
        (first, second)
        for group in corpus_groups(store)
        for index, first in enumerate(group.members)
        for second in group.members[index + 1 :]
        if first.doc_id != second.doc_id
    ]
    chosen = rng.sample(pairs, min(PAIRS, len(pairs)))
    lines = [f"# {len(pairs)} pairs of claims in two documents grouped; {len(chosen)} drawn"]
    for number, (first, second) in enumerate(chosen, start=1):
        lines.append(f"## {number}")
        for member in (first, second):
            lines.append(f"   {member.doc_id[:8]} {member.outlet}: {member.content}")
    return lines


def score(folder: Path) -> None:
    for name in ("merges", "groups"):
        path = folder / f"{name}.judged"
        verdicts = [line.split() for line in path.read_text().splitlines() if line.strip()]
        right = sum(1 for _, verdict in verdicts if verdict == "y")
        print(f"{name}: {right} of {len(verdicts)} right, precision {right / len(verdicts):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polnear", default=os.environ.get("POLNEAR_GITDIR"))
    parser.add_argument(
        "--polnear-tool", type=Path, default=ROOT.parent / "shared" / "tools" / "polnear.py"
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--score", action="store_true")
    args = parser.parse_args()
    if args.score:
        score(args.out)
        return
    if not args.polnear:
        print("skipped: pass --polnear GITDIR (or set POLNEAR_GITDIR)")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "ledger.json"
    if not db.exists():
        articles = corpus(args.polnear, args.polnear_tool, args.out, args.docs, args.seed)
        with Store.open(db) as store:
            import_paths(store, [str(articles)])
            preannotate(store, load_pipeline())
    rng = random.Random(args.seed)
    with Store.open(db, readonly=True) as store:
        entries = corpus_ledger(store)
        spanning = [e for e in entries if e.kind != "anonymous" and len(e.documents) > 1]
        print(
            f"{store.document_count()} documents, {len(entries)} entries, "
            f"{len(spanning)} named ones in more than one document"
        )
        (args.out / "merges.txt").write_text("\n".join(merge_pairs(store, entries, rng)) + "\n")
        (args.out / "groups.txt").write_text("\n".join(group_pairs(store, rng)) + "\n")
    print(f"judge {args.out}/merges.txt and groups.txt, then run with --score")


if __name__ == "__main__":
    main()
