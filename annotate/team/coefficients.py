"""Chance-corrected agreement coefficients: Cohen's κ for two annotators, Krippendorff's α
(nominal) for any number of annotators with missing data.

Both follow their textbook definitions; tests check them against published worked examples
(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"; the 2×2 example of Cohen's
κ in most statistics texts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """κ = (p_o − p_e) / (1 − p_e) over paired judgements; None without data. When both
    annotators always use one and the same value (p_e = 1) agreement is perfect: 1.0."""
    items = list(pairs)
    if not items:
        return None
    total = len(items)
    observed = sum(1 for first, second in items if first == second) / total
    firsts = Counter(first for first, _ in items)
    seconds = Counter(second for _, second in items)
    expected = sum(firsts[value] * seconds[value] for value in firsts) / (total * total)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """α = 1 − D_o / D_e for nominal values. ``units`` holds, for each unit, the value each
    annotator gave it (None: missing). Units with fewer than two values are not pairable and
    are left out; None when nothing is pairable or only one value was ever used."""
    coincidence: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        values = [value for value in unit if value is not None]
        count = len(values)
        if count < 2:
            continue
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    coincidence[(first, second)] += 1.0 / (count - 1)
    totals: dict[Hashable, float] = defaultdict(float)
    for (first, _), weight in coincidence.items():
        totals[first] += weight
    n = sum(totals.values())
    if n <= 1 or len(totals) < 2:
        return None
    disagreement = sum(w for (first, second), w in coincidence.items() if first != second)
    expected = sum(
        totals[first] * totals[second] for first in totals for second in totals if first != second
    )
    return 1.0 - (n - 1) * disagreement / expected
