"""Benchmark: are two claim sources in a document the same entity? The ledger's answer
against GUM's coreference gold, on the 24 GUM Wikinews news articles.

The claims are the detector's (``preannotate``'s default: rules and model); a pair of claims
in one document counts when both sources fall on a mention GUM annotates (the mention that
overlaps the source most). GUM says the pair is the same entity when the two mentions are in
one coreference chain; the ledger says so when it gives the two sources one entry inside the
document (its document keys: names, surnames, titles, descriptions, resolved pronouns).
Prints pairwise precision and recall.

``--make GUM_GITDIR`` writes ``tests/data/gum_news_coref.jsonl`` from a snapshot of
github:amir-zeldes/gum (its ``coref/gum/conll`` files): each mention's character offsets in
the texts of ``tests/data/gum_news_claims.jsonl`` and its entity (CC BY 4.0, see
``tests/data/ATTRIBUTION.md``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
#: (set, claim gold, coreference) — the news articles the linking was developed on, and the
#: interviews it was not.
SETS = (
    ("news", DATA / "gum_news_claims.jsonl", DATA / "gum_news_coref.jsonl"),
    ("interview", DATA / "gum_interview_claims.jsonl", DATA / "gum_interview_coref.jsonl"),
)


def _conll(gitdir: Path, name: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", "show", f"HEAD:coref/gum/conll/{name}.conll"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _mentions(conll: str) -> Iterator[tuple[int, int, str]]:
    """(first token, last token, entity) of every mention; tokens numbered through the file."""
    open_at: dict[str, list[int]] = {}
    index = -1
    for line in conll.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        index += 1
        marks = parts[2] if len(parts) > 2 else "_"
        if marks == "_":
            continue
        position = 0
        while position < len(marks):
            char = marks[position]
            if char == "(":
                end = position + 1
                while end < len(marks) and marks[end] not in "()":
                    end += 1
                label = marks[position + 1 : end]
                if end < len(marks) and marks[end] == ")":
                    yield index, index, _entity(label)
                    end += 1
                else:
                    open_at.setdefault(_entity(label), []).append(index)
                position = end
            elif char == ")":
                position += 1
            else:
                end = position
                while end < len(marks) and marks[end] not in "()":
                    end += 1
                label = marks[position:end]
                if end < len(marks) and marks[end] == ")":
                    entity = _entity(label)
                    starts = open_at.get(entity)
                    if starts:
                        yield starts.pop(), index, entity
                    end += 1
                position = end


def _entity(label: str) -> str:
    """``person-12-Barack_Obama`` → ``person-12``."""
    kind, _, rest = label.partition("-")
    number = rest.split("-", 1)[0]
    return f"{kind}-{number}"


def _tokens(conll: str) -> list[str]:
    return [
        line.split("\t")[1]
        for line in conll.splitlines()
        if line and not line.startswith("#") and "\t" in line
    ]


def _align(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Each token's offsets in ``text``, found in order."""
    offsets, at = [], 0
    for token in tokens:
        found = text.find(token, at)
        if found < 0 or found - at > 200:
            raise ValueError(f"token {token!r} not found after offset {at}")
        offsets.append((found, found + len(token)))
        at = found + len(token)
    return offsets


def make(gitdir: Path) -> None:
    for _, claims, coref in SETS:
        _make(gitdir, claims, coref)


def _make(gitdir: Path, claims: Path, coref: Path) -> None:
    rows = []
    for line in claims.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        name = record["meta"]["gum_doc"]
        conll = _conll(gitdir, name)
        offsets = _align(record["text"], _tokens(conll))
        mentions = sorted(
            {(offsets[a][0], offsets[b][1], entity) for a, b, entity in _mentions(conll)}
        )
        rows.append({"gum_doc": name, "mentions": [list(m) for m in mentions]})
    coref.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{coref}: {len(rows)} documents, {sum(len(r['mentions']) for r in rows)} mentions")


def _best_mention(
    start: int, end: int, mentions: list[tuple[int, int, str]]
) -> tuple[int, int, str] | None:
    """The mention overlapping ``start``–``end`` most (ties: the shortest)."""
    best, best_key = None, (0, 0)
    for m_start, m_end, entity in mentions:
        overlap = min(end, m_end) - max(start, m_start)
        if overlap <= 0:
            continue
        key = (overlap, -(m_end - m_start))
        if key > best_key:
            best, best_key = (m_start, m_end, entity), key
    return best


def score(misses: list[tuple[str, str, str, str, str]] | None = None) -> None:
    for name, claims, coref in SETS:
        score_set(name, claims, coref, misses)


def score_set(
    set_name: str,
    claims: Path,
    coref_path: Path,
    misses: list[tuple[str, str, str, str, str]] | None = None,
) -> None:
    import tempfile

    from annotate.io.importing import import_paths
    from annotate.ledger.linking import PERSON_LABELS, document_keys, mentions
    from annotate.nlp.pipeline import load_pipeline
    from annotate.nlp.preannotate import preannotate
    from annotate.store import Store

    coref = {
        row["gum_doc"]: [tuple(m) for m in row["mentions"]]
        for row in map(json.loads, coref_path.read_text(encoding="utf-8").splitlines())
    }
    records = [json.loads(line) for line in claims.read_text(encoding="utf-8").splitlines()]
    by_text = {record["text"]: record["meta"]["gum_doc"] for record in records}
    tp = fp = fn = pairs_seen = 0
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "gum.jsonl"
        source.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in records))
        with Store.open(Path(folder) / "db.json") as store:
            import_paths(store, [str(source)])
            preannotate(store, load_pipeline())
            for doc_id in store.document_ids():
                document = store.get_document(doc_id)
                name = by_text[document.text]
                spans = store.spans(doc_id)
                found = mentions(document, store.claims(doc_id), spans)
                if not found:
                    continue
                persons = [(s.start, s.end) for s in spans if s.label in PERSON_LABELS]
                keys = document_keys(found, persons)
                gold_of = []
                for mention in found:
                    where = mention.claim.source
                    assert where is not None
                    best = _best_mention(where.start, where.end, coref[name])
                    gold_of.append(best[2] if best else None)
                for i, j in combinations(range(len(found)), 2):
                    if gold_of[i] is None or gold_of[j] is None:
                        continue
                    pairs_seen += 1
                    same_gold, same_ours = gold_of[i] == gold_of[j], keys[i] == keys[j]
                    tp += same_gold and same_ours
                    fp += same_ours and not same_gold
                    fn += same_gold and not same_ours
                    if same_gold != same_ours and misses is not None:
                        wrong = "missed" if same_gold else "joined"
                        misses.append((wrong, found[i].name, keys[i], found[j].name, keys[j]))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"{set_name}: source pairs in one document, both on a GUM mention: {pairs_seen}")
    print(f"  same entity: gold {tp + fn}, ledger {tp + fp}, both {tp}")
    print(f"  pairwise precision {precision:.3f} recall {recall:.3f}")
    print(
        f"RESULT {set_name}_linking_precision={precision:.3f} "
        f"{set_name}_linking_recall={recall:.3f}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--make", type=Path, metavar="GUM_GITDIR")
    args = parser.parse_args(argv)
    if args.make is not None:
        make(args.make)
    else:
        score()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
