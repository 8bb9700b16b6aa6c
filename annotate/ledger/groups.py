"""The same claim in several documents: claims whose contents say the same thing, grouped.

A content is folded into words (case and diacritics folded, punctuation dropped) and cut into
shingles of ``shingle_words`` words; two claims are the same claim when the Jaccard similarity
of their shingles reaches ``threshold``. datasketch's MinHash LSH proposes the candidate pairs
(so 100,000 claims are not compared pair by pair) and the exact Jaccard of the shingles decides.
Two contents that both hold numbers must hold the same ones ("at least 14" and "at least 45"
are two claims, however alike the words). Groups are the connected pairs. The settings live
in ``grouping.json``; a group's id is that of
its first claim (earliest date, then document and claim id), so it stays while that claim does.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from annotate.errors import ClaimscopeError

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class GroupingSettings:
    """What makes two contents the same claim (``grouping.json``)."""

    shingle_words: int = 2
    threshold: float = 0.5
    num_perm: int = 128
    min_words: int = 5

    @classmethod
    def load(cls, path: Path | None = None) -> GroupingSettings:
        """The settings in ``path``, else the shipped ``grouping.json``; a bad value is a
        one-line error naming the file and the field."""
        where = str(path) if path is not None else "annotate/ledger/grouping.json"
        try:
            if path is None:
                raw = resources.files("annotate.ledger").joinpath("grouping.json").read_text()
            else:
                raw = path.read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ClaimscopeError(f"{where}: cannot read the grouping settings: {error}") from error
        if not isinstance(data, dict):
            raise ClaimscopeError(f"{where}: the grouping settings must be a JSON object")
        values: dict[str, Any] = {}
        for name, low, high, kind in (
            ("shingle_words", 1, 5, int),
            ("threshold", 0.05, 1.0, float),
            ("num_perm", 16, 1024, int),
            ("min_words", 1, 100, int),
        ):
            if name not in data:
                continue
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ClaimscopeError(f"{where}: field {name!r} must be a number")
            if kind is int and value != int(value):
                raise ClaimscopeError(f"{where}: field {name!r} must be a whole number")
            if not low <= value <= high:
                raise ClaimscopeError(f"{where}: field {name!r} must be in [{low}, {high}]")
            values[name] = kind(value)
        return cls(**values)


def words(content: str) -> list[str]:
    """``content`` as folded words: case and diacritics folded, punctuation gone."""
    text = unicodedata.normalize("NFKD", content)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return _WORD.findall(text)


def shingles(content: str, size: int) -> frozenset[str]:
    """The runs of ``size`` words of ``content`` (the words themselves when it is shorter)."""
    folded = words(content)
    if len(folded) <= size:
        return frozenset([" ".join(folded)]) if folded else frozenset()
    return frozenset(" ".join(folded[i : i + size]) for i in range(len(folded) - size + 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True, slots=True)
class GroupedClaim:
    """One claim as grouping sees it: where it is, when, and what it says."""

    doc_id: str
    claim_id: int
    date: str
    outlet: str
    content: str

    @property
    def order(self) -> tuple[str, str, int]:
        """Earliest first; a claim with no date after every dated one."""
        return (self.date or "\uffff", self.doc_id, self.claim_id)


@dataclass(slots=True)
class ClaimGroup:
    """Claims in several places that say the same thing, first one first."""

    members: list[GroupedClaim] = field(default_factory=list)

    @property
    def first(self) -> GroupedClaim:
        return self.members[0]

    @property
    def id(self) -> str:
        first = self.first
        return hashlib.sha1(f"{first.doc_id}\t{first.claim_id}".encode()).hexdigest()[:10]

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(member.doc_id for member in self.members))

    @property
    def outlets(self) -> list[str]:
        """The outlets that carried it, in the order they first did."""
        return list(dict.fromkeys(m.outlet for m in self.members if m.outlet))

    def to_dict(self) -> dict[str, object]:
        first = self.first
        return {
            "id": self.id,
            "claims": len(self.members),
            "documents": self.documents,
            "outlets": self.outlets,
            "first_doc": first.doc_id,
            "first_date": first.date or None,
            "content": first.content,
            "members": [
                {"doc_id": m.doc_id, "claim_id": m.claim_id, "date": m.date or None}
                for m in self.members
            ],
        }


def group_claims(
    claims: Iterable[GroupedClaim], settings: GroupingSettings | None = None
) -> list[ClaimGroup]:
    """Groups of two or more claims that say the same thing, the most claims first."""
    from datasketch import MinHash, MinHashLSH  # numpy and scipy: only when grouping

    settings = settings or GroupingSettings.load()
    items: list[GroupedClaim] = []
    sets: list[frozenset[str]] = []
    numbers: list[frozenset[str]] = []
    for claim in claims:
        folded = words(claim.content)
        if len(folded) < settings.min_words:
            continue
        items.append(claim)
        sets.append(shingles(claim.content, settings.shingle_words))
        numbers.append(frozenset(word for word in folded if word.isdigit()))
    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    hashes: list[MinHash] = []
    for index, shingle_set in enumerate(sets):
        minhash = MinHash(num_perm=settings.num_perm, seed=1)
        minhash.update_batch([s.encode("utf-8") for s in shingle_set])
        hashes.append(minhash)
        lsh.insert(str(index), minhash)
    parent = list(range(len(items)))
    #: The figures each group's contents hold (a group takes its first claim's with figures).
    figures = list(numbers)

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, minhash in enumerate(hashes):
        for other in map(int, lsh.query(minhash)):
            if other <= index or root(other) == root(index):
                continue
            if jaccard(sets[index], sets[other]) < settings.threshold:
                continue
            mine, theirs = figures[root(index)], figures[root(other)]
            if mine and theirs and mine != theirs:
                continue  # "at least 14" and "at least 45": two claims, nor does a third join them
            figures[root(index)] = mine or theirs
            parent[root(other)] = root(index)
    members: dict[int, list[GroupedClaim]] = {}
    for index, item in enumerate(items):
        members.setdefault(root(index), []).append(item)
    groups = [
        ClaimGroup(sorted(found, key=lambda m: m.order))
        for found in members.values()
        if len(found) > 1
    ]
    return sorted(groups, key=lambda g: (-len(g.members), g.first.order))


def group_of(groups: Sequence[ClaimGroup]) -> dict[tuple[str, int], ClaimGroup]:
    """Each grouped claim's group, by (document id, claim id)."""
    return {(m.doc_id, m.claim_id): group for group in groups for m in group.members}
