"""Splitting a corpus between annotators: a share every annotator does (for agreement), the
rest divided evenly; each annotator's queue in a seeded random order."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from annotate.errors import ClaimscopeError


@dataclass(frozen=True)
class Plan:
    """Who does which document, in which order."""

    annotators: tuple[str, ...]
    shared: tuple[str, ...]
    queues: dict[str, tuple[str, ...]]

    def triples(self) -> list[tuple[str, str, int]]:
        """(document, annotator, position) for the store."""
        return [
            (doc_id, name, position)
            for name in self.annotators
            for position, doc_id in enumerate(self.queues[name])
        ]


def plan_assignments(
    doc_ids: Sequence[str], annotators: Sequence[str], overlap: float, seed: int = 0
) -> Plan:
    """``overlap`` of the documents (rounded, at least one when above zero and there are
    documents) go to every annotator; the others are dealt out in turn, so queue lengths
    differ by one at most. The same seed gives the same plan."""
    names = tuple(dict.fromkeys(name.strip() for name in annotators if name.strip()))
    if len(names) < 1:
        raise ClaimscopeError("--annotators: name at least one annotator")
    if not 0.0 <= overlap <= 1.0:
        raise ClaimscopeError(f"--overlap must be between 0 and 1, got {overlap}")
    order = list(doc_ids)
    random.Random(seed).shuffle(order)
    count = round(overlap * len(order))
    if overlap > 0 and order and count == 0:
        count = 1
    shared, rest = order[:count], order[count:]
    dealt: dict[str, list[str]] = {name: [] for name in names}
    for index, doc_id in enumerate(rest):
        dealt[names[index % len(names)]].append(doc_id)
    rank = {doc_id: index for index, doc_id in enumerate(order)}
    queues = {name: tuple(sorted([*shared, *dealt[name]], key=rank.__getitem__)) for name in names}
    return Plan(names, tuple(shared), queues)
